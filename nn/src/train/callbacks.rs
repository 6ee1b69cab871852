//! Callbacks run by `fit` when training begins, after every batch, at the end of every epoch and
//! when training ends, [`EarlyStopping`] and [`TerminateOnNaN`].
//!
//! EarlyStopping follows Keras 3: an epoch improves when the monitored value beats the best by
//! more than `min_delta`, in the direction of its [`Mode`] (by default `Auto`: lower for losses
//! and errors, higher for accuracies, known from the compiled metrics); after `patience`
//! epochs without improvement training stops, and with `restore_best_weights` the weights of the
//! best epoch are put back when training ends, whether it stopped early or ran every epoch. Its
//! state (best value and epoch, wait counter, stopped epoch, best weights) is reset when each
//! `fit` begins, as Keras's `on_train_begin` does, so one instance can serve several runs.

use std::sync::Arc;

use autodiff_core::checkpoint::{CheckpointError, Record, RecordFile};
use autodiff_core::{BufferRef, Float, Gradients, Module, ParamPath, Tensor};

use super::mode::improves;
use super::{BackupAndRestore, LearningRate, Logs, Mode, StopReason};
use crate::metrics::Metric;

/// Whether training goes on after an epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    /// Train the next epoch.
    Continue,
    /// Stop now (Keras's `model.stop_training = True`).
    Stop,
}

/// A callback's failure (a checkpoint that could not be written, say).
#[derive(Debug)]
pub struct CallbackError {
    /// Which callback failed.
    pub callback: &'static str,
    /// What went wrong.
    pub message: String,
}

impl std::fmt::Display for CallbackError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.callback, self.message)
    }
}

impl std::error::Error for CallbackError {}

/// What `fit` tells callbacks after each training batch.
pub struct BatchEnd<'a, T: Float> {
    /// The epoch (0-based).
    pub epoch: usize,
    /// The batch within the epoch (0-based).
    pub batch: usize,
    /// Batches per epoch.
    pub batches: usize,
    /// Optimizer steps taken so far in this `fit`, this one included (1 after the first batch).
    pub step: u64,
    /// The epoch's running logs so far (the sample-weighted means over its batches, as Keras 3
    /// logs them per batch); no `val_` keys.
    pub logs: &'a Logs,
    /// This batch's gradients, from before the optimizer step.
    pub grads: &'a Gradients<T>,
    /// This batch's own loss (not the running mean), NaN or infinite if training diverged.
    pub loss: f64,
    /// The optimizer's learning rate for the next step (Keras logs `optimizer.learning_rate`).
    pub learning_rate: f64,
}

/// Something `fit` runs when training begins, after each batch and each epoch (with its logs) and
/// when training ends, with the model.
pub trait Callback<T: Float> {
    /// Called by `fit` before [`Callback::on_train_begin`] with the model's compiled metrics, so
    /// that a callback can tell which way each logged value improves (Keras hands callbacks the
    /// model for this).
    fn set_metrics(&mut self, metrics: &[Metric]) {
        let _ = metrics;
    }

    /// Called once when `fit` begins, before the first epoch: the place to reset per-run state.
    fn on_train_begin(&mut self, model: &mut dyn Module<T>) -> Result<(), CallbackError> {
        let _ = model;
        Ok(())
    }

    /// Called after each training batch, once the optimizer has stepped. A reason returned stops
    /// `fit` after this batch; as in Keras, the epoch's logs are still recorded and
    /// [`Callback::on_epoch_end`] still runs, and [`History::stopped`] holds the reason.
    ///
    /// [`History::stopped`]: super::History::stopped
    fn on_train_batch_end(
        &mut self,
        batch: &BatchEnd<'_, T>,
        model: &dyn Module<T>,
    ) -> Result<Option<StopReason>, CallbackError> {
        let _ = (batch, model);
        Ok(None)
    }

