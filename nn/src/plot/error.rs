//! Errors of plotting.

use std::path::PathBuf;

/// What can go wrong when saving a figure.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// Writing or renaming the file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file being written.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file name ends neither in `.png` nor in `.svg`.
    #[error("{0}: unknown image format (use a .png or .svg file name)")]
    UnknownFormat(PathBuf),
    /// The drawing library failed (bad font, encoder error, ...).
    #[error("drawing failed: {0}")]
    Draw(String),
}
