//! End-to-end behaviour of fit, History, validation split, EarlyStopping and K-fold, on dense
//! and sparse inputs.

use autodiff_core::{Tape, Tensor, Var};
use nn::data::SparseRows;
use nn::layers::SparseInput;
use nn::losses::Loss;
use nn::metrics::Metric;
use nn::optim::Optimizer;
use nn::train::{EarlyStopping, FitError, FitOptions, KFold, KFoldError, Model, Validation};
use nn::{Activation, Dense, Layer, Module, Regularizer, Sequential};

fn data() -> (Tensor<f32>, Tensor<f32>) {
    let x = Tensor::<f32>::normal([100, 3], 0.0, 1.0, 4);
    let y = Tensor::from_fn([100, 1], |i| 2.0 * x.get(&[i, 0]) - x.get(&[i, 2]) + 0.5);
    (x, y)
}

fn model(lr: f64) -> Model<f32, Sequential<f32>> {
    let net = Sequential::new()
        .add(Dense::new(3, 8).activation(Activation::Tanh).seed(1))
        .add(Dense::new(8, 1).seed(2));
    Model::new(
        net,
        Loss::MeanSquaredError,
        Optimizer::sgd(lr),
        vec![Metric::mae("mae")],
    )
}

#[test]
fn validation_split_takes_the_last_rows_before_shuffling() {
    let (x, y) = data();
    // learning rate 0: the weights never move, so val_loss is the loss on the last 20 rows
    let mut m = model(0.0);
    let opts = FitOptions {
        epochs: 2,
        validation: Validation::Split(0.2),
        verbose: false,
        ..FitOptions::default()
    };
    let h = m.fit(&x, &y, &opts, &mut []).unwrap();
    let last = m
        .evaluate(&x.narrow(0, 80, 20), &y.narrow(0, 80, 20), 7)
        .unwrap();
    let first = m
        .evaluate(&x.narrow(0, 0, 20), &y.narrow(0, 0, 20), 7)
        .unwrap();
    assert!((h.get("val_loss").unwrap()[1] - last[0].1).abs() < 1e-6);
    assert!((h.get("val_loss").unwrap()[1] - first[0].1).abs() > 1e-3);
    assert_eq!(
        h.keys().collect::<Vec<_>>(),
        ["loss", "mae", "val_loss", "val_mae"]
    );
}

#[test]
fn training_lowers_the_loss_and_early_stopping_cuts_it_short() {
    let (x, y) = data();
    let mut m = model(0.05);
    let opts = FitOptions {
        epochs: 30,
        batch_size: 10,
        verbose: false,
        ..FitOptions::default()
    };
    let h = m.fit(&x, &y, &opts, &mut []).unwrap();
    let loss = h.get("loss").unwrap();
    assert!(loss[29] < 0.1 * loss[0], "{loss:?}");
    // a learning rate so large the validation loss climbs: patience 2 stops at epoch 3 or so
    let mut m = model(5.0);
    let mut stop = EarlyStopping::new("val_loss").patience(2);
    let opts = FitOptions {
        epochs: 30,
        validation: Validation::Split(0.2),
        verbose: false,
        ..opts
    };
    let h = m.fit(&x, &y, &opts, &mut [&mut stop]).unwrap();
    assert!(
        h.epochs() < 30 && stop.stopped_epoch == Some(h.epochs() - 1),
        "{h}"
    );
}

#[test]
fn bad_inputs_are_typed_errors() {
    let (x, y) = data();
    let mut m = model(0.1);
    let err = m
        .fit(&x, &y.narrow(0, 0, 50), &FitOptions::default(), &mut [])
        .unwrap_err();
    assert!(
        matches!(
            err,
            FitError::RowMismatch {
                inputs: 100,
                targets: 50,
                ..
            }
        ),
        "{err}"
    );
    let opts = FitOptions {
        validation: Validation::Split(1.5),
        ..FitOptions::default()
    };
    assert!(matches!(
        m.fit(&x, &y, &opts, &mut []),
        Err(FitError::BadSplit(_))
    ));
}

#[test]
fn kfold_histories_and_their_mean() {
    let (x, y) = data();
    let kfold = KFold {
        k: 4,
        shuffle: true,
        seed: 3,
    };
    let splits = kfold.splits(100).unwrap();
    let mut seen: Vec<usize> = splits.iter().flat_map(|(_, v)| v.clone()).collect();
    seen.sort();
    assert_eq!(seen, (0..100).collect::<Vec<_>>());
    assert!(splits.iter().all(|(t, v)| t.len() == 75 && v.len() == 25));
    let opts = FitOptions {
        epochs: 3,
        verbose: false,
        ..FitOptions::default()
    };
    let cv = kfold
        .cross_validate(&x, &y, |_| model(0.05), &opts)
        .unwrap();
    assert_eq!(cv.folds.len(), 4);
    for e in 0..3 {
        let mean = cv
            .folds
            .iter()
            .map(|h| h.get("val_mae").unwrap()[e])
            .sum::<f64>()
            / 4.0;
        assert!((cv.mean.get("val_mae").unwrap()[e] - mean).abs() < 1e-12);
    }
}