    /// Called before epoch `epoch` (0-based) trains, with the optimizer's learning rate (see
    /// [`LearningRate`] for why a handle and what happens with a schedule).
    fn on_epoch_begin(
        &mut self,
        epoch: usize,
        learning_rate: &mut dyn LearningRate,
    ) -> Result<(), CallbackError> {
        let _ = (epoch, learning_rate);
        Ok(())
    }

    /// Called right after this callback's [`Callback::on_epoch_end`], with the same logs and
    /// the optimizer's learning rate, to change the rate of the epochs to come.
    fn adjust_learning_rate(
        &mut self,
        epoch: usize,
        logs: &Logs,
        learning_rate: &mut dyn LearningRate,
    ) -> Result<(), CallbackError> {
        let _ = (epoch, logs, learning_rate);
        Ok(())
    }

    /// Called after epoch `epoch` (0-based) with that epoch's logs.
    fn on_epoch_end(
        &mut self,
        epoch: usize,
        logs: &Logs,
        model: &mut dyn Module<T>,
    ) -> Result<Control, CallbackError>;

    /// Called once when `fit` ends (after the last epoch run, early stop or not).
    fn on_train_end(&mut self, model: &mut dyn Module<T>) -> Result<(), CallbackError> {
        let _ = model;
        Ok(())
    }

    /// Adds this callback's state (best values, counters) to a training checkpoint, every name
    /// under `prefix` (`{prefix}.best`), so that [`BackupAndRestore`](super::BackupAndRestore)
    /// can resume it. A callback without state across epochs need not write it.
    fn save_state(&self, prefix: &str, record: &mut Record) {
        let _ = (prefix, record);
    }

    /// Puts back what [`Callback::save_state`] wrote, when `fit` resumes (after
    /// [`Callback::on_train_begin`], before the first batch).
    fn load_state(&mut self, prefix: &str, file: &RecordFile) -> Result<(), CheckpointError> {
        let _ = (prefix, file);
        Ok(())
    }

    /// This callback as the backup of the run, if it is one: how `fit` finds its
    /// [`BackupAndRestore`](super::BackupAndRestore) among the callbacks.
    fn as_backup(&mut self) -> Option<&mut BackupAndRestore> {
        None
    }
}

/// An optional value as a record entry: no element or one.
pub(crate) fn put_optional(record: &mut Record, name: &str, value: Option<f64>) {
    record.put_f64s(name, value.as_slice());
}

/// An optional value written by [`put_optional`].
pub(crate) fn read_optional(file: &RecordFile, name: &str) -> Result<Option<f64>, CheckpointError> {
    Ok(file.f64s(name)?.first().copied())
}

/// A count as a record entry.
pub(crate) fn read_count(file: &RecordFile, name: &str) -> Result<usize, CheckpointError> {
    let values = file.i64s(name)?;
    values
        .first()
        .and_then(|&v| usize::try_from(v).ok())
        .ok_or_else(|| CheckpointError::Shape {
            file: file.file().to_path_buf(),
            tensor: name.to_string(),
            expected: vec![1],
            found: vec![values.len()],
        })
}

/// The values of every parameter and buffer of a model, taken by [`snapshot`]: what
/// `restore_best_weights` puts back, running statistics included (Keras restores its
/// non-trainable weights too).
pub struct Weights<T: Float> {
    params: Vec<Tensor<T>>,
    buffers: Vec<BufferValue<T>>,
}

/// One buffer's value: a tensor (shared, not copied), a count, or nothing for a random
/// generator (restoring the best weights does not rewind the generators).
enum BufferValue<T: Float> {
    Tensor(Arc<Tensor<T>>),
    Count(i64),
    Generator,
}

