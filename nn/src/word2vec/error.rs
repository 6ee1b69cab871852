//! The one error type of word2vec: everything that comes from outside the program (corpus files,
//! vector files, evaluation files, configuration, query words) is reported through it.

use std::path::PathBuf;

/// Everything that can go wrong in word2vec when the input comes from outside the program.
#[derive(Debug, thiserror::Error)]
pub enum Word2VecError {
    /// An I/O error on a file, with the file's path.
    #[error("{path}: {source}")]
    Io {
        /// The file being read or written.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A text-format file (vectors, questions, word pairs) is malformed at a given line.
    #[error("{path}:{line}: {message}")]
    Parse {
        /// The file being read.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What was wrong.
        message: String,
    },
    /// A binary vector file is malformed at a given byte offset.
    #[error("{path}: byte {offset}: {message}")]
    Binary {
        /// The file being read.
        path: PathBuf,
        /// 0-based byte offset where the problem was found.
        offset: u64,
        /// What was wrong.
        message: String,
    },
    /// No word of the corpus reached `min_count`, so there is nothing to train.
    #[error("the vocabulary is empty: no word occurs at least min_count = {min_count} times")]
    EmptyVocabulary {
        /// The `min_count` in force.
        min_count: u64,
    },
    /// A configuration value is out of range.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// A query word is not in the vocabulary (or not in the restricted part of it).
    #[error("word not in vocabulary: {0:?}")]
    UnknownWord(String),
    /// A query has too few words to be answered (e.g. `doesnt_match` of one word).
    #[error("query needs at least {needed} known words, got {got}")]
    TooFewWords {
        /// How many words the query needs.
        needed: usize,
        /// How many it had.
        got: usize,
    },
}

impl Word2VecError {
    /// Wraps an I/O error with the path it happened on.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Word2VecError::Io {
            path: path.into(),
            source,
        }
    }
}
