//! Resuming after a crash, as a user's crash happens: a child process (this test binary, one
//! thread) trains a small model with dropout, shuffling and augmentation, backing up after
//! every batch; the parent kills it with SIGKILL at random moments, many of them inside a
//! backup's write, restarts it each time, and checks after every kill that each file in the
//! backup directory is a complete checkpoint of the model or a temporary file the next start
//! removes. The final weights and History must be bit-identical to an uninterrupted run's.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use autodiff_core::checkpoint::RecordFile;
use autodiff_core::{Module, Tensor, atomic_file};
use nn::losses::Loss;
use nn::metrics::Metric;
use nn::optim::Optimizer;
use nn::train::{
    BackupAndRestore, BatchEnd, BatchTransform, Callback, CallbackError, Control, EarlyStopping,
    FitOptions, Logs, Model, ReduceLROnPlateau, SaveFreq, StopReason, Validation,
};
use nn::{Activation, Dense, Dropout, Sequential};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

/// Set in the child: its backup directory, and where it writes its result.
const CHILD_DIR: &str = "CRASH_RESUME_BACKUP_DIR";
const CHILD_OUT: &str = "CRASH_RESUME_OUT";
/// What the child prints after each batch, right before that batch's backup is written.
const MARKER: &str = "batch done";

fn network() -> Sequential<f32> {
    Sequential::new()
        .add(Dense::new(3, 16).activation(Activation::Relu).seed(1))
        .add(Dropout::new(0.3, 5))
        .add(Dense::new(16, 1).activation(Activation::Sigmoid).seed(2))
}

/// Adds noise drawn from (epoch, batch) alone, as augmentation must for a run to resume.
#[derive(Debug)]
struct Jitter;

impl BatchTransform<Tensor<f32>> for Jitter {
    fn transform(&self, batch: Tensor<f32>, epoch: usize, step: usize) -> Tensor<f32> {
        let noise = Tensor::normal(
            batch.dims().to_vec(),
            0.0,
            0.05,
            (epoch * 1000 + step) as u64,
        );
        batch.add(&noise)
    }
}

/// Prints [`MARKER`] after each batch, so that the parent can aim its kills at the backup's
/// write that follows.
struct Marker;

impl Callback<f32> for Marker {
    fn on_train_batch_end(
        &mut self,
        _batch: &BatchEnd<'_, f32>,
        _model: &dyn Module<f32>,
    ) -> Result<Option<StopReason>, CallbackError> {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{MARKER}")
            .and_then(|()| out.flush())
            .map_err(|e| CallbackError {
                callback: "Marker",
                message: e.to_string(),
            })?;
        Ok(None)
    }

    fn on_epoch_end(
        &mut self,
        _epoch: usize,
        _logs: &Logs,
        _model: &mut dyn Module<f32>,
    ) -> Result<Control, CallbackError> {
        Ok(Control::Continue)
    }
}

/// The child's work: train (resuming from `backup_dir` when a backup is there) and write every
/// weight's and every History value's bits to `out`.
fn train(backup_dir: &Path, out: &Path) {
    let x = Tensor::<f32>::normal([80, 3], 0.0, 1.0, 11);
    let y = Tensor::from_fn([80, 1], |i| {
        f32::from(u8::from(x.get(&[i, 0]) - x.get(&[i, 2]) > 0.0))
    });
    let loss = Loss::BinaryCrossentropy { from_logits: false };
    let metrics = vec![Metric::binary_accuracy("acc")];
    let mut model = Model::new(network(), loss, Optimizer::adam(0.02), metrics);
    let options = FitOptions {
        epochs: 10,
        batch_size: 8,
        seed: 3,
        validation: Validation::Split(0.2),
        verbose: false,
        augment: Some(&Jitter),
        ..FitOptions::default()
    };
    let mut stop = EarlyStopping::new("val_loss")
        .patience(4)
        .restore_best_weights(true);
    let mut reduce = ReduceLROnPlateau::new("val_acc").patience(2).factor(0.5);
    let mut backup = BackupAndRestore::new(backup_dir).save_freq(SaveFreq::Batches(1));
    let callbacks: &mut [&mut dyn Callback<f32>] =
        &mut [&mut Marker, &mut stop, &mut reduce, &mut backup];
    let history = model.fit(&x, &y, &options, callbacks).expect("training");
    let mut text = String::new();
    for (name, p) in model.net.named_params() {
        let bits: Vec<String> = p
            .value()
            .data()
            .iter()
            .map(|v| format!("{:08x}", v.to_bits()))
            .collect();
        text += &format!("{name} {}\n", bits.join(" "));
    }
    for (key, values) in history.series() {
        let bits: Vec<String> = values
            .iter()
            .map(|v| format!("{:016x}", v.to_bits()))
            .collect();
        text += &format!("{key} {}\n", bits.join(" "));
    }
    text += &format!("stopped {:?}\n", history.stopped);
    atomic_file::write_atomically(out, |w| w.write_all(text.as_bytes())).expect("result");
}