/// The values of every parameter and buffer, in visiting order.
pub fn snapshot<T: Float>(model: &dyn Module<T>) -> Weights<T> {
    let mut params = Vec::new();
    model.visit(&mut ParamPath::new(), &mut |_, p| {
        params.push(p.value().clone())
    });
    let mut buffers = Vec::new();
    model.visit_buffers(&mut ParamPath::new(), &mut |_, b| {
        buffers.push(match b {
            BufferRef::Tensor(b) => BufferValue::Tensor(b.value()),
            BufferRef::Counter(c) => BufferValue::Count(c.get()),
            BufferRef::Rng(_) => BufferValue::Generator,
        })
    });
    Weights { params, buffers }
}

/// Puts back values taken by [`snapshot`].
pub fn restore<T: Float>(model: &mut dyn Module<T>, weights: &Weights<T>) {
    let mut params = weights.params.iter();
    model.visit_mut(&mut ParamPath::new(), &mut |_, p| {
        if let Some(v) = params.next() {
            p.set(v.clone());
        }
    });
    let mut buffers = weights.buffers.iter();
    model.visit_buffers(
        &mut ParamPath::new(),
        &mut |_, b| match (b, buffers.next()) {
            (BufferRef::Tensor(b), Some(BufferValue::Tensor(v))) => b.set((**v).clone()),
            (BufferRef::Counter(c), Some(BufferValue::Count(n))) => c.set(*n),
            _ => {}
        },
    );
}

impl<T: Float> Weights<T> {
    /// Adds the values to a record under `prefix`: `{prefix}.params.I`, `{prefix}.buffers.I`.
    fn save(&self, prefix: &str, record: &mut Record) {
        record.put_i64s(&format!("{prefix}.params"), &[self.params.len() as i64]);
        for (i, p) in self.params.iter().enumerate() {
            record.put_tensor(&format!("{prefix}.params.{i}"), p);
        }
        let kinds: Vec<u8> = self.buffers.iter().map(BufferValue::kind).collect();
        record.put_bytes(&format!("{prefix}.buffers"), &kinds);
        for (i, b) in self.buffers.iter().enumerate() {
            let name = format!("{prefix}.buffers.{i}");
            match b {
                BufferValue::Tensor(t) => record.put_tensor(&name, t),
                BufferValue::Count(n) => record.put_i64s(&name, &[*n]),
                BufferValue::Generator => {}
            }
        }
    }

    /// The values [`Weights::save`] wrote under `prefix`.
    fn read(prefix: &str, file: &RecordFile) -> Result<Self, CheckpointError> {
        let params = (0..read_count(file, &format!("{prefix}.params"))?)
            .map(|i| file.tensor_of_any_shape(&format!("{prefix}.params.{i}")))
            .collect::<Result<_, _>>()?;
        let kinds = file.bytes(&format!("{prefix}.buffers"))?;
        let buffers = kinds
            .iter()
            .enumerate()
            .map(|(i, &kind)| {
                let name = format!("{prefix}.buffers.{i}");
                Ok(match kind {
                    0 => BufferValue::Tensor(Arc::new(file.tensor_of_any_shape(&name)?)),
                    1 => BufferValue::Count(file.i64s(&name)?.first().copied().unwrap_or(0)),
                    _ => BufferValue::Generator,
                })
            })
            .collect::<Result<_, CheckpointError>>()?;
        Ok(Weights { params, buffers })
    }
}

impl<T: Float> BufferValue<T> {
    /// The kind's code in a record: 0 tensor, 1 count, 2 generator.
    fn kind(&self) -> u8 {
        match self {
            BufferValue::Tensor(_) => 0,
            BufferValue::Count(_) => 1,
            BufferValue::Generator => 2,
        }
    }
}

