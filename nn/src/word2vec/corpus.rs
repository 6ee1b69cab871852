//! Streaming tokenisation of a corpus file: whitespace-separated words, one sentence per line.
//!
//! Nothing here holds more than one word in memory, so a corpus larger than memory works: the
//! vocabulary scan and every training thread read the file through a [`WordReader`].

use std::fs::File;
use std::io::{BufRead, BufReader, Seek, SeekFrom};
use std::path::Path;

use super::error::Word2VecError;

/// Sentences longer than this are split, as gensim's `LineSentence` and `corpus_file` do.
pub const MAX_SENTENCE_LEN: usize = 10_000;

/// Longer words are cut to this many bytes (the original tool cuts at 100), so a file without
/// whitespace cannot fill memory with one "word".
pub const MAX_WORD_BYTES: usize = 1_000;

/// What [`WordReader::next_token`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token {
    /// A word; its bytes are in the buffer passed to `next_token`.
    Word,
    /// The end of a line (a sentence boundary).
    EndOfLine,
    /// The end of the input (or of the byte range being read).
    End,
}

/// Reads words and line ends from a buffered byte stream, counting the bytes it consumed.
pub struct WordReader<R> {
    inner: R,
    offset: u64,
}

impl<R: BufRead> WordReader<R> {
    /// Wraps a buffered reader whose first byte is at `offset` in the file.
    pub fn new(inner: R, offset: u64) -> Self {
        WordReader { inner, offset }
    }

    /// The file offset of the next unread byte.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Reads the next token; a word's bytes are left in `word` (cleared first).
    /// Spaces, tabs and carriage returns separate words; a newline also ends the sentence.
    pub fn next_token(&mut self, word: &mut Vec<u8>) -> std::io::Result<Token> {
        word.clear();
        loop {
            let buf = match self.inner.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if buf.is_empty() {
                return Ok(if word.is_empty() {
                    Token::End
                } else {
                    Token::Word
                });
            }
            let mut used = 0;
            for &b in buf {
                match b {
                    b' ' | b'\t' | b'\r' | b'\n' => {
                        if !word.is_empty() {
                            // Leave the separator unread: a newline is still to be reported.
                            self.consume(used);
                            return Ok(Token::Word);
                        }
                        used += 1;
                        if b == b'\n' {
                            self.consume(used);
                            return Ok(Token::EndOfLine);
                        }
                    }
                    _ => {
                        if word.len() < MAX_WORD_BYTES {
                            word.push(b);
                        }
                        used += 1;
                    }
                }
            }
            self.consume(used);
        }
    }

    fn consume(&mut self, n: usize) {
        self.inner.consume(n);
        self.offset += n as u64;
    }
}

/// Opens `path` for reading the bytes from `start` on, skipping the partial word at `start` when
/// `start > 0` (as the original tool does when it splits the corpus among threads).
pub fn open_at(path: &Path, start: u64) -> Result<WordReader<BufReader<File>>, Word2VecError> {
    let io = |e| Word2VecError::io(path, e);
    let mut file = File::open(path).map_err(io)?;
    file.seek(SeekFrom::Start(start)).map_err(io)?;
    let mut reader = WordReader::new(BufReader::with_capacity(1 << 16, file), start);
    if start > 0 {
        // Step back one byte so that a word beginning exactly at `start` is kept.
        let mut prev = [0u8];
        let mut file = File::open(path).map_err(io)?;
        file.seek(SeekFrom::Start(start - 1)).map_err(io)?;
        std::io::Read::read_exact(&mut file, &mut prev).map_err(io)?;
        if !prev[0].is_ascii_whitespace() {
            let mut skipped = Vec::new();
            reader.next_token(&mut skipped).map_err(io)?;
        }
    }
    Ok(reader)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Vec<String> {
        let mut r = WordReader::new(text.as_bytes(), 0);
        let mut w = Vec::new();
        let mut out = Vec::new();
        loop {
            match r.next_token(&mut w).unwrap() {
                Token::Word => out.push(String::from_utf8(w.clone()).unwrap()),
                Token::EndOfLine => out.push("\\n".into()),
                Token::End => return out,
            }
        }
    }

    #[test]
    fn splits_words_and_lines() {
        assert_eq!(
            tokens("a bb\t c\r\nd\n\ne"),
            ["a", "bb", "c", "\\n", "d", "\\n", "\\n", "e"]
        );
        assert_eq!(tokens(""), Vec::<String>::new());
        let long = "x".repeat(MAX_WORD_BYTES + 5);
        assert_eq!(
            tokens(&format!("{long} y")),
            ["x".repeat(MAX_WORD_BYTES), "y".into()]
        );
    }

    #[test]
    fn open_at_skips_partial_word() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.txt");
        std::fs::write(&path, "alpha beta gamma").unwrap();
        let mut w = Vec::new();
        let mut r = open_at(&path, 2).unwrap();
        assert_eq!(r.next_token(&mut w).unwrap(), Token::Word);
        assert_eq!(w, b"beta");
        let mut r = open_at(&path, 6).unwrap();
        assert_eq!(r.next_token(&mut w).unwrap(), Token::Word);
        assert_eq!(w, b"beta");
    }
}
