//! Data-parallel training over MPI (cargo feature `mpi`): every process (rank) holds a replica
//! of the model, reads its own share of each epoch, and takes the same optimizer step from
//! gradients averaged over all ranks, as PyTorch's `DistributedDataParallel` and Horovod do.
//!
//! A [`Distributed`] context initialises MPI and offers the three calls a training loop needs:
//!
//! 1. [`Distributed::broadcast_state`] once at the start: every rank takes rank 0's parameters
//!    and buffers, so the replicas start equal whatever their seeds.
//! 2. [`Distributed::sampler`]: this rank's rows of each epoch ([`DistributedSampler`]: the same
//!    permutation on every rank from the shared seed, the uneven tail padded by wrapping, as
//!    PyTorch's default).
//! 3. [`Distributed::average_gradients`] after each backward pass, before the optimizer step:
//!    the gradients are copied into a few flat buckets (25 MiB each by default, PyTorch's
//!    `bucket_cap_mb`), each bucket summed over the ranks by one all-reduce, scaled by 1/size and
//!    copied back. Every rank then holds the same averaged gradients, so the same optimizer step
//!    keeps the replicas equal. Each rank's loss is the mean over its own batch, so with equal
//!    per-rank batches the average is the gradient of the mean over the union of the batches.
//!
//! Batch normalisation is not synchronised (PyTorch's default, not `SyncBatchNorm`): each rank
//! normalises with its own batch's statistics and updates its own running statistics, which
//! therefore drift apart; the trained weights stay equal. Broadcast the state again before
//! saving or evaluating if the running statistics must be rank 0's everywhere.
//!
//! A hand-written loop (start it with `mpirun -np 2`):
//!
//! ```no_run
//! use nn::distributed::Distributed;
//! use nn::losses::Loss;
//! use nn::optim::Optimizer;
//! use nn::train::Batchable;
//! use nn::{Dense, Layer, Sequential, Tape, Tensor};
//!
//! let dist = Distributed::init().unwrap();
//! let x = Tensor::<f32>::normal([1000, 4], 0.0, 1.0, 1); // the same data on every rank
//! let y = x.narrow(1, 0, 1);
//! let mut net = Sequential::new().add(Dense::new(4, 1).seed(dist.rank() as u64));
//! dist.broadcast_state(&mut net); // every rank starts from rank 0's weights
//! let mut opt = Optimizer::adam(0.01);
//! let sampler = dist.sampler(x.num_rows()).seed(7);
//! for epoch in 0..5 {
//!     for rows in sampler.indices(epoch).chunks(32) {
//!         let tape = Tape::new();
//!         let pred = net.forward(tape.var(x.select_rows(rows)));
//!         let mut grads = Loss::MeanSquaredError
//!             .compute(pred, tape.constant(y.select_rows(rows)))
//!             .backward();
//!         drop(tape);
//!         dist.average_gradients(&net, &mut grads); // the one call after backward
//!         opt.step(&mut net, &grads);
//!     }
//! }
//! ```
//!
//! `Model::fit` does all of this when given the context in
//! [`FitOptions::data_parallel`](crate::train::FitOptions::data_parallel).
//!
//! Start the program with `mpirun -np 2 PROGRAM`; the same binary runs across machines with
//! a host file. Communication does not overlap backward: the buckets are reduced after it.

mod average;
mod broadcast;
mod fit;

use mpi::environment::Universe;
use mpi::topology::SimpleCommunicator;
use mpi::traits::{Communicator, CommunicatorCollectives};

use crate::data::DistributedSampler;

/// The MPI bindings (rsmpi), for collective calls of one's own on [`Distributed::world`].
pub use mpi;

/// The gradient bucket size when none is set: PyTorch's `bucket_cap_mb` of 25.
const DEFAULT_BUCKET_BYTES: usize = 25 << 20;

/// Why a [`Distributed`] context could not be made.
#[derive(Debug, thiserror::Error)]
pub enum DistributedError {
    /// MPI was initialised before in this process (it can be only once).
    #[error("MPI is already initialised in this process; make one Distributed context")]
    AlreadyInitialized,
}

/// The MPI world of a data-parallel run: this process's rank, the number of processes, and
/// the collective calls of training (see the module docs). Dropping it finalises MPI.
pub struct Distributed {
    // Declared before the universe: the communicator goes before MPI is finalised.
    world: SimpleCommunicator,
    bucket_bytes: usize,
    _universe: Universe,
}

impl Distributed {
    /// Initialises MPI (once per process) and joins its world.
    pub fn init() -> Result<Self, DistributedError> {
        let universe = mpi::initialize().ok_or(DistributedError::AlreadyInitialized)?;
        Ok(Distributed {
            world: universe.world(),
            bucket_bytes: DEFAULT_BUCKET_BYTES,
            _universe: universe,
        })
    }

    /// Sets the size of the flat buffers gradients are averaged in; a parameter larger than
    /// a bucket gets a bucket of its own. Every rank must use the same size.
    ///
    /// # Panics
    /// If `bytes` is 0.
    pub fn bucket_bytes(mut self, bytes: usize) -> Self {
        assert!(
            bytes > 0,
            "Distributed::bucket_bytes: a bucket needs at least one byte"
        );
        self.bucket_bytes = bytes;
        self
    }

    /// This process's rank, from 0.
    pub fn rank(&self) -> usize {
        self.world.rank() as usize
    }

    /// The number of processes.
    pub fn size(&self) -> usize {
        self.world.size() as usize
    }

    /// Whether this is rank 0, the one that logs, saves and runs callbacks.
    pub fn is_root(&self) -> bool {
        self.rank() == 0
    }

    /// The MPI communicator of all processes, for collective calls of one's own.
    pub fn world(&self) -> &SimpleCommunicator {
        &self.world
    }

    /// This rank's [`DistributedSampler`] over a data set of `len` rows (shuffled, seed 0,
    /// padded tail; change them with its builder methods, the same on every rank).
    pub fn sampler(&self, len: usize) -> DistributedSampler {
        DistributedSampler::new(len, self.size(), self.rank())
    }

    /// Sums `values` over all ranks, in place (for losses and metric totals).
    pub fn sum_f64(&self, values: &mut [f64]) {
        let local = values.to_vec();
        self.world
            .all_reduce_into(&local[..], values, mpi::collective::SystemOperation::sum());
    }
}

impl std::fmt::Debug for Distributed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Distributed")
            .field("rank", &self.rank())
            .field("size", &self.size())
            .field("bucket_bytes", &self.bucket_bytes)
            .finish()
    }
}
