//! Reading an event file back: its complete records, decoded as [`Event`]s.

use std::path::{Path, PathBuf};

use prost::Message;

use super::proto::Event;
use super::record::{CorruptRecord, read_records};

/// An event file that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file could not be opened or read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        #[source]
        source: std::io::Error,
    },
    /// A record's CRC does not match.
    #[error("{path}: {source}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// Which record.
        #[source]
        source: CorruptRecord,
    },
    /// A record is not an `Event` message.
    #[error("{path}: record {index} is not an Event: {source}")]
    Decode {
        /// The file.
        path: PathBuf,
        /// The record's index (0 for the first).
        index: usize,
        /// What prost found wrong.
        #[source]
        source: prost::DecodeError,
    },
}

/// The events of every complete record of the file at `path` (a record cut short by a crash
/// at the end is left out, as TensorBoard does).
pub fn read_event_file(path: impl AsRef<Path>) -> Result<Vec<Event>, ReadError> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|source| ReadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let records = read_records(&bytes).map_err(|source| ReadError::Corrupt {
        path: path.to_path_buf(),
        source,
    })?;
    records
        .records
        .iter()
        .enumerate()
        .map(|(index, r)| {
            Event::decode(*r).map_err(|source| ReadError::Decode {
                path: path.to_path_buf(),
                index,
                source,
            })
        })
        .collect()
}
