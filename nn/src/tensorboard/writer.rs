//! [`SummaryWriter`]: an event file in a directory, written record by record (buffered) and
//! flushed on request, when dropped, and by [`TensorBoard`](super::TensorBoard) every epoch.
//! TensorBoard reads files named `events.out.tfevents.*`; each writer starts a new one.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use prost::Message;

use super::proto::{Event, EventWhat, Summary};
use super::record::frame_record;
use super::summary::{histogram_summary, scalar_summary, text_summary};

/// A TensorBoard file (an event file, a projector file) could not be created or written.
#[derive(Debug, thiserror::Error)]
#[error("TensorBoard file {path}: {source}")]
pub struct WriteError {
    /// The file (or the directory it was to go in).
    pub path: PathBuf,
    /// What went wrong.
    #[source]
    pub source: std::io::Error,
}

/// Writes scalars, histograms and text for TensorBoard, for a hand-written training loop (the
/// [`TensorBoard`](super::TensorBoard) callback does it for `fit`).
///
/// ```
/// use nn::tensorboard::{SummaryWriter, read_event_file};
/// let dir = tempfile::tempdir().unwrap();
/// let mut writer = SummaryWriter::create(dir.path().join("run1")).unwrap();
/// for step in 0..3 {
///     writer.scalar("loss", 1.0 / (step + 1) as f64, step).unwrap();
/// }
/// writer.histogram("weights", &[0.1_f32, -0.2, 0.3], 2).unwrap();
/// writer.text("notes", "first **run**", 0).unwrap();
/// writer.flush().unwrap();
/// let events = read_event_file(writer.path()).unwrap();
/// assert_eq!(events.len(), 1 + 3 + 2); // the file version, then one event per call
/// ```
pub struct SummaryWriter {
    out: BufWriter<File>,
    path: PathBuf,
    record: Vec<u8>,
    encoded: Vec<u8>,
}

impl SummaryWriter {
    /// Creates `dir` (and its parents) if needed and a new event file in it, starting with the
    /// file-version entry TensorBoard expects.
    pub fn create(dir: impl AsRef<Path>) -> Result<Self, WriteError> {
        let dir = dir.as_ref();
        std::fs::create_dir_all(dir).map_err(|source| WriteError {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = dir.join(file_name());
        let file = File::create_new(&path).map_err(|source| WriteError {
            path: path.clone(),
            source,
        })?;
        let mut writer = SummaryWriter {
            out: BufWriter::new(file),
            path,
            record: Vec::new(),
            encoded: Vec::new(),
        };
        writer.write_event(&Event {
            wall_time: now(),
            step: 0,
            what: Some(EventWhat::FileVersion("brain.Event:2".into())),
        })?;
        Ok(writer)
    }

    /// The event file being written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes `value` under `tag` at `step`.
    pub fn scalar(&mut self, tag: &str, value: f64, step: i64) -> Result<(), WriteError> {
        self.summary(scalar_summary(tag, value), step)
    }

    /// Writes a histogram of `values` (weights, gradients, activations) under `tag` at `step`.
    pub fn histogram<T: num_traits::ToPrimitive>(
        &mut self,
        tag: &str,
        values: &[T],
        step: i64,
    ) -> Result<(), WriteError> {
        let values: Vec<f64> = values.iter().filter_map(T::to_f64).collect();
        self.summary(histogram_summary(tag, &values), step)
    }

    /// Writes `text` (Markdown) under `tag` at `step`.
    pub fn text(&mut self, tag: &str, text: &str, step: i64) -> Result<(), WriteError> {
        self.summary(text_summary(tag, text), step)
    }

    /// Writes `summary` at `step`, stamped with the current time.
    pub fn summary(&mut self, summary: Summary, step: i64) -> Result<(), WriteError> {
        self.write_event(&Event {
            wall_time: now(),
            step,
            what: Some(EventWhat::Summary(summary)),
        })
    }

    /// Appends `event` as one record (into the buffer: see [`SummaryWriter::flush`]).
    pub fn write_event(&mut self, event: &Event) -> Result<(), WriteError> {
        self.encoded.clear();
        event
            .encode(&mut self.encoded)
            .expect("a Vec grows to hold any message");
        self.record.clear();
        frame_record(&self.encoded, &mut self.record);
        let result = self.out.write_all(&self.record);
        result.map_err(|source| self.error(source))
    }

    /// Writes the buffered records to the file.
    pub fn flush(&mut self) -> Result<(), WriteError> {
        let result = self.out.flush();
        result.map_err(|source| self.error(source))
    }

    fn error(&self, source: std::io::Error) -> WriteError {
        WriteError {
            path: self.path.clone(),
            source,
        }
    }
}

/// Flushes what is buffered; an error here is lost, so call [`SummaryWriter::flush`] to see it.
impl Drop for SummaryWriter {
    fn drop(&mut self) {
        let _ = self.out.flush();
    }
}

/// `events.out.tfevents.SECONDS.HOST.PID.N`, unique per process and writer (Keras's pattern).
fn file_name() -> String {
    static WRITERS: AtomicU64 = AtomicU64::new(0);
    let n = WRITERS.fetch_add(1, Ordering::Relaxed);
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty() && !h.contains(['/', '\\']))
        .unwrap_or_else(|| "localhost".into());
    format!(
        "events.out.tfevents.{}.{host}.{}.{n}",
        now() as u64,
        std::process::id()
    )
}

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}
