//! The course's IMDB classifier on one batch — 512 multi-hot rows of 10,000 words (≈1.3 % ones)
//! → Dense 16 relu → Dense 16 relu → Dense 1, binary cross-entropy on logits, RMSprop
//! (lr 1e-3) — fed two ways:
//!
//! - `mlp_imdb_b512`: the first layer reads the matrix in sparse-row form, the same maths on
//!   ~1 % of the entries;
//! - `mlp_imdb_dense_b512`: the first layer multiplies the dense `[512, 10000]` matrix, as the
//!   PyTorch twin's `nn.Linear` does (the batch is put on the tape without a copy, as the twin's
//!   tensor is reused without one).
//!
//! Both read the same batch. Timing as the twin: 3 warm-up steps, then the mean of 20 steps.

use std::sync::Arc;
use std::time::Instant;

use autodiff_core::{Tape, Tensor, Var};
use nn::data::SparseRows;
use nn::layers::SparseInput;
use nn::losses::binary_crossentropy_from_logits;
use nn::optim::Optimizer;
use nn::{Activation, Layer};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use crate::MultiHotMlp;

/// Rows in the batch and words in the vocabulary.
const ROWS: usize = 512;
const WORDS: usize = 10_000;

/// The seeded batch: dense multi-hot rows `[ROWS, WORDS]` and 0/1 labels `[ROWS, 1]`.
fn multi_hot_batch() -> (Tensor<f32>, Tensor<f32>) {
    let mut rng = StdRng::seed_from_u64(0);
    let x = Tensor::from_fn([ROWS, WORDS], |_| {
        f32::from(u8::from(rng.random::<f32>() < 0.013))
    });
    let y = Tensor::from_fn([ROWS, 1], |_| {
        f32::from(u8::from(rng.random::<f32>() < 0.5))
    });
    (x, y)
}

/// Mean milliseconds of one training step whose logits `forward` computes on the tape.
fn step_ms(
    y: &Tensor<f32>,
    forward: impl for<'t> Fn(&MultiHotMlp, &'t Tape<f32>) -> Var<'t, f32>,
) -> f64 {
    let mut model = MultiHotMlp::new(WORDS, Activation::Linear, 1);
    let mut opt = Optimizer::rmsprop(1e-3);
    let mut tape = Tape::new();
    let mut step = || {
        let grads = {
            let logits = forward(&model, &tape);
            binary_crossentropy_from_logits(logits, tape.constant(y.clone())).backward()
        };
        tape.clear();
        opt.step(&mut model, &grads);
    };
    (0..3).for_each(|_| step());
    let start = Instant::now();
    (0..20).for_each(|_| step());
    start.elapsed().as_secs_f64() * 1e3 / 20.0
}

/// Mean milliseconds of one training step of the `mlp_imdb_b512` workload (sparse rows).
pub fn mlp_imdb_b512_step_ms() -> f64 {
    let (x, y) = multi_hot_batch();
    let x = Arc::new(SparseRows::from_dense(&x));
    step_ms(&y, |model, tape| {
        model.forward(SparseInput::new(tape, Arc::clone(&x)))
    })
}

/// Mean milliseconds of one training step of the `mlp_imdb_dense_b512` workload (the dense
/// matrix).
pub fn mlp_imdb_dense_b512_step_ms() -> f64 {
    let (x, y) = multi_hot_batch();
    let x = Arc::new(x);
    step_ms(&y, |model, tape| {
        model.forward_dense(tape.shared_constant(Arc::clone(&x)))
    })
}
