//! [`Watchdog`]: a deadline on every collective call of a [`Distributed`](super::Distributed)
//! context, so that a rank whose peers died, hang or stopped calling collectives never waits
//! forever.
//!
//! MPI cannot cancel a collective once started, and a communicator whose collective timed out
//! is unusable, so a timeout cannot be returned to the caller as an error: as PyTorch's watchdog
//! does for a collective past its `timeout`, this one prints what timed out and ends the whole
//! job with `MPI_Abort`. A thread of its own sleeps until the deadline of the collective in
//! progress (or, between collectives, for one timeout), wakes and looks again: entering and
//! leaving a collective only takes an uncontended lock, never a wake-up.

use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The exit code of a job the watchdog aborts: 75, `EX_TEMPFAIL` of `sysexits.h` (not 124,
/// which `timeout` returns when it ends a command that ran too long).
pub(super) const TIMED_OUT: i32 = 75;

/// The thread that aborts the job when a collective outlives its deadline.
pub(super) struct Watchdog {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

struct Shared {
    state: Mutex<State>,
    changed: Condvar,
}

struct State {
    /// The collective in progress, since when.
    current: Option<(&'static str, Instant)>,
    timeout: Duration,
    shutdown: bool,
}

/// A collective in progress, watched until the guard drops.
pub(super) struct Watched<'w>(&'w Shared);

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Watchdog {
    /// Starts watching this process (`rank` of `size`, for the message) with `timeout`.
    pub(super) fn start(rank: usize, size: usize, timeout: Duration) -> Self {
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                current: None,
                timeout,
                shutdown: false,
            }),
            changed: Condvar::new(),
        });
        let watched = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("nn-distributed-watchdog".into())
            .spawn(move || watch(&watched, rank, size))
            .expect("the watchdog thread starts");
        Watchdog {
            shared,
            thread: Some(thread),
        }
    }

    /// The deadline of every later collective.
    pub(super) fn set_timeout(&self, timeout: Duration) {
        self.shared.lock().timeout = timeout;
        self.shared.changed.notify_one();
    }

    /// The deadline of every collective.
    pub(super) fn timeout(&self) -> Duration {
        self.shared.lock().timeout
    }

    /// Watches the collective `what` (the call's name, for the message) until the guard drops.
    pub(super) fn enter(&self, what: &'static str) -> Watched<'_> {
        self.shared.lock().current = Some((what, Instant::now()));
        Watched(&self.shared)
    }
}

impl Drop for Watched<'_> {
    fn drop(&mut self) {
        self.0.lock().current = None;
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.shared.lock().shutdown = true;
        self.shared.changed.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The watchdog thread: sleeps until the deadline of the collective in progress, and aborts the
/// job if that collective is still the one in progress then.
fn watch(shared: &Shared, rank: usize, size: usize) {
    let mut state = shared.lock();
    loop {
        if state.shutdown {
            return;
        }
        // Between collectives it sleeps one timeout: a collective begun meanwhile has its
        // deadline later than the wake-up.
        let (what, since) = state.current.unwrap_or(("", Instant::now()));
        let waited = since.elapsed();
        if waited >= state.timeout {
            eprintln!(
                "nn::distributed: rank {rank} of {size}: the collective call `{what}` did not \
                 complete within the timeout of {:?} (another rank died, hangs, or did not make \
                 the same call); aborting the MPI job",
                state.timeout
            );
            abort_job();
        }
        let left = state.timeout - waited;
        state = shared
            .changed
            .wait_timeout(state, left)
            .unwrap_or_else(PoisonError::into_inner)
            .0;
    }
}

/// Ends every process of the job with [`TIMED_OUT`].
fn abort_job() -> ! {
    // SAFETY: MPI_Abort takes the world communicator, valid while MPI is initialised, which it
    // is while the watchdog runs (the context drops the watchdog before finalising).
    unsafe {
        mpi::ffi::MPI_Abort(mpi::ffi::RSMPI_COMM_WORLD, TIMED_OUT);
    }
    std::process::exit(TIMED_OUT)
}
