//! The GRU cell (Cho et al. 2014), gate order r, z, n as PyTorch's `nn.GRU`, in both forms:
//!
//! ```text
//! r = σ(W_r x + b_ir + U_r h_{t−1} + b_hr)                  reset gate
//! z = σ(W_z x + b_iz + U_z h_{t−1} + b_hz)                  update gate
//! n = tanh(W_n x + b_in + r ⊙ (U_n h_{t−1} + b_hn))         reset after (PyTorch's, Keras's default)
//! n = tanh(W_n x + b_in + U_n (r ⊙ h_{t−1}) + b_hn)         reset before (Cho et al.'s original)
//! h_t = z ⊙ h_{t−1} + (1 − z) ⊙ n
//! ```
//!
//! The course (and Olah's diagrams) write `h_t = (1 − z') ⊙ h_{t−1} + z' ⊙ n` instead: the
//! same cell with `z' = 1 − z`, i.e. with the update gate's weights and biases negated, since
//! `1 − σ(a) = σ(−a)`. PyTorch's and Keras's convention is followed so their weights load.
//! Keras's `reset_after=False` GRU has a single bias: here it is `bias_ih_l0 + bias_hh_l0`.
//!
//! ```
//! use nn::recurrent::Gru;
//! use nn::{Layer, Tape, Tensor};
//! let after = Gru::<f64>::new(2, 3).seed(5);
//! let before = Gru::<f64>::new(2, 3).seed(5).reset_after(false); // the same weights
//! let tape = Tape::new();
//! let x = tape.constant(Tensor::normal([2, 4, 2], 0.0, 1.0, 1));
//! let (a, b) = (after.forward(x), before.forward(x));
//! assert_eq!(a.output.dims(), [2, 3]); // the last step's h
//! assert_ne!(a.output.value(), b.output.value());
//! ```

use autodiff_core::Float;
use autodiff_macros::differentiable;

use super::lstm::gate_rows;
use crate::recurrent::activations::{sigmoid_in_place, tanh_in_place};
use crate::recurrent::cell::{
    BackwardRows, Cell, ForwardRows, MAX_GATES, MAX_STATES, Recurrence, UnitGrads, UnitInputs,
};

/// One reset-after GRU unit: the input projections `xr, xz, xn` and recurrent projections
/// `hr, hz, hn` (biases included) and `h_{t−1}` to `h_t`.
#[differentiable]
#[allow(clippy::too_many_arguments)]
pub fn gru_unit<T: Float>(xr: T, xz: T, xn: T, hr: T, hz: T, hn: T, h_prev: T) -> T {
    let r = sigmoid(xr + hr);
    let z = sigmoid(xz + hz);
    let n = tanh(xn + r * hn);
    z * h_prev + (1.0 - z) * n
}

/// What the reset-before GRU's candidate product reads: `r ⊙ h_{t−1}`, from r's pre-activation.
#[differentiable]
pub fn reset_hidden<T: Float>(r: T, h_prev: T) -> T {
    sigmoid(r) * h_prev
}

/// One reset-before GRU unit's update, from the update gate's and the candidate's complete
/// pre-activations.
#[differentiable]
pub fn gru_update<T: Float>(z: T, n: T, h_prev: T) -> T {
    let z = sigmoid(z);
    z * h_prev + (1.0 - z) * tanh(n)
}

/// The GRU cell: 3 gates, state `h`; reset-after unless built with
/// [`GruCell::reset_before`].
#[derive(Clone, Copy, Debug)]
pub struct GruCell {
    reset_after: bool,
}

impl Default for GruCell {
    /// Reset-after, as PyTorch's and Keras's default.
    fn default() -> Self {
        GruCell { reset_after: true }
    }
}

impl GruCell {
    /// Cho et al.'s original form: the reset gate scales `h_{t−1}` before the candidate's
    /// recurrent product.
    pub fn reset_before() -> Self {
        GruCell { reset_after: false }
    }

    /// Whether the reset gate scales the candidate's recurrent product (PyTorch's form).
    pub fn is_reset_after(&self) -> bool {
        self.reset_after
    }
}

impl Cell for GruCell {
    const GATES: usize = 3;
    const STATES: usize = 1;
    const NAME: &'static str = "gru";
    const KERAS_GATE_ORDER: [usize; MAX_GATES] = [1, 0, 2, 3];

    fn recurrence(&self) -> Recurrence {
        if self.reset_after {
            Recurrence::Separate
        } else {
            Recurrence::ModulatedLast
        }
    }

    #[inline(always)]
    fn modulate<T: Float>(&self, u: &UnitInputs<T>) -> T {
        reset_hidden(u.pre[0], u.prev[0])
    }

    #[inline(always)]
    fn modulate_backward<T: Float>(&self, u: &UnitInputs<T>, d_m: T) -> UnitGrads<T> {
        let (dr, dh) = reset_hidden_vjp(u.pre[0], u.prev[0], d_m);
        let mut grads = UnitGrads::zeros();
        grads.pre[0] = dr;
        grads.prev[0] = dh;
        grads
    }

    #[inline(always)]
    fn forward<T: Float>(&self, u: &UnitInputs<T>) -> [T; MAX_STATES] {
        let [xr, xz, xn, _] = u.pre;
        let h = if self.reset_after {
            let [hr, hz, hn, _] = u.rec;
            gru_unit(xr, xz, xn, hr, hz, hn, u.prev[0])
        } else {
            gru_update(xz, xn, u.prev[0])
        };
        [h, T::zero()]
    }

