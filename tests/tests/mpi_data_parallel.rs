//! Data-parallel training over MPI, run by `tests/mpi.sh` under `mpirun -np 2` and `-np 3`
//! (feature `mpi`; no test harness: `main` runs every check on every rank and exits non-zero
//! if one fails on this rank).
//!
//! - A dense net trained on `size` ranks with per-rank batches of `B` ends with the parameters
//!   of one process trained with batches of `size·B` in the same order (within 1e-10 in f64),
//!   with the uneven tail padded; ranks start from different seeds, so the broadcast is needed.
//! - A CNN with batch norm and an LSTM: batch statistics are per rank (not synchronised), so
//!   the one-process reference takes each step on the `size` per-rank batches separately and
//!   averages their gradients.
//! - Every rank ends with bit-identical parameters (a hash of their bits, gathered).
//! - `Model::fit` with `FitOptions::data_parallel`: the same parameters and History (loss,
//!   metric, validation loss and metric) as a one-process `fit` with batches of `size·B`, a
//!   callback that runs on rank 0 only halving the learning rate and stopping early for all.

use std::hash::{DefaultHasher, Hash, Hasher};

use autodiff_core::{Gradients, Module, ParamPath, Tape, Tensor};
use nn::distributed::Distributed;
use nn::distributed::mpi::traits::CommunicatorCollectives;
use nn::layers::Flatten;
use nn::losses::Loss;
use nn::metrics::Metric;
use nn::optim::Optimizer;
use nn::recurrent::Lstm;
use nn::train::{
    BatchEnd, Batchable, Callback, CallbackError, Control, FitOptions, History, LearningRate, Logs,
    Model, StopReason, Validation,
};
use nn::{Activation, BatchNorm2d, Conv2d, Dense, GlobalAveragePooling2d, Layer, Sequential};

/// Rows that do not split evenly over 2 or 3 ranks, nor into whole batches.
const ROWS: usize = 25;
/// Rows per rank and step.
const BATCH: usize = 4;
const EPOCHS: u64 = 3;
const TOLERANCE: f64 = 1e-10;

/// Either one forward and backward pass on `rows`, or this rank's share of a distributed step.
fn gradients(
    net: &Sequential<f64>,
    x: &Tensor<f64>,
    y: &Tensor<f64>,
    rows: &[usize],
) -> Gradients<f64> {
    let tape = Tape::new();
    let pred = net.forward(tape.var(x.select_rows(rows)));
    Loss::MeanSquaredError
        .compute(pred, tape.constant(y.select_rows(rows)))
        .backward()
}

/// The mean of the gradients of several batches, in the first batch's gradients.
fn mean_gradients(
    net: &Sequential<f64>,
    x: &Tensor<f64>,
    y: &Tensor<f64>,
    batches: &[&[usize]],
) -> Gradients<f64> {
    let mut mean = gradients(net, x, y, batches[0]);
    for rows in &batches[1..] {
        let other = gradients(net, x, y, rows);
        net.visit(&mut ParamPath::new(), &mut |_, p| {
            let total = mean.param_mut(p).unwrap();
            for (t, o) in total
                .data_mut()
                .iter_mut()
                .zip(other.param(p).unwrap().data())
            {
                *t += o;
            }
        });
    }
    let scale = 1.0 / batches.len() as f64;
    net.visit(&mut ParamPath::new(), &mut |_, p| {
        mean.param_mut(p)
            .unwrap()
            .data_mut()
            .iter_mut()
            .for_each(|g| *g *= scale)
    });
    mean
}

/// How the one-process reference takes a step on the rows all ranks read together.
#[derive(Clone, Copy)]
enum Reference {
    /// One batch of all of them (exact for layers without batch statistics).
    OneBatch,
    /// Each rank's batch separately, gradients averaged (batch statistics per rank).
    PerRankBatches,
}

