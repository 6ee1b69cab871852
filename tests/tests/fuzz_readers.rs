//! Bad input never panics: every reader of outside data is fed valid files, mangled ones
//! (truncated, bit-flipped, bytes inserted or repeated), random bytes, forged headers (2⁶⁰
//! elements, lengths past the end) and wrong element types. Each case must load, or return a
//! typed error that names the file and the position; none may panic, and none may make one
//! allocation larger than [`allocation_cap`] of what the file really holds. The readers the
//! examples have of their own are in [`example_readers`].
//!
//! CI runs a few hundred cases per reader; `tests/fuzz.sh MINUTES` runs each harness for that
//! long (see [`tests::fuzz`]).

use std::io::{Read, Write};
use std::path::Path;

use autodiff_core::{Param, Tensor, checkpoint};
use nn::data::{CsvOptions, DataError, IdxError, load_csv, read_idx_images, read_idx_labels};
use nn::word2vec::{
    Format, KeyedVectors, Vocab, VocabConfig, Word2VecError, read_analogies, read_word_pairs,
};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use tests::{allocation_cap, fuzz, largest_allocation_by, mangled};

#[path = "fuzz_readers/example_readers.rs"]
mod example_readers;

#[global_allocator]
static GLOBAL: tests::CountingAllocator = tests::CountingAllocator;

/// Cases per reader in a CI run (a few seconds each).
const CI_CASES: u32 = 300;

/// Writes `bytes` to `name` in a fresh folder, runs `read` on it, and checks the allocation
/// cap against `data_len` (the bytes the reader can really get out of the file: the file's
/// length, or the decompressed length of a gzip file).
fn read_file<R>(
    name: &str,
    bytes: &[u8],
    data_len: usize,
    read: impl FnOnce(&Path) -> R,
) -> Result<(R, String), TestCaseError> {
    let dir = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let (result, largest) = largest_allocation_by(|| read(&path));
    let cap = allocation_cap(data_len);
    prop_assert!(
        largest <= cap,
        "one allocation of {largest} bytes for {data_len} bytes of data (cap {cap})"
    );
    Ok((result, path.display().to_string()))
}

/// Checks that an error's message starts with the file's path.
fn names_file(message: &str, path: &str) -> Result<(), TestCaseError> {
    prop_assert!(
        message.starts_with(path),
        "error does not name the file: {message}"
    );
    Ok(())
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).expect("writing to a Vec");
    enc.finish().expect("writing to a Vec")
}

/// How many bytes a gzip reader can get out of `bytes` before the stream ends or breaks.
fn gunzipped_len(bytes: &[u8]) -> usize {
    let mut dec = flate2::read::GzDecoder::new(bytes);
    let mut buf = [0u8; 4096];
    let mut total = 0;
    while let Ok(n) = dec.read(&mut buf) {
        if n == 0 {
            break;
        }
        total += n;
    }
    total
}

/// Numbers as CSV files and word vectors write them, and some that are not numbers.
fn field() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<f32>().prop_map(|x| x.to_string()),
        (-1000i32..1000).prop_map(|x| x.to_string()),
        Just("NaN".to_string()),
        Just("NA".to_string()),
        Just(String::new()),
        Just("\"3\"".to_string()),
        Just("1e309".to_string()),
        Just("x".to_string()),
    ]
}

/// CSV text: an optional header line and rows of fields.
fn csv_text() -> impl Strategy<Value = Vec<u8>> {
    (1usize..5, 0usize..8, any::<bool>()).prop_flat_map(|(cols, rows, header)| {
        vec(vec(field(), cols), rows).prop_map(move |rows| {
            let mut text = String::new();
            if header {
                let names: Vec<String> = (0..cols).map(|c| format!("c{c}")).collect();
                text += &(names.join(",") + "\n");
            }
            for row in rows {
                text += &(row.join(",") + "\n");
            }
            text.into_bytes()
        })
    })
}

fn csv_options() -> impl Strategy<Value = CsvOptions> {
    (0usize..3, any::<bool>(), any::<bool>()).prop_map(|(skip_lines, header, allow_missing)| {
        CsvOptions {
            skip_lines,
            header,
            allow_missing,
            ..CsvOptions::default()
        }
    })
}

