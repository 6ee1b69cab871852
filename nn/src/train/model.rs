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
//! Callbacks and the progress bar run on rank 0 only; its stop decisions and learning-rate
//! changes are broadcast, so every rank returns the same [`History`].

use std::borrow::Cow;

use autodiff_core::{Float, Gradients, Module, Tape, Tensor};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use super::backup::{self, Position, RunShape};
use super::data_parallel::{decode_stop, encode_stop};
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
use autodiff_core::checkpoint::Record;

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
    /// A [`BackupAndRestore`](super::BackupAndRestore) callback in a data-parallel `fit`: only
    /// rank 0 runs callbacks, so the other ranks could not resume with it (not supported yet).
    BackupWithDataParallel,
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
            FitError::BackupWithDataParallel => write!(
                f,
                "BackupAndRestore cannot resume a data-parallel fit yet (only rank 0 runs callbacks)"
            ),
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
        if parallel.is_some() && callbacks.iter_mut().any(|cb| cb.as_backup().is_some()) {
            return Err(FitError::BackupWithDataParallel);
        }
        // Callbacks and the progress bar are rank 0's.
        let callbacks: &mut [&mut dyn Callback<T>] = if root { callbacks } else { &mut [] };
        let verbose = options.verbose && root;
        if let Some(parallel) = parallel {
            parallel.broadcast_state(&mut self.net);
        }
        let mut order: Vec<usize> = (0..n_train).collect();
        let mut rng = StdRng::seed_from_u64(options.seed);
        let batches = n_train.div_ceil(replicas).div_ceil(batch);
        for cb in callbacks.iter_mut() {
            cb.set_metrics(&self.metrics);
            cb.on_train_begin(&mut self.net)
                .map_err(FitError::Callback)?;
        }
        let shape = RunShape {
            rows: n_train,
            batch_size: batch,
            callbacks: callbacks.len(),
            metrics: self.metrics.len(),
        };
        let (start, mut resumed_totals, mut history) = self.resume(shape, callbacks)?;
        if options.shuffle {
            // Epoch e's order is the one after e + 1 shuffles: replay those already done.
            (0..start.epoch).for_each(|_| order.shuffle(&mut rng));
        }
        let mut steps = start.steps;
        for epoch in start.epoch..options.epochs {
            // A run resumed inside this epoch already ran its on_epoch_begin.
            let resumed = resumed_totals.take();
            let first_batch = if resumed.is_some() { start.batch } else { 0 };
            if resumed.is_none() {
                for cb in callbacks.iter_mut() {
                    cb.on_epoch_begin(epoch, &mut self.optimizer)
                        .map_err(FitError::Callback)?;
                }
            }
            self.follow_root_learning_rate(parallel);
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
                for cb in callbacks.iter_mut() {
                    let reason = cb
                        .on_train_batch_end(&end, &self.net)
                        .map_err(FitError::Callback)?;
                    history.stopped = history.stopped.take().or(reason);
                }
                if let Some(parallel) = parallel {
                    let mut code = encode_stop(history.stopped.clone());
                    parallel.broadcast_f64(&mut code);
                    history.stopped = decode_stop(code);
                }
                if history.stopped.is_some() {
                    break;
                }
                let next = Position {
                    epoch,
                    batch: step + 1,
                    steps,
                };
                self.back_up(callbacks, next, shape, false, &totals, &history)?;
            }
            let mut logs = totals.summed_over(parallel).logs("", &self.metrics);
            if let Some((vx, vy)) = val {
                let (start, len) = contiguous_share(vx.num_rows(), replicas, rank);
                let (vx, vy) = (vx.narrow_rows(start, len), vy.narrow_rows(start, len));
                let val_totals = self.evaluate_totals(&vx, &vy, batch).summed_over(parallel);
                logs.extend(val_totals.logs("val_", &self.metrics));
            }
            bar.finish(&logs);
            history.push(&logs);
            let mut stop = false;
            for cb in callbacks.iter_mut() {
                let control = cb
                    .on_epoch_end(epoch, &logs, &mut self.net)
                    .map_err(FitError::Callback)?;
                cb.adjust_learning_rate(epoch, &logs, &mut self.optimizer)
                    .map_err(FitError::Callback)?;
                stop |= control == Control::Stop;
            }
            if let Some(parallel) = parallel {
                let mut flag = [f64::from(u8::from(stop))];
                parallel.broadcast_f64(&mut flag);
                stop = flag[0] != 0.0;
            }
            if stop {
                history.stopped = history
                    .stopped
                    .take()
                    .or(Some(StopReason::Requested { epoch }));
            }
            if history.stopped.is_some() {
                break;
            }
            let next = Position {
                epoch: epoch + 1,
                batch: 0,
                steps,
            };
            let empty = Totals::new(self.metrics.len());
            self.back_up(callbacks, next, shape, true, &empty, &history)?;
        }
        self.net.set_training(false);
        for cb in callbacks.iter_mut() {
            cb.on_train_end(&mut self.net).map_err(FitError::Callback)?;
        }
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
    fn resume(
        &mut self,
        shape: RunShape,
        callbacks: &mut [&mut dyn Callback<T>],
    ) -> Result<(Position, Option<Totals>, History), FitError> {
        let Some(backup) = callbacks.iter_mut().find_map(|cb| cb.as_backup()) else {
            return Ok((Position::default(), None, History::default()));
        };
        let Some(file) = backup.open()? else {
            backup.resumed_at = None;
            return Ok((Position::default(), None, History::default()));
        };
        let (position, totals, history) = backup::read_fit_state(&file, shape)?;
        backup.resumed_at = Some((position.epoch, position.batch));
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
        let totals = (position.batch > 0).then_some(totals);
        Ok((position, totals, history))
    }

    /// Writes the backup, if a [`BackupAndRestore`](super::BackupAndRestore) among `callbacks`
    /// is due to (`end_of_epoch` when an epoch just ended), for resuming at `next`.
    fn back_up(
        &self,
        callbacks: &mut [&mut dyn Callback<T>],
        next: Position,
        shape: RunShape,
        end_of_epoch: bool,
        totals: &Totals,
        history: &History,
    ) -> Result<(), FitError> {
        let due = callbacks
            .iter_mut()
            .find_map(|cb| cb.as_backup())
            .is_some_and(|b| b.due(next.steps, end_of_epoch));
        if !due {
            return Ok(());
        }
        let mut record = Record::new();
        record.put_module("model", &self.net);
        self.optimizer.save_state(&self.net, &mut record);
        for (i, cb) in callbacks.iter().enumerate() {
            cb.save_state(&format!("callbacks.{i}"), &mut record);
        }
        backup::save_fit_state(&mut record, next, shape, totals, history);
        match callbacks.iter_mut().find_map(|cb| cb.as_backup()) {
            Some(backup) => Ok(backup.write(&record)?),
            None => Ok(()),
        }
    }

    /// Takes rank 0's learning rate, which its callbacks may have changed (at an epoch's
    /// beginning or, through `adjust_learning_rate`, the previous one's end).
    fn follow_root_learning_rate(&mut self, parallel: Option<&dyn DataParallel<T>>) {
        let Some(parallel) = parallel else { return };
        let mut rate = [self.optimizer.learning_rate()];
        parallel.broadcast_f64(&mut rate);
        if rate[0] != self.optimizer.learning_rate() {
            // Rank 0 could change it, so the schedule is a constant here too.
            let _ = self.optimizer.set_learning_rate(rate[0]);
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
        Ok(self.evaluate_unchecked(x, y, batch, ""))
    }

    fn evaluate_unchecked<X: Feed<T, N>>(
        &mut self,
        x: &X,
        y: &Tensor<T>,
        batch: usize,
        prefix: &str,
    ) -> Logs {
        self.evaluate_totals(x, y, batch)
            .logs(prefix, &self.metrics)
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
