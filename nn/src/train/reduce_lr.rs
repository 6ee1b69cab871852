//! [`ReduceLROnPlateau`]: Keras's callback that multiplies the learning rate by `factor` when
//! the monitored value has not improved for `patience` epochs, then waits `cooldown` epochs
//! before counting again, never going below `min_lr`.
//!
//! Keras's algorithm, after each epoch: during a cooldown the counter goes down by one and the
//! wait is reset; an improvement (better than the best by more than `min_delta`, in the
//! direction of the [`Mode`]) becomes the best and resets the wait; otherwise, outside a
//! cooldown, the wait grows, and when it reaches `patience` a rate above `min_lr` becomes
//! `max(rate·factor, min_lr)`, the cooldown starts and the wait is reset. State is reset when
//! each `fit` begins. Unlike Keras, which only warns, a missing monitored key is an error, as it
//! is for [`EarlyStopping`](super::EarlyStopping). An optimizer with a non-constant
//! [`Schedule`](crate::optim::Schedule) cannot be reduced: `fit` fails with a typed error at the
//! first reduction (see [`LearningRate`]).

use autodiff_core::checkpoint::{CheckpointError, Record, RecordFile};
use autodiff_core::{Float, Module};

use super::callbacks::{monitored, put_optional, read_optional};
use super::mode::improves;
use super::{Callback, CallbackError, Control, LearningRate, Logs, Mode};
use crate::metrics::Metric;

/// Lowers the learning rate when a monitored value stops improving.
///
/// ```
/// use nn::train::{Mode, ReduceLROnPlateau};
/// let reduce = ReduceLROnPlateau::new("val_loss").factor(0.5).patience(2).cooldown(1).min_lr(1e-5);
/// let on_accuracy = ReduceLROnPlateau::new("val_auc").mode(Mode::Max);
/// ```
pub struct ReduceLROnPlateau {
    monitor: String,
    factor: f64,
    patience: usize,
    mode: Mode,
    metrics: Vec<Metric>,
    min_delta: f64,
    cooldown: usize,
    min_lr: f64,
    best: Option<f64>,
    wait: usize,
    cooldown_counter: usize,
    /// The epochs (0-based) after which the latest `fit` lowered the rate, with the new rate.
    pub reductions: Vec<(usize, f64)>,
}

impl ReduceLROnPlateau {
    /// Watches `monitor` with Keras's defaults: factor 0.1, patience 10, mode auto,
    /// min_delta 1e-4, cooldown 0, min_lr 0.
    pub fn new(monitor: impl Into<String>) -> Self {
        ReduceLROnPlateau {
            monitor: monitor.into(),
            factor: 0.1,
            patience: 10,
            mode: Mode::Auto,
            metrics: Vec::new(),
            min_delta: 1e-4,
            cooldown: 0,
            min_lr: 0.0,
            best: None,
            wait: 0,
            cooldown_counter: 0,
            reductions: Vec::new(),
        }
    }

    /// The factor the rate is multiplied by; Keras requires it below 1.
    ///
    /// # Panics
    /// If `factor` is not in [0, 1) (Keras raises a `ValueError`).
    pub fn factor(mut self, factor: f64) -> Self {
        assert!(
            (0.0..1.0).contains(&factor),
            "ReduceLROnPlateau: factor {factor} must be at least 0 and below 1"
        );
        self.factor = factor;
        self
    }

    /// Epochs without improvement before the rate is lowered.
    pub fn patience(mut self, patience: usize) -> Self {
        self.patience = patience;
        self
    }

    /// Which way the monitored value improves (`Auto` by default).
    pub fn mode(mut self, mode: Mode) -> Self {
        self.mode = mode;
        self
    }

    /// The smallest change that counts as an improvement.
    pub fn min_delta(mut self, min_delta: f64) -> Self {
        self.min_delta = min_delta.abs();
        self
    }

    /// Epochs after a reduction before the wait counts again.
    pub fn cooldown(mut self, cooldown: usize) -> Self {
        self.cooldown = cooldown;
        self
    }

    /// The lowest rate a reduction gives.
    pub fn min_lr(mut self, min_lr: f64) -> Self {
        self.min_lr = min_lr;
        self
    }
}

impl<T: Float> Callback<T> for ReduceLROnPlateau {
    fn set_metrics(&mut self, metrics: &[Metric]) {
        self.metrics = metrics.to_vec();
    }

    fn on_train_begin(&mut self, _model: &mut dyn Module<T>) -> Result<(), CallbackError> {
        self.best = None;
        self.wait = 0;
        self.cooldown_counter = 0;
        self.reductions.clear();
        Ok(())
    }

    fn on_epoch_end(
        &mut self,
        _epoch: usize,
        _logs: &Logs,
        _model: &mut dyn Module<T>,
    ) -> Result<Control, CallbackError> {
        Ok(Control::Continue)
    }

    fn adjust_learning_rate(
        &mut self,
        epoch: usize,
        logs: &Logs,
        learning_rate: &mut dyn LearningRate,
    ) -> Result<(), CallbackError> {
        const NAME: &str = "ReduceLROnPlateau";
        let current = monitored(NAME, &self.monitor, logs)?;
        let higher = self
            .mode
            .higher_is_better(NAME, &self.monitor, &self.metrics)?;
        if self.cooldown_counter > 0 {
            self.cooldown_counter -= 1;
            self.wait = 0;
        }
        if improves(higher, current, self.best, self.min_delta) {
            self.best = Some(current);
            self.wait = 0;
        } else if self.cooldown_counter == 0 {
            self.wait += 1;
            let old = learning_rate.get();
            if self.wait >= self.patience && old > self.min_lr {
                let new = (old * self.factor).max(self.min_lr);
                learning_rate.set(new).map_err(|e| CallbackError {
                    callback: NAME,
                    message: e.to_string(),
                })?;
                self.reductions.push((epoch, new));
                self.cooldown_counter = self.cooldown;
                self.wait = 0;
            }
        }
        Ok(())
    }

    fn save_state(&self, prefix: &str, record: &mut Record) {
        put_optional(record, &format!("{prefix}.best"), self.best);
        let counters = [self.wait as i64, self.cooldown_counter as i64];
        record.put_i64s(&format!("{prefix}.wait_and_cooldown"), &counters);
        let epochs: Vec<i64> = self.reductions.iter().map(|&(e, _)| e as i64).collect();
        let rates: Vec<f64> = self.reductions.iter().map(|&(_, r)| r).collect();
        record.put_i64s(&format!("{prefix}.reduction_epochs"), &epochs);
        record.put_f64s(&format!("{prefix}.reduction_rates"), &rates);
    }

    fn load_state(&mut self, prefix: &str, file: &RecordFile) -> Result<(), CheckpointError> {
        self.best = read_optional(file, &format!("{prefix}.best"))?;
        let name = format!("{prefix}.wait_and_cooldown");
        let counters = file.i64s(&name)?;
        let [wait, cooldown] = counters[..] else {
            return Err(CheckpointError::Shape {
                file: file.file().to_path_buf(),
                tensor: name,
                expected: vec![2],
                found: vec![counters.len()],
            });
        };
        (self.wait, self.cooldown_counter) = (wait.max(0) as usize, cooldown.max(0) as usize);
        let epochs = file.i64s(&format!("{prefix}.reduction_epochs"))?;
        let rates = file.f64s(&format!("{prefix}.reduction_rates"))?;
        self.reductions = epochs
            .iter()
            .map(|&e| e.max(0) as usize)
            .zip(rates)
            .collect();
        Ok(())
    }
}