/// Stops training at the first batch whose loss is NaN or infinite (Keras's `TerminateOnNaN`):
/// `fit` returns after that batch's epoch is logged, with
/// [`StopReason::NonFiniteLoss`] in [`History::stopped`](super::History::stopped).
///
/// ```
/// use nn::losses::Loss;
/// use nn::optim::Optimizer;
/// use nn::train::{FitOptions, Model, StopReason, TerminateOnNaN};
/// use nn::{Dense, Sequential, Tensor};
/// // Row 5 holds a NaN, so with batches of 4 in order batch 1's loss is NaN.
/// let mut x = Tensor::<f32>::normal([12, 2], 0.0, 1.0, 1);
/// x.data_mut()[5 * 2] = f32::NAN;
/// let y = Tensor::<f32>::zeros([12, 1]);
/// let net = Sequential::new().add(Dense::new(2, 1));
/// let mut model = Model::new(net, Loss::MeanSquaredError, Optimizer::sgd(0.01), vec![]);
/// let options = FitOptions { epochs: 4, batch_size: 4, shuffle: false, verbose: false, ..FitOptions::default() };
/// let history = model.fit(&x, &y, &options, &mut [&mut TerminateOnNaN]).unwrap();
/// assert!(matches!(history.stopped, Some(StopReason::NonFiniteLoss { epoch: 0, batch: 1, .. })));
/// assert_eq!(history.epochs(), 1);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct TerminateOnNaN;

impl<T: Float> Callback<T> for TerminateOnNaN {
    fn on_train_batch_end(
        &mut self,
        batch: &BatchEnd<'_, T>,
        _model: &dyn Module<T>,
    ) -> Result<Option<StopReason>, CallbackError> {
        let BatchEnd {
            epoch, batch, loss, ..
        } = *batch;
        Ok((!loss.is_finite()).then_some(StopReason::NonFiniteLoss { epoch, batch, loss }))
    }

    fn on_epoch_end(
        &mut self,
        _epoch: usize,
        _logs: &Logs,
        _model: &mut dyn Module<T>,
    ) -> Result<Control, CallbackError> {
        Ok(Control::Continue)
    }
}

/// Stops training when a monitored value stops improving.
///
/// ```
/// use nn::train::{EarlyStopping, Mode};
/// let stop = EarlyStopping::<f32>::new("val_loss").patience(3).restore_best_weights(true);
/// // A key `Mode::Auto` does not know (not a loss nor a built-in or compiled metric):
/// let stop = EarlyStopping::<f32>::new("val_auc").mode(Mode::Max);
/// ```
pub struct EarlyStopping<T: Float> {
    monitor: String,
    mode: Mode,
    metrics: Vec<Metric>,
    min_delta: f64,
    patience: usize,
    restore_best: bool,
    best: Option<f64>,
    wait: usize,
    best_weights: Option<Weights<T>>,
    /// The epoch at which the latest `fit` was stopped, if it was.
    pub stopped_epoch: Option<usize>,
    /// The best epoch of the latest `fit` so far (0-based).
    pub best_epoch: Option<usize>,
}

impl<T: Float> EarlyStopping<T> {
    /// Watches `monitor` (such as `"val_loss"` or `"val_acc"`); mode auto, patience 0,
    /// min_delta 0.
    pub fn new(monitor: impl Into<String>) -> Self {
        EarlyStopping {
            monitor: monitor.into(),
            mode: Mode::Auto,
            metrics: Vec::new(),
            min_delta: 0.0,
            patience: 0,
            restore_best: false,
            best: None,
            wait: 0,
            best_weights: None,
            stopped_epoch: None,
            best_epoch: None,
        }
    }

    /// Which way the monitored value improves (Keras's `mode`; `Auto` by default).
    pub fn mode(mut self, mode: Mode) -> Self {
        self.mode = mode;
        self
    }

    /// Epochs without improvement before stopping.
    pub fn patience(mut self, patience: usize) -> Self {
        self.patience = patience;
        self
    }

    /// The smallest change that counts as an improvement.
    pub fn min_delta(mut self, min_delta: f64) -> Self {
        self.min_delta = min_delta.abs();
        self
    }

    /// Whether to put back the best epoch's weights when training ends (Keras 3 does so whether
    /// or not training stopped early).
    pub fn restore_best_weights(mut self, restore: bool) -> Self {
        self.restore_best = restore;
        self
    }
}

