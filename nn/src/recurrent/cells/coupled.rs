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

use super::lstm::gate_rows;
use crate::recurrent::activations::{sigmoid_in_place, tanh_in_place};
use crate::recurrent::cell::{BackwardRows, Cell, ForwardRows, MAX_STATES, UnitGrads, UnitInputs};

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

    const SAVED: usize = 1;

    fn has_rows(&self) -> bool {
        true
    }

    /// [`coupled_lstm_unit`] over a row, saving σ(f), tanh(g), σ(o) in place and tanh(c_t).
    #[inline(always)]
    fn forward_rows<T: Float>(&self, r: ForwardRows<'_, T>) {
        let units = r.saved.len();
        let [h, c] = r.states;
        let tanh_c = r.saved;
        sigmoid_in_place(&mut r.gates[..units]);
        tanh_in_place(&mut r.gates[units..2 * units]);
        sigmoid_in_place(&mut r.gates[2 * units..]);
        let [f, g, o] = gate_rows(r.gates, units);
        for j in 0..units {
            c[j] = f[j] * c[j] + (T::one() - f[j]) * g[j];
            tanh_c[j] = c[j];
        }
        tanh_in_place(tanh_c);
        for j in 0..units {
            h[j] = o[j] * tanh_c[j];
        }
    }

    /// [`coupled_lstm_unit_vjp`] over a row from the saved activations.
    #[inline(always)]
    fn backward_rows<T: Float>(&self, r: BackwardRows<'_, T>) {
        let units = r.saved.len();
        let [f, g, o] = gate_rows(r.gates, units);
        let (tanh_c, c_prev, [dh, dc]) = (r.saved, r.prev[1], r.d_next);
        let [d_h_prev, d_c_prev] = r.d_prev;
        let (df, rest) = r.d_gates.split_at_mut(units);
        let (dg, d_o) = rest.split_at_mut(units);
        let one = T::one();
        for j in 0..units {
            let d_c = dc[j] + dh[j] * o[j] * (one - tanh_c[j] * tanh_c[j]);
            d_o[j] = dh[j] * tanh_c[j] * o[j] * (one - o[j]);
            df[j] = d_c * (c_prev[j] - g[j]) * f[j] * (one - f[j]);
            dg[j] = d_c * (one - f[j]) * (one - g[j] * g[j]);
            d_c_prev[j] = d_c * f[j];
            d_h_prev[j] = T::zero();
        }
    }
}
