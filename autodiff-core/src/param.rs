//! [`Param`]: a trainable tensor that outlives tapes.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::{Float, Tensor};

/// Identifies a [`Param`] across tapes and in [`Gradients`](crate::Gradients).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ParamId(u64);

impl ParamId {
    fn fresh() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        ParamId(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

/// A persistent, trainable tensor. A forward pass puts it on a tape with
/// [`Tape::param`](crate::Tape::param) (sharing, not copying, its data);
/// [`Gradients::param`](crate::Gradients::param) hands back its gradient.
///
/// ```
/// use autodiff_core::{Param, Tape, Tensor};
/// let mut w = Param::new(Tensor::from_vec(vec![3.0_f64], [1]));
/// let grad = {
///     let tape = Tape::new();
///     let loss = (tape.param(&w) * tape.param(&w)).sum(); // w²
///     loss.backward().param(&w).unwrap().clone()
/// };
/// w.update(|value| value.data_mut()[0] -= 0.1 * grad.data()[0]);
/// assert!((w.value().item() - 2.4).abs() < 1e-12);
/// ```
pub struct Param<T: Float> {
    id: ParamId,
    value: Arc<Tensor<T>>,
    trainable: bool,
}

impl<T: Float> Param<T> {
    /// A trainable parameter with this initial value.
    pub fn new(value: Tensor<T>) -> Self {
        Param {
            id: ParamId::fresh(),
            value: Arc::new(value),
            trainable: true,
        }
    }

    /// This parameter's identity.
    pub fn id(&self) -> ParamId {
        self.id
    }

    /// The current value.
    pub fn value(&self) -> &Tensor<T> {
        &self.value
    }

    /// Changes the value in place. The data is copied only if a live tape still shares it.
    pub fn update(&mut self, f: impl FnOnce(&mut Tensor<T>)) {
        f(Arc::make_mut(&mut self.value))
    }

    /// Replaces the value.
    pub fn set(&mut self, value: Tensor<T>) {
        self.value = Arc::new(value);
    }

    /// Whether a backward pass computes this parameter's gradient.
    pub fn is_trainable(&self) -> bool {
        self.trainable
    }

    /// Freezes (`false`) or unfreezes (`true`) the parameter, as Keras's `trainable`.
    pub fn set_trainable(&mut self, trainable: bool) {
        self.trainable = trainable;
    }

    pub(crate) fn shared(&self) -> Arc<Tensor<T>> {
        Arc::clone(&self.value)
    }
}

impl<T: Float> Clone for Param<T> {
    /// A new parameter (with its own id) starting from the same value.
    fn clone(&self) -> Self {
        Param {
            id: ParamId::fresh(),
            value: Arc::clone(&self.value),
            trainable: self.trainable,
        }
    }
}

impl<T: Float> std::fmt::Debug for Param<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Param({:?}, {:?})", self.id, self.value)
    }
}