/// The value of `monitor` in this epoch's logs, or the error `callback` reports without it.
pub(crate) fn monitored(
    callback: &'static str,
    monitor: &str,
    logs: &Logs,
) -> Result<f64, CallbackError> {
    logs.iter()
        .find(|(k, _)| k == monitor)
        .map(|&(_, v)| v)
        .ok_or_else(|| CallbackError {
            callback,
            message: format!("no `{monitor}` in the logs (validation data missing?)"),
        })
}

impl<T: Float> Callback<T> for EarlyStopping<T> {
    fn set_metrics(&mut self, metrics: &[Metric]) {
        self.metrics = metrics.to_vec();
    }

    fn on_train_begin(&mut self, _model: &mut dyn Module<T>) -> Result<(), CallbackError> {
        self.best = None;
        self.wait = 0;
        self.best_weights = None;
        self.stopped_epoch = None;
        self.best_epoch = None;
        Ok(())
    }

    fn on_epoch_end(
        &mut self,
        epoch: usize,
        logs: &Logs,
        model: &mut dyn Module<T>,
    ) -> Result<Control, CallbackError> {
        let current = monitored("EarlyStopping", &self.monitor, logs)?;
        let higher = self
            .mode
            .higher_is_better("EarlyStopping", &self.monitor, &self.metrics)?;
        if self.restore_best && self.best_weights.is_none() {
            self.best_weights = Some(snapshot(model));
        }
        self.wait += 1;
        if improves(higher, current, self.best, self.min_delta) {
            self.best = Some(current);
            self.best_epoch = Some(epoch);
            self.wait = 0;
            if self.restore_best {
                self.best_weights = Some(snapshot(model));
            }
            return Ok(Control::Continue);
        }
        if self.wait >= self.patience && epoch > 0 {
            self.stopped_epoch = Some(epoch);
            return Ok(Control::Stop);
        }
        Ok(Control::Continue)
    }

    fn on_train_end(&mut self, model: &mut dyn Module<T>) -> Result<(), CallbackError> {
        if let Some(best) = &self.best_weights {
            restore(model, best);
        }
        Ok(())
    }

    fn save_state(&self, prefix: &str, record: &mut Record) {
        put_optional(record, &format!("{prefix}.best"), self.best);
        record.put_i64s(&format!("{prefix}.wait"), &[self.wait as i64]);
        let epoch = |e: Option<usize>| e.map(|e| e as f64);
        put_optional(
            record,
            &format!("{prefix}.best_epoch"),
            epoch(self.best_epoch),
        );
        put_optional(
            record,
            &format!("{prefix}.stopped_epoch"),
            epoch(self.stopped_epoch),
        );
        if let Some(weights) = &self.best_weights {
            weights.save(&format!("{prefix}.best_weights"), record);
        }
    }

