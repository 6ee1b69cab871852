//! [`TensorBoard`]: the `fit` callback that logs as Keras's `keras.callbacks.TensorBoard` does.
//!
//! - `log_dir/train` gets `epoch_KEY` for every History key without `val_` (the loss, each
//!   metric) and `epoch_learning_rate`, at step = epoch (0-based); `log_dir/validation` gets
//!   `epoch_KEY` for every `val_KEY`, so TensorBoard draws a run's training and validation
//!   curves in one chart, as for Keras;
//! - with [`UpdateFreq::Batches`]`(n)`, `batch_KEY` every `n` optimizer steps (step = the number
//!   of steps so far), with the epoch's running means as Keras 3 logs them;
//! - with a `histogram_freq` of `n > 0`, every `n`-th epoch (0, n, 2n, …): a histogram of each
//!   parameter (`PATH/histogram`) after the epoch and of its gradient on the epoch's last batch
//!   (`PATH/gradient`), under the parameter's dotted path.
//!
//! Records are buffered and flushed at the end of every epoch and of training; a crash loses at
//! most the current epoch's records, and every complete record stays readable.

use std::path::{Path, PathBuf};

use autodiff_core::{Float, Module, Param, ParamPath, Tensor};

use super::writer::{SummaryWriter, WriteError};
use crate::train::{BatchEnd, Callback, CallbackError, Control, Logs, StopReason};

/// How often per-batch scalars are written (Keras's `update_freq`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum UpdateFreq {
    /// Only per-epoch scalars (Keras's default, `"epoch"`).
    #[default]
    Epoch,
    /// Also `batch_KEY` every this many optimizer steps (Keras's integer `update_freq`).
    Batches(u64),
}

/// Logs a `fit` run for TensorBoard (see the module docs for what is written where).
///
/// ```
/// use nn::tensorboard::{TensorBoard, UpdateFreq};
/// let dir = tempfile::tempdir().unwrap();
/// let mut board = TensorBoard::new(dir.path()).histogram_freq(5).update_freq(UpdateFreq::Batches(10));
/// // model.fit(&x, &y, &options, &mut [&mut board])?;   then: tensorboard --logdir DIR
/// ```
pub struct TensorBoard {
    log_dir: PathBuf,
    update_freq: UpdateFreq,
    histogram_freq: usize,
    writers: Option<Writers>,
    learning_rate: Option<f64>,
}

/// The two event files of one `fit`.
struct Writers {
    train: SummaryWriter,
    validation: SummaryWriter,
}

impl TensorBoard {
    /// Logs under `log_dir` (`train/` and `validation/` inside it), per epoch, no histograms.
    pub fn new(log_dir: impl AsRef<Path>) -> Self {
        TensorBoard {
            log_dir: log_dir.as_ref().to_path_buf(),
            update_freq: UpdateFreq::Epoch,
            histogram_freq: 0,
            writers: None,
            learning_rate: None,
        }
    }

    /// Per-batch scalars too (Keras's `update_freq`).
    pub fn update_freq(mut self, update_freq: UpdateFreq) -> Self {
        self.update_freq = update_freq;
        self
    }

    /// Weight and gradient histograms every `epochs` epochs (0, Keras's default: none).
    pub fn histogram_freq(mut self, epochs: usize) -> Self {
        self.histogram_freq = epochs;
        self
    }

    /// The directory given to `tensorboard --logdir`.
    pub fn log_dir(&self) -> &Path {
        &self.log_dir
    }

    fn histograms_due(&self, epoch: usize) -> bool {
        self.histogram_freq > 0 && epoch.is_multiple_of(self.histogram_freq)
    }

    fn writers(&mut self) -> Result<&mut Writers, CallbackError> {
        self.writers.as_mut().ok_or_else(|| CallbackError {
            callback: "TensorBoard",
            message: "called outside fit (on_train_begin did not run)".into(),
        })
    }
}

fn failed(e: WriteError) -> CallbackError {
    CallbackError {
        callback: "TensorBoard",
        message: e.to_string(),
    }
}

/// A histogram under `PATH/suffix` of what `values` gives for each parameter (its value, or
/// its gradient when it has one).
fn write_histograms<'a, T: Float>(
    writer: &mut SummaryWriter,
    model: &'a dyn Module<T>,
    suffix: &str,
    step: i64,
    values: impl Fn(&'a Param<T>) -> Option<&'a Tensor<T>>,
) -> Result<(), WriteError> {
    let mut result = Ok(());
    model.visit(&mut ParamPath::new(), &mut |path, p| {
        if let (Ok(()), Some(values)) = (&result, values(p)) {
            result = writer.histogram(&format!("{path}/{suffix}"), values.data(), step);
        }
    });
    result
}

impl<T: Float> Callback<T> for TensorBoard {
    fn on_train_begin(&mut self, _model: &mut dyn Module<T>) -> Result<(), CallbackError> {
        let train = SummaryWriter::create(self.log_dir.join("train")).map_err(failed)?;
        let validation = SummaryWriter::create(self.log_dir.join("validation")).map_err(failed)?;
        self.writers = Some(Writers { train, validation });
        self.learning_rate = None;
        Ok(())
    }

    fn on_train_batch_end(
        &mut self,
        batch: &BatchEnd<'_, T>,
        model: &dyn Module<T>,
    ) -> Result<Option<StopReason>, CallbackError> {
        self.learning_rate = Some(batch.learning_rate);
        let due = self.histograms_due(batch.epoch) && batch.batch + 1 == batch.batches;
        let update_freq = self.update_freq;
        let writers = self.writers()?;
        if let UpdateFreq::Batches(n) = update_freq
            && n > 0
            && batch.step.is_multiple_of(n)
        {
            for (key, value) in batch.logs {
                let step = batch.step as i64;
                writers
                    .train
                    .scalar(&format!("batch_{key}"), *value, step)
                    .map_err(failed)?;
            }
        }
        if due {
            let step = batch.epoch as i64;
            write_histograms(&mut writers.train, model, "gradient", step, |p| {
                batch.grads.param(p)
            })
            .map_err(failed)?;
        }
        Ok(None)
    }

    fn on_epoch_end(
        &mut self,
        epoch: usize,
        logs: &Logs,
        model: &mut dyn Module<T>,
    ) -> Result<Control, CallbackError> {
        let histograms = self.histograms_due(epoch);
        let learning_rate = self.learning_rate;
        let writers = self.writers()?;
        let step = epoch as i64;
        for (key, value) in logs {
            let (writer, name) = match key.strip_prefix("val_") {
                Some(name) => (&mut writers.validation, name),
                None => (&mut writers.train, key.as_str()),
            };
            writer
                .scalar(&format!("epoch_{name}"), *value, step)
                .map_err(failed)?;
        }
        if let Some(lr) = learning_rate {
            writers
                .train
                .scalar("epoch_learning_rate", lr, step)
                .map_err(failed)?;
        }
        if histograms {
            write_histograms(&mut writers.train, &*model, "histogram", step, |p| {
                Some(p.value())
            })
            .map_err(failed)?;
        }
        writers.train.flush().map_err(failed)?;
        writers.validation.flush().map_err(failed)?;
        Ok(Control::Continue)
    }

    fn on_train_end(&mut self, _model: &mut dyn Module<T>) -> Result<(), CallbackError> {
        if let Some(mut writers) = self.writers.take() {
            writers.train.flush().map_err(failed)?;
            writers.validation.flush().map_err(failed)?;
        }
        Ok(())
    }
}
