//! [`BackupAndRestore`]: Keras's callback that backs a run up so that a `fit` killed by a crash,
//! a pre-empted machine or Ctrl-C resumes where it stopped, losing nothing.
//!
//! The backup is one training checkpoint, `latest.safetensors` in `backup_dir`, written
//! atomically (a temporary file, then a rename) every epoch or every `N` batches
//! ([`SaveFreq`]). It holds everything the rest of the run depends on:
//! - the model's parameters and buffers, and the position of every random generator in it
//!   (dropout's masks), under `model.` (see [`SeededRng`](autodiff_core::SeededRng));
//! - the optimizer's iteration count (a schedule's position), current learning rate and slots
//!   (moments), under `optimizer.` ([`Optimizer::save_state`](crate::optim::Optimizer::save_state));
//! - each callback's state under `callbacks.I.` for the `I`-th callback
//!   ([`Callback::save_state`]: EarlyStopping's best, wait and best weights, ModelCheckpoint's
//!   best, ReduceLROnPlateau's best, wait and cooldown);
//! - `fit`'s position (epoch, batch, steps), the running totals of the epoch in progress and the
//!   History so far, under `fit.`.
//!
//! In a data-parallel `fit` the backup is rank 0's and holds every other rank's own part too
//! (its buffers and running totals: see `rank_part`); rank 0 reads it back and broadcasts its
//! bytes when resuming (see `nn::distributed`).
//!
//! The shuffle needs no state: epoch `e`'s order is re-derived from the seed. Augmentation
//! needs none: a [`BatchTransform`](super::BatchTransform) draws from (epoch, batch) only.
//!
//! A new `fit` with the same arguments, the same callbacks in the same order and the same
//! `backup_dir` finds the backup after every callback's `on_train_begin`, checks that it
//! belongs to this model (every tensor's name, shape and dtype; the training rows, batch size,
//! callbacks, metrics and processes) and resumes: the epochs, weights and History it ends with are bit for
//! bit those of a run never interrupted. A different model or a truncated file is a typed
//! [`ResumeError`] from `fit`; the model may then hold the checkpoint's weights. When `epochs`
//! grew, the resumed run goes on to the new count; when it is at or below the epochs already
//! done, `fit` trains nothing more and returns the saved History (as Keras does).
//!
//! When `fit` ends, after an early stop too, the backup is deleted (`delete_checkpoint`,
//! true by default); a `fit` that fails keeps it. Temporary files a killed write left behind
//! are removed when the next `fit` begins. A [`CSVLogger`](super::CSVLogger) should `append`:
//! rows after the last backup are written again when those epochs are redone.
//!
//! ```
//! use nn::losses::Loss;
//! use nn::optim::Optimizer;
//! use nn::train::{BackupAndRestore, FitOptions, Model, SaveFreq};
//! use nn::{Dense, Sequential, Tensor};
//! let dir = tempfile::tempdir().unwrap();
//! let (x, y) = (Tensor::<f32>::ones([8, 2]), Tensor::<f32>::ones([8, 1]));
//! let mut model = Model::new(Sequential::new().add(Dense::new(2, 1)), Loss::MeanSquaredError, Optimizer::adam(0.01), vec![]);
//! let options = FitOptions { epochs: 3, batch_size: 4, verbose: false, ..FitOptions::default() };
//! let mut backup = BackupAndRestore::new(dir.path().join("backup")).save_freq(SaveFreq::Batches(1));
//! let history = model.fit(&x, &y, &options, &mut [&mut backup]).unwrap();
//! assert_eq!(history.epochs(), 3);
//! assert!(!backup.checkpoint_path().exists()); // deleted once the run ended
//! ```

mod error;
mod fit_state;
pub(super) mod rank_part;

pub use error::ResumeError;
pub(super) use fit_state::{Position, RunShape, read as read_fit_state, save as save_fit_state};

use std::path::{Path, PathBuf};

use autodiff_core::Float;
use autodiff_core::Module;
use autodiff_core::checkpoint::{CheckpointError, Record};

use super::{Callback, CallbackError, Control, Logs};

/// How often [`BackupAndRestore`] saves (Keras's `save_freq`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SaveFreq {
    /// At the end of every epoch (Keras's `"epoch"`, the default).
    Epoch,
    /// After every `N`-th batch, counted across epochs (Keras's integer `save_freq`); `0` is
    /// taken as 1.
    Batches(u64),
}

