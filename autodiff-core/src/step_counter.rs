//! [`StepCounter`]: an integer buffer, such as batch norm's count of batches seen.

use std::sync::atomic::{AtomicI64, Ordering};

/// A persistent 64-bit count that a forward pass increments through `&self` (see
/// [`Buffer`](crate::Buffer) for why state is mutated through a shared reference).
///
/// A module visits it as a buffer; a checkpoint saves it as a 0-dimensional `I64` tensor, the
/// form PyTorch gives `BatchNorm`'s `num_batches_tracked`, so such entries of a PyTorch
/// `state_dict` saved with safetensors load into one. It is atomic: no lock, `Send + Sync`.
///
/// ```
/// use autodiff_core::StepCounter;
/// let batches = StepCounter::new();
/// batches.increment();
/// batches.increment();
/// assert_eq!(batches.get(), 2);
/// ```
#[derive(Debug, Default)]
pub struct StepCounter {
    count: AtomicI64,
}

impl StepCounter {
    /// A counter at zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// The current count.
    pub fn get(&self) -> i64 {
        // Relaxed: the count orders nothing else; each access is atomic by itself.
        self.count.load(Ordering::Relaxed)
    }

    /// Adds one and returns the new count.
    pub fn increment(&self) -> i64 {
        self.count.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Replaces the count.
    pub fn set(&self, count: i64) {
        self.count.store(count, Ordering::Relaxed)
    }
}

impl Clone for StepCounter {
    /// A new counter starting from the same count.
    fn clone(&self) -> Self {
        StepCounter {
            count: AtomicI64::new(self.get()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn increments_from_several_threads_all_count() {
        // Threads start together and increment long enough that a racy read-then-write would
        // lose some updates.
        let c = StepCounter::new();
        let start = std::sync::Barrier::new(4);
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    start.wait();
                    for _ in 0..500_000 {
                        std::hint::black_box(c.increment());
                    }
                });
            }
        });
        assert_eq!(c.get(), 2_000_000);
        c.set(-3);
        assert_eq!(c.clone().get(), -3);
    }
}
