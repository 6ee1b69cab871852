//! [`SeededRng`]: a module's random generator (dropout's masks) whose exact position can be
//! saved and put back, so that training resumed from a checkpoint draws what an uninterrupted
//! run would have drawn.
//!
//! The generator is ChaCha12 (`rand`'s [`ChaCha12Rng`], the algorithm behind `StdRng` today, so
//! a seed gives the stream `StdRng::seed_from_u64` gives). Its whole state is the seed, the
//! stream number and the position in the stream: [`RNG_STATE_LEN`] bytes, saved as they are
//! rather than replayed from the seed, so restoring costs nothing however far training went.

use std::sync::{Mutex, MutexGuard, PoisonError};

use rand::SeedableRng;
use rand::rngs::ChaCha12Rng;

/// The length of a saved generator state: 32 bytes of seed, 8 of stream, 9 of position.
pub const RNG_STATE_LEN: usize = 49;

/// A seeded ChaCha12 generator held by a module and drawn from through `&self` (a forward pass
/// runs through a shared reference, see [`Buffer`](crate::Buffer)); a module hands it out as
/// [`BufferRef::Rng`](crate::BufferRef::Rng). Weight files leave it out; training checkpoints
/// save it.
///
/// ```
/// use autodiff_core::SeededRng;
/// use rand::RngExt;
/// let rng = SeededRng::new(7);
/// let saved = rng.state();
/// let first: f64 = rng.lock().random();
/// rng.set_state(&saved);
/// assert_eq!(rng.lock().random::<f64>(), first);
/// ```
#[derive(Debug)]
pub struct SeededRng {
    rng: Mutex<ChaCha12Rng>,
}

impl SeededRng {
    /// A generator seeded as `StdRng::seed_from_u64(seed)` is.
    pub fn new(seed: u64) -> Self {
        SeededRng {
            rng: Mutex::new(ChaCha12Rng::seed_from_u64(seed)),
        }
    }

    /// Exclusive access for drawing (a lock, uncontended in a forward pass).
    pub fn lock(&self) -> MutexGuard<'_, ChaCha12Rng> {
        // A panic while drawing leaves a valid generator: the poison carries no meaning here.
        self.rng.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The generator's exact state: seed, stream and position.
    pub fn state(&self) -> [u8; RNG_STATE_LEN] {
        self.lock().serialize_state()
    }

    /// Puts back a state taken by [`SeededRng::state`]: the next draws are the ones that
    /// followed it.
    pub fn set_state(&self, state: &[u8; RNG_STATE_LEN]) {
        *self.lock() = ChaCha12Rng::deserialize_state(state);
    }
}
