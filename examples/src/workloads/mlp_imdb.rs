//! `mlp_imdb_b512`: the course's IMDB classifier on one batch — 512 multi-hot rows of 10,000
//! words (≈1.3 % ones) → Dense 16 relu → Dense 16 relu → Dense 1, binary cross-entropy on
//! logits, RMSprop (lr 1e-3). The PyTorch twin feeds the dense matrix to `nn.Linear`; here the
//! first layer reads the same matrix in sparse-row form, which is the same maths on ~1 % of the
//! entries. Timing as the twin: 3 warm-up steps, then the mean of 20 steps.

use std::sync::Arc;
use std::time::Instant;

use autodiff_core::{Tape, Tensor};
use nn::data::SparseRows;
use nn::layers::SparseInput;
use nn::losses::binary_crossentropy_from_logits;
use nn::optim::Optimizer;
use nn::{Activation, Layer};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use crate::MultiHotMlp;

/// Mean milliseconds of one training step of the `mlp_imdb_b512` workload.
pub fn mlp_imdb_b512_step_ms() -> f64 {
    let (rows, words) = (512, 10_000);
    let mut rng = StdRng::seed_from_u64(0);
    let x = Arc::new(SparseRows::from_rows(
        words,
        (0..rows).map(|_| {
            (0..words)
                .filter(|_| rng.random::<f32>() < 0.013)
                .map(|j| (j, 1.0_f32))
                .collect::<Vec<_>>()
        }),
    ));
    let y = Tensor::from_fn([rows, 1], |_| {
        f32::from(u8::from(rng.random::<f32>() < 0.5))
    });
    let mut model = MultiHotMlp::new(words, Activation::Linear, 1);
    let mut opt = Optimizer::rmsprop(1e-3);
    let mut tape = Tape::new();
    let mut step = || {
        let grads = {
            let logits = model.forward(SparseInput::new(&tape, Arc::clone(&x)));
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
