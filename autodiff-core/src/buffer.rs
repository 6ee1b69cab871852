//! [`Buffer`]: persistent state that is saved but not trained (batch norm's running mean and
//! variance), and [`BufferRef`], how a [`Module`](crate::Module) hands out its buffers.

use std::sync::{Arc, PoisonError, RwLock};

use crate::{Float, SeededRng, StepCounter, Tape, Tensor, Var};

/// A persistent tensor that is not trained: a forward pass in training mode updates it, a
/// checkpoint saves it beside the parameters, optimizers never see it (they visit
/// [`Param`](crate::Param)s only), and parameter counts report it as non-trainable.
///
/// # Why interior mutability
///
/// Layers run their forward pass through `&self`, as PyTorch's module call does, so a forward
/// pass can update running statistics only through a shared reference. The tensor sits behind
/// an [`RwLock`] (not a `Cell`/`RefCell`) so that modules stay `Send + Sync` and one model can
/// serve inference from several threads. Reading and setting hold the lock only long enough to
/// clone or swap an [`Arc`] (a few nanoseconds uncontended, nothing beside a forward pass);
/// [`Buffer::update`] holds it while its closure runs, and `Debug` while it formats.
///
/// # Reading
///
/// [`Buffer::value`] returns a snapshot: a clone of the [`Arc`] holding the tensor, so no lock is
/// held while it is read and no data is copied. A later [`Buffer::set`] or [`Buffer::update`]
/// does not change a snapshot already taken (an update copies the data first if a snapshot or
/// a tape still shares it). [`Buffer::on`] puts the current value on a tape as a constant,
/// sharing the data.
///
/// ```
/// use autodiff_core::{Buffer, Tape, Tensor};
/// let running_mean = Buffer::new(Tensor::from_vec(vec![0.0_f64, 0.0], [2]));
/// let batch_mean = Tensor::from_vec(vec![1.0, 2.0], [2]);
/// // A training step: running ← 0.9 · running + 0.1 · batch, through `&self`.
/// running_mean.update(|r| {
///     for (r, b) in r.data_mut().iter_mut().zip(batch_mean.data()) {
///         *r = 0.9 * *r + 0.1 * b;
///     }
/// });
/// // Inference reads it as a constant of the tape: no copy, no gradient.
/// let tape = Tape::new();
/// let mean = running_mean.on(&tape);
/// assert!(!mean.requires_grad());
/// assert!((mean.sum().item() - 0.3).abs() < 1e-12);
/// ```
pub struct Buffer<T: Float> {
    value: RwLock<Arc<Tensor<T>>>,
}

impl<T: Float> Buffer<T> {
    /// A buffer holding `value`.
    pub fn new(value: Tensor<T>) -> Self {
        Buffer {
            value: RwLock::new(Arc::new(value)),
        }
    }

    /// A snapshot of the current value (a clone of the `Arc`, not of the data).
    pub fn value(&self) -> Arc<Tensor<T>> {
        Arc::clone(&self.value.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Replaces the value.
    pub fn set(&self, value: Tensor<T>) {
        *self.value.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(value);
    }

    /// Changes the value in place, holding the write lock while `f` runs. The data is copied
    /// first only if a snapshot or a live tape still shares it. A panic inside `f` leaves what
    /// `f` had written so far, and the buffer stays usable.
    pub fn update(&self, f: impl FnOnce(&mut Tensor<T>)) {
        let mut value = self.value.write().unwrap_or_else(PoisonError::into_inner);
        f(Arc::make_mut(&mut value))
    }

    /// The current value as a constant of `tape` (no gradient), sharing its data.
    pub fn on<'t>(&self, tape: &'t Tape<T>) -> Var<'t, T> {
        tape.shared_constant(self.value())
    }
}

impl<T: Float> Clone for Buffer<T> {
    /// A new buffer starting from the same value (shared until either is updated).
    fn clone(&self) -> Self {
        Buffer {
            value: RwLock::new(self.value()),
        }
    }
}

impl<T: Float> std::fmt::Debug for Buffer<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let value = self.value.read().unwrap_or_else(PoisonError::into_inner);
        write!(f, "Buffer({:?})", **value)
    }
}

/// One buffer of a module, as [`Module::visit_buffers`](crate::Module::visit_buffers) gives
/// it: a floating-point [`Buffer`], an integer [`StepCounter`] or a random generator
/// ([`SeededRng`]).
pub enum BufferRef<'a, T: Float> {
    /// A tensor of the module's element type.
    Tensor(&'a Buffer<T>),
    /// A 64-bit integer count (saved as a 0-dimensional `I64` tensor).
    Counter(&'a StepCounter),
    /// A random generator's state: training state, which training checkpoints save and weight
    /// files (and [`checkpoint::save`](crate::checkpoint::save)) leave out.
    Rng(&'a SeededRng),
}

impl<T: Float> Clone for BufferRef<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Float> Copy for BufferRef<'_, T> {}

impl<T: Float> std::fmt::Debug for BufferRef<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BufferRef::Tensor(buffer) => buffer.fmt(f),
            BufferRef::Counter(counter) => counter.fmt(f),
            BufferRef::Rng(rng) => rng.fmt(f),
        }
    }
}

impl<T: Float> BufferRef<'_, T> {
    /// The number of scalars it holds (1 for a counter, 0 for a generator: its state is not a
    /// weight).
    pub fn numel(&self) -> usize {
        match self {
            BufferRef::Tensor(buffer) => buffer.value().numel(),
            BufferRef::Counter(_) => 1,
            BufferRef::Rng(_) => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<S: Send + Sync>() {}

    #[test]
    fn buffers_are_send_and_sync() {
        assert_send_sync::<Buffer<f32>>();
        assert_send_sync::<StepCounter>();
    }

    #[test]
    fn a_snapshot_keeps_its_value_across_updates() {
        let b = Buffer::new(Tensor::from_vec(vec![1.0_f32, 2.0], [2]));
        let before = b.value();
        b.update(|t| t.data_mut()[0] = 5.0);
        assert_eq!(before.data(), &[1.0, 2.0]);
        assert_eq!(b.value().data(), &[5.0, 2.0]);
        b.set(Tensor::zeros([3]));
        assert_eq!(b.value().dims(), &[3]);
    }

    #[test]
    fn on_a_tape_shares_the_data() {
        let b = Buffer::new(Tensor::from_vec(vec![1.0_f64, 2.0, 3.0], [3]));
        let tape = Tape::new();
        let v = b.on(&tape);
        assert!(!v.requires_grad());
        assert_eq!(v.sum().item(), 6.0);
        // The tape shares the buffer's tensor: the snapshot, the buffer and the tape hold it.
        assert_eq!(Arc::strong_count(&b.value()), 3);
        // Updating while the tape lives copies, so the tape keeps the value it recorded.
        b.update(|t| t.data_mut()[0] = 10.0);
        assert_eq!(v.value().data(), &[1.0, 2.0, 3.0]);
    }

    #[test]
    fn updates_from_several_threads_all_land() {
        // Threads start together and update long enough that a racy read-then-set would lose
        // some updates.
        let b = Buffer::new(Tensor::from_vec(vec![0.0_f64], [1]));
        let start = std::sync::Barrier::new(4);
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    start.wait();
                    for _ in 0..50_000 {
                        b.update(|t| t.data_mut()[0] += 1.0);
                    }
                });
            }
        });
        assert_eq!(b.value().item(), 200_000.0);
    }
}
