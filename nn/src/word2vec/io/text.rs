//! The text format: a `COUNT DIM` header line, then `WORD X1 ... XDIM` per line.

use std::collections::HashSet;
use std::io::{BufRead, Write};
use std::path::Path;

use super::parse_header;
use crate::word2vec::error::Word2VecError;
use crate::word2vec::keyed_vectors::KeyedVectors;

/// Writes `kv` in the text format. Numbers use Rust's shortest exact `f32` form, so a saved file
/// loads back bit for bit.
pub(super) fn write(kv: &KeyedVectors, out: &mut impl Write) -> std::io::Result<()> {
    writeln!(out, "{} {}", kv.len(), kv.dim())?;
    for (i, word) in kv.words().iter().enumerate() {
        out.write_all(word.as_bytes())?;
        for x in kv.row(i) {
            write!(out, " {x}")?;
        }
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// Reads the text format; errors carry the 1-based line number. Buffers are sized from the
/// header only as far as the file's `file_len` bytes can fill them (a vector line takes at
/// least two bytes per number), so a forged `COUNT DIM` allocates nothing it cannot back.
pub(super) fn read(
    mut r: impl BufRead,
    path: &Path,
    file_len: u64,
) -> Result<KeyedVectors, Word2VecError> {
    let err = |line: usize, message: String| Word2VecError::Parse {
        path: path.to_path_buf(),
        line,
        message,
    };
    let mut buf = String::new();
    let mut line = 1;
    let mut next_line = |buf: &mut String, line: usize| -> Result<bool, Word2VecError> {
        buf.clear();
        match r.read_line(buf) {
            Ok(n) => Ok(n > 0),
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                Err(err(line, "line is not valid UTF-8".into()))
            }
            Err(e) => Err(Word2VecError::io(path, e)),
        }
    };
    if !next_line(&mut buf, line)? {
        return Err(err(1, "empty file: expected a \"COUNT DIM\" header".into()));
    }
    let (count, dim) = parse_header(&buf).map_err(|m| err(1, m))?;
    let fits = usize::try_from(file_len / 2).unwrap_or(usize::MAX);
    let mut words = Vec::with_capacity(count.min(fits / dim.saturating_add(1)));
    let mut seen = HashSet::with_capacity(words.capacity());
    let mut vectors = Vec::with_capacity(count.saturating_mul(dim).min(fits));
    loop {
        line += 1;
        if !next_line(&mut buf, line)? {
            break;
        }
        let mut parts = buf.split_whitespace();
        let Some(word) = parts.next() else { continue };
        if words.len() == count {
            return Err(err(
                line,
                format!("more vectors than the header's COUNT = {count}"),
            ));
        }
        let before = vectors.len();
        for tok in parts {
            let x: f32 = tok
                .parse()
                .map_err(|_| err(line, format!("{tok:?} is not a number")))?;
            vectors.push(x);
        }
        let found = vectors.len() - before;
        if found != dim {
            return Err(err(
                line,
                format!("expected {dim} numbers after the word, found {found}"),
            ));
        }
        if !seen.insert(word.to_string()) {
            return Err(err(line, format!("word {word:?} appears twice")));
        }
        words.push(word.to_string());
    }
    if words.len() < count {
        let n = words.len();
        return Err(err(
            line,
            format!("file ends after {n} of the header's {count} vectors"),
        ));
    }
    KeyedVectors::new(words, vectors, dim)
}
