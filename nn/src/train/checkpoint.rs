//! [`ModelCheckpoint`]: saves the model's parameters (safetensors, through
//! [`autodiff_core::checkpoint`], atomically) at the end of every epoch, or only when the
//! monitored value improves (`save_best_only`, in the direction of its [`Mode`]: by default
//! `Auto`, losses and errors down, accuracies up). `{epoch}` in the file name becomes the
//! 1-based epoch number.
//!
//! As in Keras, the best value is not reset when another `fit` begins: it belongs to the file,
//! which a later run overwrites only with a better model. Build a new checkpoint to start over.
//! A run resumed by [`BackupAndRestore`](super::BackupAndRestore) gets back the best value and
//! the list of files saved.
//!
//! ```no_run
//! use nn::train::ModelCheckpoint;
//! let mut best = ModelCheckpoint::new("target/model.safetensors").save_best_only("val_loss");
//! let mut every = ModelCheckpoint::new("target/model-{epoch}.safetensors");
//! // model.fit(&x, &y, &options, &mut [&mut best, &mut every])?;
//! ```

use std::path::PathBuf;

use autodiff_core::checkpoint::{CheckpointError, Record, RecordFile};
use autodiff_core::{Float, Module, checkpoint};

use super::callbacks::{monitored, put_optional, read_optional};
use super::mode::improves;
use super::{Callback, CallbackError, Control, Logs, Mode};
use crate::metrics::Metric;

/// Saves the model after epochs (all of them, or the best ones).
pub struct ModelCheckpoint {
    path: String,
    best_only: Option<String>,
    mode: Mode,
    metrics: Vec<Metric>,
    best: Option<f64>,
    /// The files written so far, in order.
    pub saved: Vec<PathBuf>,
}

impl ModelCheckpoint {
    /// Saves to `path` after every epoch; `{epoch}` in it is replaced by the epoch number.
    pub fn new(path: impl Into<String>) -> Self {
        ModelCheckpoint {
            path: path.into(),
            best_only: None,
            mode: Mode::Auto,
            metrics: Vec::new(),
            best: None,
            saved: Vec::new(),
        }
    }

    /// Saves only when `monitor` (such as `"val_loss"`) beats its best value so far.
    pub fn save_best_only(mut self, monitor: impl Into<String>) -> Self {
        self.best_only = Some(monitor.into());
        self
    }

    /// Which way the monitored value improves (Keras's `mode`; `Auto` by default).
    pub fn mode(mut self, mode: Mode) -> Self {
        self.mode = mode;
        self
    }
}

impl<T: Float> Callback<T> for ModelCheckpoint {
    fn set_metrics(&mut self, metrics: &[Metric]) {
        self.metrics = metrics.to_vec();
    }

    fn on_epoch_end(
        &mut self,
        epoch: usize,
        logs: &Logs,
        model: &mut dyn Module<T>,
    ) -> Result<Control, CallbackError> {
        if let Some(monitor) = &self.best_only {
            let current = monitored("ModelCheckpoint", monitor, logs)?;
            let higher = self
                .mode
                .higher_is_better("ModelCheckpoint", monitor, &self.metrics)?;
            if !improves(higher, current, self.best, 0.0) {
                return Ok(Control::Continue);
            }
            self.best = Some(current);
        }
        let path = PathBuf::from(self.path.replace("{epoch}", &(epoch + 1).to_string()));
        checkpoint::save(&*model, &path).map_err(|e| CallbackError {
            callback: "ModelCheckpoint",
            message: e.to_string(),
        })?;
        self.saved.push(path);
        Ok(Control::Continue)
    }

    fn save_state(&self, prefix: &str, record: &mut Record) {
        put_optional(record, &format!("{prefix}.best"), self.best);
        let saved: Vec<String> = self
            .saved
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        record.put_bytes(&format!("{prefix}.saved"), saved.join("\n").as_bytes());
    }

    fn load_state(&mut self, prefix: &str, file: &RecordFile) -> Result<(), CheckpointError> {
        self.best = read_optional(file, &format!("{prefix}.best"))?;
        let saved = String::from_utf8_lossy(file.bytes(&format!("{prefix}.saved"))?).into_owned();
        self.saved = saved
            .split('\n')
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
            .collect();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use autodiff_core::{Param, Tensor};

    #[test]
    fn best_only_keeps_the_best_epoch_and_every_epoch_numbers_files() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let best_path = dir.join("best.safetensors");
        let mut best = ModelCheckpoint::new(best_path.to_string_lossy()).save_best_only("val_loss");
        let mut every = ModelCheckpoint::new(dir.join("e{epoch}.safetensors").to_string_lossy());
        let mut p = Param::new(Tensor::from_vec(vec![0.0_f32], [1]));
        for (epoch, loss) in [1.0, 0.5, 0.7].into_iter().enumerate() {
            p.set(Tensor::from_vec(vec![epoch as f32], [1]));
            let logs = vec![("val_loss".to_string(), loss)];
            Callback::<f32>::on_epoch_end(&mut best, epoch, &logs, &mut p).unwrap();
            Callback::<f32>::on_epoch_end(&mut every, epoch, &logs, &mut p).unwrap();
        }
        assert_eq!(best.saved.len(), 2);
        assert_eq!(every.saved.last().unwrap(), &dir.join("e3.safetensors"));
        let mut restored = Param::new(Tensor::from_vec(vec![9.0_f32], [1]));
        checkpoint::load(&mut restored, &best_path).unwrap();
        assert_eq!(restored.value().item(), 1.0);
        let mut bad = ModelCheckpoint::new("/no/such/dir/m.safetensors");
        let err = Callback::<f32>::on_epoch_end(&mut bad, 0, &vec![], &mut p).unwrap_err();
        assert!(err.to_string().starts_with("ModelCheckpoint: "), "{err}");
    }

    #[test]
    fn best_only_follows_the_mode() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("e{epoch}.safetensors");
        let mut best = ModelCheckpoint::new(path.to_string_lossy())
            .save_best_only("val_recall")
            .mode(Mode::Max);
        let mut p = Param::new(Tensor::from_vec(vec![0.0_f32], [1]));
        for (epoch, recall) in [0.5, 0.4, 0.8].into_iter().enumerate() {
            let logs = vec![("val_recall".to_string(), recall)];
            Callback::<f32>::on_epoch_end(&mut best, epoch, &logs, &mut p).unwrap();
        }
        let names: Vec<_> = best.saved.iter().map(|p| p.file_name().unwrap()).collect();
        assert_eq!(names, ["e1.safetensors", "e3.safetensors"]);
    }

    #[test]
    fn the_best_value_outlives_a_new_run() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let mut best = ModelCheckpoint::new(dir.join("e{epoch}.safetensors").to_string_lossy())
            .save_best_only("val_loss");
        let mut p = Param::new(Tensor::from_vec(vec![0.0_f32], [1]));
        for (run, losses) in [[0.5, 0.7], [0.6, 0.4]].into_iter().enumerate() {
            Callback::<f32>::on_train_begin(&mut best, &mut p).unwrap();
            for (epoch, loss) in losses.into_iter().enumerate() {
                let logs = vec![("val_loss".to_string(), loss)];
                Callback::<f32>::on_epoch_end(&mut best, 10 * run + epoch, &logs, &mut p).unwrap();
            }
        }
        // the second run's 0.6 does not beat the first run's 0.5; its 0.4 does
        let names: Vec<_> = best.saved.iter().map(|p| p.file_name().unwrap()).collect();
        assert_eq!(names, ["e1.safetensors", "e12.safetensors"]);
    }
}
