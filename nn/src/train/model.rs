//! [`Model`]: a network compiled with a loss, an optimizer and metrics, with Keras's `fit`,
//! `evaluate` and `predict`.
//!
//! Per epoch `fit` shuffles (seeded) the training rows, takes one optimizer step per batch, and
//! logs the sample-weighted mean of the batch losses (regularization penalties included) and
//! metrics, then the same on the validation data with training-only layers off. With
//! [`FitOptions::augment`] each training batch's inputs are transformed first (augmentation);
//! validation batches never are. A validation
//! split takes the *last* rows before any shuffling, as Keras does.
//!
//! Training mode follows Keras's rule: a network is in inference mode (dropout off) except
//! while `fit` trains it. `fit` switches it to training for its training batches and back to
//! inference for validation and when it returns, with or without an error; `evaluate` and
//! `predict` run in inference mode.
//!
//! Inputs are any type with a [`Feed`] into the network: dense tensors for every
//! [`Layer`](crate::Layer) on `Var`s, sparse rows for a layer on
//! [`SparseInput`](crate::layers::SparseInput)s. Targets are dense.
//!
//! With [`FitOptions::data_parallel`] every process runs `fit` on the same data and trains one
//! replica: rank 0's state is broadcast at the start and at the end; each epoch's shuffled
//! order (the same on every rank) is split as [`shard`] does, the uneven tail padded by
//! wrapping, and `batch_size` is the batch of each rank; gradients are averaged before every
//! step; the logged loss and metrics, training and validation (each rank evaluates its own
//! contiguous part of the validation rows), are sums over all ranks divided by all their rows.
//! Callbacks and the progress bar run on rank 0 only; after every batch and at every epoch's
//! beginning and end the ranks agree, in one small all-reduce, on its stop decisions,
//! learning-rate changes and backups and on whether any rank failed, so every rank returns the
//! same [`History`], or an error at the same point ([`FitError::RankFailed`] on the ranks that
//! did not fail). A [`BackupAndRestore`](super::BackupAndRestore) is rank 0's and resumes every
//! rank (see `nn::distributed`). [`Model::evaluate_sharded`] and [`Model::predict_sharded`]
//! share evaluation and prediction among the ranks.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use autodiff_core::{Float, Gradients, Module, Tape, Tensor};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use super::agreement::agree;
use super::backup::{self, Position, RunShape, rank_part};
use super::data_parallel::{decode_decision, encode_decision};
use super::progress::EpochBar;
use super::totals::Totals;
use super::{
    BatchEnd, BatchTransform, Batchable, Callback, CallbackError, Control, DataParallel, Feed,
    History, KFoldError, Logs, ResumeError, StopReason,
};
use crate::data::{UnevenTail, shard};
use crate::losses::Loss;
use crate::metrics::Metric;
use crate::optim::Optimizer;
use autodiff_core::checkpoint::{Record, RecordFile};

/// Where validation data comes from; `X` is the type of the inputs.
#[derive(Debug, Default)]
pub enum Validation<'a, T: Float, X = Tensor<T>> {
    /// No validation.
    #[default]
    None,
    /// This fraction of the rows, taken from the end before shuffling; as in Keras the first
    /// ⌊n·(1 − fraction)⌋ rows train and the rest validate.
    Split(f64),
    /// Separate inputs and targets.
    Data(&'a X, &'a Tensor<T>),
}

/// Copying a validation copies references only, whatever the inputs.
impl<T: Float, X> Clone for Validation<'_, T, X> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Float, X> Copy for Validation<'_, T, X> {}

