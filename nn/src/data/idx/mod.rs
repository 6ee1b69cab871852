//! A reader for the IDX format of MNIST and Fashion-MNIST, plain or gzip-compressed (detected by
//! the gzip magic bytes, not the file name).
//!
//! An IDX file is a header — two zero bytes, an element type code (0x08 for unsigned bytes, the
//! only one these data sets use), the number of dimensions, then each dimension as a big-endian
//! `u32` — followed by the elements, row-major. Images are `[count, rows, cols]`, labels
//! `[count]`.
//!
//! Images come back as their raw bytes ([`IdxImages`]), and [`IdxImages::to_tensor`] converts
//! them to a `[count, 1, rows, cols]` tensor (NCHW, one channel) scaled to [0, 1]: the bytes are
//! a quarter of the size of the floats and are what the file holds, so the scaling is chosen
//! once, where it is used. Labels are a `Vec<u8>`.
//!
//! Mangled files return an [`IdxError`] naming the file and the byte position, never a panic.
//! The size the header declares is checked against the file's length before anything is
//! allocated, so a forged dimension cannot make the reader allocate more than the file holds;
//! a gzip file, whose decompressed length is unknown in advance, is read in chunks and stops
//! one byte past the declared size.
//!
//! ```
//! use nn::data::{IdxError, load_idx};
//! # let dir = tempfile::tempdir().unwrap();
//! # let images = dir.path().join("images");
//! # let labels = dir.path().join("labels");
//! // Two 2×2 images and their labels, written as IDX files.
//! std::fs::write(&images, [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 0, 255, 51, 102, 1, 2, 3, 4]).unwrap();
//! std::fs::write(&labels, [0, 0, 8, 1, 0, 0, 0, 2, 7, 3]).unwrap();
//! let (images, labels) = load_idx(&images, &labels).unwrap();
//! assert_eq!((images.len(), images.rows(), images.cols()), (2, 2, 2));
//! assert_eq!(labels, [7, 3]);
//! let x = images.to_tensor::<f32>();
//! assert_eq!(x.dims(), [2, 1, 2, 2]);
//! assert_eq!(&x.data()[..4], &[0.0, 1.0, 0.2, 0.4]);
//!
//! // A file cut short says where it ends and how long it should be.
//! std::fs::write(dir.path().join("cut"), [0, 0, 8, 1, 0, 0, 0, 5, 1, 2]).unwrap();
//! let err = nn::data::read_idx_labels(dir.path().join("cut")).unwrap_err();
//! assert!(matches!(err, IdxError::Truncated { position: 10, needed: 13, .. }), "{err}");
//! ```

mod error;
#[cfg(test)]
mod tests;

pub use error::IdxError;

use std::fs::File;
use std::io::{BufRead, BufReader, ErrorKind, Read};
use std::path::{Path, PathBuf};

use autodiff_core::{Float, Tensor};
use flate2::read::GzDecoder;

/// The element type code of unsigned bytes, the only one MNIST's files use.
const UNSIGNED_BYTE: u8 = 0x08;
/// The first two bytes of every gzip file.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
/// How much of a gzip stream is decompressed at a time.
const CHUNK: usize = 64 * 1024;

/// Grey-scale images as stored in an IDX file: `len()` images of `rows × cols` bytes, row-major.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdxImages {
    count: usize,
    rows: usize,
    cols: usize,
    pixels: Vec<u8>,
}

impl IdxImages {
    /// The number of images.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether there is no image.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The height of each image.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The width of each image.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Every pixel, image after image, row-major (0 is the background in MNIST).
    pub fn pixels(&self) -> &[u8] {
        &self.pixels
    }

    /// The images as `[len, 1, rows, cols]` (NCHW, one channel), each byte divided by 255.
    pub fn to_tensor<T: Float>(&self) -> Tensor<T> {
        let scale = 1.0 / 255.0;
        Tensor::from_fn([self.count, 1, self.rows, self.cols], |i| {
            T::lit(f64::from(self.pixels[i]) * scale)
        })
    }
}

/// Reads an IDX images file (`[count, rows, cols]` unsigned bytes), plain or gzip.
pub fn read_idx_images(path: impl AsRef<Path>) -> Result<IdxImages, IdxError> {
    let (dims, pixels) = read_idx(path.as_ref(), 3)?;
    Ok(IdxImages {
        count: dims[0],
        rows: dims[1],
        cols: dims[2],
        pixels,
    })
}

/// Reads an IDX labels file (`[count]` unsigned bytes), plain or gzip.
pub fn read_idx_labels(path: impl AsRef<Path>) -> Result<Vec<u8>, IdxError> {
    read_idx(path.as_ref(), 1).map(|(_, labels)| labels)
}

/// Reads an images file and its labels file, checking they hold as many items.
pub fn load_idx(
    images: impl AsRef<Path>,
    labels: impl AsRef<Path>,
) -> Result<(IdxImages, Vec<u8>), IdxError> {
    let (images_path, labels_path) = (images.as_ref(), labels.as_ref());
    let images = read_idx_images(images_path)?;
    let labels = read_idx_labels(labels_path)?;
    if images.len() != labels.len() {
        return Err(IdxError::CountMismatch {
            images_path: images_path.to_path_buf(),
            images: images.len(),
            labels_path: labels_path.to_path_buf(),
            labels: labels.len(),
        });
    }
    Ok((images, labels))
}

