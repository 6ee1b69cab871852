//! The binary format: a `COUNT DIM` text header line, then per word its UTF-8 bytes, a space,
//! `DIM` little-endian `f32`s and a newline.

use std::collections::HashSet;
use std::io::{BufRead, Read, Write};
use std::path::Path;

use super::parse_header;
use crate::word2vec::error::Word2VecError;
use crate::word2vec::keyed_vectors::KeyedVectors;

/// Longest word accepted when reading (longer means the file is not what it claims).
const MAX_WORD_BYTES: u64 = 10_000;

/// Writes `kv` in the binary format.
pub(super) fn write(kv: &KeyedVectors, out: &mut impl Write) -> std::io::Result<()> {
    writeln!(out, "{} {}", kv.len(), kv.dim())?;
    for (i, word) in kv.words().iter().enumerate() {
        out.write_all(word.as_bytes())?;
        out.write_all(b" ")?;
        for x in kv.row(i) {
            out.write_all(&x.to_le_bytes())?;
        }
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// Reads the binary format; errors carry the byte offset where the problem starts.
pub(super) fn read(
    mut r: impl BufRead,
    path: &Path,
    file_len: u64,
) -> Result<KeyedVectors, Word2VecError> {
    let err = |offset: u64, message: String| Word2VecError::Binary {
        path: path.to_path_buf(),
        offset,
        message,
    };
    let io = |e| Word2VecError::io(path, e);
    let mut bytes = Vec::new();
    (&mut r)
        .take(1000)
        .read_until(b'\n', &mut bytes)
        .map_err(io)?;
    if bytes.last() != Some(&b'\n') {
        return Err(err(0, "no \"COUNT DIM\" header line".into()));
    }
    let header = std::str::from_utf8(&bytes).map_err(|_| err(0, "header is not text".into()))?;
    let (count, dim) = parse_header(header).map_err(|m| err(0, m))?;
    let mut offset = bytes.len() as u64;
    if (dim as u64).saturating_mul(4) > file_len {
        return Err(err(
            0,
            format!("header DIM = {dim} is larger than the whole file allows"),
        ));
    }
    // Never trust the header for an allocation: a float takes 4 bytes of the file.
    let capacity = count.saturating_mul(dim).min((file_len / 4) as usize);
    let mut vectors = Vec::with_capacity(capacity);
    let mut words = Vec::with_capacity(count.min(capacity));
    let mut seen = HashSet::new();
    let mut raw = vec![0u8; dim * 4];
    for i in 0..count {
        offset += skip_whitespace(&mut r).map_err(io)?;
        bytes.clear();
        (&mut r)
            .take(MAX_WORD_BYTES + 1)
            .read_until(b' ', &mut bytes)
            .map_err(io)?;
        if bytes.last() != Some(&b' ') {
            let message = if bytes.len() as u64 > MAX_WORD_BYTES {
                format!(
                    "word {} of {count} is longer than {MAX_WORD_BYTES} bytes",
                    i + 1
                )
            } else {
                format!("file ends before word {} of the header's {count}", i + 1)
            };
            return Err(err(offset, message));
        }
        bytes.pop();
        let word = std::str::from_utf8(&bytes)
            .map_err(|_| err(offset, format!("word {} is not valid UTF-8", i + 1)))?
            .to_string();
        if !seen.insert(word.clone()) {
            return Err(err(offset, format!("word {word:?} appears twice")));
        }
        offset += bytes.len() as u64 + 1;
        r.read_exact(&mut raw).map_err(|e| match e.kind() {
            std::io::ErrorKind::UnexpectedEof => err(
                offset,
                format!("file ends inside the {dim} floats of word {word:?}"),
            ),
            _ => io(e),
        })?;
        offset += raw.len() as u64;
        vectors.extend(
            raw.chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
        );
        words.push(word);
    }
    KeyedVectors::new(words, vectors, dim)
}

/// Consumes ASCII whitespace (the newline after each vector); returns how many bytes it skipped.
fn skip_whitespace(r: &mut impl BufRead) -> std::io::Result<u64> {
    let mut skipped = 0;
    loop {
        let buf = r.fill_buf()?;
        let n = buf.iter().take_while(|b| b.is_ascii_whitespace()).count();
        let more = n == buf.len() && n > 0;
        r.consume(n);
        skipped += n as u64;
        if !more {
            return Ok(skipped);
        }
    }
}