/// The child's entry point: does nothing unless started by the parent below.
#[test]
fn child_training_run() {
    if let (Some(dir), Some(out)) = (std::env::var_os(CHILD_DIR), std::env::var_os(CHILD_OUT)) {
        train(Path::new(&dir), Path::new(&out));
    }
}

/// Starts the child on one thread, training into `dir` and writing its result to `out`.
fn start_child(dir: &Path, out: &Path) -> std::process::Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_training_run",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_DIR, dir)
        .env(CHILD_OUT, out)
        .env("MATMUL_NUM_THREADS", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Checks every file in `dir`: a complete backup of the model, or a temporary file. Returns
/// whether there was a temporary file (a write the kill interrupted).
fn check_backup_dir(dir: &Path) -> bool {
    let mut interrupted_write = false;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path: PathBuf = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if BackupAndRestore::is_temporary(&name) {
            interrupted_write = true;
            continue;
        }
        assert_eq!(
            path,
            BackupAndRestore::new(dir).checkpoint_path(),
            "stray file {name}"
        );
        let file = RecordFile::open(&path).unwrap_or_else(|e| panic!("corrupt backup: {e}"));
        let mut net = network();
        file.load_module("model", &mut net)
            .unwrap_or_else(|e| panic!("backup of another model: {e}"));
    }
    interrupted_write
}

#[test]
fn killed_at_random_the_run_resumes_bit_for_bit() {
    if std::env::var_os(CHILD_DIR).is_some() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let reference_out = tmp.path().join("reference.txt");
    let status = start_child(&tmp.path().join("reference"), &reference_out)
        .wait()
        .unwrap();
    assert!(status.success());

    let dir = tmp.path().join("backup");
    let out = tmp.path().join("killed.txt");
    let mut rng = StdRng::seed_from_u64(2024);
    let (mut kills, mut interrupted_writes) = (0, 0);
    loop {
        assert!(
            kills < 500,
            "no end after {kills} kills: the runs do not resume"
        );
        let mut child = start_child(&dir, &out);
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        // Kill right after the k-th marker, within the backup's write that follows it.
        let k = rng.random_range(1..=3);
        let marked = (&mut lines)
            .map_while(Result::ok)
            .filter(|l| l == MARKER)
            .take(k)
            .count();
        if marked < k {
            assert!(child.wait().unwrap().success(), "the child failed");
            break;
        }
        std::thread::sleep(Duration::from_micros(rng.random_range(0..1500)));
        child.kill().unwrap();
        child.wait().unwrap();
        kills += 1;
        interrupted_writes += usize::from(check_backup_dir(&dir));
    }
    assert!(kills >= 20, "only {kills} kills");
    assert!(
        interrupted_writes >= 1,
        "no kill landed inside a write ({kills} kills)"
    );
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        std::fs::read_to_string(&reference_out).unwrap(),
        "after {kills} kills"
    );
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert!(left.is_empty(), "left in the backup directory: {left:?}");
    eprintln!("{kills} kills, {interrupted_writes} inside a backup's write");
}
