//! A character-level language model's training step on one batch: 32 sequences of 64 random
//! token ids from a 65-character vocabulary → Embedding 32 → a recurrent layer of 128 units
//! (every step's output) → Dense 65, sparse categorical cross-entropy on logits over all
//! 32 × 64 positions, Adam (lr 1e-3). The recurrent layer is an LSTM, a GRU or a peephole
//! LSTM: the twins of `lstm_char_b32_t64_h128`, `gru_char_b32_t64_h128` and
//! `peephole_lstm_char_b32_t64_h128` (PyTorch's `nn.LSTM`, `nn.GRU` and a hand-written peephole
//! cell). Timing as the twin: 3 warm-up steps, then the mean of 10 steps.

use std::sync::Arc;
use std::time::Instant;

use autodiff_core::{Tape, Tensor, Var};
use nn::data::TokenIds;
use nn::layers::{Embedding, TokenInput};
use nn::losses::sparse_categorical_crossentropy_from_logits;
use nn::optim::Optimizer;
use nn::recurrent::{Cell, GruCell, LstmCell, PeepholeLstmCell, Recurrent};
use nn::{Dense, Layer, Module};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

const BATCH: usize = 32;
const STEPS: usize = 64;
const HIDDEN: usize = 128;
const VOCAB: usize = 65;
const EMBED: usize = 32;

/// Embedding → recurrent layer → per-step dense head.
#[derive(Module)]
#[module(float = f32)]
struct CharRnn<C: Cell> {
    embedding: Embedding<f32>,
    rnn: Recurrent<f32, C>,
    head: Dense<f32>,
}

impl<C: Cell> CharRnn<C> {
    /// Logits `[BATCH · STEPS, VOCAB]` for the token ids `xs`.
    fn logits<'t>(&self, tape: &'t Tape<f32>, xs: &Arc<TokenIds>) -> Var<'t, f32> {
        let embedded = self
            .embedding
            .forward(TokenInput::new(tape, Arc::clone(xs)));
        let hidden = self.rnn.forward(embedded).output;
        self.head.forward(hidden).reshape([BATCH * STEPS, VOCAB])
    }
}

/// Mean milliseconds of one training step with the cell `cell`.
fn step_ms<C: Cell>(cell: C) -> f64 {
    let mut rng = StdRng::seed_from_u64(0);
    let mut ids = || {
        (0..BATCH * STEPS)
            .map(|_| rng.random_range(0..VOCAB as u32))
            .collect()
    };
    let xs = Arc::new(TokenIds::new(ids(), &[BATCH, STEPS]));
    let ys = Tensor::from_vec(
        ids().into_iter().map(|id: u32| id as f32).collect(),
        [BATCH * STEPS],
    );
    let mut model = CharRnn {
        embedding: Embedding::new(VOCAB, EMBED),
        rnn: Recurrent::with_cell(cell, EMBED, HIDDEN).return_sequences(true),
        head: Dense::new(HIDDEN, VOCAB),
    };
    let mut opt = Optimizer::adam(1e-3);
    let mut tape = Tape::new();
    let mut step = || {
        let grads = {
            let logits = model.logits(&tape, &xs);
            sparse_categorical_crossentropy_from_logits(logits, tape.constant(ys.clone()))
                .backward()
        };
        tape.clear();
        opt.step(&mut model, &grads);
    };
    (0..3).for_each(|_| step());
    let start = Instant::now();
    (0..10).for_each(|_| step());
    start.elapsed().as_secs_f64() * 1e3 / 10.0
}

/// Mean milliseconds of one `lstm_char_b32_t64_h128` step.
pub fn lstm_char_b32_t64_h128_step_ms() -> f64 {
    step_ms(LstmCell)
}

/// Mean milliseconds of one `gru_char_b32_t64_h128` step (the reset-after GRU, PyTorch's).
pub fn gru_char_b32_t64_h128_step_ms() -> f64 {
    step_ms(GruCell::default())
}

/// Mean milliseconds of one `peephole_lstm_char_b32_t64_h128` step.
pub fn peephole_lstm_char_b32_t64_h128_step_ms() -> f64 {
    step_ms(PeepholeLstmCell)
}
