//! The text of the `char_rnn` example as ids into its sorted alphabet.

use std::path::{Path, PathBuf};

/// A text as ids into its sorted alphabet (line ends read as spaces).
#[derive(Debug, Clone, PartialEq)]
pub struct CharCorpus {
    /// The distinct characters of the text, sorted.
    pub alphabet: Vec<char>,
    /// Each character of the text as its index in `alphabet`.
    pub ids: Vec<u32>,
}

/// A corpus file that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum CharCorpusError {
    /// The file could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The file is not UTF-8 text.
    #[error("{}: byte {byte}: not UTF-8 text", path.display())]
    NotUtf8 {
        /// The file.
        path: PathBuf,
        /// The offset of the first byte that is not part of a UTF-8 character.
        byte: usize,
    },
    /// The file holds fewer characters than one training window needs.
    #[error("{}: {chars} characters, at least {needed} needed", path.display())]
    TooShort {
        /// The file.
        path: PathBuf,
        /// The characters it holds.
        chars: usize,
        /// The fewest accepted.
        needed: usize,
    },
}

impl CharCorpus {
    /// The first `max_chars` characters of the UTF-8 file at `path`, which must hold at least
    /// `min_chars` (a training window and its shifted target).
    pub fn read(path: &Path, max_chars: usize, min_chars: usize) -> Result<Self, CharCorpusError> {
        let bytes = std::fs::read(path).map_err(|source| CharCorpusError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let text = std::str::from_utf8(&bytes).map_err(|e| CharCorpusError::NotUtf8 {
            path: path.to_path_buf(),
            byte: e.valid_up_to(),
        })?;
        let text: Vec<char> = text
            .chars()
            .map(|c| if c == '\n' { ' ' } else { c })
            .take(max_chars)
            .collect();
        if text.len() < min_chars {
            return Err(CharCorpusError::TooShort {
                path: path.to_path_buf(),
                chars: text.len(),
                needed: min_chars,
            });
        }
        let mut alphabet = text.clone();
        alphabet.sort_unstable();
        alphabet.dedup();
        // Every character is in the alphabet built from the same text.
        let ids = text
            .iter()
            .map(|c| alphabet.partition_point(|a| a < c) as u32)
            .collect();
        Ok(CharCorpus { alphabet, ids })
    }
}