    #[inline(always)]
    fn backward<T: Float>(&self, u: &UnitInputs<T>, [dh, _]: [T; MAX_STATES]) -> UnitGrads<T> {
        let [xr, xz, xn, _] = u.pre;
        let mut grads = UnitGrads::zeros();
        if self.reset_after {
            let [hr, hz, hn, _] = u.rec;
            let (dxr, dxz, dxn, dhr, dhz, dhn, dh_prev) =
                gru_unit_vjp(xr, xz, xn, hr, hz, hn, u.prev[0], dh);
            grads.pre = [dxr, dxz, dxn, T::zero()];
            grads.rec = [dhr, dhz, dhn, T::zero()];
            grads.prev[0] = dh_prev;
        } else {
            let (dz, dn, dh_prev) = gru_update_vjp(xz, xn, u.prev[0], dh);
            grads.pre = [T::zero(), dz, dn, T::zero()];
            grads.prev[0] = dh_prev;
        }
        grads
    }

    fn has_rows(&self) -> bool {
        true
    }

    /// [`gru_unit`] over a row, saving r, z and n in the gate row (the recurrent row keeps
    /// the candidate's `hn`); reset-before, [`gru_update`], saving z and n.
    #[inline(always)]
    fn forward_rows<T: Float>(&self, r: ForwardRows<'_, T>) {
        if !self.reset_after {
            return reset_before_rows(r);
        }
        let units = r.gates.len() / 3;
        let [h, _] = r.states;
        let (rz, n) = r.gates.split_at_mut(2 * units);
        let (rec_rz, hn) = r.rec.split_at(2 * units);
        rz.iter_mut().zip(rec_rz).for_each(|(x, &rec)| *x += rec);
        sigmoid_in_place(rz);
        let (reset, update) = rz.split_at(units);
        for j in 0..units {
            n[j] += reset[j] * hn[j];
        }
        tanh_in_place(n);
        let one = T::one();
        for j in 0..units {
            h[j] = update[j] * h[j] + (one - update[j]) * n[j];
        }
    }

    /// [`gru_unit_vjp`] over a row from the saved r, z, n; reset-before, [`gru_update_vjp`]
    /// from the saved z, n.
    #[inline(always)]
    fn backward_rows<T: Float>(&self, r: BackwardRows<'_, T>) {
        if !self.reset_after {
            return reset_before_backward_rows(r);
        }
        let units = r.gates.len() / 3;
        let [reset, update, n] = gate_rows(r.gates, units);
        let hn = &r.rec[2 * units..];
        let (h_prev, dh) = (r.prev[0], r.d_next[0]);
        let [d_h_prev, _] = r.d_prev;
        let (d_r, rest) = r.d_gates.split_at_mut(units);
        let (d_z, d_n) = rest.split_at_mut(units);
        let one = T::one();
        for j in 0..units {
            d_n[j] = dh[j] * (one - update[j]) * (one - n[j] * n[j]);
            d_z[j] = dh[j] * (h_prev[j] - n[j]) * update[j] * (one - update[j]);
            d_r[j] = d_n[j] * hn[j] * reset[j] * (one - reset[j]);
            d_h_prev[j] = dh[j] * update[j];
        }
        let (d_rec_rz, d_hn) = r.d_rec.split_at_mut(2 * units);
        d_rec_rz.copy_from_slice(&r.d_gates[..2 * units]);
        for j in 0..units {
            d_hn[j] = r.d_gates[2 * units + j] * reset[j];
        }
    }
}

/// The reset-before update over a row: z and n activated in place. The reset gate's column
/// stays its pre-activation: the op's [`Cell::modulate_backward`] reads it there.
#[inline(always)]
fn reset_before_rows<T: Float>(r: ForwardRows<'_, T>) {
    let units = r.gates.len() / 3;
    let [h, _] = r.states;
    let (z, n) = r.gates[units..].split_at_mut(units);
    sigmoid_in_place(z);
    tanh_in_place(n);
    let one = T::one();
    for j in 0..units {
        h[j] = z[j] * h[j] + (one - z[j]) * n[j];
    }
}

/// [`gru_update_vjp`] over a row from the saved z, n (the reset gate's share comes from the op's
/// [`Cell::modulate_backward`], so its column is written zero here).
#[inline(always)]
fn reset_before_backward_rows<T: Float>(r: BackwardRows<'_, T>) {
    let units = r.gates.len() / 3;
    let [_, update, n] = gate_rows(r.gates, units);
    let (h_prev, dh) = (r.prev[0], r.d_next[0]);
    let [d_h_prev, _] = r.d_prev;
    let (d_r, rest) = r.d_gates.split_at_mut(units);
    let (d_z, d_n) = rest.split_at_mut(units);
    let one = T::one();
    for j in 0..units {
        d_r[j] = T::zero();
        d_n[j] = dh[j] * (one - update[j]) * (one - n[j] * n[j]);
        d_z[j] = dh[j] * (h_prev[j] - n[j]) * update[j] * (one - update[j]);
        d_h_prev[j] = dh[j] * update[j];
    }
}
