//! Failures, resuming and sharded evaluation in data-parallel training, run by `tests/mpi.sh`
//! under `mpirun -np 2` and `-np 3` (feature `mpi`; no test harness: `main` runs every check on
//! every rank and exits non-zero if one fails on this rank).
//!
//! - A callback error on rank 0 in the middle of an epoch ends `fit` on every rank at that
//!   batch: rank 0 returns the callback's error, the others `FitError::RankFailed` naming rank 0
//!   and its message; the ranks then go on in step (the checks after it make more collective
//!   calls).
//! - A NaN loss on rank 1 alone (its inputs poisoned at one batch) reaches every rank through
//!   the averaged gradients; rank 0's `TerminateOnNaN` sees it at the next batch and every rank
//!   stops with the same reason.
//! - That interrupted run, backed up every 3 batches by rank 0 (the other ranks are given a
//!   backup directory that does not exist: they never touch a disk), is resumed by a new `fit`
//!   with new models: its parameters, buffers (batch norm's running statistics) and History
//!   are bit-identical to an uninterrupted run's, with dropout drawing from each rank's own
//!   generator.
//! - `evaluate_sharded` and `predict_sharded` against one-process `evaluate` and `predict`.

use std::path::{Path, PathBuf};

use autodiff_core::{BufferRef, Module, ParamPath, Tensor};
use nn::distributed::Distributed;
use nn::losses::Loss;
use nn::metrics::Metric;
use nn::optim::Optimizer;
use nn::train::{
    BackupAndRestore, BatchEnd, BatchTransform, Callback, CallbackError, Control, DataParallel,
    FitError, FitOptions, History, Logs, Model, SaveFreq, StopReason, TerminateOnNaN, Validation,
};
use nn::{Activation, BatchNorm1d, Dense, Dropout, Sequential};

/// Rows per rank and step.
const BATCH: usize = 4;

/// A dense net with batch norm and dropout; the dropout generator is seeded per rank.
fn net(rank: usize) -> Sequential<f64> {
    Sequential::new()
        .add(Dense::new(3, 8).seed(10 + rank as u64))
        .add(BatchNorm1d::new(8))
        .add(Dense::new(8, 8).activation(Activation::Tanh).seed(20))
        .add(Dropout::new(0.3, 30 + rank as u64))
        .add(Dense::new(8, 1).seed(40))
}

fn model(rank: usize) -> Model<f64, Sequential<f64>> {
    Model::new(
        net(rank),
        Loss::MeanSquaredError,
        Optimizer::adam(0.01),
        vec![Metric::mae("mae")],
    )
}

/// 64 rows: 48 train, 16 validate.
fn data() -> (Tensor<f64>, Tensor<f64>) {
    (
        Tensor::normal([64, 3], 0.0, 1.0, 1),
        Tensor::normal([64, 1], 0.0, 1.0, 3),
    )
}

fn options<'a>(dist: &'a Distributed) -> FitOptions<'a, f64> {
    FitOptions {
        epochs: 3,
        batch_size: BATCH,
        seed: 7,
        validation: Validation::Split(0.25),
        verbose: false,
        data_parallel: Some(dist as &dyn DataParallel<f64>),
        ..FitOptions::default()
    }
}

/// Fails `fit` on the `at`-th step, as a crash would stop it.
struct CrashAt(u64);

impl Callback<f64> for CrashAt {
    fn on_train_batch_end(
        &mut self,
        batch: &BatchEnd<'_, f64>,
        _: &dyn Module<f64>,
    ) -> Result<Option<StopReason>, CallbackError> {
        if batch.step == self.0 {
            return Err(CallbackError {
                callback: "CrashAt",
                message: format!("crash at step {}", self.0),
            });
        }
        Ok(None)
    }

    fn on_epoch_end(
        &mut self,
        _: usize,
        _: &Logs,
        _: &mut dyn Module<f64>,
    ) -> Result<Control, CallbackError> {
        Ok(Control::Continue)
    }
}

/// Every bit of every parameter and buffer (generators included), in visiting order.
fn state_bits(net: &Sequential<f64>) -> Vec<u64> {
    let mut bits = Vec::new();
    net.visit(&mut ParamPath::new(), &mut |_, p| {
        bits.extend(p.value().data().iter().map(|v| v.to_bits()))
    });
    net.visit_buffers(&mut ParamPath::new(), &mut |_, b| match b {
        BufferRef::Tensor(t) => bits.extend(t.value().data().iter().map(|v| v.to_bits())),
        BufferRef::Counter(c) => bits.push(c.get() as u64),
        BufferRef::Rng(r) => bits.extend(r.state().iter().map(|&b| u64::from(b))),
    });
    bits
}

fn history_bits(h: &History) -> Vec<(String, Vec<u64>)> {
    h.series()
        .map(|(k, v)| (k.to_string(), v.iter().map(|x| x.to_bits()).collect()))
        .collect()
}

/// What a backed-up `fit` ended with.
struct Run {
    result: Result<History, FitError>,
    model: Model<f64, Sequential<f64>>,
    /// Where it resumed, if it did (on rank 0, which runs the backup).
    resumed_at: Option<(usize, usize)>,
}

/// A backed-up `fit`, crashing at step `crash` if given.
fn backed_up_fit(dist: &Distributed, dir: &Path, crash: Option<u64>) -> Run {
    let (x, y) = data();
    let mut model = model(dist.rank());
    let mut backup = BackupAndRestore::new(dir).save_freq(SaveFreq::Batches(3));
    let mut crash = CrashAt(crash.unwrap_or(u64::MAX));
    let result = model.fit(&x, &y, &options(dist), &mut [&mut backup, &mut crash]);
    Run {
        result,
        model,
        resumed_at: backup.resumed_at,
    }
}