/// Trains `make(seed)` on every rank (seeded `seed + rank`, then broadcast) and, locally, the
/// one-process reference from rank 0's seed; returns the largest parameter difference.
fn distributed_against_one_process(
    dist: &Distributed,
    make: fn(u64) -> Sequential<f64>,
    x: &Tensor<f64>,
    y: &Tensor<f64>,
    reference: Reference,
) -> (f64, Sequential<f64>) {
    let (size, rank) = (dist.size(), dist.rank());
    let mut net = make(10 + rank as u64);
    dist.broadcast_state(&mut net);
    let mut opt = Optimizer::adam(0.01);
    let sampler = dist.sampler(x.num_rows()).seed(5);
    for epoch in 0..EPOCHS {
        for rows in sampler.indices(epoch).chunks(BATCH) {
            let mut grads = gradients(&net, x, y, rows);
            dist.average_gradients(&net, &mut grads);
            opt.step(&mut net, &grads);
        }
    }

    let mut alone = make(10);
    let mut alone_opt = Optimizer::adam(0.01);
    let samplers: Vec<_> = (0..size)
        .map(|r| nn::data::DistributedSampler::new(x.num_rows(), size, r).seed(5))
        .collect();
    for epoch in 0..EPOCHS {
        let shares: Vec<Vec<usize>> = samplers.iter().map(|s| s.indices(epoch)).collect();
        for step in 0..shares[0].len().div_ceil(BATCH) {
            let batches: Vec<&[usize]> = shares
                .iter()
                .map(|s| &s[step * BATCH..((step + 1) * BATCH).min(s.len())])
                .collect();
            let grads = match reference {
                Reference::OneBatch => gradients(&alone, x, y, &batches.concat()),
                Reference::PerRankBatches => mean_gradients(&alone, x, y, &batches),
            };
            alone_opt.step(&mut alone, &grads);
        }
    }
    (largest_difference(&net, &alone), net)
}

/// The largest difference between two nets' parameters.
fn largest_difference(a: &Sequential<f64>, b: &Sequential<f64>) -> f64 {
    let mut worst = 0.0_f64;
    for ((_, a), (_, b)) in a.named_params().iter().zip(b.named_params()) {
        for (a, b) in a.value().data().iter().zip(b.value().data()) {
            worst = worst.max((a - b).abs());
        }
    }
    worst
}

/// A hash of the bits of every parameter.
fn parameter_hash(net: &Sequential<f64>) -> u64 {
    let mut hasher = DefaultHasher::new();
    for (name, p) in net.named_params() {
        name.hash(&mut hasher);
        p.value()
            .data()
            .iter()
            .for_each(|v| v.to_bits().hash(&mut hasher));
    }
    hasher.finish()
}

fn dense(seed: u64) -> Sequential<f64> {
    Sequential::new()
        .add(Dense::new(3, 8).activation(Activation::Tanh).seed(seed))
        .add(Dense::new(8, 1).seed(seed + 100))
}

fn cnn(seed: u64) -> Sequential<f64> {
    Sequential::new()
        .add(Conv2d::new(1, 3, [3, 3]).seed(seed))
        .add(BatchNorm2d::new(3))
        .add(GlobalAveragePooling2d)
        .add(Flatten)
        .add(Dense::new(3, 1).seed(seed + 100))
}

fn lstm(seed: u64) -> Sequential<f64> {
    Sequential::new()
        .add(Lstm::new(2, 4).seed(seed).output_only())
        .add(Dense::new(4, 1).seed(seed + 100))
}

/// Runs one check and says on this rank whether it passed.
fn check(
    dist: &Distributed,
    name: &str,
    make: fn(u64) -> Sequential<f64>,
    x: &Tensor<f64>,
    reference: Reference,
) -> bool {
    let y = Tensor::<f64>::normal([x.num_rows(), 1], 0.0, 1.0, 3);
    let (worst, net) = distributed_against_one_process(dist, make, x, &y, reference);
    let hash = parameter_hash(&net);
    let mut hashes = vec![0_u64; dist.size()];
    dist.world().all_gather_into(&hash, &mut hashes[..]);
    let same_everywhere = hashes.iter().all(|&h| h == hash);
    // Training must have moved the weights, or equal parameters would prove nothing.
    let moved = largest_difference(&net, &make(10));
    let ok = worst <= TOLERANCE && same_everywhere && moved > 1e-2;
    println!(
        "rank {} of {}: {name}: largest difference from one process {worst:.3e} (≤ {TOLERANCE:e}), \
         parameters bit-identical on every rank: {same_everywhere}, moved by {moved:.3}: {}",
        dist.rank(),
        dist.size(),
        if ok { "ok" } else { "FAILED" }
    );
    ok
}

/// Halves the learning rate after epoch 0, stops after epoch 1, and counts the batches it saw.
#[derive(Default)]
struct HalveThenStop {
    batches: usize,
}

impl Callback<f64> for HalveThenStop {
    fn on_train_batch_end(
        &mut self,
        _: &BatchEnd<'_, f64>,
        _: &dyn Module<f64>,
    ) -> Result<Option<StopReason>, CallbackError> {
        self.batches += 1;
        Ok(None)
    }

