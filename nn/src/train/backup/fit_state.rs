//! What `fit` itself adds to a training checkpoint: where it is (epoch, batch, optimizer steps),
//! the running totals of the epoch in progress, the History so far, and the facts a resumed run
//! must share with the saved one (training rows, batch size, number of callbacks and metrics,
//! number of processes).
//!
//! The shuffle is not saved: the order of epoch `e` is re-derived from the seed by replaying
//! the first `e + 1` shuffles, a few microseconds per epoch for thousands of rows.
//! Augmentation needs nothing either: a [`BatchTransform`](super::super::BatchTransform) draws
//! from (epoch, batch) alone.

use autodiff_core::checkpoint::{Record, RecordFile};

use super::ResumeError;
use crate::train::History;
use crate::train::totals::Totals;

/// The format named in a training checkpoint's metadata (`format`).
pub(crate) const FORMAT: &str = "autodiff.training-checkpoint.v1";

/// Where a run is: the next batch to train is `batch` of `epoch`; `steps` batches were run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(in crate::train) struct Position {
    pub(in crate::train) epoch: usize,
    pub(in crate::train) batch: usize,
    pub(in crate::train) steps: u64,
}

/// What a resumed `fit` must share with the saved one.
#[derive(Clone, Copy, Debug)]
pub(in crate::train) struct RunShape {
    pub(in crate::train) rows: usize,
    pub(in crate::train) batch_size: usize,
    pub(in crate::train) callbacks: usize,
    pub(in crate::train) metrics: usize,
    /// The processes of a data-parallel run (1 without).
    pub(in crate::train) processes: usize,
}

impl RunShape {
    fn values(self) -> [(&'static str, usize); 5] {
        [
            ("training rows", self.rows),
            ("batch size", self.batch_size),
            ("callbacks", self.callbacks),
            ("metrics", self.metrics),
            ("processes", self.processes),
        ]
    }
}

/// The saved value of the `i`-th entry of [`RunShape::values`] when the file has none: the
/// process count is missing from backups of one process written before it was saved.
fn missing_shape_value(i: usize) -> i64 {
    if i == 4 { 1 } else { -1 }
}

/// Adds `fit`'s own state to `record`.
pub(in crate::train) fn save(
    record: &mut Record,
    position: Position,
    shape: RunShape,
    totals: &Totals,
    history: &History,
) {
    record.set_meta("format", FORMAT);
    let Position {
        epoch,
        batch,
        steps,
    } = position;
    record.put_i64s("fit.position", &[epoch as i64, batch as i64, steps as i64]);
    let shape: Vec<i64> = shape.values().iter().map(|&(_, v)| v as i64).collect();
    record.put_i64s("fit.shape", &shape);
    save_totals(record, totals);
    let keys: Vec<&str> = history.keys().collect();
    record.put_bytes("fit.history.keys", keys.join("\n").as_bytes());
    for (i, (_, values)) in history.series().enumerate() {
        record.put_f64s(&format!("fit.history.{i}"), values);
    }
}

/// Reads `fit`'s own state back, checking the format and that the run has the same shape.
pub(in crate::train) fn read(
    file: &RecordFile,
    shape: RunShape,
) -> Result<(Position, Totals, History), ResumeError> {
    if file.meta("format") != Some(FORMAT) {
        return Err(ResumeError::Format {
            file: file.file().to_path_buf(),
            found: file.meta("format").map(str::to_string),
        });
    }
    let saved = file.i64s("fit.shape")?;
    for (i, (what, now)) in shape.values().into_iter().enumerate() {
        let saved = saved
            .get(i)
            .copied()
            .unwrap_or_else(|| missing_shape_value(i));
        if saved != now as i64 {
            return Err(ResumeError::Mismatch {
                file: file.file().to_path_buf(),
                what,
                saved: saved.max(0) as u64,
                now: now as u64,
            });
        }
    }
    let bad = |what| ResumeError::Format {
        file: file.file().to_path_buf(),
        found: Some(format!("{FORMAT} with a bad {what}")),
    };
    let &[epoch, batch, steps] = &file.i64s("fit.position")?[..] else {
        return Err(bad("position"));
    };
    let position = Position {
        epoch: usize::try_from(epoch).map_err(|_| bad("epoch"))?,
        batch: usize::try_from(batch).map_err(|_| bad("batch"))?,
        steps: u64::try_from(steps).map_err(|_| bad("step count"))?,
    };
    let totals = read_totals(file, shape.metrics)?;
    let keys = String::from_utf8(file.bytes("fit.history.keys")?.to_vec())
        .map_err(|_| bad("history key"))?;
    let series = keys
        .split('\n')
        .filter(|k| !k.is_empty())
        .enumerate()
        .map(|(i, key)| Ok((key.to_string(), file.f64s(&format!("fit.history.{i}"))?)))
        .collect::<Result<Vec<_>, ResumeError>>()?;
    Ok((position, totals, History::from_series(series)))
}

/// Adds the running totals of the epoch in progress to `record`, under `fit.totals.`.
pub(super) fn save_totals(record: &mut Record, totals: &Totals) {
    record.put_f64s("fit.totals.loss", &[totals.loss]);
    record.put_f64s("fit.totals.metrics", &totals.metrics);
    record.put_i64s("fit.totals.samples", &[totals.samples as i64]);
}

/// Reads back what [`save_totals`] wrote, checking that it has `metrics` metric totals.
pub(super) fn read_totals(file: &RecordFile, metrics: usize) -> Result<Totals, ResumeError> {
    let bad = |what| ResumeError::Format {
        file: file.file().to_path_buf(),
        found: Some(format!("{FORMAT} with a bad {what}")),
    };
    let metric_totals = file.f64s("fit.totals.metrics")?;
    if metric_totals.len() != metrics {
        return Err(bad("metric totals"));
    }
    Ok(Totals {
        loss: file
            .f64s("fit.totals.loss")?
            .first()
            .copied()
            .ok_or_else(|| bad("loss total"))?,
        metrics: metric_totals,
        samples: file
            .i64s("fit.totals.samples")?
            .first()
            .and_then(|&n| usize::try_from(n).ok())
            .ok_or_else(|| bad("sample count"))?,
    })
}