#[test]
fn reported_losses_include_the_keras_l2_penalty() {
    use autodiff_core::Module;
    use nn::Regularizer;
    let (x, y) = data();
    let build = |l2: Option<f64>| {
        let mut dense = Dense::new(3, 1).seed(4);
        if let Some(l) = l2 {
            dense = dense.kernel_regularizer(Regularizer::L2(l));
        }
        Model::new(
            Sequential::new().add(dense),
            Loss::MeanSquaredError,
            Optimizer::sgd(0.0),
            vec![],
        )
    };
    let (mut plain, mut penalized) = (build(None), build(Some(0.1)));
    let opts = FitOptions {
        epochs: 1,
        validation: Validation::Data(&x, &y),
        verbose: false,
        ..FitOptions::default()
    };
    let hp = plain.fit(&x, &y, &opts, &mut []).unwrap();
    let hr = penalized.fit(&x, &y, &opts, &mut []).unwrap();
    let sum_sq: f64 = penalized.net.named_params()[0]
        .1
        .value()
        .data()
        .iter()
        .map(|w| f64::from(w * w))
        .sum();
    for key in ["loss", "val_loss"] {
        let extra = hr.get(key).unwrap()[0] - hp.get(key).unwrap()[0];
        assert!(
            (extra - 0.1 * sum_sq).abs() < 1e-5,
            "{key}: {extra} vs {}",
            0.1 * sum_sq
        );
    }
}

#[test]
fn validation_split_sizes_follow_keras_floor() {
    // Keras trains on ⌊7·(1 − 0.2)⌋ = 5 rows and validates on the last 2 (not round(1.4) = 1).
    let (x, y) = data();
    let (x, y) = (x.narrow(0, 0, 7), y.narrow(0, 0, 7));
    let mut m = model(0.0);
    let opts = FitOptions {
        validation: Validation::Split(0.2),
        verbose: false,
        ..FitOptions::default()
    };
    let h = m.fit(&x, &y, &opts, &mut []).unwrap();
    let last_two = m
        .evaluate(&x.narrow(0, 5, 2), &y.narrow(0, 5, 2), 32)
        .unwrap();
    assert!((h.get("val_loss").unwrap()[0] - last_two[0].1).abs() < 1e-6);
}

#[test]
fn early_stopping_restores_the_best_weights_when_every_epoch_runs() {
    // Validating against −y, the validation loss climbs as the model learns y; patience 100
    // never stops, yet the best epoch's weights are back at the end, as Keras 3 does in
    // on_train_end.
    let (x, y) = data();
    let vx = x.narrow(0, 80, 20);
    let vy = Tensor::from_fn([20, 1], |i| -y.get(&[80 + i, 0]));
    let mut m = model(0.05);
    let mut stop = EarlyStopping::new("val_loss")
        .patience(100)
        .restore_best_weights(true);
    let opts = FitOptions {
        epochs: 5,
        validation: Validation::Data(&vx, &vy),
        verbose: false,
        ..FitOptions::default()
    };
    let h = m.fit(&x, &y, &opts, &mut [&mut stop]).unwrap();
    let val = h.get("val_loss").unwrap();
    let best = val.iter().copied().fold(f64::INFINITY, f64::min);
    assert!(stop.stopped_epoch.is_none() && best < val[4], "{h}");
    let now = m.evaluate(&vx, &vy, 32).unwrap()[0].1;
    assert!((now - best).abs() < 1e-6 * best.max(1.0), "{now} vs {best}");
}

#[test]
fn evaluate_leaves_training_only_layers_off() {
    use nn::{Dropout, Layer};
    let x = Tensor::<f32>::ones([4, 50]);
    let mut m = Model::new(
        Sequential::new().add(Dropout::new(0.5, 1)),
        Loss::MeanSquaredError,
        Optimizer::sgd(0.1),
        vec![],
    );
    // Dropout is built in inference mode: switch it on, so evaluate has something to undo.
    m.net.set_training(true);
    m.evaluate(&x, &x, 32).unwrap();
    let tape = autodiff_core::Tape::no_grad();
    assert_eq!(m.net.forward(tape.constant(x.clone())).value(), x);
}