/// Checks one CSV outcome: a table whose size matches its values, or an error naming the file
/// and, for a parse or shape problem, the line.
fn check_csv(result: Result<nn::data::Table, DataError>, path: &str) -> Result<(), TestCaseError> {
    match result {
        Ok(t) => prop_assert_eq!(t.values.len(), t.rows * t.cols),
        Err(e) => {
            names_file(&e.to_string(), path)?;
            let positioned = match &e {
                DataError::Parse { line, .. } | DataError::Ragged { line, .. } => *line > 0,
                DataError::Csv { line, .. } => line.is_some(),
                DataError::Empty { .. } => true,
                other => return Err(TestCaseError::fail(format!("unexpected error {other:?}"))),
            };
            prop_assert!(positioned, "no line in {}", e);
        }
    }
    Ok(())
}

#[test]
fn csv_files() {
    fuzz(
        "csv",
        CI_CASES,
        (mangled(csv_text()), csv_options()),
        |(bytes, options)| {
            let (result, path) =
                read_file("data.csv", &bytes, bytes.len(), |p| load_csv(p, &options))?;
            check_csv(result, &path)
        },
    );
}

#[test]
fn gzip_csv_files() {
    // Mangle the text before compressing (a valid stream of bad CSV) and the stream after
    // (a broken stream).
    let streams = prop_oneof![
        mangled(csv_text()).prop_map(|text| gzip(&text)),
        mangled(csv_text().prop_map(|text| gzip(&text))),
    ];
    fuzz(
        "csv.gz",
        CI_CASES,
        (streams, csv_options()),
        |(bytes, options)| {
            let data_len = gunzipped_len(&bytes).max(bytes.len());
            let (result, path) =
                read_file("data.csv.gz", &bytes, data_len, |p| load_csv(p, &options))?;
            check_csv(result, &path)
        },
    );
}

/// The model every checkpoint is loaded into: two f32 parameters.
fn model() -> Vec<Param<f32>> {
    vec![
        Param::new(Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [3, 2])),
        Param::new(Tensor::from_vec(vec![7.0, 8.0], [2])),
    ]
}

/// The bytes of a valid checkpoint of [`model`] with random values.
fn valid_checkpoint() -> impl Strategy<Value = Vec<u8>> {
    vec(any::<f32>(), 8).prop_map(|values| {
        let m = vec![
            Param::new(Tensor::from_vec(values[..6].to_vec(), [3, 2])),
            Param::new(Tensor::from_vec(values[6..].to_vec(), [2])),
        ];
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("m.safetensors");
        checkpoint::save(&m, &path).expect("saving a checkpoint");
        std::fs::read(&path).expect("reading it back")
    })
}

/// A safetensors file whose header is forged: any dtype (some the model does not hold), shapes
/// of up to 2⁶⁰ elements, offsets past the end, and a header length that may lie.
fn forged_checkpoint() -> impl Strategy<Value = Vec<u8>> {
    let dtype = prop::sample::select(vec!["F32", "F64", "I64", "BF16", "U8", "BOOL", "F8_E4M3"]);
    let big = prop_oneof![0u64..10, Just(1 << 30), Just(1 << 60), Just(u64::MAX)];
    let tensor = (
        prop::sample::select(vec!["0", "1", "x"]),
        dtype,
        vec(big.clone(), 0..3),
        big.clone(),
        big,
    );
    (vec(tensor, 1..3), any::<bool>(), 0usize..64).prop_map(|(tensors, lie, data)| {
        let entries: Vec<String> = tensors
            .iter()
            .map(|(name, dtype, shape, start, end)| {
                format!(
                    "\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":{shape:?},\"data_offsets\":[{start},{end}]}}"
                )
            })
            .collect();
        let header = format!("{{{}}}", entries.join(","));
        let len = if lie { 1u64 << 60 } else { header.len() as u64 };
        let mut bytes = len.to_le_bytes().to_vec();
        bytes.extend_from_slice(header.as_bytes());
        bytes.resize(bytes.len() + data, 0x3f);
        bytes
    })
}

#[test]
fn checkpoints() {
    let files = prop_oneof![
        4 => mangled(valid_checkpoint()),
        1 => forged_checkpoint(),
    ];
    fuzz("checkpoint", CI_CASES, files, |bytes| {
        // The tensors each case drops go to the buffer pool, whose free list would otherwise
        // grow across cases and be counted against the reader.
        autodiff_core::pool::release::<f32>();
        let mut m = model();
        let before: Vec<Vec<f32>> = m.iter().map(|p| p.value().data().to_vec()).collect();
        let (result, path) = read_file("m.safetensors", &bytes, bytes.len(), |p| {
            checkpoint::load(&mut m, p)
        })?;
        if let Err(e) = result {
            names_file(&e.to_string(), &path)?;
            let after: Vec<Vec<f32>> = m.iter().map(|p| p.value().data().to_vec()).collect();
            prop_assert_eq!(before, after, "a failed load changed the model");
        }
        Ok(())
    });
}

