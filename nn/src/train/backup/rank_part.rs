//! Each process's own part of a data-parallel backup: what differs between the replicas.
//!
//! The parameters and the optimizer's state are the same on every rank (the same averaged
//! gradients, the same step) and are saved once, by rank 0, as in a one-process backup. The
//! buffers are not: batch norm's running statistics and counts follow each rank's own batches,
//! and each rank draws dropout masks from its own generator; nor are the running totals of the
//! epoch in progress, which each rank adds up over its own rows. Every rank but 0 sends these
//! to rank 0, which stores them in the backup as `fit.rank.R`, a record (safetensors bytes)
//! inside the record: `model.` with the buffers only and `fit.totals.`.

use std::path::{Path, PathBuf};

use autodiff_core::checkpoint::{Record, RecordFile};
use autodiff_core::{BufferRef, Float, Module, Param, ParamPath};

use super::ResumeError;
use super::fit_state::{read_totals, save_totals};
use crate::train::totals::Totals;

/// The name of rank `rank`'s part in the backup.
pub(in crate::train) fn entry(rank: usize) -> String {
    format!("fit.rank.{rank}")
}

/// This rank's part: `module`'s buffers and `totals`, as bytes for rank 0; `file` is the
/// backup's name, for errors.
pub(in crate::train) fn save<T: Float, M: Module<T> + ?Sized>(
    file: &Path,
    module: &M,
    totals: &Totals,
) -> Result<Vec<u8>, ResumeError> {
    let mut record = Record::new();
    record.put_module("model", &BuffersOf(module));
    save_totals(&mut record, totals);
    Ok(record.to_bytes(file)?)
}

/// Puts rank `rank`'s part of the backup `file` back into `module` and returns its totals.
pub(in crate::train) fn load<T: Float, M: Module<T> + ?Sized>(
    file: &RecordFile,
    rank: usize,
    module: &M,
    metrics: usize,
) -> Result<Totals, ResumeError> {
    let name = entry(rank);
    let part = RecordFile::from_bytes(part_name(file.file(), &name), file.bytes(&name)?)?;
    part.load_module("model", &mut BuffersOf(module))?;
    read_totals(&part, metrics)
}

/// How errors name a part: the backup file and the entry.
fn part_name(file: &Path, entry: &str) -> PathBuf {
    PathBuf::from(format!("{}[{entry}]", file.display()))
}

/// A module seen through its buffers only: no parameters.
struct BuffersOf<'m, M: ?Sized>(&'m M);

impl<T: Float, M: Module<T> + ?Sized> Module<T> for BuffersOf<'_, M> {
    fn visit<'a>(&'a self, _: &mut ParamPath, _: &mut dyn FnMut(&ParamPath, &'a Param<T>)) {}

    fn visit_mut(&mut self, _: &mut ParamPath, _: &mut dyn FnMut(&ParamPath, &mut Param<T>)) {}

    fn visit_buffers<'a>(
        &'a self,
        path: &mut ParamPath,
        f: &mut dyn FnMut(&ParamPath, BufferRef<'a, T>),
    ) {
        self.0.visit_buffers(path, f)
    }
}
