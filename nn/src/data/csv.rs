//! Numeric CSV files (optionally gzip-compressed) into a [`Table`], with errors that say which
//! file, line and column was wrong.
//!
//! ```
//! use nn::data::{CsvOptions, DataError, load_csv};
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("bad.csv");
//! std::fs::write(&path, "a,b\n1,2\n3,x\n").unwrap();
//! let err = load_csv(&path, &CsvOptions { header: true, ..CsvOptions::default() }).unwrap_err();
//! assert!(matches!(err, DataError::Parse { line: 3, column: 2, .. }), "{err}");
//! ```

use std::fmt;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use autodiff_core::{Float, Tensor};

/// How to read a CSV file.
#[derive(Clone, Debug, PartialEq)]
pub struct CsvOptions {
    /// Lines to skip before anything else (scikit-learn's files start with a line of counts).
    pub skip_lines: usize,
    /// Whether the first (unskipped) line holds column names.
    pub header: bool,
    /// The field separator.
    pub delimiter: u8,
    /// Empty fields and `NA`/`NaN` become NaN (missing) instead of an error.
    pub allow_missing: bool,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            skip_lines: 0,
            header: false,
            delimiter: b',',
            allow_missing: false,
        }
    }
}

/// A numeric table read from a file, row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// Column names, when the file has a header.
    pub columns: Option<Vec<String>>,
    /// The number of rows.
    pub rows: usize,
    /// The number of columns.
    pub cols: usize,
    /// The values, row after row (NaN where missing).
    pub values: Vec<f64>,
}

impl Table {
    /// Columns `features` as a `[rows, features.len()]` tensor.
    ///
    /// # Panics
    /// If a column index is out of range.
    pub fn columns_tensor<T: Float>(&self, features: &[usize]) -> Tensor<T> {
        assert!(
            features.iter().all(|&c| c < self.cols),
            "columns_tensor: column out of range"
        );
        let rows = self.values.chunks(self.cols.max(1));
        let data = rows
            .flat_map(|r| features.iter().map(|&c| T::lit(r[c])))
            .collect();
        Tensor::from_vec(data, [self.rows, features.len()])
    }

    /// Every column but the last as features, and the last as a `[rows, 1]` target.
    pub fn features_and_target<T: Float>(&self) -> (Tensor<T>, Tensor<T>) {
        let features: Vec<usize> = (0..self.cols.saturating_sub(1)).collect();
        (
            self.columns_tensor(&features),
            self.columns_tensor(&[self.cols - 1]),
        )
    }
}

/// Why a data file could not be loaded.
#[derive(Debug)]
pub enum DataError {
    /// The file could not be opened or read.
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A field is not a number.
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line in the file.
        line: u64,
        /// 1-based column.
        column: usize,
        /// The field's text.
        text: String,
    },
    /// A line has a different number of fields than the first.
    Ragged {
        /// The file.
        path: PathBuf,
        /// 1-based line in the file.
        line: u64,
        /// Fields of the first row.
        expected: usize,
        /// Fields of this one.
        found: usize,
    },
    /// The file is not valid CSV (bad quoting or encoding), or its gzip stream is broken.
    Csv {
        /// The file.
        path: PathBuf,
        /// 1-based line (for a broken stream, the line after the last one read).
        line: Option<u64>,
        /// What the CSV reader said.
        message: String,
    },
    /// The file has no data row.
    Empty {
        /// The file.
        path: PathBuf,
    },
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DataError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            DataError::Parse {
                path,
                line,
                column,
                text,
            } => {
                write!(
                    f,
                    "{}:{line}: column {column}: {text:?} is not a number",
                    path.display()
                )
            }
            DataError::Ragged {
                path,
                line,
                expected,
                found,
            } => {
                write!(
                    f,
                    "{}:{line}: {found} fields where the first row has {expected}",
                    path.display()
                )
            }
            DataError::Csv {
                path,
                line,
                message,
            } => match line {
                Some(l) => write!(f, "{}:{l}: {message}", path.display()),
                None => write!(f, "{}: {message}", path.display()),
            },
            DataError::Empty { path } => write!(f, "{}: no data rows", path.display()),
        }
    }
}