/// Word vectors with distinct words (some not ASCII) saved in `format`.
fn vectors_file(format: Format) -> impl Strategy<Value = Vec<u8>> {
    let word = vec(
        prop::sample::select(vec!['a', 'b', 'é', 'z', '_', '名']),
        1..6,
    )
    .prop_map(|cs| cs.into_iter().collect::<String>());
    (1usize..5, vec(word, 0..6)).prop_flat_map(move |(dim, mut words)| {
        words.sort();
        words.dedup();
        let n = words.len();
        vec(any::<f32>(), n * dim).prop_map(move |values| {
            let kv = KeyedVectors::new(words.clone(), values, dim).expect("distinct words");
            let dir = tempfile::tempdir().expect("a temporary folder");
            let path = dir.path().join("v");
            nn::word2vec::save(&kv, &path, format).expect("saving vectors");
            std::fs::read(&path).expect("reading them back")
        })
    })
}

/// A `COUNT DIM` header with forged numbers in front of a (valid or mangled) body.
fn forged_header(body: impl Strategy<Value = Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    let number = prop::sample::select(vec![
        "0",
        "1",
        "3",
        "4294967296",
        "1152921504606846976",
        "18446744073709551615",
        "18446744073709551616",
        "-1",
        "2.5",
    ]);
    (number.clone(), number, body).prop_map(|(count, dim, body)| {
        let old_header_end = body.iter().position(|&b| b == b'\n').map_or(0, |i| i + 1);
        let mut bytes = format!("{count} {dim}\n").into_bytes();
        bytes.extend_from_slice(&body[old_header_end..]);
        bytes
    })
}

fn check_vectors(
    format: Format,
    name: &'static str,
) -> impl Fn(Vec<u8>) -> Result<(), TestCaseError> {
    move |bytes| {
        let (result, path) =
            read_file(name, &bytes, bytes.len(), |p| nn::word2vec::load(p, format))?;
        match result {
            Ok(kv) => prop_assert_eq!(kv.vectors().len(), kv.len() * kv.dim()),
            Err(e) => {
                names_file(&e.to_string(), &path)?;
                let positioned = match (format, &e) {
                    (Format::Text, Word2VecError::Parse { line, .. }) => *line > 0,
                    (Format::Binary, Word2VecError::Binary { .. }) => true,
                    _ => false,
                };
                prop_assert!(positioned, "no position in {e:?}");
            }
        }
        Ok(())
    }
}

#[test]
fn word2vec_text_vectors() {
    let files = prop_oneof![
        3 => mangled(vectors_file(Format::Text)),
        1 => forged_header(mangled(vectors_file(Format::Text))),
    ];
    fuzz(
        "word2vec text",
        CI_CASES,
        files,
        check_vectors(Format::Text, "v.txt"),
    );
}

#[test]
fn word2vec_binary_vectors() {
    let files = prop_oneof![
        3 => mangled(vectors_file(Format::Binary)),
        1 => forged_header(mangled(vectors_file(Format::Binary))),
    ];
    fuzz(
        "word2vec binary",
        CI_CASES,
        files,
        check_vectors(Format::Binary, "v.bin"),
    );
}

/// Corpus text: words (some longer than the reader keeps), spaces, tabs and line ends.
fn corpus_text() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        vec(prop::sample::select(b"abcxyz\xc3\xa9".to_vec()), 1..8),
        Just(b" ".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\t\r\n".to_vec()),
        (1usize..3000).prop_map(|n| vec![b'w'; n]),
    ];
    vec(piece, 0..40).prop_map(|pieces| pieces.concat())
}

#[test]
fn corpora() {
    let config = VocabConfig {
        min_count: 1,
        ..VocabConfig::default()
    };
    fuzz("corpus", CI_CASES, mangled(corpus_text()), |bytes| {
        let (result, path) = read_file("corpus.txt", &bytes, bytes.len(), |p| {
            Vocab::from_corpus(p, &config)
        })?;
        match result {
            Ok(vocab) => {
                prop_assert!(vocab.corpus_words() >= vocab.train_words());
                let longest = vocab.words().iter().map(|w| w.len()).max().unwrap_or(0);
                // each byte that is not UTF-8 becomes U+FFFD, three bytes
                prop_assert!(longest <= 3 * nn::word2vec::MAX_WORD_BYTES);
            }
            Err(Word2VecError::EmptyVocabulary { .. }) => {
                prop_assert!(bytes.iter().all(|b| b.is_ascii_whitespace()));
            }
            Err(e) => names_file(&e.to_string(), &path)?,
        }
        Ok(())
    });
}

