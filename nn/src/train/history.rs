//! [`History`]: the per-epoch values of the loss and every metric, under Keras's keys (`loss`,
//! `val_loss`, each metric's name and its `val_` twin).
//!
//! The keys come in the order Keras 2 (and the course book) logs them: `loss`, the metrics in
//! the order they were compiled, then the same with `val_` (`loss, acc, val_loss, val_acc`).
//! Keras 3 sorts its keys alphabetically instead (`acc, loss, val_acc, val_loss`); read values
//! by key with [`History::get`] and the order does not matter.
//!
//! ```
//! use nn::train::History;
//! let mut h = History::default();
//! h.push(&[("loss".into(), 0.7), ("val_loss".into(), 0.8)]);
//! h.push(&[("loss".into(), 0.5), ("val_loss".into(), 0.6)]);
//! assert_eq!(h.get("val_loss"), Some(&[0.8, 0.6][..]));
//! assert_eq!(h.epochs(), 2);
//! ```

use std::fmt;

/// One epoch's logs: `(key, value)` pairs in Keras 2's order (see the module docs).
pub type Logs = Vec<(String, f64)>;

/// The values of every key, one per epoch, and why training stopped early if it did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    series: Vec<(String, Vec<f64>)>,
    /// Why `fit` stopped before its last epoch; `None` when it ran every epoch.
    pub stopped: Option<StopReason>,
}

/// Why `fit` stopped before its last epoch (recorded in [`History::stopped`]).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum StopReason {
    /// A training batch's loss was NaN or infinite ([`TerminateOnNaN`](super::TerminateOnNaN)):
    /// training stopped after that batch (0-based, within 0-based `epoch`), whose epoch is
    /// still logged.
    NonFiniteLoss {
        /// The epoch of the batch.
        epoch: usize,
        /// The batch within its epoch.
        batch: usize,
        /// Its loss.
        loss: f64,
    },
    /// A callback's `on_epoch_end` asked to stop after `epoch` ([`EarlyStopping`](super::EarlyStopping)).
    Requested {
        /// The last epoch run.
        epoch: usize,
    },
}

impl History {
    /// Appends one epoch's logs.
    pub fn push(&mut self, logs: &[(String, f64)]) {
        for (key, value) in logs {
            match self.series.iter_mut().find(|(k, _)| k == key) {
                Some((_, values)) => values.push(*value),
                None => self.series.push((key.clone(), vec![*value])),
            }
        }
    }

    /// The values of `key` per epoch.
    pub fn get(&self, key: &str) -> Option<&[f64]> {
        self.series
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_slice())
    }

    /// The keys, in logging order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.series.iter().map(|(k, _)| k.as_str())
    }

    /// Every key with its values, in logging order.
    pub fn series(&self) -> impl Iterator<Item = (&str, &[f64])> {
        self.series.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    /// A history from keys and their per-epoch values (as [`History::series`] gives them).
    pub fn from_series(series: Vec<(String, Vec<f64>)>) -> Self {
        History {
            series,
            stopped: None,
        }
    }

    /// How many epochs were recorded.
    pub fn epochs(&self) -> usize {
        self.series.first().map_or(0, |(_, v)| v.len())
    }

    /// The per-epoch mean of several histories (K-fold's average curve), over the epochs that
    /// every history has.
    pub fn mean(histories: &[History]) -> History {
        let Some(first) = histories.first() else {
            return History::default();
        };
        let epochs = histories.iter().map(History::epochs).min().unwrap_or(0);
        let series = first
            .keys()
            .map(|key| {
                let mean = (0..epochs)
                    .map(|e| {
                        let vals = histories.iter().filter_map(|h| h.get(key).map(|v| v[e]));
                        vals.sum::<f64>() / histories.len() as f64
                    })
                    .collect();
                (key.to_string(), mean)
            })
            .collect();
        History {
            series,
            stopped: None,
        }
    }
}

impl fmt::Display for History {
    /// A table: one row per epoch, one column per key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:>5}", "epoch")?;
        for (key, _) in &self.series {
            write!(f, " {key:>12}")?;
        }
        writeln!(f)?;
        for e in 0..self.epochs() {
            write!(f, "{:>5}", e + 1)?;
            for (_, values) in &self.series {
                write!(f, " {:>12.5}", values[e])?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_over_the_common_epochs() {
        let mut a = History::default();
        let mut b = History::default();
        for v in [1.0, 2.0, 3.0] {
            a.push(&[("mae".into(), v)]);
        }
        for v in [3.0, 4.0] {
            b.push(&[("mae".into(), v)]);
        }
        assert_eq!(History::mean(&[a, b]).get("mae"), Some(&[2.0, 3.0][..]));
    }
}