/// The arguments of [`Model::fit`], with Keras's defaults (batch size 32, shuffle); `X` is the
/// type of the inputs.
#[derive(Debug)]
pub struct FitOptions<'a, T: Float, X = Tensor<T>> {
    /// Passes over the training data.
    pub epochs: usize,
    /// Rows per optimizer step (at least 1).
    pub batch_size: usize,
    /// Shuffle the training rows every epoch.
    pub shuffle: bool,
    /// Seed of the shuffling.
    pub seed: u64,
    /// Validation data or split.
    pub validation: Validation<'a, T, X>,
    /// Show a progress bar (only ever drawn on a terminal).
    pub verbose: bool,
    /// A change to each training batch's inputs (augmentation, e.g.
    /// [`ImageAugmentation`](crate::data::ImageAugmentation)); never applied to validation data.
    pub augment: Option<&'a dyn BatchTransform<X>>,
    /// Train one replica per process, `batch_size` rows each per step (see the module docs);
    /// `nn::distributed::Distributed` over MPI.
    pub data_parallel: Option<&'a dyn DataParallel<T>>,
}

/// Cloning options clones references only, whatever the inputs.
impl<T: Float, X> Clone for FitOptions<'_, T, X> {
    fn clone(&self) -> Self {
        FitOptions { ..*self }
    }
}

impl<T: Float, X> Default for FitOptions<'_, T, X> {
    fn default() -> Self {
        FitOptions {
            epochs: 1,
            batch_size: 32,
            shuffle: true,
            seed: 0,
            validation: Validation::None,
            verbose: true,
            augment: None,
            data_parallel: None,
        }
    }
}

/// Why `fit` or `evaluate` could not run.
#[derive(Debug)]
pub enum FitError {
    /// Inputs and targets have different numbers of rows.
    RowMismatch {
        /// Which data set (`"training"`, `"validation"`, `"evaluation"`).
        what: &'static str,
        /// Rows of the inputs.
        inputs: usize,
        /// Rows of the targets.
        targets: usize,
    },
    /// A data set with no rows (Keras: "Empty training data").
    NoRows {
        /// Which data set (`"training"`, `"validation"`, `"evaluation"`).
        what: &'static str,
    },
    /// A validation split outside (0, 1), or one that leaves no training row.
    BadSplit(f64),
    /// A batch size of 0 (Keras refuses it too).
    ZeroBatchSize,
    /// The rows cannot be split into the folds of a cross-validation.
    Folds(KFoldError),
    /// A callback failed.
    Callback(CallbackError),
    /// The backup could not be written, or does not fit this run (see
    /// [`BackupAndRestore`](super::BackupAndRestore)).
    Resume(ResumeError),
    /// Another process of a data-parallel `fit` failed (a callback's error, a backup that
    /// could not be written or read): every other process stops at the next point where the
    /// processes agree (after every batch and epoch) with this error; the failed one returns
    /// its own.
    RankFailed {
        /// The rank that failed (the lowest one, when several did at the same point).
        rank: usize,
        /// Its error's text.
        message: String,
    },
}

impl std::fmt::Display for FitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FitError::RowMismatch {
                what,
                inputs,
                targets,
            } => {
                write!(
                    f,
                    "{what} data: {inputs} input rows but {targets} target rows"
                )
            }
            FitError::NoRows { what } => write!(f, "{what} data has no rows"),
            FitError::BadSplit(s) => write!(
                f,
                "validation split {s} leaves no training or validation rows"
            ),
            FitError::ZeroBatchSize => write!(f, "batch size must be at least 1"),
            FitError::Folds(e) => write!(f, "cross-validation: {e}"),
            FitError::Callback(e) => write!(f, "callback failed: {e}"),
            FitError::Resume(e) => write!(f, "backup: {e}"),
            FitError::RankFailed { rank, message } => {
                write!(f, "rank {rank} of the data-parallel fit failed: {message}")
            }
        }
    }
}

impl std::error::Error for FitError {}

impl From<ResumeError> for FitError {
    fn from(e: ResumeError) -> Self {
        FitError::Resume(e)
    }
}

impl From<KFoldError> for FitError {
    fn from(e: KFoldError) -> Self {
        FitError::Folds(e)
    }
}