impl std::error::Error for DataError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DataError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Reads a numeric CSV file; a name ending in `.gz` is decompressed on the fly.
pub fn load_csv(path: impl AsRef<Path>, options: &CsvOptions) -> Result<Table, DataError> {
    let path = path.as_ref();
    let io = |source| DataError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = BufReader::new(File::open(path).map_err(io)?);
    let reader: Box<dyn Read> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::read::GzDecoder::new(file))
    } else {
        Box::new(file)
    };
    let mut csv = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(options.delimiter)
        .from_reader(reader);
    let mut table = Table {
        columns: None,
        rows: 0,
        cols: 0,
        values: Vec::new(),
    };
    let mut line = 0;
    for (i, record) in csv.records().enumerate() {
        let record = record.map_err(|e| DataError::Csv {
            path: path.to_path_buf(),
            // A read error (a broken gzip stream) has no position: it struck after the last line.
            line: Some(e.position().map_or(line + 1, |p| p.line())),
            message: e.to_string(),
        })?;
        line = record.position().map_or(i as u64 + 1, |p| p.line());
        if i < options.skip_lines {
            continue;
        }
        if options.header && table.columns.is_none() {
            table.columns = Some(record.iter().map(|s| s.trim().to_string()).collect());
            continue;
        }
        if table.rows == 0 {
            table.cols = record.len();
        } else if record.len() != table.cols {
            let (expected, found) = (table.cols, record.len());
            return Err(DataError::Ragged {
                path: path.to_path_buf(),
                line,
                expected,
                found,
            });
        }
        for (c, field) in record.iter().enumerate() {
            let text = field.trim();
            let missing = text.is_empty()
                || text.eq_ignore_ascii_case("na")
                || text.eq_ignore_ascii_case("nan");
            let value = match text.parse::<f64>() {
                Ok(v) if !v.is_nan() => v,
                _ if missing && options.allow_missing => f64::NAN,
                _ => {
                    let text = text.to_string();
                    return Err(DataError::Parse {
                        path: path.to_path_buf(),
                        line,
                        column: c + 1,
                        text,
                    });
                }
            };
            table.values.push(value);
        }
        table.rows += 1;
    }
    if table.rows == 0 {
        return Err(DataError::Empty {
            path: path.to_path_buf(),
        });
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn reads_skipped_lines_headers_and_missing_values() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(&dir, "ok.csv", "3,2,x,y\nf1,f2\n1,2\n3,\n5,6\n");
        let opts = CsvOptions {
            skip_lines: 1,
            header: true,
            allow_missing: true,
            ..CsvOptions::default()
        };
        let t = load_csv(&path, &opts).unwrap();
        assert_eq!((t.rows, t.cols), (3, 2));
        assert_eq!(
            t.columns.as_deref(),
            Some(&["f1".to_string(), "f2".to_string()][..])
        );
        assert!(t.values[3].is_nan());
        let (x, y) = t.features_and_target::<f32>();
        assert_eq!((x.dims(), y.data()[2]), (&[3, 1][..], 6.0));
    }

    #[test]
    fn errors_name_file_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(&dir, "ragged.csv", "1,2\n3,4,5\n");
        let err = load_csv(&path, &CsvOptions::default()).unwrap_err();
        assert!(
            matches!(
                err,
                DataError::Ragged {
                    line: 2,
                    expected: 2,
                    found: 3,
                    ..
                }
            ),
            "{err}"
        );
        let path = write(&dir, "missing.csv", "1,2\n3,\n");
        let err = load_csv(&path, &CsvOptions::default()).unwrap_err();
        assert!(
            err.to_string()
                .ends_with("missing.csv:2: column 2: \"\" is not a number"),
            "{err}"
        );
        let err = load_csv(write(&dir, "empty.csv", ""), &CsvOptions::default()).unwrap_err();
        assert!(matches!(err, DataError::Empty { .. }));
        let err = load_csv("/no/such/file.csv", &CsvOptions::default()).unwrap_err();
        assert!(
            matches!(err, DataError::Io { .. }) && err.to_string().starts_with("/no/such/file.csv")
        );
    }

    #[test]
    fn malformed_files_are_typed_errors_never_panics() {
        let dir = tempfile::tempdir().unwrap();
        let opts = CsvOptions {
            header: true,
            ..CsvOptions::default()
        };
        let bad_utf8 = write(&dir, "utf8.csv", "a,b\n1,2\n");
        std::fs::write(&bad_utf8, b"a,b\n1,2\n\xff,3\n").unwrap();
        let err = load_csv(&bad_utf8, &opts).unwrap_err();
        assert!(matches!(err, DataError::Csv { line: Some(3), .. }), "{err}");
        let err = load_csv(write(&dir, "quote.csv", "a,b\n1,2\n\"3,4\n"), &opts).unwrap_err();
        assert!(matches!(err, DataError::Ragged { line: 3, .. }), "{err}");
        let header_only = load_csv(write(&dir, "header.csv", "a,b\n"), &opts).unwrap_err();
        assert!(matches!(header_only, DataError::Empty { .. }));
        // a truncated gzip stream
        let gz = write(&dir, "cut.csv.gz", "");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut enc, "1,2\n3,4\n".repeat(50).as_bytes()).unwrap();
        let bytes = enc.finish().unwrap();
        std::fs::write(&gz, &bytes[..bytes.len() / 2]).unwrap();
        assert!(load_csv(&gz, &CsvOptions::default()).is_err());
        // every truncation and a byte flip at every position: Ok or a typed error
        let text = b"x,y,z\n1.5,-2,3e1\n\"4\",NaN,6\n7,8,9\n";
        let path = write(&dir, "mangled.csv", "");
        for cut in 0..text.len() {
            std::fs::write(&path, &text[..cut]).unwrap();
            let _ = load_csv(&path, &opts);
        }
        for i in 0..text.len() {
            for flip in [0x01, 0x22, 0x80, 0xff] {
                let mut bytes = text.to_vec();
                bytes[i] ^= flip;
                std::fs::write(&path, &bytes).unwrap();
                if let Err(e) = load_csv(&path, &opts) {
                    assert!(e.to_string().starts_with(&path.display().to_string()));
                }
            }
        }
    }
}
