//! The peephole LSTM cell (Gers & Schmidhuber 2000): the input and forget gates also read
//! `c_{t−1}`, the output gate reads `c_t`, each through a diagonal weight vector (`p_i`, `p_f`,
//! `p_o`: the rows of `weight_peephole_l0` `[3, H]`, broadcast over the batch, never expanded
//! into matrices). Gate order i, f, g, o as [`super::lstm`]:
//!
//! ```text
//! i = σ(W_i x + U_i h_{t−1} + b_i + p_i ⊙ c_{t−1})
//! f = σ(W_f x + U_f h_{t−1} + b_f + p_f ⊙ c_{t−1})
//! g = tanh(W_g x + U_g h_{t−1} + b_g)
//! c_t = f ⊙ c_{t−1} + i ⊙ g
//! o = σ(W_o x + U_o h_{t−1} + b_o + p_o ⊙ c_t)
//! h_t = o ⊙ tanh(c_t)
//! ```
//!
//! ```
//! use nn::recurrent::PeepholeLstm;
//! use nn::{Layer, Tape, Tensor};
//! let layer = PeepholeLstm::<f64>::new(2, 3).seed(1);
//! let tape = Tape::new();
//! let out = layer.forward(tape.constant(Tensor::normal([2, 4, 2], 0.0, 1.0, 1)));
//! let grads = out.h.sum().backward();
//! let peepholes = layer.weight_peephole_l0.as_ref().unwrap();
//! assert_eq!(grads.param(peepholes).unwrap().dims(), [3, 3]); // p_i, p_f, p_o
//! ```

use autodiff_core::Float;
use autodiff_macros::differentiable;

use crate::recurrent::cell::{Cell, MAX_STATES, UnitGrads, UnitInputs};

/// One peephole LSTM unit: `(h_t, c_t)` from its four pre-activations, `c_{t−1}` and its three
/// peephole weights.
#[differentiable]
#[allow(clippy::too_many_arguments)]
pub fn peephole_lstm_unit<T: Float>(
    i: T,
    f: T,
    g: T,
    o: T,
    c_prev: T,
    p_i: T,
    p_f: T,
    p_o: T,
) -> (T, T) {
    let c = sigmoid(f + p_f * c_prev) * c_prev + sigmoid(i + p_i * c_prev) * tanh(g);
    let h = sigmoid(o + p_o * c) * tanh(c);
    (h, c)
}

/// The peephole LSTM cell: 4 gates, states `h` and `c`, 3 peephole vectors.
#[derive(Clone, Copy, Debug, Default)]
pub struct PeepholeLstmCell;

impl Cell for PeepholeLstmCell {
    const GATES: usize = 4;
    const STATES: usize = 2;
    const DIAGONALS: usize = 3;
    const NAME: &'static str = "peephole_lstm";
    const FORGET_GATE: Option<usize> = Some(1);

    #[inline(always)]
    fn forward<T: Float>(&self, u: &UnitInputs<T>) -> [T; MAX_STATES] {
        let ([i, f, g, o], [p_i, p_f, p_o]) = (u.pre, u.diag);
        let (h, c) = peephole_lstm_unit(i, f, g, o, u.prev[1], p_i, p_f, p_o);
        [h, c]
    }

    #[inline(always)]
    fn backward<T: Float>(&self, u: &UnitInputs<T>, [dh, dc]: [T; MAX_STATES]) -> UnitGrads<T> {
        let ([i, f, g, o], [p_i, p_f, p_o]) = (u.pre, u.diag);
        let (di, df, dg, d_o, dc_prev, dp_i, dp_f, dp_o) =
            peephole_lstm_unit_vjp(i, f, g, o, u.prev[1], p_i, p_f, p_o, dh, dc);
        let mut grads = UnitGrads::zeros();
        grads.pre = [di, df, dg, d_o];
        grads.prev[1] = dc_prev;
        grads.diag = [dp_i, dp_f, dp_o];
        grads
    }
}