/// A network with its loss, optimizer and metrics (Keras's compiled model). Its methods take
/// any inputs `X` with a [`Feed`] into the network. The network is in inference mode except
/// while [`Model::fit`] trains it (see the module docs).
pub struct Model<T: Float, N: Module<T>> {
    /// The network.
    pub net: N,
    /// The training loss.
    pub loss: Loss,
    /// The optimizer.
    pub optimizer: Optimizer<T>,
    /// Metrics logged besides the loss.
    pub metrics: Vec<Metric>,
    tape: Tape<T>,
}

/// The common row count of `x` and `y`, or why there is none: they differ, or it is zero.
pub(super) fn check_rows<T: Float, X: Batchable>(
    what: &'static str,
    x: &X,
    y: &Tensor<T>,
) -> Result<usize, FitError> {
    let (inputs, targets) = (x.num_rows(), y.num_rows());
    if inputs != targets {
        return Err(FitError::RowMismatch {
            what,
            inputs,
            targets,
        });
    }
    if inputs == 0 {
        return Err(FitError::NoRows { what });
    }
    Ok(inputs)
}

impl<T: Float, N: Module<T>> Model<T, N> {
    /// Compiles `net` with a loss, an optimizer and metrics.
    pub fn new(net: N, loss: Loss, optimizer: Optimizer<T>, metrics: Vec<Metric>) -> Self {
        Model {
            net,
            loss,
            optimizer,
            metrics,
            tape: Tape::new(),
        }
    }

    /// Trains on `x` (rows first) against `y`, returning the per-epoch [`History`]. Training or
    /// validation data without rows is an error, as in Keras. The network trains in training
    /// mode and is back in inference mode when `fit` returns, whatever it returns.
    pub fn fit<X: Feed<T, N>>(
        &mut self,
        x: &X,
        y: &Tensor<T>,
        options: &FitOptions<'_, T, X>,
        callbacks: &mut [&mut dyn Callback<T>],
    ) -> Result<History, FitError> {
        let result = self.fit_in_training_mode(x, y, options, callbacks);
        self.net.set_training(false);
        result
    }

