//! The simple (Elman) RNN cell, PyTorch's `nn.RNN` with tanh and Keras's `SimpleRNN`:
//!
//! ```text
//! h_t = tanh(W x + b_ih + U h_{t−1} + b_hh)
//! ```
//!
//! Its gradient through time is a product of `Uᵀ diag(1 − h²)` factors, which shrinks (or
//! grows) geometrically with the distance: why it cannot connect information far in the past.
//!
//! ```
//! use nn::recurrent::SimpleRnn;
//! use nn::{Layer, Tape, Tensor};
//! let rnn = SimpleRnn::<f32>::new(3, 8).return_sequences(true);
//! let tape = Tape::new();
//! let out = rnn.forward(tape.constant(Tensor::ones([4, 10, 3]))); // [batch, time, features]
//! assert_eq!(out.output.dims(), [4, 10, 8]);
//! assert!(out.c.is_none()); // h is its only state
//! assert!(out.output.value().data().iter().all(|v| v.abs() < 1.0));
//! ```

use autodiff_core::Float;
use autodiff_macros::differentiable;

use crate::recurrent::activations::tanh_in_place;
use crate::recurrent::cell::{BackwardRows, Cell, ForwardRows, MAX_STATES, UnitGrads, UnitInputs};

/// One simple-RNN unit: `h_t` from its pre-activation.
#[differentiable]
pub fn simple_rnn_unit<T: Float>(a: T) -> T {
    tanh(a)
}

/// The simple RNN cell: 1 gate, state `h`.
#[derive(Clone, Copy, Debug, Default)]
pub struct SimpleRnnCell;

impl Cell for SimpleRnnCell {
    const GATES: usize = 1;
    const STATES: usize = 1;
    const NAME: &'static str = "simple_rnn";

    #[inline(always)]
    fn forward<T: Float>(&self, u: &UnitInputs<T>) -> [T; MAX_STATES] {
        [simple_rnn_unit(u.pre[0]), T::zero()]
    }

    #[inline(always)]
    fn backward<T: Float>(&self, u: &UnitInputs<T>, [dh, _]: [T; MAX_STATES]) -> UnitGrads<T> {
        let mut grads = UnitGrads::zeros();
        grads.pre[0] = simple_rnn_unit_vjp(u.pre[0], dh);
        grads
    }

    fn has_rows(&self) -> bool {
        true
    }

    /// [`simple_rnn_unit`] over a row, leaving `h_t` in the gate row too.
    #[inline(always)]
    fn forward_rows<T: Float>(&self, r: ForwardRows<'_, T>) {
        tanh_in_place(r.gates);
        r.states[0].copy_from_slice(r.gates);
    }

    /// [`simple_rnn_unit_vjp`] over a row from the saved `h_t`: tanh' = 1 − h².
    #[inline(always)]
    fn backward_rows<T: Float>(&self, r: BackwardRows<'_, T>) {
        let (h, dh) = (r.gates, r.d_next[0]);
        let [d_h_prev, _] = r.d_prev;
        for j in 0..h.len() {
            r.d_gates[j] = dh[j] * (T::one() - h[j] * h[j]);
            d_h_prev[j] = T::zero();
        }
    }
}
