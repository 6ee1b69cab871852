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
//!
//! Generation runs one step at a time from the last states (`T = 1`), and agrees with the run
//! over the whole sequence:
//!
//! ```
//! use nn::recurrent::Lstm;
//! use nn::{Layer, Tape, Tensor};
//! let lstm = Lstm::<f64>::new(2, 3).seed(1);
//! let tape = Tape::new();
//! let x = Tensor::normal([1, 3, 2], 0.0, 1.0, 2);
//! let whole = lstm.forward(tape.constant(x.clone()));
//! let zeros = || tape.constant(Tensor::zeros([1, 3]));
//! let (mut h, mut c) = (zeros(), zeros());
//! for t in 0..3 {
//!     let step = lstm.forward_from(tape.constant(x.narrow(1, t, 1)), &[h, c]);
//!     (h, c) = (step.h, step.c.unwrap());
//! }
//! assert!(h.value().all_close(&whole.h.value(), 1e-12, 1e-12));
//! ```

use autodiff_core::Float;
use autodiff_macros::differentiable;

use crate::recurrent::activations::{sigmoid_in_place, tanh_in_place};
use crate::recurrent::cell::{BackwardRows, Cell, ForwardRows, MAX_STATES, UnitGrads, UnitInputs};

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

    const SAVED: usize = 1;

    fn has_rows(&self) -> bool {
        true
    }

    /// [`lstm_unit`] over a row, saving σ(i), σ(f), tanh(g), σ(o) in place and tanh(c_t).
    #[inline(always)]
    fn forward_rows<T: Float>(&self, r: ForwardRows<'_, T>) {
        let units = r.saved.len();
        let [h, c] = r.states;
        let tanh_c = r.saved;
        sigmoid_in_place(&mut r.gates[..2 * units]);
        tanh_in_place(&mut r.gates[2 * units..3 * units]);
        sigmoid_in_place(&mut r.gates[3 * units..]);
        let [i, f, g, o] = gate_rows(r.gates, units);
        for j in 0..units {
            c[j] = f[j] * c[j] + i[j] * g[j];
            tanh_c[j] = c[j];
        }
        tanh_in_place(tanh_c);
        for j in 0..units {
            h[j] = o[j] * tanh_c[j];
        }
    }

    /// [`lstm_unit_vjp`] over a row from the saved activations: σ' = σ(1 − σ), tanh' = 1 − tanh².
    #[inline(always)]
    fn backward_rows<T: Float>(&self, r: BackwardRows<'_, T>) {
        let units = r.saved.len();
        let [i, f, g, o] = gate_rows(r.gates, units);
        let (tanh_c, c_prev, [dh, dc]) = (r.saved, r.prev[1], r.d_next);
        let [d_h_prev, d_c_prev] = r.d_prev;
        let (di, rest) = r.d_gates.split_at_mut(units);
        let (df, rest) = rest.split_at_mut(units);
        let (dg, d_o) = rest.split_at_mut(units);
        let one = T::one();
        for j in 0..units {
            let d_c = dc[j] + dh[j] * o[j] * (one - tanh_c[j] * tanh_c[j]);
            d_o[j] = dh[j] * tanh_c[j] * o[j] * (one - o[j]);
            di[j] = d_c * g[j] * i[j] * (one - i[j]);
            df[j] = d_c * c_prev[j] * f[j] * (one - f[j]);
            dg[j] = d_c * i[j] * (one - g[j] * g[j]);
            d_c_prev[j] = d_c * f[j];
            d_h_prev[j] = T::zero();
        }
    }
}

/// A gate row's `G` gates, `units` values each.
pub(crate) fn gate_rows<T, const G: usize>(row: &[T], units: usize) -> [&[T]; G] {
    std::array::from_fn(|g| &row[g * units..(g + 1) * units])
}