    /// `fit`'s work; it may leave the network in training mode, which `fit` undoes.
    fn fit_in_training_mode<X: Feed<T, N>>(
        &mut self,
        x: &X,
        y: &Tensor<T>,
        options: &FitOptions<'_, T, X>,
        callbacks: &mut [&mut dyn Callback<T>],
    ) -> Result<History, FitError> {
        let n = check_rows("training", x, y)?;
        let (split_x, split_y);
        let (train_x, train_y, val) = match options.validation {
            Validation::None => (x, y, None),
            Validation::Data(vx, vy) => {
                check_rows("validation", vx, vy)?;
                (x, y, Some((vx, vy)))
            }
            Validation::Split(fraction) => {
                // Keras: the training part is ⌊n·(1 − fraction)⌋ rows, the validation part the rest.
                let n_train = (n as f64 * (1.0 - fraction)).floor() as usize;
                if !(0.0..1.0).contains(&fraction) || n_train == 0 || n_train >= n {
                    return Err(FitError::BadSplit(fraction));
                }
                let n_val = n - n_train;
                split_x = (x.narrow_rows(0, n_train), x.narrow_rows(n_train, n_val));
                split_y = (y.narrow_rows(0, n_train), y.narrow_rows(n_train, n_val));
                (&split_x.0, &split_y.0, Some((&split_x.1, &split_y.1)))
            }
        };
        let n_train = train_x.num_rows();
        let batch = batch_size(options.batch_size)?;
        let parallel = options.data_parallel;
        let (root, replicas, rank) =
            parallel.map_or((true, 1, 0), |p| (p.rank() == 0, p.size(), p.rank()));
        // Callbacks and the progress bar are rank 0's.
        let callbacks: &mut [&mut dyn Callback<T>] = if root { callbacks } else { &mut [] };
        let verbose = options.verbose && root;
        if let Some(parallel) = parallel {
            parallel.broadcast_state(&mut self.net);
        }
        let mut order: Vec<usize> = (0..n_train).collect();
        let mut rng = StdRng::seed_from_u64(options.seed);
        let batches = n_train.div_ceil(replicas).div_ceil(batch);
        let begun = callbacks.iter_mut().try_for_each(|cb| {
            cb.set_metrics(&self.metrics);
            cb.on_train_begin(&mut self.net).map_err(FitError::Callback)
        });
        agree(parallel, begun, &mut [])?;
        let shape = RunShape {
            rows: n_train,
            batch_size: batch,
            callbacks: callbacks.len(),
            metrics: self.metrics.len(),
            processes: replicas,
        };
        let (start, mut resumed_totals, mut history) = self.resume(shape, callbacks, parallel)?;
        if options.shuffle {
            // Epoch e's order is the one after e + 1 shuffles: replay those already done.
            (0..start.epoch).for_each(|_| order.shuffle(&mut rng));
        }
        let mut steps = start.steps;
        for epoch in start.epoch..options.epochs {
            // A run resumed inside this epoch already ran its on_epoch_begin.
            let resumed = resumed_totals.take();
            let first_batch = if resumed.is_some() { start.batch } else { 0 };
            let begun = match resumed {
                Some(_) => Ok(()),
                None => callbacks.iter_mut().try_for_each(|cb| {
                    cb.on_epoch_begin(epoch, &mut self.optimizer)
                        .map_err(FitError::Callback)
                }),
            };
            // Rank 0's callbacks may have changed its learning rate (at this epoch's beginning
            // or, through `adjust_learning_rate`, the previous one's end).
            let mut rate = [self.optimizer.learning_rate()];
            agree(parallel, begun, &mut rate)?;
            self.follow_learning_rate(rate[0]);
            self.net.set_training(true);
            if options.shuffle {
                order.shuffle(&mut rng);
            }
            let rows = match parallel {
                Some(_) => Cow::Owned(shard(&order, replicas, rank, UnevenTail::Pad)),
                None => Cow::Borrowed(&order[..]),
            };
            let bar = EpochBar::new(epoch, options.epochs, batches, verbose);
            let mut totals = resumed.unwrap_or_else(|| Totals::new(self.metrics.len()));
            for (step, chunk) in rows.chunks(batch).enumerate().skip(first_batch) {
                let (mut bx, by) = (train_x.select_rows(chunk), train_y.select_rows(chunk));
                if let Some(augment) = options.augment {
                    bx = augment.transform(bx, epoch, step);
                }
                let (grads, loss) = self.train_step(bx, &by, &mut totals, parallel);
                let running = totals.logs("", &self.metrics);
                bar.tick(&running);
                steps += 1;
                let end = BatchEnd {
                    epoch,
                    batch: step,
                    batches,
                    step: steps,
                    logs: &running,
                    grads: &grads,
                    loss,
                    learning_rate: self.optimizer.learning_rate(),
                };
                let ended = callbacks.iter_mut().try_for_each(|cb| {
                    let reason = cb
                        .on_train_batch_end(&end, &self.net)
                        .map_err(FitError::Callback)?;
                    history.stopped = history.stopped.take().or(reason);
                    Ok(())
                });
                let due = backup_due(callbacks, steps, false);
                let mut decision = encode_decision(history.stopped.take(), due);
                agree(parallel, ended, &mut decision)?;
                let (stopped, due) = decode_decision(decision);
                history.stopped = stopped;
                if history.stopped.is_some() {
                    break;
                }
                if due {
                    let next = Position {
                        epoch,
                        batch: step + 1,
                        steps,
                    };
                    self.back_up(callbacks, next, shape, &totals, &history, parallel)?;
                }
            }
            let mut logs = totals.summed_over(parallel).logs("", &self.metrics);
            if let Some((vx, vy)) = val {
                logs.extend(
                    self.evaluate_share(vx, vy, batch, parallel)
                        .logs("val_", &self.metrics),
                );
            }
            bar.finish(&logs);
            history.push(&logs);
            let mut stop = false;
            let ended = callbacks.iter_mut().try_for_each(|cb| {
                let control = cb
                    .on_epoch_end(epoch, &logs, &mut self.net)
                    .map_err(FitError::Callback)?;
                cb.adjust_learning_rate(epoch, &logs, &mut self.optimizer)
                    .map_err(FitError::Callback)?;
                stop |= control == Control::Stop;
                Ok(())
            });
            if stop {
                history.stopped = history
                    .stopped
                    .take()
                    .or(Some(StopReason::Requested { epoch }));
            }
            let due = backup_due(callbacks, steps, true);
            let mut decision = encode_decision(history.stopped.take(), due);
            agree(parallel, ended, &mut decision)?;
            let (stopped, due) = decode_decision(decision);
            history.stopped = stopped;
            if history.stopped.is_some() {
                break;
            }
            if due {
                let next = Position {
                    epoch: epoch + 1,
                    batch: 0,
                    steps,
                };
                let empty = Totals::new(self.metrics.len());
                self.back_up(callbacks, next, shape, &empty, &history, parallel)?;
            }
        }
        self.net.set_training(false);
        let ended = callbacks
            .iter_mut()
            .try_for_each(|cb| cb.on_train_end(&mut self.net).map_err(FitError::Callback));
        agree(parallel, ended, &mut [])?;
        // Rank 0's callbacks may have changed its weights (restoring the best ones); its batch
        // norm statistics are the ones kept.
        if let Some(parallel) = parallel {
            parallel.broadcast_state(&mut self.net);
        }
        Ok(history)
    }

