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

    /// Overwrites `bytes`, its length too, with those of process `root`.
    fn broadcast_bytes(&self, root: usize, bytes: &mut Vec<u8>);

    /// Every process's `bytes` on rank 0, in rank order (of any lengths); no list elsewhere.
    fn gather_bytes(&self, bytes: &[u8]) -> Vec<Vec<u8>>;
}

/// Rank 0's decision after a batch or an epoch, whether to stop (and why) and whether to
/// write the backup, as the five numbers the processes agree on.
pub(super) fn encode_decision(stop: Option<StopReason>, back_up: bool) -> [f64; 5] {
    let flag = f64::from(u8::from(back_up));
    match stop {
        None => [0.0, 0.0, 0.0, 0.0, flag],
        Some(StopReason::NonFiniteLoss { epoch, batch, loss }) => {
            [1.0, epoch as f64, batch as f64, loss, flag]
        }
        Some(StopReason::Requested { epoch }) => [2.0, epoch as f64, 0.0, 0.0, flag],
    }
}

/// The decision [`encode_decision`] encoded.
pub(super) fn decode_decision(code: [f64; 5]) -> (Option<StopReason>, bool) {
    let [kind, epoch, batch, loss, back_up] = code;
    let stop = match kind as u8 {
        1 => Some(StopReason::NonFiniteLoss {
            epoch: epoch as usize,
            batch: batch as usize,
            loss,
        }),
        2 => Some(StopReason::Requested {
            epoch: epoch as usize,
        }),
        _ => None,
    };
    (stop, back_up != 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions_survive_their_encoding() {
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
            for back_up in [false, true] {
                let decision = (reason.clone(), back_up);
                assert_eq!(
                    decode_decision(encode_decision(reason.clone(), back_up)),
                    decision
                );
            }
        }
    }
}