/// The dimensions and the elements of an IDX file of unsigned bytes with `rank` dimensions.
fn read_idx(path: &Path, rank: u8) -> Result<(Vec<usize>, Vec<u8>), IdxError> {
    let io = |source| IdxError::Io {
        path: path.to_path_buf(),
        position: 0,
        source,
    };
    let file = File::open(path).map_err(io)?;
    let file_len = file.metadata().map_err(io)?.len();
    let mut file = BufReader::new(file);
    let gzip = file.fill_buf().map_err(io)?.starts_with(&GZIP_MAGIC);
    if gzip {
        Source::new(path, GzDecoder::new(file)).read(rank, None)
    } else {
        Source::new(path, file).read(rank, Some(file_len))
    }
}

/// A reader that counts the bytes it has handed out, for error positions.
struct Source<'p, R> {
    path: &'p Path,
    reader: R,
    position: u64,
}

impl<'p, R: Read> Source<'p, R> {
    fn new(path: &'p Path, reader: R) -> Self {
        Source {
            path,
            reader,
            position: 0,
        }
    }

    fn path(&self) -> PathBuf {
        self.path.to_path_buf()
    }

    /// Reads until `buf` is full or the data ends; the number of bytes read.
    fn fill(&mut self, buf: &mut [u8]) -> Result<usize, IdxError> {
        let mut filled = 0;
        while filled < buf.len() {
            match self.reader.read(&mut buf[filled..]) {
                Ok(0) => break,
                Ok(n) => {
                    filled += n;
                    self.position += n as u64;
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(source) => {
                    return Err(IdxError::Io {
                        path: self.path(),
                        position: self.position,
                        source,
                    });
                }
            }
        }
        Ok(filled)
    }

    /// Fills `buf` completely, or says the data ends short of the `needed` bytes.
    fn exact(&mut self, buf: &mut [u8], needed: u128) -> Result<(), IdxError> {
        if self.fill(buf)? < buf.len() {
            return Err(self.truncated(needed));
        }
        Ok(())
    }

    fn truncated(&self, needed: u128) -> IdxError {
        IdxError::Truncated {
            path: self.path(),
            position: self.position,
            needed,
        }
    }

    /// Reads the header and the elements; `file_len` is the length of a plain file, `None`
    /// for a compressed one.
    fn read(mut self, rank: u8, file_len: Option<u64>) -> Result<(Vec<usize>, Vec<u8>), IdxError> {
        let mut magic = [0; 4];
        self.exact(&mut magic, 4)?;
        let [zero0, zero1, code, found_rank] = magic;
        if [zero0, zero1] != [0, 0] {
            return Err(IdxError::BadMagic {
                path: self.path(),
                found: [zero0, zero1],
            });
        }
        if code != UNSIGNED_BYTE {
            return Err(IdxError::WrongType {
                path: self.path(),
                found: code,
                expected: UNSIGNED_BYTE,
            });
        }
        if found_rank != rank {
            return Err(IdxError::WrongRank {
                path: self.path(),
                found: found_rank,
                expected: rank,
            });
        }
        let header_len = 4 + 4 * usize::from(rank);
        let mut dim_bytes = vec![0; header_len - 4];
        self.exact(&mut dim_bytes, header_len as u128)?;
        let dims: Vec<usize> = dim_bytes
            .chunks_exact(4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
            .collect();
        // At most three factors below 2³², so the product fits in a u128.
        let body: u128 = dims.iter().map(|&d| d as u128).product();
        let needed = header_len as u128 + body;
        let data = match file_len {
            Some(len) => self.read_plain(len, body, needed)?,
            None => self.read_compressed(body, needed)?,
        };
        Ok((dims, data))
    }

    /// The `body` bytes of a plain file of `len` bytes, checked against `len` before allocating.
    fn read_plain(&mut self, len: u64, body: u128, needed: u128) -> Result<Vec<u8>, IdxError> {
        if u128::from(len) < needed {
            return Err(IdxError::Truncated {
                path: self.path(),
                position: len,
                needed,
            });
        }
        if u128::from(len) > needed {
            return Err(IdxError::TrailingBytes {
                path: self.path(),
                position: needed as u64,
            });
        }
        // A body that fits in the file fits in a usize, except on a target where usize is
        // narrower than a file length: there such a file is too large to load.
        let body = usize::try_from(body).map_err(|_| IdxError::Io {
            path: self.path(),
            position: self.position,
            source: ErrorKind::OutOfMemory.into(),
        })?;
        let mut data = vec![0; body];
        self.exact(&mut data, needed)?;
        Ok(data)
    }

    /// The `body` bytes of a decompressed stream whose length is unknown: read in chunks, so
    /// the buffer grows only with data that is really there, up to one byte past `body`.
    fn read_compressed(&mut self, body: u128, needed: u128) -> Result<Vec<u8>, IdxError> {
        let mut data = Vec::new();
        let mut chunk = vec![0; CHUNK];
        loop {
            let want = (body + 1 - data.len() as u128).min(CHUNK as u128) as usize;
            let got = self.fill(&mut chunk[..want])?;
            data.extend_from_slice(&chunk[..got]);
            if got < want || data.len() as u128 > body {
                break;
            }
        }
        match (data.len() as u128).cmp(&body) {
            std::cmp::Ordering::Less => Err(self.truncated(needed)),
            std::cmp::Ordering::Greater => Err(IdxError::TrailingBytes {
                path: self.path(),
                position: needed as u64,
            }),
            std::cmp::Ordering::Equal => Ok(data),
        }
    }
}