    /// The state to start from: the backup's, restored into the model, the optimizer and the
    /// callbacks, when a [`BackupAndRestore`](super::BackupAndRestore) among `callbacks` has
    /// one; the start of training otherwise. The totals are those of the epoch in progress.
    ///
    /// In a data-parallel fit rank 0 reads the file and broadcasts its bytes, so that the
    /// other ranks need no access to its disk; every rank then restores the same parameters,
    /// optimizer state, position and History from them, and its own buffers and totals from its
    /// part (see [`backup::rank_part`]).
    fn resume(
        &mut self,
        shape: RunShape,
        callbacks: &mut [&mut dyn Callback<T>],
        parallel: Option<&dyn DataParallel<T>>,
    ) -> Result<(Position, Option<Totals>, History), FitError> {
        let found = match callbacks.iter_mut().find_map(|cb| cb.as_backup()) {
            Some(backup) => backup
                .read()
                .map(|bytes| bytes.map(|bytes| (backup.checkpoint_path(), bytes))),
            None => Ok(None),
        };
        // Whether rank 0 found a backup, and how many callbacks it has (the others have none).
        let mut decision = [
            f64::from(u8::from(matches!(found, Ok(Some(_))))),
            shape.callbacks as f64,
        ];
        let found = agree(parallel, found.map_err(FitError::from), &mut decision)?;
        let shape = RunShape {
            callbacks: decision[1] as usize,
            ..shape
        };
        if decision[0] == 0.0 {
            if let Some(backup) = callbacks.iter_mut().find_map(|cb| cb.as_backup()) {
                backup.resumed_at = None;
            }
            return Ok((Position::default(), None, History::default()));
        }
        let (path, mut bytes) = found.unwrap_or_default();
        let mut path = path.to_string_lossy().into_owned().into_bytes();
        if let Some(parallel) = parallel {
            parallel.broadcast_bytes(0, &mut path);
            parallel.broadcast_bytes(0, &mut bytes);
        }
        let path = PathBuf::from(String::from_utf8_lossy(&path).into_owned());
        let rank = parallel.map_or(0, |p| p.rank());
        let restored = self.restore(&path, &bytes, shape, callbacks, rank);
        let (position, totals, history) = agree(parallel, restored, &mut [])?;
        if let Some(backup) = callbacks.iter_mut().find_map(|cb| cb.as_backup()) {
            backup.resumed_at = Some((position.epoch, position.batch));
        }
        let totals = (position.batch > 0).then_some(totals);
        Ok((position, totals, history))
    }

