//! The readers the examples have of their own: `imdb`'s review folders and labelled sentence
//! file, `char_rnn`'s character corpus.

use std::path::Path;

use examples::{CharCorpus, CharCorpusError, ReviewsError, read_acl_part, read_labelled_sentences};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use tests::{allocation_cap, fuzz, largest_allocation_by, mangled};

use super::{CI_CASES, names_file, read_file};

/// Checks that a reported byte offset is where the UTF-8 text of `bytes` really stops.
fn utf8_stops_at(bytes: &[u8], byte: usize) -> Result<(), TestCaseError> {
    prop_assert!(byte < bytes.len(), "byte {byte} of {}", bytes.len());
    prop_assert!(std::str::from_utf8(&bytes[..byte]).is_ok());
    prop_assert!(std::str::from_utf8(&bytes[byte..]).is_err());
    Ok(())
}

/// Review text: words, the dataset's `<br />` breaks and a character beyond ASCII.
fn review_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("good"),
        Just("bad film"),
        Just("<br />"),
        Just("café"),
        Just(" "),
    ];
    vec(piece, 0..6).prop_map(|pieces| pieces.concat())
}

/// Sentence files: labelled lines, blank lines, and lines with a wrong or missing label.
fn sentence_text() -> impl Strategy<Value = Vec<u8>> {
    let line = prop_oneof![
        review_text().prop_map(|t| format!("__label__pos {t}")),
        review_text().prop_map(|t| format!("__label__neg {t}")),
        Just(String::new()),
        Just("__label__pos".to_string()),
        Just("__label__maybe so-so".to_string()),
        review_text(),
    ];
    mangled(vec(line, 0..8).prop_map(|lines| lines.join("\n").into_bytes()))
}

#[test]
fn imdb_sentence_files() {
    fuzz("imdb sentences", CI_CASES, sentence_text(), |bytes| {
        let (result, path) = read_file("s.cor", &bytes, bytes.len(), read_labelled_sentences)?;
        match result {
            Ok(reviews) => {
                let text = std::str::from_utf8(&bytes).expect("it loaded as text");
                let labelled = text.lines().filter(|l| !l.trim().is_empty()).count();
                prop_assert_eq!(reviews.len(), labelled);
                prop_assert!(reviews.iter().all(|(_, y)| *y == 0.0 || *y == 1.0));
            }
            Err(e) => {
                names_file(&e.to_string(), &path)?;
                match e {
                    ReviewsError::BadLine { line, .. } => {
                        prop_assert!(line > 0 && line <= bytes.split(|&b| b == b'\n').count())
                    }
                    ReviewsError::NotUtf8 { byte, .. } => utf8_stops_at(&bytes, byte)?,
                    other => return Err(TestCaseError::fail(format!("unexpected {other:?}"))),
                }
            }
        }
        Ok(())
    });
}

/// One file of an aclImdb-like folder: its part, label folder, name, and (mangled) text.
fn review_file() -> impl Strategy<Value = (&'static str, &'static str, String, Vec<u8>)> {
    (
        prop::sample::select(vec!["train", "test"]),
        prop::sample::select(vec!["pos", "neg", "unsup"]),
        (0u32..20, prop::sample::select(vec!["txt", "TXT", "md", ""])).prop_map(|(n, ext)| {
            if ext.is_empty() {
                format!("{n}")
            } else {
                format!("{n}_7.{ext}")
            }
        }),
        mangled(review_text().prop_map(String::into_bytes)),
    )
}

/// Writes `files` under `dir` (a later file of the same path replaces an earlier one).
fn write_tree(dir: &Path, files: &[(&str, &str, String, Vec<u8>)]) -> Result<usize, TestCaseError> {
    let io = |e: std::io::Error| TestCaseError::fail(e.to_string());
    let mut total = 0;
    for (part, label, name, bytes) in files {
        let folder = dir.join(part).join(label);
        std::fs::create_dir_all(&folder).map_err(io)?;
        std::fs::write(folder.join(name), bytes).map_err(io)?;
        total += bytes.len();
    }
    Ok(total)
}

#[test]
fn imdb_review_folders() {
    fuzz(
        "imdb folders",
        CI_CASES,
        vec(review_file(), 0..12),
        |files| {
            let dir = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
            let total = write_tree(dir.path(), &files)?;
            let (result, largest) = largest_allocation_by(|| read_acl_part(dir.path(), "train"));
            prop_assert!(
                largest <= allocation_cap(total),
                "one allocation of {largest}"
            );
            match result {
                Ok(reviews) => {
                    let mut names: Vec<(&str, &str)> = files
                        .iter()
                        .filter(|(part, label, name, _)| {
                            *part == "train" && *label != "unsup" && name.ends_with(".txt")
                        })
                        .map(|(_, label, name, _)| (*label, name.as_str()))
                        .collect();
                    names.sort_unstable();
                    names.dedup();
                    prop_assert_eq!(reviews.len(), names.len());
                    prop_assert!(reviews.iter().all(|(text, _)| !text.contains("<br />")));
                }
                Err(e) => {
                    names_file(&e.to_string(), &dir.path().display().to_string())?;
                    match e {
                        ReviewsError::Io { path, .. } => prop_assert!(!path.is_dir()),
                        ReviewsError::NotUtf8 { path, byte } => {
                            let bytes = std::fs::read(&path).expect("the file it named");
                            utf8_stops_at(&bytes, byte)?
                        }
                        other => return Err(TestCaseError::fail(format!("unexpected {other:?}"))),
                    }
                }
            }
            Ok(())
        },
    );
}

/// Corpus text: ASCII and wider characters, spaces and line ends.
fn char_text() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just("the cat "),
        Just("\n"),
        Just("é"),
        Just("日本"),
        Just("🦀"),
        Just("x"),
    ];
    mangled(vec(piece, 0..30).prop_map(|pieces| pieces.concat().into_bytes()))
}

#[test]
fn char_corpora() {
    const MAX: usize = 40;
    const MIN: usize = 10;
    fuzz("char corpus", CI_CASES, char_text(), |bytes| {
        let (result, path) = read_file("c.txt", &bytes, bytes.len(), |p| {
            CharCorpus::read(p, MAX, MIN)
        })?;
        match result {
            Ok(corpus) => {
                let text = std::str::from_utf8(&bytes).expect("it loaded as text");
                let chars: Vec<char> = text
                    .chars()
                    .map(|c| if c == '\n' { ' ' } else { c })
                    .take(MAX)
                    .collect();
                prop_assert!(chars.len() >= MIN, "{} characters accepted", chars.len());
                prop_assert!(corpus.alphabet.windows(2).all(|w| w[0] < w[1]));
                let decoded: Vec<char> = corpus
                    .ids
                    .iter()
                    .map(|&i| corpus.alphabet[i as usize])
                    .collect();
                prop_assert_eq!(decoded, chars);
            }
            Err(e) => {
                names_file(&e.to_string(), &path)?;
                match e {
                    CharCorpusError::TooShort { chars, needed, .. } => {
                        prop_assert!(chars < needed && needed == MIN)
                    }
                    CharCorpusError::NotUtf8 { byte, .. } => utf8_stops_at(&bytes, byte)?,
                    other => return Err(TestCaseError::fail(format!("unexpected {other:?}"))),
                }
            }
        }
        Ok(())
    });
}
