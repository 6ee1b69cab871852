//! A run stopped by a failing callback and resumed by a new `fit` (a new model, as a new
//! process would build) against one never stopped; a checkpoint of another model; a truncated
//! checkpoint.

use autodiff_core::{Module, Tensor};

use super::*;
use crate::losses::Loss;
use crate::metrics::Metric;
use crate::optim::Optimizer;
use crate::train::{
    BatchEnd, DataParallel, EarlyStopping, FitError, FitOptions, History, Model, ReduceLROnPlateau,
    StopReason, Validation,
};
use crate::{Activation, Dense, Dropout, Sequential};
use autodiff_core::checkpoint::CheckpointError;

/// Fails `fit` after its `at`-th step, as a crash would stop it.
struct CrashAfter {
    at: u64,
}

impl<T: Float> Callback<T> for CrashAfter {
    fn on_train_batch_end(
        &mut self,
        batch: &BatchEnd<'_, T>,
        _model: &dyn Module<T>,
    ) -> Result<Option<StopReason>, CallbackError> {
        if batch.step == self.at {
            return Err(CallbackError {
                callback: "CrashAfter",
                message: format!("crash after step {}", self.at),
            });
        }
        Ok(None)
    }

    fn on_epoch_end(
        &mut self,
        _epoch: usize,
        _logs: &Logs,
        _model: &mut dyn Module<T>,
    ) -> Result<Control, CallbackError> {
        Ok(Control::Continue)
    }
}

fn data() -> (Tensor<f32>, Tensor<f32>) {
    let x = Tensor::<f32>::normal([40, 3], 0.0, 1.0, 11);
    let y = Tensor::from_fn([40, 1], |i| {
        f32::from(u8::from(x.get(&[i, 0]) - x.get(&[i, 2]) > 0.0))
    });
    (x, y)
}

fn model(hidden: usize) -> Model<f32, Sequential<f32>> {
    let net = Sequential::new()
        .add(Dense::new(3, hidden).activation(Activation::Relu).seed(1))
        .add(Dropout::new(0.3, 5))
        .add(
            Dense::new(hidden, 1)
                .activation(Activation::Sigmoid)
                .seed(2),
        );
    let loss = Loss::BinaryCrossentropy { from_logits: false };
    let metrics = vec![Metric::binary_accuracy("acc")];
    Model::new(net, loss, Optimizer::adam(0.05), metrics)
}

fn options() -> FitOptions<'static, f32> {
    FitOptions {
        epochs: 6,
        batch_size: 8,
        validation: Validation::Split(0.2),
        verbose: false,
        seed: 3,
        ..FitOptions::default()
    }
}

