//! [`ResumeError`]: why a backed-up run could not be saved or resumed.

use std::fmt;
use std::path::PathBuf;

use autodiff_core::checkpoint::CheckpointError;

/// Why [`BackupAndRestore`](super::BackupAndRestore) could not save or resume a run.
#[derive(Debug)]
#[non_exhaustive]
pub enum ResumeError {
    /// The backup directory could not be created, listed or cleaned.
    Io {
        /// The directory or file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The checkpoint could not be written or read, or it does not belong to this model and
    /// optimizer: the error names the file and the first tensor that differs (missing,
    /// unexpected, another shape or dtype), or says the file is truncated or corrupt.
    Checkpoint(CheckpointError),
    /// The file is valid safetensors but not a training checkpoint of this format.
    Format {
        /// The file.
        file: PathBuf,
        /// The format it names, if any.
        found: Option<String>,
    },
    /// The run saved differs from this `fit` in something resuming needs to be the same.
    Mismatch {
        /// The file.
        file: PathBuf,
        /// What differs (`"training rows"`, `"batch size"`, `"callbacks"`, ...).
        what: &'static str,
        /// Its value in the checkpoint.
        saved: u64,
        /// Its value in this `fit`.
        now: u64,
    },
}

impl fmt::Display for ResumeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResumeError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            ResumeError::Checkpoint(e) => write!(f, "{e}"),
            ResumeError::Format { file, found } => write!(
                f,
                "{}: not a training checkpoint (format {})",
                file.display(),
                found.as_deref().unwrap_or("missing")
            ),
            ResumeError::Mismatch {
                file,
                what,
                saved,
                now,
            } => write!(
                f,
                "{}: saved with {what} {saved}, but this fit has {now}; resume with the same \
                 fit arguments",
                file.display()
            ),
        }
    }
}

impl std::error::Error for ResumeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ResumeError::Io { source, .. } => Some(source),
            ResumeError::Checkpoint(e) => Some(e),
            _ => None,
        }
    }
}

impl From<CheckpointError> for ResumeError {
    fn from(e: CheckpointError) -> Self {
        ResumeError::Checkpoint(e)
    }
}
