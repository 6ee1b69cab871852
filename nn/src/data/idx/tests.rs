use std::io::Write;
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::GzEncoder;

use super::*;

/// An IDX file of unsigned bytes with these dimensions and elements.
fn idx(dims: &[u32], data: &[u8]) -> Vec<u8> {
    let mut bytes = vec![0, 0, UNSIGNED_BYTE, dims.len() as u8];
    dims.iter()
        .for_each(|d| bytes.extend_from_slice(&d.to_be_bytes()));
    bytes.extend_from_slice(data);
    bytes
}

/// Three 2×3 images whose pixels count 0, 13, 26, …
fn images() -> Vec<u8> {
    let pixels: Vec<u8> = (0..18).map(|i| (i * 13) as u8).collect();
    idx(&[3, 2, 3], &pixels)
}

fn labels() -> Vec<u8> {
    idx(&[3], &[4, 0, 9])
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn plain_and_gzip_files_load_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let plain = load_idx(
        write(dir.path(), "images", &images()),
        write(dir.path(), "labels", &labels()),
    )
    .unwrap();
    let zipped = load_idx(
        write(dir.path(), "images.gz", &gzip(&images())),
        write(dir.path(), "labels.gz", &gzip(&labels())),
    )
    .unwrap();
    assert_eq!(plain, zipped);
    let (images, labels) = plain;
    assert_eq!((images.len(), images.rows(), images.cols()), (3, 2, 3));
    assert_eq!(labels, [4, 0, 9]);
    assert_eq!(images.pixels()[17], 221);
    let x = images.to_tensor::<f64>();
    assert_eq!(x.dims(), [3, 1, 2, 3]);
    assert_eq!(x.get(&[2, 0, 1, 2]), 221.0 / 255.0);
    assert_eq!(x.get(&[0, 0, 0, 0]), 0.0);
}

#[test]
fn a_file_cut_at_any_byte_is_truncated_there() {
    let dir = tempfile::tempdir().unwrap();
    for (whole, rank) in [(images(), 3), (labels(), 1)] {
        let header = 4 + 4 * rank;
        for cut in 0..whole.len() {
            let path = write(dir.path(), "cut", &whole[..cut]);
            let err = read_idx(&path, rank as u8).unwrap_err();
            let needed = if cut < 4 {
                4
            } else if cut < header {
                header
            } else {
                whole.len()
            };
            match err {
                IdxError::Truncated {
                    position,
                    needed: n,
                    ..
                } => assert_eq!((position, n), (cut as u64, needed as u128), "cut at {cut}"),
                other => panic!("cut at {cut}: {other}"),
            }
            let zipped = write(dir.path(), "cut.gz", &gzip(&whole[..cut]));
            match read_idx(&zipped, rank as u8).unwrap_err() {
                IdxError::Truncated { position, .. } => assert_eq!(position, cut as u64),
                other => panic!("gzip cut at {cut}: {other}"),
            }
        }
    }
}

#[test]
fn a_byte_past_the_declared_end_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut long = labels();
    long.push(1);
    for name in ["long", "long.gz"] {
        let bytes = if name == "long" {
            long.clone()
        } else {
            gzip(&long)
        };
        let err = read_idx_labels(write(dir.path(), name, &bytes)).unwrap_err();
        assert!(
            matches!(err, IdxError::TrailingBytes { position: 11, .. }),
            "{name}: {err}"
        );
    }
}

#[test]
fn every_flipped_header_bit_is_a_typed_error() {
    let dir = tempfile::tempdir().unwrap();
    let whole = images();
    for byte in 0..16 {
        for bit in 0..8 {
            let mut bytes = whole.clone();
            bytes[byte] ^= 1 << bit;
            let path = write(dir.path(), "flipped", &bytes);
            let err = read_idx_images(&path).unwrap_err();
            let expected = match (byte, &err) {
                (0 | 1, IdxError::BadMagic { .. }) => true,
                (2, IdxError::WrongType { found, .. }) => *found == bytes[2],
                (3, IdxError::WrongRank { found, .. }) => *found == bytes[3],
                (4.., IdxError::Truncated { .. } | IdxError::TrailingBytes { .. }) => true,
                _ => false,
            };
            assert!(expected, "byte {byte} bit {bit}: {err}");
        }
    }
}

#[test]
fn flipped_bits_anywhere_in_a_gzip_file_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let whole = gzip(&labels());
    for byte in 0..whole.len() {
        for bit in 0..8 {
            let mut bytes = whole.clone();
            bytes[byte] ^= 1 << bit;
            // Some flips (in the gzip header's flags or time stamp) still decode: either way
            // the reader returns, and what it returns is the labels or a typed error.
            if let Ok(labels) = read_idx_labels(write(dir.path(), "flipped.gz", &bytes)) {
                assert_eq!(labels, [4, 0, 9], "byte {byte} bit {bit}");
            }
        }
    }
}

#[test]
fn a_header_declaring_two_to_the_forty_pixels_is_truncated_not_allocated() {
    let dir = tempfile::tempdir().unwrap();
    let forged = idx(&[1 << 20, 1 << 10, 1 << 10], &[1, 2, 3]);
    for name in ["forged", "forged.gz"] {
        let bytes = if name == "forged" {
            forged.clone()
        } else {
            gzip(&forged)
        };
        let err = read_idx_images(write(dir.path(), name, &bytes)).unwrap_err();
        assert!(
            matches!(err, IdxError::Truncated { position: 19, needed, .. } if needed == 16 + (1 << 40)),
            "{name}: {err}"
        );
    }
}

#[test]
fn wrong_types_ranks_and_counts() {
    let dir = tempfile::tempdir().unwrap();
    let images_path = write(dir.path(), "images", &images());
    let err = read_idx_labels(&images_path).unwrap_err();
    assert!(
        matches!(
            err,
            IdxError::WrongRank {
                found: 3,
                expected: 1,
                ..
            }
        ),
        "{err}"
    );
    let mut floats = labels();
    floats[2] = 0x0D;
    let err = read_idx_labels(write(dir.path(), "floats", &floats)).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}: byte 2: element type code 0x0d, expected 0x08",
            dir.path().join("floats").display()
        )
    );
    let two = write(dir.path(), "two", &idx(&[2], &[1, 2]));
    let err = load_idx(&images_path, &two).unwrap_err();
    assert!(
        matches!(
            err,
            IdxError::CountMismatch {
                images: 3,
                labels: 2,
                ..
            }
        ),
        "{err}"
    );
    let err = read_idx_labels(dir.path().join("missing")).unwrap_err();
    assert!(matches!(err, IdxError::Io { position: 0, .. }), "{err}");
}
