//! Metrics reported by `fit` and `evaluate`, each under the name it was given (`"acc"` as in
//! the course, `"accuracy"`, `"mae"`, ...). Each is a per-sample value averaged over every
//! sample of the epoch (Keras's `MeanMetricWrapper`):
//! - binary accuracy: the share of the sample's outputs on the right side of the threshold
//!   (0.5 for probabilities, [`Metric::binary_accuracy`]; 0 for logits,
//!   [`Metric::binary_accuracy_from_logits`], to go with a loss `from_logits: true`);
//! - categorical accuracy: 1 if the arg-max of the prediction is the arg-max of the one-hot
//!   target; sparse categorical accuracy: the same against an integer label;
//! - MAE / MSE: the mean of |p − y| / (p − y)² over the sample's outputs.
//!
//! ```
//! use autodiff_core::Tensor;
//! use nn::metrics::Metric;
//! let p = Tensor::from_vec(vec![0.9_f32, 0.4, 0.6], [3, 1]);
//! let y = Tensor::from_vec(vec![1.0, 1.0, 1.0], [3, 1]);
//! let (sum, n) = Metric::binary_accuracy("acc").batch(&p, &y);
//! assert_eq!((sum, n), (2.0, 3));
//! ```

use autodiff_core::{Float, Tensor};

/// What a metric measures.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum MetricKind {
    /// Share of outputs with `p > threshold` matching 0/1 targets (threshold 0.5 on
    /// probabilities, 0 on logits).
    BinaryAccuracy {
        /// The decision threshold.
        threshold: f64,
    },
    /// Arg-max of the prediction equals arg-max of the one-hot target.
    CategoricalAccuracy,
    /// Arg-max of the prediction equals the integer label.
    SparseCategoricalAccuracy,
    /// Mean absolute error.
    MeanAbsoluteError,
    /// Mean squared error.
    MeanSquaredError,
}

impl MetricKind {
    /// Whether a larger value is better: true for the accuracies, false for the errors. This
    /// is the direction `EarlyStopping` and `ModelCheckpoint` follow in their `Mode::Auto`.
    pub fn higher_is_better(self) -> bool {
        match self {
            MetricKind::BinaryAccuracy { .. }
            | MetricKind::CategoricalAccuracy
            | MetricKind::SparseCategoricalAccuracy => true,
            MetricKind::MeanAbsoluteError | MetricKind::MeanSquaredError => false,
        }
    }
}

/// A named metric.
#[derive(Clone, Debug, PartialEq)]
pub struct Metric {
    /// The key in `History` (`val_` is prepended for validation).
    pub name: String,
    /// What it measures.
    pub kind: MetricKind,
}

impl Metric {
    /// A metric under `name`.
    pub fn new(name: impl Into<String>, kind: MetricKind) -> Self {
        Metric {
            name: name.into(),
            kind,
        }
    }

    /// Binary accuracy of probabilities (a sigmoid output): threshold 0.5.
    pub fn binary_accuracy(name: impl Into<String>) -> Self {
        Self::new(name, MetricKind::BinaryAccuracy { threshold: 0.5 })
    }

    /// Binary accuracy of logits (no sigmoid on the last layer, as with
    /// `Loss::BinaryCrossentropy { from_logits: true }`): threshold 0, where σ is 0.5.
    pub fn binary_accuracy_from_logits(name: impl Into<String>) -> Self {
        Self::new(name, MetricKind::BinaryAccuracy { threshold: 0.0 })
    }

    /// Categorical accuracy (one-hot targets).
    pub fn categorical_accuracy(name: impl Into<String>) -> Self {
        Self::new(name, MetricKind::CategoricalAccuracy)
    }

    /// Sparse categorical accuracy (integer labels).
    pub fn sparse_categorical_accuracy(name: impl Into<String>) -> Self {
        Self::new(name, MetricKind::SparseCategoricalAccuracy)
    }

    /// Mean absolute error.
    pub fn mae(name: impl Into<String>) -> Self {
        Self::new(name, MetricKind::MeanAbsoluteError)
    }