/// Every parameter's bits, in visiting order.
fn weight_bits(model: &Model<f32, Sequential<f32>>) -> Vec<u32> {
    let params = model.net.named_params();
    params
        .iter()
        .flat_map(|(_, p)| {
            p.value()
                .data()
                .iter()
                .map(|v| v.to_bits())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// A fit with EarlyStopping, ReduceLROnPlateau and the backup in `dir` (saving at `freq`),
/// plus `crash` when given; with where it resumed, if it did.
fn fit(
    model: &mut Model<f32, Sequential<f32>>,
    dir: &Path,
    freq: SaveFreq,
    crash: Option<u64>,
) -> (Result<History, FitError>, Option<(usize, usize)>) {
    fit_in(model, dir, freq, crash, None)
}

/// [`fit`] in the data-parallel group `parallel`, if given.
fn fit_in(
    model: &mut Model<f32, Sequential<f32>>,
    dir: &Path,
    freq: SaveFreq,
    crash: Option<u64>,
    parallel: Option<&dyn DataParallel<f32>>,
) -> (Result<History, FitError>, Option<(usize, usize)>) {
    let (x, y) = data();
    // On the accuracy, which plateaus early: both callbacks act, so their state matters.
    let mut stop = EarlyStopping::new("val_acc")
        .patience(3)
        .restore_best_weights(true);
    let mut reduce = ReduceLROnPlateau::new("val_acc").patience(1).factor(0.5);
    let mut backup = BackupAndRestore::new(dir).save_freq(freq);
    let mut crash = CrashAfter {
        at: crash.unwrap_or(u64::MAX),
    };
    let options = FitOptions {
        data_parallel: parallel,
        ..options()
    };
    let result = model.fit(
        &x,
        &y,
        &options,
        &mut [&mut stop, &mut reduce, &mut backup, &mut crash],
    );
    (result, backup.resumed_at)
}

fn history_bits(h: &History) -> Vec<(String, Vec<u64>)> {
    h.series()
        .map(|(k, v)| (k.to_string(), v.iter().map(|x| x.to_bits()).collect()))
        .collect()
}

#[test]
fn a_resumed_run_is_bit_identical_to_an_uninterrupted_one() {
    let tmp = tempfile::tempdir().unwrap();
    let mut reference = model(8);
    let expected = fit(&mut reference, &tmp.path().join("a"), SaveFreq::Epoch, None)
        .0
        .unwrap();
    // Three reductions of the rate, then the early stop after epoch 3 restores epoch 0's weights.
    assert_eq!(expected.stopped, Some(StopReason::Requested { epoch: 3 }));
    // Steps per epoch: 4. Crashes come after the step's callbacks, before its backup.
    for (freq, crashes, last_backup) in [
        (SaveFreq::Batches(1), vec![3, 9, 10, 14], (3, 1)),
        (SaveFreq::Batches(3), vec![5, 13], (2, 4)),
        (SaveFreq::Batches(5), vec![7, 12], (2, 2)),
        (SaveFreq::Epoch, vec![9, 15], (3, 0)),
    ] {
        let dir = tmp.path().join(format!("{freq:?}"));
        for &at in &crashes {
            let err = fit(&mut model(8), &dir, freq, Some(at)).0.unwrap_err();
            assert!(err.to_string().contains("crash after"), "{err}");
        }
        let mut resumed = model(8);
        let (history, resumed_at) = fit(&mut resumed, &dir, freq, None);
        assert_eq!(resumed_at, Some(last_backup), "{freq:?}");
        assert_eq!(
            history_bits(&history.unwrap()),
            history_bits(&expected),
            "{freq:?}"
        );
        assert_eq!(weight_bits(&resumed), weight_bits(&reference), "{freq:?}");
        assert_eq!(
            std::fs::read_dir(&dir).unwrap().count(),
            0,
            "{freq:?}: backup deleted"
        );
    }
}

#[test]
fn a_backup_of_another_model_is_refused_and_names_the_tensor() {
    let tmp = tempfile::tempdir().unwrap();
    fit(&mut model(8), tmp.path(), SaveFreq::Batches(1), Some(2))
        .0
        .unwrap_err();
    let err = fit(&mut model(9), tmp.path(), SaveFreq::Batches(1), None)
        .0
        .unwrap_err();
    let FitError::Resume(ResumeError::Checkpoint(CheckpointError::Shape {
        tensor,
        expected,
        found,
        ..
    })) = &err
    else {
        panic!("{err}");
    };
    assert_eq!(
        (tensor.as_str(), expected, found),
        ("model.layers.0.kernel", &vec![3, 9], &vec![3, 8])
    );
}

#[test]
fn a_truncated_backup_is_a_typed_error() {
    let tmp = tempfile::tempdir().unwrap();
    fit(&mut model(8), tmp.path(), SaveFreq::Batches(1), Some(2))
        .0
        .unwrap_err();
    let file = BackupAndRestore::new(tmp.path()).checkpoint_path();
    let bytes = std::fs::read(&file).unwrap();
    for len in [0, 7, 100, bytes.len() / 2, bytes.len() - 1] {
        std::fs::write(&file, &bytes[..len]).unwrap();
        let err = fit(&mut model(8), tmp.path(), SaveFreq::Batches(1), None)
            .0
            .unwrap_err();
        assert!(
            matches!(
                err,
                FitError::Resume(ResumeError::Checkpoint(CheckpointError::Corrupt { .. }))
            ),
            "{len} bytes: {err}"
        );
    }
}

/// One process standing in for a data-parallel group, so `fit` takes its data-parallel path.
#[derive(Debug)]
struct OneProcess;

impl DataParallel<f32> for OneProcess {
    fn rank(&self) -> usize {
        0
    }
    fn size(&self) -> usize {
        1
    }
    fn broadcast_state(&self, _model: &mut dyn Module<f32>) {}
    fn average_gradients(
        &self,
        _model: &dyn Module<f32>,
        _grads: &mut autodiff_core::Gradients<f32>,
    ) {
    }
    fn sum_f64(&self, _values: &mut [f64]) {}
    fn broadcast_bytes(&self, _root: usize, _bytes: &mut Vec<u8>) {}
    fn gather_bytes(&self, bytes: &[u8]) -> Vec<Vec<u8>> {
        vec![bytes.to_vec()]
    }
}

#[test]
fn a_data_parallel_fit_resumes_from_its_backup() {
    let tmp = tempfile::tempdir().unwrap();
    let group = OneProcess;
    let mut reference = model(8);
    let expected = fit_in(
        &mut reference,
        &tmp.path().join("a"),
        SaveFreq::Epoch,
        None,
        Some(&group),
    )
    .0
    .unwrap();
    let dir = tmp.path().join("b");
    let err = fit_in(
        &mut model(8),
        &dir,
        SaveFreq::Batches(3),
        Some(7),
        Some(&group),
    )
    .0
    .unwrap_err();
    assert!(err.to_string().contains("crash after"), "{err}");
    let mut resumed = model(8);
    let (history, resumed_at) =
        fit_in(&mut resumed, &dir, SaveFreq::Batches(3), None, Some(&group));
    assert_eq!(resumed_at, Some((1, 2)));
    assert_eq!(history_bits(&history.unwrap()), history_bits(&expected));
    assert_eq!(weight_bits(&resumed), weight_bits(&reference));
}