#[test]
fn kfold_with_too_few_folds_or_too_few_rows_is_a_typed_error() {
    let (x, y) = data();
    let kfold = |k| KFold {
        k,
        shuffle: true,
        seed: 0,
    };
    assert_eq!(
        kfold(1).splits(100),
        Err(KFoldError::TooFewFolds { k: 1, n: 100 })
    );
    assert_eq!(
        kfold(0).splits(100),
        Err(KFoldError::TooFewFolds { k: 0, n: 100 })
    );
    let err = kfold(5).splits(4).unwrap_err();
    assert_eq!(err, KFoldError::MoreFoldsThanRows { k: 5, n: 4 });
    assert!(err.to_string().contains("k = 5") && err.to_string().contains("4 rows"));
    assert_eq!(kfold(4).splits(4).unwrap().len(), 4);
    let opts = FitOptions {
        verbose: false,
        ..FitOptions::default()
    };
    let (few_x, few_y) = (x.narrow(0, 0, 3), y.narrow(0, 0, 3));
    let err = kfold(4)
        .cross_validate(&few_x, &few_y, |_| model(0.1), &opts)
        .unwrap_err();
    assert!(
        matches!(
            err,
            FitError::Folds(KFoldError::MoreFoldsThanRows { k: 4, n: 3 })
        ),
        "{err}"
    );
    // mismatched rows are caught before any fold is cut from them
    let err = kfold(4)
        .cross_validate(&x, &y.narrow(0, 0, 50), |_| model(0.1), &opts)
        .unwrap_err();
    assert!(matches!(err, FitError::RowMismatch { .. }), "{err}");
}

#[test]
fn zero_rows_predict_nothing_and_cannot_be_fitted_or_evaluated() {
    let (x, y) = data();
    let (none_x, none_y) = (x.narrow(0, 0, 0), y.narrow(0, 0, 0));
    let mut m = model(0.1);
    assert_eq!(m.predict(&none_x, 32).unwrap().dims(), [0, 1]);
    let opts = FitOptions {
        verbose: false,
        ..FitOptions::default()
    };
    let no_rows = |r: Result<_, FitError>| match r {
        Err(FitError::NoRows { what }) => what,
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("zero rows accepted"),
    };
    assert_eq!(
        no_rows(m.fit(&none_x, &none_y, &opts, &mut []).map(|_| ())),
        "training"
    );
    let split = FitOptions {
        validation: Validation::Split(0.2),
        ..opts.clone()
    };
    assert_eq!(
        no_rows(m.fit(&none_x, &none_y, &split, &mut []).map(|_| ())),
        "training"
    );
    let empty_validation = FitOptions {
        validation: Validation::Data(&none_x, &none_y),
        ..opts
    };
    assert_eq!(
        no_rows(m.fit(&x, &y, &empty_validation, &mut []).map(|_| ())),
        "validation"
    );
    assert_eq!(
        no_rows(m.evaluate(&none_x, &none_y, 32).map(|_| ())),
        "evaluation"
    );
}

#[test]
fn early_stopping_starts_afresh_in_every_fit() {
    // Learning rate 0: val_loss never changes, so each run improves once (epoch 0) and stops
    // after patience 2 at epoch 2, unless the previous run's best and wait leak into it.
    let (x, y) = data();
    let mut m = model(0.0);
    let mut stop = EarlyStopping::new("val_loss")
        .patience(2)
        .restore_best_weights(true);
    let opts = FitOptions {
        epochs: 10,
        validation: Validation::Split(0.2),
        verbose: false,
        ..FitOptions::default()
    };
    for _ in 0..2 {
        let h = m.fit(&x, &y, &opts, &mut [&mut stop]).unwrap();
        assert_eq!(h.epochs(), 3, "{h}");
        assert_eq!((stop.best_epoch, stop.stopped_epoch), (Some(0), Some(2)));
    }
    let short = FitOptions { epochs: 2, ..opts };
    m.fit(&x, &y, &short, &mut [&mut stop]).unwrap();
    assert_eq!((stop.best_epoch, stop.stopped_epoch), (Some(0), None));
}

#[test]
fn a_zero_batch_size_is_an_error_everywhere() {
    let (x, y) = data();
    let mut m = model(0.1);
    let zero = FitOptions {
        batch_size: 0,
        verbose: false,
        ..FitOptions::default()
    };
    let refused = |r: Result<(), FitError>| matches!(r, Err(FitError::ZeroBatchSize));
    assert!(refused(m.fit(&x, &y, &zero, &mut []).map(|_| ())));
    assert!(refused(m.evaluate(&x, &y, 0).map(|_| ())));
    assert!(refused(m.predict(&x, 0).map(|_| ())));
    assert_eq!(m.predict(&x, 7).unwrap().dims(), [x.dims()[0], 1]);
}

/// Dense 8 tanh (L2-regularised) → Dense 1, a [`Layer`] on dense rows and on sparse rows.
#[derive(Module)]
#[module(float = f32)]
struct TwoLayers {
    layers: [Dense<f32>; 2],
}