    /// Mean squared error.
    pub fn mse(name: impl Into<String>) -> Self {
        Self::new(name, MetricKind::MeanSquaredError)
    }

    /// The sum of the per-sample values over a batch and the number of samples (the first axis).
    ///
    /// # Panics
    /// With both shapes if the targets do not fit the predictions.
    pub fn batch<T: Float>(&self, pred: &Tensor<T>, target: &Tensor<T>) -> (f64, usize) {
        let rows = pred.dims().first().copied().unwrap_or(1);
        if rows == 0 {
            return (0.0, 0);
        }
        let width = pred.numel() / rows;
        let f = |v: T| v.to_f64().unwrap();
        let sparse = self.kind == MetricKind::SparseCategoricalAccuracy;
        let want = if sparse { rows } else { pred.numel() };
        assert!(
            target.numel() == want,
            "metric {}: prediction {} and target {} do not match",
            self.name,
            pred.shape(),
            target.shape()
        );
        let p = pred.data().chunks(width.max(1));
        let y = target.data().chunks(if sparse { 1 } else { width.max(1) });
        let argmax =
            |r: &[T]| (0..r.len()).fold(0, |best, j| if r[j] > r[best] { j } else { best });
        let per_sample = |(p, y): (&[T], &[T])| -> f64 {
            let mean = |g: &dyn Fn(f64, f64) -> f64| {
                p.iter().zip(y).map(|(&p, &y)| g(f(p), f(y))).sum::<f64>() / width as f64
            };
            match self.kind {
                MetricKind::BinaryAccuracy { threshold } => {
                    mean(&|p, y| f64::from(u8::from((p > threshold) == (y > 0.5))))
                }
                MetricKind::CategoricalAccuracy => f64::from(u8::from(argmax(p) == argmax(y))),
                MetricKind::SparseCategoricalAccuracy => {
                    f64::from(u8::from(argmax(p) as f64 == f(y[0])))
                }
                MetricKind::MeanAbsoluteError => mean(&|p, y| (p - y).abs()),
                MetricKind::MeanSquaredError => mean(&|p, y| (p - y) * (p - y)),
            }
        };
        (p.zip(y).map(per_sample).sum(), rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accuracies_and_errors() {
        let p = Tensor::from_vec(vec![0.1_f64, 0.7, 0.2, 0.5, 0.3, 0.2], [2, 3]);
        let onehot = Tensor::from_vec(vec![0.0, 1.0, 0.0, 0.0, 0.0, 1.0], [2, 3]);
        let labels = Tensor::from_vec(vec![1.0, 0.0], [2]);
        assert_eq!(
            Metric::categorical_accuracy("a").batch(&p, &onehot),
            (1.0, 2)
        );
        assert_eq!(
            Metric::sparse_categorical_accuracy("a").batch(&p, &labels),
            (2.0, 2)
        );
        let (mae, n) = Metric::mae("mae").batch(&p, &onehot);
        assert!((mae - (0.1 + 0.3 + 0.2 + 0.5 + 0.3 + 0.8) / 3.0).abs() < 1e-12 && n == 2);
        let logits = Tensor::from_vec(vec![-1.0_f32, 2.0], [2, 1]);
        let t = Tensor::from_vec(vec![0.0, 0.0], [2, 1]);
        let acc = Metric::new("acc", MetricKind::BinaryAccuracy { threshold: 0.0 });
        assert_eq!(acc.batch(&logits, &t), (1.0, 2));
    }

    #[test]
    fn binary_accuracy_from_logits_thresholds_at_zero() {
        // σ(0.2) and σ(0.4) are above 0.5: both logits say 1, rightly; read as probabilities
        // (threshold 0.5) both would say 0.
        let logits = Tensor::from_vec(vec![0.2_f32, 0.4], [2, 1]);
        let y = Tensor::from_vec(vec![1.0, 1.0], [2, 1]);
        assert_eq!(
            Metric::binary_accuracy_from_logits("acc").batch(&logits, &y),
            (2.0, 2)
        );
        assert_eq!(Metric::binary_accuracy("acc").batch(&logits, &y), (0.0, 2));
    }
}