    /// Restores this rank's state from the backup's `bytes` (read from `path`).
    fn restore(
        &mut self,
        path: &Path,
        bytes: &[u8],
        shape: RunShape,
        callbacks: &mut [&mut dyn Callback<T>],
        rank: usize,
    ) -> Result<(Position, Totals, History), FitError> {
        let file = RecordFile::from_bytes(path, bytes).map_err(ResumeError::from)?;
        let (position, totals, history) = backup::read_fit_state(&file, shape)?;
        let loaded = file
            .load_module("model", &mut self.net)
            .and_then(|()| self.optimizer.load_state(&self.net, &file))
            .and_then(|()| {
                callbacks
                    .iter_mut()
                    .enumerate()
                    .try_for_each(|(i, cb)| cb.load_state(&format!("callbacks.{i}"), &file))
            });
        loaded.map_err(|e| FitError::Resume(e.into()))?;
        let totals = match rank {
            0 => totals,
            _ => rank_part::load(&file, rank, &self.net, self.metrics.len())?,
        };
        Ok((position, totals, history))
    }

    /// Writes the backup for resuming at `next`, on rank 0 with every other rank's part
    /// (see [`backup::rank_part`]); `totals` are those of the epoch in progress.
    fn back_up(
        &self,
        callbacks: &mut [&mut dyn Callback<T>],
        next: Position,
        shape: RunShape,
        totals: &Totals,
        history: &History,
        parallel: Option<&dyn DataParallel<T>>,
    ) -> Result<(), FitError> {
        let part = match parallel {
            Some(p) if p.rank() > 0 => {
                let name = PathBuf::from(format!("rank {}'s part of the backup", p.rank()));
                rank_part::save(&name, &self.net, totals)
            }
            _ => Ok(Vec::new()),
        };
        let part = agree(parallel, part.map_err(FitError::from), &mut [])?;
        let parts = parallel.map_or_else(Vec::new, |p| p.gather_bytes(&part));
        if !callbacks.iter_mut().any(|cb| cb.as_backup().is_some()) {
            // Not rank 0: it writes.
            return agree(parallel, Ok(()), &mut []);
        }
        let mut record = Record::new();
        record.put_module("model", &self.net);
        self.optimizer.save_state(&self.net, &mut record);
        for (i, cb) in callbacks.iter().enumerate() {
            cb.save_state(&format!("callbacks.{i}"), &mut record);
        }
        backup::save_fit_state(&mut record, next, shape, totals, history);
        for (rank, part) in parts.iter().enumerate().skip(1) {
            record.put_bytes(&rank_part::entry(rank), part);
        }
        let written = match callbacks.iter_mut().find_map(|cb| cb.as_backup()) {
            Some(backup) => backup.write(&record).map_err(FitError::from),
            None => Ok(()),
        };
        agree(parallel, written, &mut [])
    }

    /// Takes `rate`, rank 0's learning rate, if it differs from this rank's.
    fn follow_learning_rate(&mut self, rate: f64) {
        if rate != self.optimizer.learning_rate() {
            // Rank 0 could change it, so the schedule is a constant here too.
            let _ = self.optimizer.set_learning_rate(rate);
        }
    }

