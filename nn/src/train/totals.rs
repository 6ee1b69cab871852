//! [`Totals`]: the running, sample-weighted sums of an epoch's loss and metrics, from which
//! `fit` logs their means.

use autodiff_core::{Float, Tensor};

use super::{Batchable, DataParallel, Logs};
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

    /// The totals of every process added up (unchanged without data parallelism).
    pub(super) fn summed_over(mut self, parallel: Option<&dyn DataParallel<impl Float>>) -> Self {
        if let Some(parallel) = parallel {
            let mut values: Vec<f64> = std::iter::once(self.loss)
                .chain(self.metrics.iter().copied())
                .chain(std::iter::once(self.samples as f64))
                .collect();
            parallel.sum_f64(&mut values);
            self.loss = values[0];
            self.metrics.copy_from_slice(&values[1..values.len() - 1]);
            self.samples = values[values.len() - 1] as usize;
        }
        self
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