    fn adjust_learning_rate(
        &mut self,
        epoch: usize,
        _: &Logs,
        rate: &mut dyn LearningRate,
    ) -> Result<(), CallbackError> {
        if epoch == 0 {
            rate.set(rate.get() / 2.0).unwrap();
        }
        Ok(())
    }

    fn on_epoch_end(
        &mut self,
        epoch: usize,
        _: &Logs,
        _: &mut dyn Module<f64>,
    ) -> Result<Control, CallbackError> {
        Ok(if epoch == 1 {
            Control::Stop
        } else {
            Control::Continue
        })
    }
}

/// `fit` with batches of `batch` rows (on each rank, with `dist`), a validation split and the
/// callback; returns the model, its History and the batches the callback saw.
fn fit(seed: u64, batch: usize, dist: Option<&Distributed>) -> (Sequential<f64>, History, usize) {
    // 64 rows: 48 train (whole batches on 2 and on 3 ranks), 16 validate.
    let x = Tensor::<f64>::normal([64, 3], 0.0, 1.0, 1);
    let y = Tensor::<f64>::normal([64, 1], 0.0, 1.0, 3);
    let mut model = Model::new(
        dense(seed),
        Loss::MeanSquaredError,
        Optimizer::adam(0.01),
        vec![Metric::mae("mae")],
    );
    let options = FitOptions {
        epochs: 4,
        batch_size: batch,
        seed: 7,
        validation: Validation::Split(0.25),
        verbose: false,
        data_parallel: dist.map(|d| d as &dyn nn::train::DataParallel<f64>),
        ..FitOptions::default()
    };
    let mut callback = HalveThenStop::default();
    let history = model.fit(&x, &y, &options, &mut [&mut callback]).unwrap();
    (model.net, history, callback.batches)
}

/// `fit` on every rank against `fit` in one process.
fn check_fit(dist: &Distributed) -> bool {
    let (net, history, batches) = fit(10 + dist.rank() as u64, BATCH, Some(dist));
    let (alone, alone_history, alone_batches) = fit(10, BATCH * dist.size(), None);
    let worst = largest_difference(&net, &alone);
    let mut history_gap = 0.0_f64;
    let keys: Vec<&str> = history.keys().collect();
    for key in alone_history.keys() {
        for (a, b) in history
            .get(key)
            .unwrap_or(&[])
            .iter()
            .zip(alone_history.get(key).unwrap())
        {
            history_gap = history_gap.max((a - b).abs());
        }
    }
    let same_history = keys == alone_history.keys().collect::<Vec<_>>()
        && history.get("loss").unwrap().len() == 2
        && history.stopped == Some(StopReason::Requested { epoch: 1 });
    let expected_batches = if dist.is_root() { alone_batches } else { 0 };
    let ok = worst <= TOLERANCE
        && history_gap <= TOLERANCE
        && same_history
        && batches == expected_batches;
    println!(
        "rank {} of {}: fit: largest parameter difference from one process {worst:.3e}, largest \
         History difference {history_gap:.3e} (≤ {TOLERANCE:e}), keys {keys:?}, 2 epochs then \
         stopped: {same_history}, callback saw {batches} batches (expected {expected_batches}): {}",
        dist.rank(),
        dist.size(),
        if ok { "ok" } else { "FAILED" }
    );
    ok
}

fn main() {
    // Small buckets, so that a step takes several all-reduces.
    let dist = Distributed::init()
        .expect("MPI initialises once")
        .bucket_bytes(200);
    let checks = [
        check(
            &dist,
            "dense",
            dense,
            &Tensor::normal([ROWS, 3], 0.0, 1.0, 1),
            Reference::OneBatch,
        ),
        check(
            &dist,
            "cnn with batch norm",
            cnn,
            &Tensor::normal([ROWS, 1, 5, 5], 0.0, 1.0, 1),
            Reference::PerRankBatches,
        ),
        check(
            &dist,
            "lstm",
            lstm,
            &Tensor::normal([ROWS, 6, 2], 0.0, 1.0, 1),
            Reference::OneBatch,
        ),
        check_fit(&dist),
    ];
    let failed = checks.iter().filter(|&&ok| !ok).count();
    drop(dist);
    if failed > 0 {
        eprintln!("{failed} check(s) failed");
        std::process::exit(1);
    }
}