    /// One optimizer step on a batch, adding its loss and metrics to `totals`; returns the
    /// batch's gradients and its loss. The batch's inputs move onto the tape: a wide batch is not
    /// copied again.
    fn train_step<X: Feed<T, N>>(
        &mut self,
        x: X,
        y: &Tensor<T>,
        totals: &mut Totals,
        parallel: Option<&dyn DataParallel<T>>,
    ) -> (Gradients<T>, f64) {
        self.tape.clear();
        let (grads, loss, pred) = {
            let tape = &self.tape;
            let pred = x.predict(&self.net, tape);
            let mut loss = self.loss.compute(pred, tape.constant(y.clone()));
            if let Some(penalty) = X::penalty(&self.net, tape) {
                loss = loss + penalty;
            }
            (loss.backward(), loss.item(), pred.value())
        };
        let mut grads = grads;
        if let Some(parallel) = parallel {
            parallel.average_gradients(&self.net, &mut grads);
        }
        // Clear before updating so the parameters' tensors are no longer shared with the tape.
        self.tape.clear();
        self.optimizer.step(&mut self.net, &grads);
        totals.add(loss, &pred, y, &self.metrics);
        (grads, loss.to_f64().unwrap_or(f64::NAN))
    }

    /// The loss and metrics on `x`, `y`, logged under their names; data without rows is an
    /// error. Training-only layers are switched off and stay off, as after `fit`.
    pub fn evaluate<X: Feed<T, N>>(
        &mut self,
        x: &X,
        y: &Tensor<T>,
        batch_size: usize,
    ) -> Result<Logs, FitError> {
        check_rows("evaluation", x, y)?;
        let batch = self::batch_size(batch_size)?;
        Ok(self
            .evaluate_share(x, y, batch, None)
            .logs("", &self.metrics))
    }

    /// [`Model::evaluate`] shared by the processes of `parallel`, each called with the same
    /// `x` and `y`: each evaluates its contiguous part of the rows (⌊n/size⌋ or one more, as
    /// `fit`'s validation does) and every process returns the same logs, the totals of all
    /// parts divided by all the rows. Equal to a one-process `evaluate` up to the order of the
    /// additions.
    pub fn evaluate_sharded<X: Feed<T, N>>(
        &mut self,
        x: &X,
        y: &Tensor<T>,
        batch_size: usize,
        parallel: &dyn DataParallel<T>,
    ) -> Result<Logs, FitError> {
        check_rows("evaluation", x, y)?;
        let batch = self::batch_size(batch_size)?;
        Ok(self
            .evaluate_share(x, y, batch, Some(parallel))
            .logs("", &self.metrics))
    }

    /// The totals over this process's contiguous part of `x`, `y`, summed over the processes
    /// of `parallel` (all of them without).
    fn evaluate_share<X: Feed<T, N>>(
        &mut self,
        x: &X,
        y: &Tensor<T>,
        batch: usize,
        parallel: Option<&dyn DataParallel<T>>,
    ) -> Totals {
        let Some(parallel) = parallel else {
            return self.evaluate_totals(x, y, batch);
        };
        let (start, len) = contiguous_share(x.num_rows(), parallel.size(), parallel.rank());
        let (x, y) = (x.narrow_rows(start, len), y.narrow_rows(start, len));
        self.evaluate_totals(&x, &y, batch)
            .summed_over(Some(parallel))
    }

    /// The summed loss and metrics over `x`, `y` (which may have no rows), in inference mode.
    fn evaluate_totals<X: Feed<T, N>>(&mut self, x: &X, y: &Tensor<T>, batch: usize) -> Totals {
        self.net.set_training(false);
        let mut totals = Totals::new(self.metrics.len());
        let n = x.num_rows();
        for start in (0..n).step_by(batch) {
            let len = batch.min(n - start);
            let (bx, by) = (x.narrow_rows(start, len), y.narrow_rows(start, len));
            let tape = Tape::no_grad();
            let pred = bx.predict(&self.net, &tape);
            let mut loss = self.loss.compute(pred, tape.constant(by.clone()));
            if let Some(penalty) = X::penalty(&self.net, &tape) {
                loss = loss + penalty;
            }
            totals.add(loss.item(), &pred.value(), &by, &self.metrics);
        }
        totals
    }

