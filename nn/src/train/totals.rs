//! [`Totals`]: the running, sample-weighted sums of an epoch's loss and metrics, from which
//! `fit` logs their means.

use autodiff_core::{Float, Tensor};

use super::{Batchable, Logs};
use crate::metrics::Metric;

/// Running, sample-weighted means of the loss and metrics over an epoch.
pub(super) struct Totals {
    /// The sum of the batch losses, each times its rows.
    pub(super) loss: f64,
    /// The sums of each metric over the batches.
    pub(super) metrics: Vec<f64>,
    /// The rows seen.
    pub(super) samples: usize,
}

impl Totals {
    /// Nothing seen yet, for `metrics` metrics.
    pub(super) fn new(metrics: usize) -> Self {
        Totals {
            loss: 0.0,
            metrics: vec![0.0; metrics],
            samples: 0,
        }
    }

    /// The means so far, logged under their names with `prefix`.
    pub(super) fn logs(&self, prefix: &str, metrics: &[Metric]) -> Logs {
        let n = self.samples.max(1) as f64;
        std::iter::once((format!("{prefix}loss"), self.loss / n))
            .chain(
                metrics
                    .iter()
                    .zip(&self.metrics)
                    .map(|(m, v)| (format!("{prefix}{}", m.name), v / n)),
            )
            .collect()
    }

    /// Adds one batch's loss and metrics.
    pub(super) fn add<T: Float>(
        &mut self,
        loss: T,
        pred: &Tensor<T>,
        y: &Tensor<T>,
        metrics: &[Metric],
    ) {
        let n = pred.num_rows();
        self.loss += loss.to_f64().unwrap() * n as f64;
        for (total, m) in self.metrics.iter_mut().zip(metrics) {
            *total += m.batch(pred, y).0;
        }
        self.samples += n;
    }
}
