//! The Keras book's MNIST convnet on one batch of 64 random 28×28 images — conv 3×3 ×32 relu →
//! max pool 2 → conv 3×3 ×64 relu → max pool 2 → conv 3×3 ×64 relu → flatten → dense 64 relu →
//! dense 10 — sparse categorical cross-entropy on logits, RMSprop (lr 1e-3): the twin of
//! `cnn_mnist_b64`. Timing as the twin: 3 warm-up steps, then the mean of 10 steps.

use std::time::Instant;

use autodiff_core::{Tape, Tensor};
use nn::layers::{Conv2d, Flatten, MaxPool2d};
use nn::losses::sparse_categorical_crossentropy_from_logits;
use nn::optim::Optimizer;
use nn::{Activation, Dense, Layer, Sequential};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

/// Images in the batch.
const BATCH: usize = 64;

/// The convnet, with the twin's layer sizes.
fn convnet() -> Sequential<f32> {
    Sequential::new()
        .add(Conv2d::new(1, 32, [3, 3]).activation(Activation::Relu))
        .add(MaxPool2d::new(2))
        .add(Conv2d::new(32, 64, [3, 3]).activation(Activation::Relu))
        .add(MaxPool2d::new(2))
        .add(Conv2d::new(64, 64, [3, 3]).activation(Activation::Relu))
        .add(Flatten)
        .add(Dense::new(576, 64).activation(Activation::Relu))
        .add(Dense::new(64, 10))
}

/// Mean milliseconds of one training step of the `cnn_mnist_b64` workload.
pub fn cnn_mnist_b64_step_ms() -> f64 {
    let mut rng = StdRng::seed_from_u64(0);
    let x = Tensor::<f32>::normal([BATCH, 1, 28, 28], 0.0, 1.0, 0);
    let y = Tensor::from_fn([BATCH], |_| rng.random_range(0..10u8) as f32);
    let mut model = convnet();
    let mut opt = Optimizer::rmsprop(1e-3);
    let mut tape = Tape::new();
    let mut step = || {
        let grads = {
            let logits = model.forward(tape.constant(x.clone()));
            sparse_categorical_crossentropy_from_logits(logits, tape.constant(y.clone())).backward()
        };
        tape.clear();
        opt.step(&mut model, &grads);
    };
    (0..3).for_each(|_| step());
    let start = Instant::now();
    (0..10).for_each(|_| step());
    start.elapsed().as_secs_f64() * 1e3 / 10.0
}