    /// The network's outputs for `x`, computed in batches without recording gradients. An `x`
    /// without rows gives outputs without rows (`[0, outputs]` for a dense network); a batch
    /// size of 0 is an error.
    pub fn predict<X: Feed<T, N>>(
        &mut self,
        x: &X,
        batch_size: usize,
    ) -> Result<Tensor<T>, FitError> {
        let batch = self::batch_size(batch_size)?;
        self.net.set_training(false);
        let n = x.num_rows();
        if n == 0 {
            let tape = Tape::no_grad();
            return Ok(x.narrow_rows(0, 0).predict(&self.net, &tape).value());
        }
        let parts: Vec<Tensor<T>> = (0..n)
            .step_by(batch)
            .map(|start| {
                let tape = Tape::no_grad();
                x.narrow_rows(start, batch.min(n - start))
                    .predict(&self.net, &tape)
                    .value()
            })
            .collect();
        Ok(Tensor::concat(&parts.iter().collect::<Vec<_>>(), 0))
    }

    /// [`Model::predict`] shared by the processes of `parallel`, each called with the same `x`:
    /// each predicts its contiguous part of the rows (as [`Model::evaluate_sharded`] splits
    /// them) and every process returns all the outputs in row order, gathered on rank 0 and
    /// broadcast from it, so that the program goes on alike on every rank. Each row's output is
    /// the one a one-process `predict` gives it.
    pub fn predict_sharded<X: Feed<T, N>>(
        &mut self,
        x: &X,
        batch_size: usize,
        parallel: &dyn DataParallel<T>,
    ) -> Result<Tensor<T>, FitError> {
        let batch = self::batch_size(batch_size)?;
        let (start, len) = contiguous_share(x.num_rows(), parallel.size(), parallel.rank());
        let part = self.predict(&x.narrow_rows(start, len), batch)?;
        // f32 and f64 values both go through f64 exactly.
        let bytes: Vec<u8> = part
            .data()
            .iter()
            .flat_map(|v| v.to_f64().unwrap_or(f64::NAN).to_le_bytes())
            .collect();
        let mut all = parallel.gather_bytes(&bytes).concat();
        parallel.broadcast_bytes(0, &mut all);
        let values: Vec<T> = all
            .chunks_exact(size_of::<f64>())
            .map(|b| T::lit(f64::from_le_bytes(b.try_into().expect("chunks of 8 bytes"))))
            .collect();
        let mut dims = part.dims().to_vec();
        dims[0] = x.num_rows();
        Ok(Tensor::from_vec(values, dims))
    }
}

/// Rank `rank`'s part of `n` rows split into `replicas` contiguous parts of ⌊n/replicas⌋ or
/// one more rows: its first row and its length.
fn contiguous_share(n: usize, replicas: usize, rank: usize) -> (usize, usize) {
    let start = n * rank / replicas;
    (start, n * (rank + 1) / replicas - start)
}

/// `batch_size`, refused if it is 0.
fn batch_size(batch_size: usize) -> Result<usize, FitError> {
    if batch_size == 0 {
        return Err(FitError::ZeroBatchSize);
    }
    Ok(batch_size)
}

/// Whether a [`BackupAndRestore`](super::BackupAndRestore) among `callbacks` is due to save
/// after `steps` batches (`end_of_epoch` when an epoch just ended).
fn backup_due<T: Float>(
    callbacks: &mut [&mut dyn Callback<T>],
    steps: u64,
    end_of_epoch: bool,
) -> bool {
    callbacks
        .iter_mut()
        .find_map(|cb| cb.as_backup())
        .is_some_and(|b| b.due(steps, end_of_epoch))
}
