//! Saving and loading vectors in the original tool's formats, which gensim's
//! `KeyedVectors.load_word2vec_format` / `save_word2vec_format` read and write.
//!
//! Both start with a text header line `COUNT DIM`. The text format then has one line per word:
//! the word and `DIM` decimal numbers separated by spaces. The binary format has, per word, the
//! word's UTF-8 bytes, a space, `DIM` little-endian `f32`s, and a newline (which readers skip).

mod binary;
mod text;

use std::path::Path;

use super::error::Word2VecError;
use super::keyed_vectors::KeyedVectors;
use crate::atomic_file::write_atomically;

/// The two file formats of the original `word2vec` tool (`-binary 0` and `-binary 1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One line of decimal numbers per word.
    Text,
    /// Raw little-endian `f32`s after each word.
    Binary,
}

/// Saves `kv` to `path` atomically (a temporary file in the same directory, then a rename).
pub fn save(kv: &KeyedVectors, path: &Path, format: Format) -> Result<(), Word2VecError> {
    write_atomically(path, |w| match format {
        Format::Text => text::write(kv, w),
        Format::Binary => binary::write(kv, w),
    })
    .map_err(|e| Word2VecError::io(path, e))
}

/// Loads vectors from `path`; a malformed file gives a [`Word2VecError::Parse`] with the line
/// (text) or a [`Word2VecError::Binary`] with the byte offset (binary).
pub fn load(path: &Path, format: Format) -> Result<KeyedVectors, Word2VecError> {
    let file = std::fs::File::open(path).map_err(|e| Word2VecError::io(path, e))?;
    let len = file
        .metadata()
        .map_err(|e| Word2VecError::io(path, e))?
        .len();
    let reader = std::io::BufReader::new(file);
    match format {
        Format::Text => text::read(reader, path, len),
        Format::Binary => binary::read(reader, path, len),
    }
}