/// Backs the run up to `backup_dir` and resumes from it (see the module docs).
#[derive(Debug)]
pub struct BackupAndRestore {
    backup_dir: PathBuf,
    save_freq: SaveFreq,
    delete_checkpoint: bool,
    /// Where the latest `fit` resumed (its first epoch and batch), if it resumed.
    pub resumed_at: Option<(usize, usize)>,
}

/// The backup's file name in `backup_dir`.
const FILE_NAME: &str = "latest.safetensors";

impl BackupAndRestore {
    /// Backs up to `backup_dir` (created if missing) every epoch, deleting the backup when
    /// `fit` ends: Keras's defaults.
    pub fn new(backup_dir: impl AsRef<Path>) -> Self {
        BackupAndRestore {
            backup_dir: backup_dir.as_ref().to_path_buf(),
            save_freq: SaveFreq::Epoch,
            delete_checkpoint: true,
            resumed_at: None,
        }
    }

    /// How often to save.
    pub fn save_freq(mut self, save_freq: SaveFreq) -> Self {
        self.save_freq = save_freq;
        self
    }

    /// Whether to delete the backup when `fit` ends (true by default).
    pub fn delete_checkpoint(mut self, delete: bool) -> Self {
        self.delete_checkpoint = delete;
        self
    }

    /// The backup file: `latest.safetensors` in the backup directory.
    pub fn checkpoint_path(&self) -> PathBuf {
        self.backup_dir.join(FILE_NAME)
    }

    /// Whether `name` is a temporary file a write of the backup leaves until its rename.
    pub fn is_temporary(name: &str) -> bool {
        name.starts_with(".tmp.") && name.ends_with(&format!(".{FILE_NAME}"))
    }

    /// Whether to save after `steps` batches (`end_of_epoch` when the epoch just ended).
    pub(super) fn due(&self, steps: u64, end_of_epoch: bool) -> bool {
        match self.save_freq {
            SaveFreq::Epoch => end_of_epoch,
            SaveFreq::Batches(n) => !end_of_epoch && steps.is_multiple_of(n.max(1)),
        }
    }

    /// The bytes of the backup to resume from, if there is one, after creating the directory
    /// and removing temporary files that killed writes left.
    pub(super) fn read(&self) -> Result<Option<Vec<u8>>, ResumeError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| ResumeError::Io { path, source }
        };
        std::fs::create_dir_all(&self.backup_dir).map_err(io(&self.backup_dir))?;
        for entry in std::fs::read_dir(&self.backup_dir).map_err(io(&self.backup_dir))? {
            let entry = entry.map_err(io(&self.backup_dir))?;
            if Self::is_temporary(&entry.file_name().to_string_lossy()) {
                std::fs::remove_file(entry.path()).map_err(io(&entry.path()))?;
            }
        }
        let file = self.checkpoint_path();
        if !file.exists() {
            return Ok(None);
        }
        let bytes = std::fs::read(&file).map_err(|source| CheckpointError::Io { file, source })?;
        Ok(Some(bytes))
    }

    /// Writes the backup, atomically.
    pub(super) fn write(&self, record: &Record) -> Result<(), ResumeError> {
        Ok(record.save(self.checkpoint_path())?)
    }
}

impl<T: Float> Callback<T> for BackupAndRestore {
    fn on_epoch_end(
        &mut self,
        _epoch: usize,
        _logs: &Logs,
        _model: &mut dyn Module<T>,
    ) -> Result<Control, CallbackError> {
        Ok(Control::Continue)
    }

    fn on_train_end(&mut self, _model: &mut dyn Module<T>) -> Result<(), CallbackError> {
        let file = self.checkpoint_path();
        if self.delete_checkpoint && file.exists() {
            std::fs::remove_file(&file).map_err(|e| CallbackError {
                callback: "BackupAndRestore",
                message: format!("cannot delete {}: {e}", file.display()),
            })?;
        }
        Ok(())
    }

    fn as_backup(&mut self) -> Option<&mut BackupAndRestore> {
        Some(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use autodiff_core::atomic_file;

    #[test]
    fn temporary_names_of_the_backup_are_recognised() {
        let tmp = atomic_file::temp_path(&Path::new("dir").join(FILE_NAME));
        let name = tmp.file_name().unwrap().to_string_lossy().into_owned();
        assert!(BackupAndRestore::is_temporary(&name), "{name}");
        assert!(!BackupAndRestore::is_temporary(FILE_NAME));
        assert!(!BackupAndRestore::is_temporary(
            ".tmp.1-0.other.safetensors"
        ));
    }
}

#[cfg(test)]
mod fit_tests;