fn report(dist: &Distributed, name: &str, ok: bool, details: &str) -> bool {
    println!(
        "rank {} of {}: {name}: {details}: {}",
        dist.rank(),
        dist.size(),
        if ok { "ok" } else { "FAILED" }
    );
    ok
}

/// The error of a run crashing at step 8 (rank 0's callback), on every rank; then that run
/// resumed against an uninterrupted one.
fn check_failure_and_resume(dist: &Distributed) -> [bool; 2] {
    // Only rank 0 writes; the others' directory does not exist and is never created.
    let tmp = dist.is_root().then(|| tempfile::tempdir().unwrap());
    let dir = |name: &str| match &tmp {
        Some(tmp) => tmp.path().join(name),
        None => PathBuf::from("/nonexistent/backup-of-rank-0"),
    };
    let reference = backed_up_fit(dist, &dir("uninterrupted"), None);
    let crashed = backed_up_fit(dist, &dir("interrupted"), Some(8)).result;
    let error = match &crashed {
        Err(e) => e.to_string(),
        Ok(_) => "no error".into(),
    };
    let typed = match (&crashed, dist.rank()) {
        (Err(FitError::Callback(e)), 0) => e.message == "crash at step 8",
        (Err(FitError::RankFailed { rank: 0, message }), _) => {
            message == "callback failed: CrashAt: crash at step 8"
        }
        _ => false,
    };
    let failed = report(dist, "a callback error on rank 0", typed, &error);
    let resumed = backed_up_fit(dist, &dir("interrupted"), None);
    let resumed_at = resumed.resumed_at;
    // Steps 3 and 6 were backed up; 6 is epoch 0's end on 2 ranks (6 batches an epoch), epoch
    // 1's second batch on 3 (4 batches an epoch).
    let expected_at = if dist.is_root() {
        Some(if dist.size() == 2 { (0, 6) } else { (1, 2) })
    } else {
        None
    };
    let same_state = state_bits(&resumed.model.net) == state_bits(&reference.model.net);
    let (resumed, reference) = (resumed.result.unwrap(), reference.result.unwrap());
    let same_history = history_bits(&resumed) == history_bits(&reference);
    let ok = same_state && same_history && resumed_at == expected_at && reference.epochs() == 3;
    let details = format!(
        "resumed at {resumed_at:?} (expected {expected_at:?}), parameters and buffers \
         bit-identical to the uninterrupted run: {same_state}, History bit-identical: \
         {same_history}"
    );
    [failed, report(dist, "resume", ok, &details)]
}

/// Poisons rank 1's inputs at batch 2 of epoch 0.
#[derive(Debug)]
struct PoisonRankOne {
    rank: usize,
}

impl BatchTransform<Tensor<f64>> for PoisonRankOne {
    fn transform(&self, batch: Tensor<f64>, epoch: usize, step: usize) -> Tensor<f64> {
        if self.rank == 1 && (epoch, step) == (0, 2) {
            return batch.map(|_| f64::NAN);
        }
        batch
    }
}

fn check_nan_on_rank_one(dist: &Distributed) -> bool {
    let (x, y) = data();
    let poison = PoisonRankOne { rank: dist.rank() };
    let options = FitOptions {
        augment: Some(&poison),
        ..options(dist)
    };
    let history = model(dist.rank()).fit(&x, &y, &options, &mut [&mut TerminateOnNaN]);
    let ok = matches!(
        history.as_ref().map(|h| h.stopped.clone()),
        Ok(Some(StopReason::NonFiniteLoss {
            epoch: 0,
            batch: 3,
            ..
        }))
    );
    let details = format!("{:?}", history.map(|h| h.stopped));
    report(dist, "a NaN loss on rank 1", ok, &details)
}

fn check_sharded_evaluate_and_predict(dist: &Distributed) -> bool {
    // 25 rows: uneven parts on 2 and 3 ranks, and batches that do not divide them.
    let x = Tensor::<f64>::normal([25, 3], 0.0, 1.0, 5);
    let y = Tensor::<f64>::normal([25, 1], 0.0, 1.0, 6);
    let mut model = model(0);
    let alone = model.evaluate(&x, &y, 4).unwrap();
    let shared = model.evaluate_sharded(&x, &y, 4, dist).unwrap();
    let mut gap = 0.0_f64;
    for ((key, value), (shared_key, shared_value)) in alone.iter().zip(&shared) {
        gap = gap.max(if key == shared_key {
            (value - shared_value).abs()
        } else {
            f64::INFINITY
        });
    }
    let predicted = model.predict(&x, 4).unwrap();
    let predicted_sharded = model.predict_sharded(&x, 4, dist).unwrap();
    let same_rows = predicted_sharded.dims() == predicted.dims()
        && predicted_sharded
            .data()
            .iter()
            .zip(predicted.data())
            .all(|(a, b)| a.to_bits() == b.to_bits());
    let ok = gap <= 1e-12 && shared.len() == alone.len() && same_rows;
    let details = format!(
        "evaluate: largest difference from one process {gap:.3e} (≤ 1e-12); predict: \
         bit-identical rows in order: {same_rows}"
    );
    report(dist, "sharded evaluate and predict", ok, &details)
}

fn main() {
    let dist = Distributed::init().expect("MPI initialises once");
    let [failed, resumed] = check_failure_and_resume(&dist);
    let checks = [
        failed,
        resumed,
        check_nan_on_rank_one(&dist),
        check_sharded_evaluate_and_predict(&dist),
    ];
    let failed = checks.iter().filter(|&&ok| !ok).count();
    drop(dist);
    if failed > 0 {
        eprintln!("{failed} check(s) failed");
        std::process::exit(1);
    }
}
