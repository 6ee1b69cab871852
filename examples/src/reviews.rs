//! The review readers of the `imdb` example: the Large Movie Review Dataset's folders
//! (`DIR/train/{pos,neg}/*.txt`) and the shipped `__label__pos text` sentence file.

use std::path::{Path, PathBuf};

/// Labelled texts: (text, 1 for positive, 0 for negative).
pub type Reviews = Vec<(String, f32)>;

/// A file or folder of the review data that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReviewsError {
    /// The file or folder could not be opened or read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
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
    /// A line of the sentence file does not start with a label.
    #[error("{}:{line}: expected `__label__pos` or `__label__neg` then the text", path.display())]
    BadLine {
        /// The file.
        path: PathBuf,
        /// The line, counted from 1.
        line: usize,
    },
}

/// The whole of `path` as text.
fn read_text(path: &Path) -> Result<String, ReviewsError> {
    let bytes = std::fs::read(path).map_err(|source| ReviewsError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    String::from_utf8(bytes).map_err(|e| ReviewsError::NotUtf8 {
        path: path.to_path_buf(),
        byte: e.utf8_error().valid_up_to(),
    })
}

/// The reviews of `dir/part/{pos,neg}/*.txt` (positives first, each folder sorted by file name
/// for a stable order), with the dataset's `<br />` line breaks turned into spaces.
pub fn read_acl_part(dir: &Path, part: &str) -> Result<Reviews, ReviewsError> {
    let mut out = Vec::new();
    for (label, value) in [("pos", 1.0), ("neg", 0.0)] {
        let folder = dir.join(part).join(label);
        let io_error = |source| ReviewsError::Io {
            path: folder.clone(),
            source,
        };
        let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
            .map_err(io_error)?
            .map(|entry| entry.map(|e| e.path()).map_err(io_error))
            .collect::<Result<_, _>>()?;
        files.retain(|p| p.extension().is_some_and(|e| e == "txt"));
        files.sort();
        for file in files {
            out.push((read_text(&file)?.replace("<br />", " "), value));
        }
    }
    Ok(out)
}

/// The `__label__pos text` / `__label__neg text` lines of `path`; blank lines are skipped.
pub fn read_labelled_sentences(path: &Path) -> Result<Reviews, ReviewsError> {
    read_text(path)?
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, line)| {
            let bad = || ReviewsError::BadLine {
                path: path.to_path_buf(),
                line: i + 1,
            };
            let (label, text) = line.split_once(' ').ok_or_else(bad)?;
            let value = match label {
                "__label__pos" => 1.0,
                "__label__neg" => 0.0,
                _ => return Err(bad()),
            };
            Ok((text.to_string(), value))
        })
        .collect()
}
