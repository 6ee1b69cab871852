//! Pooling and batch norm as layers: inside `Sequential`, through `Model::fit` / `evaluate` /
//! `predict` on 4-D image batches, with batch norm's running statistics in checkpoints and out of
//! the optimizers' reach.

use autodiff_core::{Module, Tape, Tensor};
use nn::checkpoint;
use nn::losses::Loss;
use nn::optim::Optimizer;
use nn::train::{FitOptions, Model};
use nn::{
    AvgPool2d, BatchNorm1d, BatchNorm2d, Dense, GlobalAveragePooling2d, Layer, MaxPool2d,
    Sequential,
};

/// Images `[n, 2, 6, 6]` whose channels have different offsets and scales, and a target from
/// their pooled maxima.
fn images(n: usize) -> (Tensor<f32>, Tensor<f32>) {
    let x = Tensor::<f32>::from_fn([n, 2, 6, 6], |i| {
        let noise = ((i * 7919) % 101) as f32 / 101.0 - 0.5;
        if (i / 36) % 2 == 0 {
            3.0 + noise
        } else {
            -1.0 + 4.0 * noise
        }
    });
    let data = x.data();
    let plane_max = |r: usize, c: usize| {
        data[(r * 2 + c) * 36..][..36]
            .iter()
            .fold(f32::MIN, |a, &v| a.max(v))
    };
    let y = Tensor::from_fn([n, 1], |r| plane_max(r, 0) - 0.5 * plane_max(r, 1));
    (x, y)
}

fn net() -> Sequential<f32> {
    Sequential::new()
        .add(BatchNorm2d::new(2))
        .add(MaxPool2d::new(3).stride(2).padding(1))
        .add(AvgPool2d::new(2))
        .add(GlobalAveragePooling2d)
        .add(Dense::new(2, 1).seed(1))
}

#[test]
fn a_pooling_batch_norm_net_fits_evaluates_and_predicts_image_batches() {
    let (x, y) = images(64);
    let mut model = Model::new(net(), Loss::MeanSquaredError, Optimizer::adam(0.05), vec![]);
    let options = FitOptions {
        epochs: 30,
        batch_size: 16,
        verbose: false,
        ..FitOptions::default()
    };
    let loss = model
        .fit(&x, &y, &options, &mut [])
        .unwrap()
        .get("loss")
        .unwrap()
        .to_vec();
    assert!(loss[29] < loss[0] / 5.0, "{loss:?}");
    let bn = model.net.layer::<BatchNorm2d<f32>>(0).unwrap();
    assert_eq!(bn.num_batches_tracked.get(), 30 * 4);
    let running = bn.running_mean.value();
    assert!((running.data()[0] - 3.0).abs() < 0.1, "{running:?}");
    let predicted = model.predict(&x, 64).unwrap();
    assert_eq!(predicted.dims(), [64, 1]);
    let logs = model.evaluate(&x, &y, 64).unwrap();
    assert_eq!(logs[0].0, "loss");
    assert!(logs[0].1 < loss[0] / 5.0, "{logs:?}");
}

/// A model that is only a batch norm over 2 channels with set running statistics.
fn normaliser() -> Model<f32, BatchNorm2d<f32>> {
    let bn = BatchNorm2d::<f32>::new(2);
    bn.running_mean.set(Tensor::from_vec(vec![1.0, -2.0], [2]));
    bn.running_var.set(Tensor::from_vec(vec![4.0, 0.25], [2]));
    Model::new(bn, Loss::MeanSquaredError, Optimizer::sgd(0.1), vec![])
}

#[test]
fn evaluate_and_predict_use_the_running_statistics() {
    let x = Tensor::<f32>::normal([5, 2, 3, 3], 0.0, 3.0, 1);
    let want = Tensor::from_fn([5, 2, 3, 3], |i| {
        let (mean, var) = if (i / 9) % 2 == 0 {
            (1.0, 4.0)
        } else {
            (-2.0, 0.25)
        };
        (x.data()[i] - mean) / (var + 1e-5_f32).sqrt()
    });
    let mut model = normaliser();
    // Switched on by hand, so that predict and evaluate have a mode to switch off.
    model.net.set_training(true);
    let predicted = model.predict(&x, 2).unwrap();
    assert!(predicted.all_close(&want, 1e-5, 1e-5), "{predicted:?}");
    model.net.set_training(true);
    let zeros = Tensor::zeros([5, 2, 3, 3]);
    let loss = model.evaluate(&x, &zeros, 5).unwrap()[0].1;
    let want_loss = want.data().iter().map(|v| v * v).sum::<f32>() / 90.0;
    assert!(
        (loss - f64::from(want_loss)).abs() < 1e-4,
        "{loss} vs {want_loss}"
    );
    assert_eq!(model.net.num_batches_tracked.get(), 0);
    assert_eq!(model.net.running_mean.value().data(), &[1.0, -2.0]);
}

#[test]
fn buffers_round_trip_through_a_checkpoint_and_optimizers_leave_them_alone() {
    let mut bn = BatchNorm1d::<f32>::new(3);
    Module::<f32>::set_training(&mut bn, true);
    let x = Tensor::normal([8, 3, 4], 2.0, 1.5, 2);
    let grads = {
        let tape = Tape::new();
        let y = bn.forward(tape.constant(x));
        (y * y).sum().backward()
    };
    let (mean, var) = (bn.running_mean.value(), bn.running_var.value());
    assert_ne!(
        mean.data(),
        &[0.0; 3],
        "the training forward moves the running mean"
    );
    let weight = bn.weight.value().clone();
    // AdamW decays every parameter it visits: buffers must not be among them.
    Optimizer::adamw(0.1).step(&mut bn, &grads);
    assert_ne!(
        bn.weight.value(),
        &weight,
        "the optimizer trains the weight"
    );
    assert_eq!(*bn.running_mean.value(), *mean);
    assert_eq!(*bn.running_var.value(), *var);
    assert_eq!(bn.num_batches_tracked.get(), 1);

    let names: Vec<String> = bn.named_params().into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["weight", "bias"]);
    let buffers: Vec<String> = bn.named_buffers().into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        buffers,
        ["running_mean", "running_var", "num_batches_tracked"]
    );
    assert_eq!(Module::<f32>::num_non_trainable_params(&bn), 3 + 3 + 1);

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bn.safetensors");
    checkpoint::save(&bn, &file).unwrap();
    let mut loaded = BatchNorm1d::<f32>::new(3);
    checkpoint::load(&mut loaded, &file).unwrap();
    assert_eq!(*loaded.running_mean.value(), *mean);
    assert_eq!(*loaded.running_var.value(), *var);
    assert_eq!(loaded.num_batches_tracked.get(), 1);
    assert_eq!(loaded.weight.value(), bn.weight.value());
}
