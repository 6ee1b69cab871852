//! TerminateOnNaN stops `fit` at the first batch whose loss is not finite, and History says so.

use autodiff_core::Tensor;
use nn::losses::Loss;
use nn::optim::Optimizer;
use nn::train::{FitOptions, Model, StopReason, TerminateOnNaN};
use nn::{Dense, Sequential};

/// 100 rows whose row 35 holds a NaN: with batches of 10 in order, batch 3's loss is NaN.
fn data() -> (Tensor<f32>, Tensor<f32>) {
    let mut x = Tensor::<f32>::normal([100, 3], 0.0, 1.0, 4);
    x.data_mut()[35 * 3 + 1] = f32::NAN;
    let y = Tensor::from_fn([100, 1], |i| x.get(&[i, 0]));
    (x, y)
}

fn model() -> Model<f32, Sequential<f32>> {
    let net = Sequential::new().add(Dense::new(3, 1).seed(2));
    Model::new(net, Loss::MeanSquaredError, Optimizer::sgd(0.01), vec![])
}

fn options() -> FitOptions<'static, f32, Tensor<f32>> {
    FitOptions {
        epochs: 3,
        batch_size: 10,
        shuffle: false,
        verbose: false,
        ..FitOptions::default()
    }
}

#[test]
fn training_stops_at_the_first_non_finite_batch_loss() {
    let (x, y) = data();
    let mut stop = TerminateOnNaN;
    let h = model().fit(&x, &y, &options(), &mut [&mut stop]).unwrap();
    assert!(
        matches!(
            h.stopped,
            Some(StopReason::NonFiniteLoss { epoch: 0, batch: 3, loss }) if loss.is_nan()
        ),
        "{:?}",
        h.stopped
    );
    // As in Keras, the epoch the bad batch ended is still logged, and no later one runs.
    assert_eq!(h.epochs(), 1);
}

#[test]
fn without_it_every_epoch_runs_and_nothing_is_recorded() {
    let (x, y) = data();
    let h = model().fit(&x, &y, &options(), &mut []).unwrap();
    assert_eq!((h.epochs(), h.stopped.clone()), (3, None));
    assert!(h.get("loss").unwrap()[2].is_nan());
}

#[test]
fn finite_losses_do_not_stop_training() {
    let (mut x, y) = data();
    x.data_mut()[35 * 3 + 1] = 0.0;
    let mut stop = TerminateOnNaN;
    let h = model().fit(&x, &y, &options(), &mut [&mut stop]).unwrap();
    assert_eq!((h.epochs(), h.stopped.clone()), (3, None));
}
