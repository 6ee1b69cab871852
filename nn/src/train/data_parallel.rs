//! [`DataParallel`]: what [`Model::fit`](super::Model::fit) needs from a data-parallel context
//! to train one replica per process; `nn::distributed::Distributed` (cargo feature `mpi`) is
//! the one over MPI.

use std::fmt::Debug;

use autodiff_core::{Float, Gradients, Module};

use super::StopReason;

/// The collective calls of data-parallel training, as `fit` uses them when
/// [`FitOptions::data_parallel`](super::FitOptions::data_parallel) is set. Every process calls
/// each of them in the same order; see `nn::distributed` for what they mean.
pub trait DataParallel<T: Float>: Debug {
    /// This process's rank, from 0; rank 0 runs the callbacks and draws the progress bar.
    fn rank(&self) -> usize;

    /// The number of processes.
    fn size(&self) -> usize;

    /// Overwrites `model`'s parameters and buffers with rank 0's.
    fn broadcast_state(&self, model: &mut dyn Module<T>);

    /// Replaces every gradient by its mean over all processes.
    fn average_gradients(&self, model: &dyn Module<T>, grads: &mut Gradients<T>);

    /// Sums `values` over all processes, in place.
    fn sum_f64(&self, values: &mut [f64]);

    /// Overwrites `values` with rank 0's.
    fn broadcast_f64(&self, values: &mut [f64]);
}

/// A [`StopReason`] (or none) as the four numbers rank 0 broadcasts after every batch.
pub(super) fn encode_stop(reason: Option<StopReason>) -> [f64; 4] {
    match reason {
        None => [0.0; 4],
        Some(StopReason::NonFiniteLoss { epoch, batch, loss }) => {
            [1.0, epoch as f64, batch as f64, loss]
        }
        Some(StopReason::Requested { epoch }) => [2.0, epoch as f64, 0.0, 0.0],
    }
}

/// The stop reason [`encode_stop`] encoded.
pub(super) fn decode_stop(code: [f64; 4]) -> Option<StopReason> {
    let [kind, epoch, batch, loss] = code;
    match kind as u8 {
        1 => Some(StopReason::NonFiniteLoss {
            epoch: epoch as usize,
            batch: batch as usize,
            loss,
        }),
        2 => Some(StopReason::Requested {
            epoch: epoch as usize,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_reasons_survive_their_encoding() {
        let reasons = [
            None,
            Some(StopReason::NonFiniteLoss {
                epoch: 3,
                batch: 17,
                loss: f64::INFINITY,
            }),
            Some(StopReason::Requested { epoch: 9 }),
        ];
        for reason in reasons {
            assert_eq!(decode_stop(encode_stop(reason.clone())), reason);
        }
    }
}