/// Parses the `COUNT DIM` header; `Err` holds the message.
fn parse_header(line: &str) -> Result<(usize, usize), String> {
    let mut parts = line.split_whitespace();
    let mut num = |what: &str| -> Result<usize, String> {
        let tok = parts
            .next()
            .ok_or_else(|| format!("header must be \"COUNT DIM\", missing {what}"))?;
        tok.parse()
            .map_err(|_| format!("header {what} {tok:?} is not a non-negative integer"))
    };
    let (count, dim) = (num("COUNT")?, num("DIM")?);
    if parts.next().is_some() {
        return Err("header must be \"COUNT DIM\" with nothing after".into());
    }
    if dim == 0 {
        return Err("header DIM must be at least 1".into());
    }
    Ok((count, dim))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> KeyedVectors {
        let words = ["the", "naïve", "x"].map(String::from).to_vec();
        let v = vec![0.1, -2.5, 3e-8, 1.0, 0.0, -0.333_333_34, 7.0, 8.0, 9.5];
        KeyedVectors::new(words, v, 3).unwrap()
    }

    #[test]
    fn round_trips_exactly_in_both_formats() {
        let d = tempfile::tempdir().unwrap();
        for (format, name) in [(Format::Text, "v.txt"), (Format::Binary, "v.bin")] {
            let path = d.path().join(name);
            save(&sample(), &path, format).unwrap();
            let back = load(&path, format).unwrap();
            assert_eq!(back.words(), sample().words());
            assert_eq!(back.vectors(), sample().vectors());
        }
    }

    fn text_err(content: impl AsRef<[u8]>) -> (usize, String) {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("bad.txt");
        std::fs::write(&path, content).unwrap();
        let r = load(&path, Format::Text);
        match r {
            Err(Word2VecError::Parse { line, message, .. }) => (line, message),
            other => panic!("expected a parse error, got {other:?}"),
        }
    }

    #[test]
    fn malformed_text_files_name_the_line() {
        assert_eq!(text_err("").0, 1);
        assert_eq!(text_err("2\n").0, 1);
        assert_eq!(text_err("2 x\n").0, 1);
        assert_eq!(
            text_err("2 2\na 1 2\nb 1\n"),
            (3, "expected 2 numbers after the word, found 1".into())
        );
        assert_eq!(text_err("2 2\na 1 2\nb 1 zz\n").0, 3);
        assert_eq!(text_err("2 2\na 1 2\n").0, 3);
        assert_eq!(text_err("1 2\na 1 2\nb 1 2\n").0, 3);
        assert_eq!(text_err("2 2\na 1 2\na 3 4\n").0, 3);
        assert_eq!(text_err(b"1 1\na 1\n\xff\xfe 2\n").0, 3);
    }

    fn binary_err(content: &[u8]) -> u64 {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("bad.bin");
        std::fs::write(&path, content).unwrap();
        let r = load(&path, Format::Binary);
        match r {
            Err(Word2VecError::Binary { offset, .. }) => offset,
            other => panic!("expected a binary error, got {other:?}"),
        }
    }

    #[test]
    fn malformed_binary_files_name_the_offset() {
        assert_eq!(binary_err(b"2 x\n"), 0);
        // Header is 4 bytes; word "a" + space at 4..6; the vector needs 8 bytes from 6, has 3.
        assert_eq!(binary_err(b"1 2\na \x00\x00\x00"), 6);
        // Second word is not UTF-8.
        let mut bad = b"2 1\na \x00\x00\x80\x3f\n".to_vec();
        bad.extend_from_slice(b"\xff\xfe \x00\x00\x80\x3f\n");
        assert_eq!(binary_err(&bad), 11);
        // Declares 3 words, holds 1.
        assert_eq!(binary_err(b"3 1\na \x00\x00\x80\x3f\n"), 11);
        // A huge header must fail cleanly, not allocate.
        assert_eq!(binary_err(b"999999999999 999999\n"), 0);
        assert_eq!(binary_err(b"999999999999 2\n"), 15);
        assert_eq!(binary_err(b"1 99999999999999999999\n"), 0);
        assert_eq!(binary_err(b"1 18446744073709551615\n"), 0);
    }

    /// Files written by gensim 4.4 (note: its binary format has no newline after each vector):
    /// ```python
    /// kv = KeyedVectors(vector_size=3)
    /// kv.add_vectors(["the", "naïve", "café"], np.array([[0.5, -1.25, 3.0],
    ///     [1e-3, 2.0, -0.0625], [7.0, 8.0, 9.5]], dtype=np.float32))
    /// kv.save_word2vec_format("gensim.bin", binary=True)
    /// kv.save_word2vec_format("gensim.txt", binary=False)
    /// ```
    #[test]
    fn reads_files_written_by_gensim() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/word2vec/io/testdata");
        for (name, format) in [("gensim.bin", Format::Binary), ("gensim.txt", Format::Text)] {
            let kv = load(&dir.join(name), format).unwrap();
            assert_eq!(kv.words(), ["the", "naïve", "café"]);
            assert_eq!(kv.get("naïve").unwrap(), [1e-3, 2.0, -0.0625]);
            assert_eq!(kv.get("café").unwrap(), [7.0, 8.0, 9.5]);
        }
    }

    /// Truncations and byte flips of valid files, in both formats, must give `Ok` or a typed
    /// error, never a panic.
    #[test]
    fn mangled_files_never_panic() {
        let d = tempfile::tempdir().unwrap();
        let mut state = 12345u64;
        let mut next = || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            (state >> 33) as usize
        };
        for (format, name) in [(Format::Text, "v.txt"), (Format::Binary, "v.bin")] {
            let path = d.path().join(name);
            save(&sample(), &path, format).unwrap();
            let good = std::fs::read(&path).unwrap();
            for _ in 0..300 {
                let mut bytes = good[..next() % (good.len() + 1)].to_vec();
                for _ in 0..next() % 3 {
                    if !bytes.is_empty() {
                        let i = next() % bytes.len();
                        bytes[i] = next() as u8;
                    }
                }
                std::fs::write(&path, &bytes).unwrap();
                let _ = load(&path, format);
            }
        }
    }

    #[test]
    fn missing_file_is_an_io_error() {
        let r = load(Path::new("/nonexistent/vectors.bin"), Format::Binary);
        assert!(matches!(r, Err(Word2VecError::Io { .. })));
    }
}
