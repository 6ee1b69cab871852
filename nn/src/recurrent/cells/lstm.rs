//! The LSTM cell (Hochreiter & Schmidhuber 1997, with the forget gate of Gers et al. 2000), gate
//! order i, f, g, o as PyTorch's `nn.LSTM`:
//!
//! ```text
//! i = σ(W_i x + b_ii + U_i h_{t−1} + b_hi)      input gate
//! f = σ(W_f x + b_if + U_f h_{t−1} + b_hf)      forget gate
//! g = tanh(W_g x + b_ig + U_g h_{t−1} + b_hg)   candidate (Keras's "c")
//! o = σ(W_o x + b_io + U_o h_{t−1} + b_ho)      output gate
//! c_t = f ⊙ c_{t−1} + i ⊙ g                     the cell state: the conveyor belt
//! h_t = o ⊙ tanh(c_t)
//! ```

use autodiff_core::Float;
use autodiff_macros::differentiable;

use crate::recurrent::cell::{Cell, MAX_STATES, UnitGrads, UnitInputs};

/// One LSTM unit's step from its four pre-activations and `c_{t−1}`: `(h_t, c_t)`.
#[differentiable]
pub fn lstm_unit<T: Float>(i: T, f: T, g: T, o: T, c_prev: T) -> (T, T) {
    let c = sigmoid(f) * c_prev + sigmoid(i) * tanh(g);
    let h = sigmoid(o) * tanh(c);
    (h, c)
}

/// The LSTM cell: 4 gates, states `h` and `c`.
#[derive(Clone, Copy, Debug, Default)]
pub struct LstmCell;

impl Cell for LstmCell {
    const GATES: usize = 4;
    const STATES: usize = 2;
    const NAME: &'static str = "lstm";
    const FORGET_GATE: Option<usize> = Some(1);

    #[inline(always)]
    fn forward<T: Float>(&self, u: &UnitInputs<T>) -> [T; MAX_STATES] {
        let [i, f, g, o] = u.pre;
        let (h, c) = lstm_unit(i, f, g, o, u.prev[1]);
        [h, c]
    }

    #[inline(always)]
    fn backward<T: Float>(&self, u: &UnitInputs<T>, [dh, dc]: [T; MAX_STATES]) -> UnitGrads<T> {
        let [i, f, g, o] = u.pre;
        let (di, df, dg, d_o, dc_prev) = lstm_unit_vjp(i, f, g, o, u.prev[1], dh, dc);
        let mut grads = UnitGrads::zeros();
        grads.pre = [di, df, dg, d_o];
        grads.prev[1] = dc_prev;
        grads
    }
}
