//! [`agree`]: where the processes of a data-parallel `fit` learn, in one collective, whether any
//! of them failed and what rank 0 decided, so that an error on one rank ends `fit` on all of
//! them at the same point instead of leaving the others waiting in the next collective.

use autodiff_core::Float;

use super::{DataParallel, FitError};

/// Every process's `local` outcome and rank 0's `decision` (stop codes, a learning rate),
/// exchanged by one sum over the processes of `decision` (rank 0's, zeros elsewhere) and one
/// failure flag per rank; without `parallel`, `local` as it is.
///
/// When some rank failed, the lowest such rank broadcasts its error's text and every rank
/// returns an error: its own if it failed, [`FitError::RankFailed`] naming that rank and its
/// message otherwise. When none failed, `decision` holds rank 0's values on every rank.
pub(super) fn agree<T: Float, R>(
    parallel: Option<&dyn DataParallel<T>>,
    local: Result<R, FitError>,
    decision: &mut [f64],
) -> Result<R, FitError> {
    let Some(parallel) = parallel else {
        return local;
    };
    let (rank, size) = (parallel.rank(), parallel.size());
    let mut values = vec![0.0; decision.len() + size];
    if rank == 0 {
        values[..decision.len()].copy_from_slice(decision);
    }
    if local.is_err() {
        values[decision.len() + rank] = 1.0;
    }
    parallel.sum_f64(&mut values);
    let (decided, failed) = values.split_at(decision.len());
    let Some(failed_rank) = failed.iter().position(|&flag| flag != 0.0) else {
        decision.copy_from_slice(decided);
        return local;
    };
    let mut message = match &local {
        Err(e) if rank == failed_rank => e.to_string().into_bytes(),
        _ => Vec::new(),
    };
    parallel.broadcast_bytes(failed_rank, &mut message);
    local.and_then(|_| {
        Err(FitError::RankFailed {
            rank: failed_rank,
            message: String::from_utf8_lossy(&message).into_owned(),
        })
    })
}
