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
//!
//! # When a rank fails, dies or hangs
//!
//! - An error in `fit` on one rank (a callback's, which run on rank 0; a backup that cannot
//!   be written or read) reaches the others at the next point where the ranks agree on rank
//!   0's decisions (after every batch, at every epoch's beginning and end, around resuming and
//!   backing up): every rank's `fit` returns there, the failed one with its own error, the
//!   others with [`FitError::RankFailed`](crate::train::FitError::RankFailed) naming it and
//!   its message. The ranks are still in step: the program may go on making collective calls.
//! - A NaN loss is no error: with [`TerminateOnNaN`](crate::train::TerminateOnNaN) (on rank 0)
//!   every rank stops with the same reason; a NaN on another rank reaches rank 0 through the
//!   averaged gradients, one batch later.
//! - A rank that dies (killed, crashed, panicked) or hangs: every collective call of this
//!   context has a deadline, [`Distributed::timeout`] after it began ([`DEFAULT_TIMEOUT`], 10
//!   minutes, unless set). A watchdog thread prints which call timed out on which rank, after
//!   how long, and ends the whole job with `MPI_Abort` (exit code 75): MPI cannot cancel a
//!   collective once started, so there is no error to return. Open MPI's `mpirun` itself
//!   ends the job as soon as one process dies (a signal, or an exit without finalising MPI),
//!   printing which rank and how (the test sees this in well under a second); the deadline is
//!   what ends a job whose rank hangs, or one started by a launcher that does not do this.
//!
//! # Resuming
//!
//! A [`BackupAndRestore`](crate::train::BackupAndRestore) in a data-parallel `fit` is rank
//! 0's: it writes the backup, atomically, with the parameters and optimizer state (the same on
//! every rank), the callbacks' state, the position and the History, and every other rank's own
//! part, sent to it: its buffers (batch norm's running statistics and counts, dropout's
//! generator) and the running totals of the epoch in progress. On resuming, rank 0 reads the
//! file and broadcasts its bytes, so the other ranks need no access to its disk (ranks on
//! machines without a shared file system); each rank restores the common state and its own
//! part. A resumed run is bit for bit an uninterrupted one on the same number of processes; a
//! backup of another number of processes is refused with a typed error.

mod average;
mod broadcast;
mod bytes;
mod fit;
mod watchdog;

use std::time::Duration;

use mpi::environment::Universe;
use mpi::topology::SimpleCommunicator;
use mpi::traits::{Communicator, CommunicatorCollectives};

use crate::data::DistributedSampler;
use watchdog::Watchdog;

/// The MPI bindings (rsmpi), for collective calls of one's own on [`Distributed::world`].
pub use mpi;

/// The gradient bucket size when none is set: PyTorch's `bucket_cap_mb` of 25.
const DEFAULT_BUCKET_BYTES: usize = 25 << 20;

/// The deadline of a collective call when none is set: 10 minutes, PyTorch's default for its
/// NCCL process groups.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);

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
    // Declared before the universe: the communicator and the watchdog go before MPI is
    // finalised.
    world: SimpleCommunicator,
    watchdog: Watchdog,
    bucket_bytes: usize,
    _universe: Universe,
}

impl Distributed {
    /// Initialises MPI (once per process) and joins its world.
    pub fn init() -> Result<Self, DistributedError> {
        let universe = mpi::initialize().ok_or(DistributedError::AlreadyInitialized)?;
        let world = universe.world();
        let (rank, size) = (world.rank() as usize, world.size() as usize);
        Ok(Distributed {
            world,
            watchdog: Watchdog::start(rank, size, DEFAULT_TIMEOUT),
            bucket_bytes: DEFAULT_BUCKET_BYTES,
            _universe: universe,
        })
    }

    /// Sets the deadline of every collective call this context makes ([`DEFAULT_TIMEOUT`]
    /// unless set): a call that has not completed `timeout` after it began (another rank died,
    /// hangs, or skipped the call) prints which call timed out and after how long, and aborts
    /// the whole MPI job with exit code 75 (see the module docs). A call also waits for the
    /// slowest rank to reach it, so `timeout` must exceed the longest work between two calls
    /// (a batch, an epoch's validation, rank 0's callbacks). Collectives of one's own on
    /// [`Distributed::world`] are not watched.
    ///
    /// # Panics
    /// If `timeout` is zero.
    pub fn timeout(self, timeout: Duration) -> Self {
        assert!(
            !timeout.is_zero(),
            "Distributed::timeout: a collective needs some time"
        );
        self.watchdog.set_timeout(timeout);
        self
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
        let _watched = self.watchdog.enter("sum_f64");
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
            .field("timeout", &self.watchdog.timeout())
            .finish()
    }
}
