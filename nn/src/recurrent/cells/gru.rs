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

use crate::recurrent::cell::{Cell, MAX_GATES, MAX_STATES, Recurrence, UnitGrads, UnitInputs};

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
}
