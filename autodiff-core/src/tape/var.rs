//! [`Var`]: a `Copy` handle to a value on a [`Tape`].

use crate::{Float, Shape, Tensor};

use super::{Gradients, Tape};

/// A value on a tape: a tape reference and a node index, so it is `Copy` and maths reads like
/// maths: `(x.matmul(w) + b).relu()`.
pub struct Var<'t, T: Float> {
    pub(crate) tape: &'t Tape<T>,
    pub(crate) id: u32,
}

impl<T: Float> Clone for Var<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Float> Copy for Var<'_, T> {}

impl<T: Float> std::fmt::Debug for Var<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Var(#{}, ", self.id)?;
        self.with_value(|v| write!(f, "{v:?})"))
    }
}

impl<'t, T: Float> Var<'t, T> {
    pub(crate) fn new(tape: &'t Tape<T>, id: u32) -> Self {
        Var { tape, id }
    }

    /// The tape this value lives on.
    pub fn tape(&self) -> &'t Tape<T> {
        self.tape
    }

    /// The node index on the tape.
    pub fn id(&self) -> u32 {
        self.id
    }

    /// The shape of the value.
    pub fn shape(&self) -> Shape {
        self.with_value(|v| v.shape())
    }

    /// The dimensions of the value.
    pub fn dims(&self) -> Vec<usize> {
        self.with_value(|v| v.dims().to_vec())
    }

    /// A copy of the value.
    pub fn value(&self) -> Tensor<T> {
        self.with_value(Tensor::clone)
    }

    /// The value of a one-element result (a loss, say).
    pub fn item(&self) -> T {
        self.with_value(Tensor::item)
    }

    /// Runs `f` on the value without copying it. Recording another op inside `f` panics (the
    /// tape is borrowed).
    pub fn with_value<R>(&self, f: impl FnOnce(&Tensor<T>) -> R) -> R {
        self.tape.with_value(self.id, f)
    }

    /// Whether a backward pass will compute a gradient through this value.
    pub fn requires_grad(&self) -> bool {
        self.tape.requires_grad(self.id)
    }

    /// Keeps this intermediate value's gradient after the backward pass, for
    /// [`Gradients::wrt`] (leaves and parameters keep theirs anyway).
    #[track_caller]
    pub fn retain_grad(self) -> Self {
        self.tape.keep_grad(self.id);
        self
    }

    /// The same value cut out of the graph: it keeps its data (no copy) and no gradient flows
    /// back through it (PyTorch's `detach()`, Keras's `stop_gradient`).
    ///
    /// Truncated backpropagation through time carries the recurrent state from one window of
    /// steps to the next detached, so each window's backward pass stops at its first step:
    ///
    /// ```
    /// use autodiff_core::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let w = tape.var(Tensor::from_vec(vec![0.5_f64], [1]));
    /// let mut h = tape.constant(Tensor::from_vec(vec![1.0], [1]));
    /// h = (h * w).tanh();
    /// h = h.detach(); // the window ends here: no gradient reaches the steps before
    /// let loss = (h * w).tanh().sum();
    /// let g = loss.backward();
    /// let (h1, y) = (0.5_f64.tanh(), (0.5_f64.tanh() * 0.5).tanh());
    /// assert!((g.wrt(w).unwrap().item() - (1.0 - y * y) * h1).abs() < 1e-15);
    /// ```
    #[track_caller]
    pub fn detach(self) -> Self {
        self.tape.detach(self)
    }

    /// Gradients of this one-element value with respect to everything it depends on.
    ///
    /// # Panics
    /// If the value has more than one element: use [`Var::backward_with`].
    pub fn backward(self) -> Gradients<T> {
        let shape = self.shape();
        assert!(
            shape.numel() == 1,
            "backward: output has shape {shape}; call backward_with(seed) for a non-scalar output"
        );
        self.backward_with(Tensor::ones(shape))
    }

    /// Gradients of `Σ seed ⊙ self` (a vector-Jacobian product) with respect to everything this
    /// value depends on.
    ///
    /// # Panics
    /// If `seed`'s shape is not this value's shape.
    pub fn backward_with(self, seed: Tensor<T>) -> Gradients<T> {
        let shape = self.shape();
        assert!(
            seed.shape() == shape,
            "backward_with: seed of shape {} for an output of shape {shape}",
            seed.shape()
        );
        self.tape.backward_from(self.id, seed)
    }
}
