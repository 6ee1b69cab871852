//! The layer API as a user meets it: a layer with two results trained by `fit`, Keras's rule
//! for training mode, and callbacks that know which way a compiled metric improves.

use autodiff_core::{Tape, Tensor, Var};
use nn::losses::Loss;
use nn::metrics::Metric;
use nn::optim::Optimizer;
use nn::train::{Callback, CallbackError, Control, EarlyStopping, FitOptions, Logs, Model};
use nn::train::{FitError, Validation};
use nn::{Activation, Dense, Dropout, Layer, Module, Prediction, Sequential};

/// A layer's two results, as a recurrent layer has (its sequence and its final state): here
/// the hidden features and the readout computed from them.
struct Outputs<'t> {
    hidden: Var<'t, f32>,
    readout: Var<'t, f32>,
}

impl<'t> Prediction<'t, f32> for Outputs<'t> {
    fn prediction(self) -> Var<'t, f32> {
        self.readout
    }
}

#[derive(Module)]
#[module(float = f32)]
struct TwoResults {
    hidden: Dense<f32>,
    readout: Dense<f32>,
}

impl<'t> Layer<'t, f32> for TwoResults {
    type Output = Outputs<'t>;

    fn forward(&self, x: Var<'t, f32>) -> Outputs<'t> {
        let hidden = self.hidden.forward(x);
        Outputs {
            hidden,
            readout: self.readout.forward(hidden),
        }
    }

    fn penalty(&self, tape: &'t Tape<f32>) -> Option<Var<'t, f32>> {
        [self.hidden.penalty(tape), self.readout.penalty(tape)]
            .into_iter()
            .flatten()
            .reduce(|a, b| a + b)
    }
}

#[test]
fn a_layer_with_two_results_trains_on_its_prediction() {
    let x = Tensor::<f32>::normal([64, 3], 0.0, 1.0, 1);
    let y = Tensor::from_fn([64, 1], |i| x.get(&[i, 0]) * 0.5 - x.get(&[i, 2]));
    let net = TwoResults {
        hidden: Dense::new(3, 6).activation(Activation::Tanh).seed(1),
        readout: Dense::new(6, 1).seed(2),
    };
    let tape = Tape::new();
    let out = net.forward(tape.constant(x.clone()));
    assert_eq!(
        (out.hidden.dims(), out.readout.dims()),
        (vec![64, 6], vec![64, 1])
    );
    let mut model = Model::new(net, Loss::MeanSquaredError, Optimizer::adam(0.02), vec![]);
    let options = FitOptions {
        epochs: 30,
        verbose: false,
        ..FitOptions::default()
    };
    let loss = model.fit(&x, &y, &options, &mut []).unwrap();
    let loss = loss.get("loss").unwrap();
    assert!(loss[29] < loss[0] / 5.0, "{loss:?}");
    assert_eq!(model.predict(&x, 16).unwrap().dims(), [64, 1]);
}

/// A network of dropout alone, fitted to reproduce its input: any loss comes from dropped
/// elements, so a non-zero training loss means training mode was on.
fn dropout_model() -> Model<f32, Sequential<f32>> {
    Model::new(
        Sequential::new().add(Dropout::new(0.5, 3)),
        Loss::MeanSquaredError,
        Optimizer::sgd(0.1),
        vec![],
    )
}

fn is_identity(net: &Sequential<f32>, x: &Tensor<f32>) -> bool {
    let tape = Tape::no_grad();
    net.forward(tape.constant(x.clone())).value() == *x
}

#[test]
fn dropout_is_off_outside_fit_and_on_while_it_trains() {
    let x = Tensor::<f32>::ones([40, 10]);
    let mut model = dropout_model();
    assert!(
        is_identity(&model.net, &x),
        "a new model runs in inference mode"
    );
    let options = FitOptions {
        epochs: 2,
        validation: Validation::Data(&x, &x),
        verbose: false,
        ..FitOptions::default()
    };
    let history = model.fit(&x, &x, &options, &mut []).unwrap();
    assert!(history.get("loss").unwrap()[0] > 0.1, "{history}");
    assert_eq!(history.get("val_loss").unwrap(), [0.0, 0.0]);
    assert!(is_identity(&model.net, &x), "fit leaves inference mode on");
}

/// A callback that fails after the first epoch.
struct FailAtOnce;

impl Callback<f32> for FailAtOnce {
    fn on_epoch_end(
        &mut self,
        _: usize,
        _: &Logs,
        _: &mut dyn Module<f32>,
    ) -> Result<Control, CallbackError> {
        Err(CallbackError {
            callback: "FailAtOnce",
            message: "on purpose".into(),
        })
    }
}

#[test]
fn a_fit_that_fails_still_leaves_inference_mode_on() {
    let x = Tensor::<f32>::ones([8, 10]);
    let mut model = dropout_model();
    let options = FitOptions {
        verbose: false,
        ..FitOptions::default()
    };
    let err = model.fit(&x, &x, &options, &mut [&mut FailAtOnce]);
    assert!(matches!(err, Err(FitError::Callback(_))));
    assert!(is_identity(&model.net, &x));
}

#[test]
fn early_stopping_knows_a_compiled_metric_by_its_kind_not_its_name() {
    // y = 1 when x₀ > 0: an easy task whose validation accuracy, logged as "val_hits", rises.
    let x = Tensor::<f32>::normal([200, 2], 0.0, 1.0, 5);
    let y = Tensor::from_fn([200, 1], |i| f32::from(u8::from(x.get(&[i, 0]) > 0.0)));
    let net = Sequential::new().add(Dense::new(2, 1).seed(4));
    let mut model = Model::new(
        net,
        Loss::BinaryCrossentropy { from_logits: true },
        Optimizer::rmsprop(0.01),
        vec![Metric::binary_accuracy_from_logits("hits")],
    );
    let mut stop = EarlyStopping::new("val_hits").patience(3);
    let options = FitOptions {
        epochs: 10,
        validation: Validation::Split(0.25),
        verbose: false,
        ..FitOptions::default()
    };
    let history = model.fit(&x, &y, &options, &mut [&mut stop]).unwrap();
    let hits = history.get("val_hits").unwrap();
    let best = stop.best_epoch.unwrap();
    assert_eq!(
        hits[best],
        hits.iter().copied().fold(f64::MIN, f64::max),
        "the best epoch has the highest accuracy: {hits:?}"
    );
    assert!(hits[best] > 0.85, "{hits:?}");
    assert_eq!(
        stop.stopped_epoch,
        Some(best + 3),
        "patience 3 after the best"
    );
}