    fn load_state(&mut self, prefix: &str, file: &RecordFile) -> Result<(), CheckpointError> {
        let epoch =
            |name: &str| Ok::<_, CheckpointError>(read_optional(file, name)?.map(|e| e as usize));
        self.best = read_optional(file, &format!("{prefix}.best"))?;
        self.wait = read_count(file, &format!("{prefix}.wait"))?;
        self.best_epoch = epoch(&format!("{prefix}.best_epoch"))?;
        self.stopped_epoch = epoch(&format!("{prefix}.stopped_epoch"))?;
        let weights = format!("{prefix}.best_weights");
        self.best_weights = if file.contains(&format!("{weights}.params")) {
            Some(Weights::read(&weights, file)?)
        } else {
            None
        };
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use autodiff_core::Param;

    #[test]
    fn stops_after_patience_and_restores_the_best() {
        let mut p = Param::new(Tensor::from_vec(vec![0.0_f64], [1]));
        let mut stop = EarlyStopping::new("val_loss")
            .patience(2)
            .min_delta(0.01)
            .restore_best_weights(true);
        let losses = [1.0, 0.5, 0.495, 0.6, 0.7];
        let mut controls = vec![];
        for (epoch, &l) in losses.iter().enumerate() {
            p.set(Tensor::from_vec(vec![epoch as f64], [1]));
            controls.push(
                stop.on_epoch_end(epoch, &vec![("val_loss".into(), l)], &mut p)
                    .unwrap(),
            );
            if controls[epoch] == Control::Stop {
                break;
            }
        }
        stop.on_train_end(&mut p).unwrap();
        // 0.495 is not better than 0.5 by more than 0.01: epochs 2 and 3 wait, 3 stops.
        assert_eq!(
            controls,
            [
                Control::Continue,
                Control::Continue,
                Control::Continue,
                Control::Stop
            ]
        );
        assert_eq!((stop.best_epoch, stop.stopped_epoch), (Some(1), Some(3)));
        assert_eq!(p.value().item(), 1.0);
    }

    #[test]
    fn accuracy_improves_upwards_and_a_missing_key_is_an_error() {
        let mut p = Param::new(Tensor::from_vec(vec![0.0_f64], [1]));
        let mut stop = EarlyStopping::new("val_acc").patience(1);
        for (e, acc) in [0.5, 0.6, 0.7].into_iter().enumerate() {
            let c = stop
                .on_epoch_end(e, &vec![("val_acc".into(), acc)], &mut p)
                .unwrap();
            assert_eq!(c, Control::Continue);
        }
        let err = stop
            .on_epoch_end(3, &vec![("loss".into(), 1.0)], &mut p)
            .unwrap_err();
        assert!(err.to_string().contains("no `val_acc`"), "{err}");
    }

    #[test]
    fn the_direction_comes_from_the_compiled_metric_or_the_mode() {
        // "val_hits" is an accuracy by kind, not by name: rising values are improvements.
        let mut p = Param::new(Tensor::from_vec(vec![0.0_f64], [1]));
        let rising = [0.5, 0.6, 0.7];
        let run = |stop: &mut EarlyStopping<f64>, p: &mut Param<f64>| -> Vec<Control> {
            rising
                .iter()
                .enumerate()
                .map(|(e, &v)| {
                    let logs = vec![("val_hits".to_string(), v)];
                    stop.on_epoch_end(e, &logs, p).unwrap()
                })
                .collect()
        };
        let mut compiled = EarlyStopping::new("val_hits");
        Callback::<f64>::set_metrics(&mut compiled, &[Metric::binary_accuracy("hits")]);
        assert_eq!(run(&mut compiled, &mut p), [Control::Continue; 3]);
        let mut max = EarlyStopping::new("val_hits").mode(Mode::Max);
        assert_eq!(run(&mut max, &mut p), [Control::Continue; 3]);
        let mut min = EarlyStopping::new("val_hits").mode(Mode::Min);
        assert_eq!(run(&mut min, &mut p)[1], Control::Stop);
        let mut unknown = EarlyStopping::<f64>::new("val_hits");
        let err = unknown
            .on_epoch_end(0, &vec![("val_hits".into(), 0.5)], &mut p)
            .unwrap_err();
        assert!(err.to_string().contains("cannot tell"), "{err}");
    }

    #[test]
    fn best_weights_come_back_even_without_an_early_stop() {
        // Keras 3 restores in on_train_end, so a run that uses every epoch ends on the best.
        let mut p = Param::new(Tensor::from_vec(vec![0.0_f64], [1]));
        let mut stop = EarlyStopping::new("val_loss")
            .patience(10)
            .restore_best_weights(true);
        for (epoch, l) in [1.0, 0.5, 0.7].into_iter().enumerate() {
            p.set(Tensor::from_vec(vec![epoch as f64], [1]));
            let c = stop
                .on_epoch_end(epoch, &vec![("val_loss".into(), l)], &mut p)
                .unwrap();
            assert_eq!(c, Control::Continue);
        }
        stop.on_train_end(&mut p).unwrap();
        assert_eq!((stop.stopped_epoch, p.value().item()), (None, 1.0));
    }
}