/// Evaluation files: analogy questions and scored word pairs, valid lines and broken ones.
fn evaluation_text() -> impl Strategy<Value = Vec<u8>> {
    let line = prop_oneof![
        Just(": capital-common-countries".to_string()),
        Just("Athens Greece Baghdad Iraq".to_string()),
        Just("tiger cat 7.35".to_string()),
        Just("# a comment".to_string()),
        Just("a b".to_string()),
        field().prop_map(|f| format!("x y {f}")),
    ];
    mangled(vec(line, 0..8).prop_map(|lines| lines.join("\n").into_bytes()))
}

#[test]
fn evaluation_files() {
    fuzz("evaluation", CI_CASES, evaluation_text(), |bytes| {
        let (analogies, analogies_path) = read_file("q.txt", &bytes, bytes.len(), read_analogies)?;
        let (pairs, pairs_path) = read_file("q.txt", &bytes, bytes.len(), read_word_pairs)?;
        let errors = [
            analogies.err().map(|e| (e, analogies_path)),
            pairs.err().map(|e| (e, pairs_path)),
        ];
        for (e, path) in errors.into_iter().flatten() {
            names_file(&e.to_string(), &path)?;
            let positioned = match &e {
                Word2VecError::Parse { line, .. } => *line > 0,
                _ => false,
            };
            prop_assert!(positioned, "no line in {e:?}");
        }
        Ok(())
    });
}

/// An IDX file of unsigned bytes with the given dimensions (a forged one may hold less).
fn idx_bytes(code: u8, dims: &[u32], body: usize) -> Vec<u8> {
    let mut bytes = vec![0, 0, code, dims.len() as u8];
    for d in dims {
        bytes.extend_from_slice(&d.to_be_bytes());
    }
    bytes.extend((0..body).map(|i| i as u8));
    bytes
}

/// Valid images and labels files, and forged headers (2³²−1 per dimension, wrong type codes
/// and ranks).
fn idx_file() -> impl Strategy<Value = Vec<u8>> {
    let valid_images = (0u32..4, 1u32..5, 1u32..5)
        .prop_map(|(n, r, c)| idx_bytes(0x08, &[n, r, c], (n * r * c) as usize));
    let valid_labels = (0u32..20).prop_map(|n| idx_bytes(0x08, &[n], n as usize));
    let big = prop_oneof![0u32..4, Just(u32::MAX), Just(1 << 31)];
    let forged = (
        prop::sample::select(vec![0x08u8, 0x09, 0x0b, 0x0d, 0x0e]),
        vec(big, 0..5),
        0usize..64,
    )
        .prop_map(|(code, dims, body)| idx_bytes(code, &dims, body));
    mangled(prop_oneof![valid_images, valid_labels, forged])
}

fn check_idx<T>(result: Result<T, IdxError>, path: &str) -> Result<(), TestCaseError> {
    if let Err(e) = result {
        let message = e.to_string();
        names_file(&message, path)?;
        prop_assert!(
            message[path.len()..].starts_with(": byte "),
            "no byte position in {message}"
        );
    }
    Ok(())
}

#[test]
fn idx_files() {
    let files = prop_oneof![
        idx_file().prop_map(|b| (b, false)),
        idx_file().prop_map(|b| (gzip(&b), true)),
        mangled(idx_file().prop_map(|b| gzip(&b))).prop_map(|b| (b, true)),
    ];
    fuzz("idx", CI_CASES, files, |(bytes, gz)| {
        let data_len = if gz {
            gunzipped_len(&bytes).max(bytes.len())
        } else {
            bytes.len()
        };
        let (images, path) = read_file("images", &bytes, data_len, |p| read_idx_images(p))?;
        if let Ok(images) = &images {
            prop_assert_eq!(
                images.pixels().len(),
                images.len() * images.rows() * images.cols()
            );
        }
        check_idx(images, &path)?;
        let (labels, path) = read_file("labels", &bytes, data_len, |p| read_idx_labels(p))?;
        check_idx(labels, &path)
    });
}
