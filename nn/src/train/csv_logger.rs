//! [`CSVLogger`]: one CSV row per epoch, as Keras's `CSVLogger` writes it: an `epoch` column
//! (0-based) and then the logs' keys in sorted order, fixed by the first epoch (a key missing
//! later is written `NA`). With `append` an existing file is extended and, when it is not empty,
//! its header is not written again. Each row is flushed when its epoch ends, so a run that dies
//! leaves every finished epoch on disk.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use autodiff_core::{Float, Module};

use super::{Callback, CallbackError, Control, Logs};

/// Writes each epoch's logs as a row of a CSV file.
///
/// ```
/// use nn::losses::Loss;
/// use nn::optim::Optimizer;
/// use nn::train::{CSVLogger, FitOptions, Model};
/// use nn::{Dense, Sequential, Tensor};
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("log.csv");
/// let (x, y) = (Tensor::<f32>::ones([8, 2]), Tensor::<f32>::ones([8, 1]));
/// let mut model = Model::new(Sequential::new().add(Dense::new(2, 1)), Loss::MeanSquaredError, Optimizer::sgd(0.01), vec![]);
/// let options = FitOptions { epochs: 2, verbose: false, ..FitOptions::default() };
/// model.fit(&x, &y, &options, &mut [&mut CSVLogger::new(&path)]).unwrap();
/// let text = std::fs::read_to_string(&path).unwrap();
/// assert_eq!(text.lines().next(), Some("epoch,loss"));
/// assert_eq!(text.lines().count(), 3);
/// ```
pub struct CSVLogger {
    path: PathBuf,
    separator: u8,
    append: bool,
    keys: Option<Vec<String>>,
    writer: Option<csv::Writer<File>>,
    write_header: bool,
}

impl CSVLogger {
    /// Logs to `path`, comma-separated, replacing the file when training begins.
    pub fn new(path: impl AsRef<Path>) -> Self {
        CSVLogger {
            path: path.as_ref().to_path_buf(),
            separator: b',',
            append: false,
            keys: None,
            writer: None,
            write_header: true,
        }
    }

    /// The field separator (Keras's `separator`, `,` by default).
    pub fn separator(mut self, separator: u8) -> Self {
        self.separator = separator;
        self
    }

    /// Whether to extend the file rather than replace it (Keras's `append`).
    pub fn append(mut self, append: bool) -> Self {
        self.append = append;
        self
    }

    /// The error for an I/O failure on the log file.
    fn error(&self, what: &str, err: impl std::fmt::Display) -> CallbackError {
        CallbackError {
            callback: "CSVLogger",
            message: format!("{what} {}: {err}", self.path.display()),
        }
    }

    /// Opens the file (replacing or extending it) for a new run.
    fn open(&mut self) -> Result<csv::Writer<File>, CallbackError> {
        self.keys = None;
        self.write_header =
            !self.append || std::fs::metadata(&self.path).map_or(true, |m| m.len() == 0);
        let file = OpenOptions::new()
            .create(true)
            .write(true)
            .append(self.append)
            .truncate(!self.append)
            .open(&self.path)
            .map_err(|e| self.error("cannot open", e))?;
        Ok(csv::WriterBuilder::new()
            .delimiter(self.separator)
            .from_writer(file))
    }
}

impl<T: Float> Callback<T> for CSVLogger {
    fn on_train_begin(&mut self, _model: &mut dyn Module<T>) -> Result<(), CallbackError> {
        self.writer = Some(self.open()?);
        Ok(())
    }

    fn on_epoch_end(
        &mut self,
        epoch: usize,
        logs: &Logs,
        _model: &mut dyn Module<T>,
    ) -> Result<Control, CallbackError> {
        let mut writer = match self.writer.take() {
            Some(writer) => writer,
            None => self.open()?,
        };
        let keys = self.keys.get_or_insert_with(|| {
            let mut keys: Vec<String> = logs.iter().map(|(k, _)| k.clone()).collect();
            keys.sort();
            keys
        });
        let mut rows = Vec::with_capacity(2);
        if std::mem::take(&mut self.write_header) {
            rows.push(
                std::iter::once("epoch".to_string())
                    .chain(keys.iter().cloned())
                    .collect(),
            );
        }
        let values = keys.iter().map(|key| {
            logs.iter()
                .find(|(k, _)| k == key)
                .map_or("NA".to_string(), |(_, v)| v.to_string())
        });
        rows.push(
            std::iter::once(epoch.to_string())
                .chain(values)
                .collect::<Vec<_>>(),
        );
        let written = rows
            .iter()
            .try_for_each(|row| writer.write_record(row))
            .map_err(std::io::Error::from)
            .and_then(|()| writer.flush());
        self.writer = Some(writer);
        written.map_err(|e| self.error("cannot write", e))?;
        Ok(Control::Continue)
    }

    fn on_train_end(&mut self, _model: &mut dyn Module<T>) -> Result<(), CallbackError> {
        if let Some(mut writer) = self.writer.take() {
            writer
                .flush()
                .and_then(|()| writer.get_ref().sync_all())
                .map_err(|e| self.error("cannot write", e))?;
        }
        Ok(())
    }
}
