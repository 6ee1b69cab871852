//! [`IdxError`]: why an IDX file could not be read, with the file and the byte position.

use std::path::PathBuf;

/// Why an IDX file (or an images/labels pair) could not be loaded. Every variant names the file
/// and, where it applies, the byte position in the (decompressed) data.
#[derive(Debug, thiserror::Error)]
pub enum IdxError {
    /// The file could not be opened or read, or its gzip stream is corrupt.
    #[error("{}: byte {position}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Bytes of (decompressed) data read before the failure.
        position: u64,
        /// The cause.
        source: std::io::Error,
    },
    /// The first two bytes, which are zero in every IDX file, are not.
    #[error("{}: byte 0: not an IDX file (magic number starts {found:02x?}, not [00, 00])", path.display())]
    BadMagic {
        /// The file.
        path: PathBuf,
        /// The first two bytes.
        found: [u8; 2],
    },
    /// The element type code (byte 2) is not the one expected (0x08, unsigned bytes).
    #[error("{}: byte 2: element type code {found:#04x}, expected {expected:#04x}", path.display())]
    WrongType {
        /// The file.
        path: PathBuf,
        /// The code in the file.
        found: u8,
        /// The code this reader wants.
        expected: u8,
    },
    /// The number of dimensions (byte 3) is not the one expected (3 for images, 1 for labels).
    #[error("{}: byte 3: {found} dimensions, expected {expected}", path.display())]
    WrongRank {
        /// The file.
        path: PathBuf,
        /// The rank in the file.
        found: u8,
        /// The rank this reader wants.
        expected: u8,
    },
    /// The data ends before the header, or the data the header declares, is complete.
    #[error("{}: byte {position}: the file ends here, but its header declares {needed} bytes", path.display())]
    Truncated {
        /// The file.
        path: PathBuf,
        /// Where the data ends (its length).
        position: u64,
        /// The length the header declares (or the header's own length, if it is cut short).
        needed: u128,
    },
    /// The data goes on past the end its header declares.
    #[error("{}: byte {position}: the header declares the file ends here, but it goes on", path.display())]
    TrailingBytes {
        /// The file.
        path: PathBuf,
        /// The declared end.
        position: u64,
    },
    /// An images file and a labels file hold different numbers of items.
    #[error("{} holds {images} images but {} holds {labels} labels", images_path.display(), labels_path.display())]
    CountMismatch {
        /// The images file.
        images_path: PathBuf,
        /// Its number of images.
        images: usize,
        /// The labels file.
        labels_path: PathBuf,
        /// Its number of labels.
        labels: usize,
    },
}
