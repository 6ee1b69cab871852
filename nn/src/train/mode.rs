//! [`Mode`]: which way a monitored value improves, for [`EarlyStopping`](super::EarlyStopping)
//! and [`ModelCheckpoint`](super::ModelCheckpoint) (Keras's `mode` argument).
//!
//! `Auto` decides as Keras 3 does, from what the value is rather than from how it is spelled:
//! the loss (any key ending in `loss`) goes down; a metric compiled into the model goes the way
//! its kind does ([`MetricKind::higher_is_better`]), whatever name it was given; a key named as
//! a built-in metric's Keras name (`accuracy`, `acc`, `binary_accuracy`, `mae`, `mse`, …) goes
//! that metric's way. Any other key is an error asking for `Min` or `Max`, never a guess.

use super::CallbackError;
use crate::metrics::{Metric, MetricKind};

/// Whether the monitored value should go down or up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    /// Known from the monitored key (see the module docs).
    #[default]
    Auto,
    /// Lower is better (losses, errors).
    Min,
    /// Higher is better (accuracies).
    Max,
}

/// The Keras names of the built-in metrics, with their kind's direction.
const KERAS_NAMES: [(&str, MetricKind); 9] = [
    ("accuracy", MetricKind::BinaryAccuracy { threshold: 0.5 }),
    ("acc", MetricKind::BinaryAccuracy { threshold: 0.5 }),
    (
        "binary_accuracy",
        MetricKind::BinaryAccuracy { threshold: 0.5 },
    ),
    ("categorical_accuracy", MetricKind::CategoricalAccuracy),
    (
        "sparse_categorical_accuracy",
        MetricKind::SparseCategoricalAccuracy,
    ),
    ("mae", MetricKind::MeanAbsoluteError),
    ("mean_absolute_error", MetricKind::MeanAbsoluteError),
    ("mse", MetricKind::MeanSquaredError),
    ("mean_squared_error", MetricKind::MeanSquaredError),
];

impl Mode {
    /// Whether `monitor` improves upwards, given the model's compiled `metrics`; the error
    /// names `callback` when `Auto` cannot tell.
    pub(crate) fn higher_is_better(
        self,
        callback: &'static str,
        monitor: &str,
        metrics: &[Metric],
    ) -> Result<bool, CallbackError> {
        match self {
            Mode::Min => return Ok(false),
            Mode::Max => return Ok(true),
            Mode::Auto => {}
        }
        let name = monitor.strip_prefix("val_").unwrap_or(monitor);
        if name.ends_with("loss") {
            return Ok(false);
        }
        let compiled = metrics.iter().find(|m| m.name == name).map(|m| m.kind);
        let known = KERAS_NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|&(_, k)| k);
        compiled
            .or(known)
            .map(MetricKind::higher_is_better)
            .ok_or_else(|| CallbackError {
                callback,
                message: format!(
                    "cannot tell whether `{monitor}` should go up or down: it is neither a \
                     loss nor a built-in or compiled metric; give `.mode(Mode::Max)` or \
                     `.mode(Mode::Min)`"
                ),
            })
    }
}

/// Whether `current` beats `best` by more than `min_delta` in the given direction. The first
/// value always improves.
pub(crate) fn improves(
    higher_is_better: bool,
    current: f64,
    best: Option<f64>,
    min_delta: f64,
) -> bool {
    match best {
        None => true,
        Some(best) if higher_is_better => current - min_delta > best,
        Some(best) => current + min_delta < best,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_knows_losses_compiled_metrics_and_keras_names() {
        let compiled = [
            Metric::binary_accuracy("hits"),
            Metric::mae("err"),
            Metric::sparse_categorical_accuracy("top1"),
        ];
        let auto = |monitor| Mode::Auto.higher_is_better("test", monitor, &compiled);
        for (monitor, higher) in [
            ("loss", false),
            ("val_loss", false),
            ("val_hits", true),
            ("top1", true),
            ("val_err", false),
            ("val_accuracy", true),
            ("categorical_accuracy", true),
            ("val_mse", false),
        ] {
            assert_eq!(auto(monitor).unwrap(), higher, "{monitor}");
        }
        let err = auto("val_auc").unwrap_err();
        assert!(err.to_string().contains("Mode::Max"), "{err}");
        assert!(Mode::Max.higher_is_better("test", "val_auc", &[]).unwrap());
        assert!(!Mode::Min.higher_is_better("test", "val_acc", &[]).unwrap());
    }
}