impl TwoLayers {
    fn new(inputs: usize) -> Self {
        TwoLayers {
            layers: [
                Dense::new(inputs, 8)
                    .activation(Activation::Tanh)
                    .kernel_regularizer(Regularizer::L2(0.01))
                    .seed(1),
                Dense::new(8, 1).seed(2),
            ],
        }
    }
}

impl<'t> Layer<'t, f32> for TwoLayers {
    type Output = Var<'t, f32>;

    fn forward(&self, x: Var<'t, f32>) -> Var<'t, f32> {
        self.layers[1].forward(self.layers[0].forward(x))
    }

    fn penalty(&self, tape: &'t Tape<f32>) -> Option<Var<'t, f32>> {
        self.layers[0].penalty(tape)
    }
}

impl<'t> Layer<'t, f32, SparseInput<'t, f32>> for TwoLayers {
    type Output = Var<'t, f32>;

    fn forward(&self, x: SparseInput<'t, f32>) -> Var<'t, f32> {
        self.layers[1].forward(self.layers[0].forward(x))
    }

    fn penalty(&self, tape: &'t Tape<f32>) -> Option<Var<'t, f32>> {
        Layer::<f32>::penalty(self, tape)
    }
}

/// 120 rows over 30 columns, ~15 % non-zero, and a target that depends on a few columns.
fn sparse_data() -> (SparseRows<f32>, Tensor<f32>) {
    let dense = Tensor::<f32>::uniform([120, 30], 0.0, 1.0, 7).map(|v| {
        if v < 0.85 {
            0.0
        } else {
            4.0 * (v - 0.85) + 0.5
        }
    });
    let y = Tensor::from_fn([120, 1], |i| {
        dense.get(&[i, 0]) + dense.get(&[i, 1]) - 2.0 * dense.get(&[i, 7]) + 0.3
    });
    (SparseRows::from_dense(&dense), y)
}

/// The same options for inputs of either type.
fn twin_options<X>(shuffle: bool) -> FitOptions<'static, f32, X> {
    FitOptions {
        epochs: 15,
        batch_size: 16,
        shuffle,
        seed: 5,
        validation: Validation::Split(0.25),
        verbose: false,
        augment: None,
        data_parallel: None,
    }
}

#[test]
fn sparse_inputs_fit_as_their_dense_twin() {
    let (x, y) = sparse_data();
    let dense_x = x.to_dense();
    let compile = || {
        Model::new(
            TwoLayers::new(30),
            Loss::MeanSquaredError,
            Optimizer::rmsprop(0.01),
            vec![Metric::mae("mae")],
        )
    };
    for shuffle in [false, true] {
        let (mut sparse, mut dense) = (compile(), compile());
        let hs = sparse.fit(&x, &y, &twin_options(shuffle), &mut []).unwrap();
        let hd = dense
            .fit(&dense_x, &y, &twin_options(shuffle), &mut [])
            .unwrap();
        let loss = hs.get("loss").unwrap();
        assert!(loss[14] < 0.3 * loss[0], "loss {loss:?}");
        assert_eq!(hs.keys().collect::<Vec<_>>(), hd.keys().collect::<Vec<_>>());
        for key in hd.keys() {
            for (s, d) in hs.get(key).unwrap().iter().zip(hd.get(key).unwrap()) {
                assert!(
                    (s - d).abs() <= 1e-5 * d.abs().max(1.0),
                    "{key}: {s} vs {d}"
                );
            }
        }
        let (ps, pd) = (
            sparse.predict(&x, 7).unwrap(),
            dense.predict(&dense_x, 7).unwrap(),
        );
        assert!(ps.all_close(&pd, 1e-5, 1e-5));
    }
}

#[test]
fn restored_best_weights_include_buffers_and_counters() {
    use nn::train::{restore, snapshot};
    use nn::{Buffer, Module, Param, StepCounter};

    #[derive(Module)]
    #[module(float = f64)]
    struct WithState {
        w: Param<f64>,
        running_mean: Buffer<f64>,
        steps: StepCounter,
    }

    let mut model = WithState {
        w: Param::new(Tensor::from_vec(vec![1.0], [1])),
        running_mean: Buffer::new(Tensor::from_vec(vec![2.0], [1])),
        steps: StepCounter::new(),
    };
    model.steps.set(3);
    let best = snapshot(&model);
    model.w.set(Tensor::from_vec(vec![10.0], [1]));
    model.running_mean.set(Tensor::from_vec(vec![20.0], [1]));
    model.steps.set(30);
    restore(&mut model, &best);
    assert_eq!(model.w.value().item(), 1.0);
    assert_eq!(
        model.running_mean.value().item(),
        2.0,
        "the running statistic came back"
    );
    assert_eq!(model.steps.get(), 3, "the counter came back");
}
