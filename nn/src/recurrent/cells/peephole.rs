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

use super::lstm::gate_rows;
use crate::recurrent::activations::{sigmoid_in_place, tanh_in_place};
use crate::recurrent::cell::{BackwardRows, Cell, ForwardRows, MAX_STATES, UnitGrads, UnitInputs};

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

    const SAVED: usize = 2;

    fn has_rows(&self) -> bool {
        true
    }

    /// [`peephole_lstm_unit`] over a row, saving the activated gates in place, tanh(c_t) and
    /// c_t.
    #[inline(always)]
    fn forward_rows<T: Float>(&self, r: ForwardRows<'_, T>) {
        let units = r.diag.len() / 3;
        let [h, c] = r.states;
        let [p_i, p_f, p_o] = gate_rows(r.diag, units);
        let (tanh_c, c_new) = r.saved.split_at_mut(units);
        let (i_f, rest) = r.gates.split_at_mut(2 * units);
        let (g, o) = rest.split_at_mut(units);
        for j in 0..units {
            i_f[j] += p_i[j] * c[j];
            i_f[units + j] += p_f[j] * c[j];
        }
        sigmoid_in_place(i_f);
        tanh_in_place(g);
        let (i, f) = i_f.split_at(units);
        for j in 0..units {
            c[j] = f[j] * c[j] + i[j] * g[j];
            c_new[j] = c[j];
            tanh_c[j] = c[j];
            o[j] += p_o[j] * c[j];
        }
        sigmoid_in_place(o);
        tanh_in_place(tanh_c);
        for j in 0..units {
            h[j] = o[j] * tanh_c[j];
        }
    }

    /// [`peephole_lstm_unit_vjp`] over a row from the saved values.
    #[inline(always)]
    fn backward_rows<T: Float>(&self, r: BackwardRows<'_, T>) {
        let units = r.diag.len() / 3;
        let [i, f, g, o] = gate_rows(r.gates, units);
        let [p_i, p_f, p_o] = gate_rows(r.diag, units);
        let (tanh_c, c) = r.saved.split_at(units);
        let (c_prev, [dh, dc]) = (r.prev[1], r.d_next);
        let [d_h_prev, d_c_prev] = r.d_prev;
        let (di, rest) = r.d_gates.split_at_mut(units);
        let (df, rest) = rest.split_at_mut(units);
        let (dg, d_o) = rest.split_at_mut(units);
        let (dp_i, rest) = r.d_diag.split_at_mut(units);
        let (dp_f, dp_o) = rest.split_at_mut(units);
        let one = T::one();
        for j in 0..units {
            d_o[j] = dh[j] * tanh_c[j] * o[j] * (one - o[j]);
            let d_c = dc[j] + dh[j] * o[j] * (one - tanh_c[j] * tanh_c[j]) + d_o[j] * p_o[j];
            di[j] = d_c * g[j] * i[j] * (one - i[j]);
            df[j] = d_c * c_prev[j] * f[j] * (one - f[j]);
            dg[j] = d_c * i[j] * (one - g[j] * g[j]);
            d_c_prev[j] = d_c * f[j] + di[j] * p_i[j] + df[j] * p_f[j];
            dp_i[j] += di[j] * c_prev[j];
            dp_f[j] += df[j] * c_prev[j];
            dp_o[j] += d_o[j] * c[j];
            d_h_prev[j] = T::zero();
        }
    }
}
