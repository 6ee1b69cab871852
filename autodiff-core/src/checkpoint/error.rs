//! [`CheckpointError`]: what can be wrong with a weights file.

use std::fmt;
use std::path::PathBuf;

/// Why saving or loading weights failed: which file, and which tensor where one is to blame.
#[derive(Debug)]
#[non_exhaustive]
pub enum CheckpointError {
    /// Reading, writing or renaming the file failed.
    Io {
        /// The file.
        file: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The file is not valid safetensors: a bad header, truncated or inconsistent data.
    Corrupt {
        /// The file.
        file: PathBuf,
        /// What the safetensors parser reported.
        reason: String,
    },
    /// The module has a parameter or buffer the file lacks.
    Missing {
        /// The file.
        file: PathBuf,
        /// The parameter's or buffer's dotted path.
        tensor: String,
    },
    /// The file has a tensor the module has no parameter or buffer for.
    Unexpected {
        /// The file.
        file: PathBuf,
        /// The tensor's name in the file.
        tensor: String,
    },
    /// A tensor's shape differs from its parameter's or buffer's.
    Shape {
        /// The file.
        file: PathBuf,
        /// The tensor's name.
        tensor: String,
        /// The shape in the module.
        expected: Vec<usize>,
        /// The shape in the file.
        found: Vec<usize>,
    },
    /// A tensor's element type differs from the module's (`I64` for a
    /// [`StepCounter`](crate::StepCounter), the element type for the rest).
    Dtype {
        /// The file.
        file: PathBuf,
        /// The tensor's name.
        tensor: String,
        /// The element type the module holds there (`"F32"`, `"F64"` or `"I64"`, as
        /// safetensors names them).
        expected: String,
        /// The element type in the file.
        found: String,
    },
}

impl fmt::Display for CheckpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CheckpointError::Io { file, source } => write!(f, "{}: {source}", file.display()),
            CheckpointError::Corrupt { file, reason } => {
                write!(
                    f,
                    "{}: not a valid safetensors file: {reason}",
                    file.display()
                )
            }
            CheckpointError::Missing { file, tensor } => {
                write!(f, "{}: tensor `{tensor}` is missing", file.display())
            }
            CheckpointError::Unexpected { file, tensor } => write!(
                f,
                "{}: tensor `{tensor}` matches no parameter or buffer of the module",
                file.display()
            ),
            CheckpointError::Shape {
                file,
                tensor,
                expected,
                found,
            } => write!(
                f,
                "{}: tensor `{tensor}` has shape {found:?}, the module's has shape {expected:?}",
                file.display()
            ),
            CheckpointError::Dtype {
                file,
                tensor,
                expected,
                found,
            } => write!(
                f,
                "{}: tensor `{tensor}` has dtype {found}, the module holds {expected} there",
                file.display()
            ),
        }
    }
}

impl std::error::Error for CheckpointError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CheckpointError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}
