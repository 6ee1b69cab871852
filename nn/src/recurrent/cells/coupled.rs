//! The coupled-gate LSTM cell (Greff et al.'s CIFG, "coupled input and forget gate"): the input
//! gate is `1 − f`, so there are no input-gate weights; gate order f, g, o:
//!
//! ```text
//! f = σ(W_f x + U_f h_{t−1} + b_f)
//! g = tanh(W_g x + U_g h_{t−1} + b_g)
//! o = σ(W_o x + U_o h_{t−1} + b_o)
//! c_t = f ⊙ c_{t−1} + (1 − f) ⊙ g
//! h_t = o ⊙ tanh(c_t)
//! ```
//!
//! ```
//! use nn::recurrent::{CoupledLstm, Lstm};
//! use nn::Module;
//! // Three gates' weights where an LSTM has four.
//! assert_eq!(CoupledLstm::<f32>::new(2, 3).num_params(), 3 * 3 * (2 + 3) + 2 * 3 * 3);
//! assert_eq!(Lstm::<f32>::new(2, 3).num_params(), 4 * 3 * (2 + 3) + 2 * 4 * 3);
//! ```

use autodiff_core::Float;
use autodiff_macros::differentiable;

use crate::recurrent::cell::{Cell, MAX_STATES, UnitGrads, UnitInputs};

/// One coupled-gate LSTM unit: `(h_t, c_t)` from its three pre-activations and `c_{t−1}`.
#[differentiable]
pub fn coupled_lstm_unit<T: Float>(f: T, g: T, o: T, c_prev: T) -> (T, T) {
    let forget = sigmoid(f);
    let c = forget * c_prev + (1.0 - forget) * tanh(g);
    let h = sigmoid(o) * tanh(c);
    (h, c)
}

/// The coupled-gate LSTM cell: 3 gates, states `h` and `c`.
#[derive(Clone, Copy, Debug, Default)]
pub struct CoupledLstmCell;

impl Cell for CoupledLstmCell {
    const GATES: usize = 3;
    const STATES: usize = 2;
    const NAME: &'static str = "coupled_lstm";
    const FORGET_GATE: Option<usize> = Some(0);

    #[inline(always)]
    fn forward<T: Float>(&self, u: &UnitInputs<T>) -> [T; MAX_STATES] {
        let [f, g, o, _] = u.pre;
        let (h, c) = coupled_lstm_unit(f, g, o, u.prev[1]);
        [h, c]
    }

    #[inline(always)]
    fn backward<T: Float>(&self, u: &UnitInputs<T>, [dh, dc]: [T; MAX_STATES]) -> UnitGrads<T> {
        let [f, g, o, _] = u.pre;
        let (df, dg, d_o, dc_prev) = coupled_lstm_unit_vjp(f, g, o, u.prev[1], dh, dc);
        let mut grads = UnitGrads::zeros();
        grads.pre = [df, dg, d_o, T::zero()];
        grads.prev[1] = dc_prev;
        grads
    }
}
