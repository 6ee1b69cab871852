//! Keras's CSVLogger, ReduceLROnPlateau and LearningRateScheduler, against expectations worked
//! out by hand from Keras's documented algorithms.

use autodiff_core::{Module, Param, Tensor};
use nn::losses::Loss;
use nn::optim::{Optimizer, Schedule};
use nn::train::{
    BatchEnd, CSVLogger, Callback, CallbackError, Control, FitOptions, LearningRateScheduler, Logs,
    Model, ReduceLROnPlateau, StopReason, Validation,
};
use nn::{Dense, Sequential};

fn model(lr: f64) -> Model<f32, Sequential<f32>> {
    let net = Sequential::new().add(Dense::new(2, 1).seed(3));
    Model::new(net, Loss::MeanSquaredError, Optimizer::sgd(lr), vec![])
}

fn data() -> (Tensor<f32>, Tensor<f32>) {
    let x = Tensor::<f32>::normal([20, 2], 0.0, 1.0, 5);
    let y = Tensor::from_fn([20, 1], |i| x.get(&[i, 0]) - x.get(&[i, 1]));
    (x, y)
}

fn options(epochs: usize) -> FitOptions<'static, f32, Tensor<f32>> {
    FitOptions {
        epochs,
        batch_size: 5,
        shuffle: false,
        verbose: false,
        validation: Validation::Split(0.25),
        ..FitOptions::default()
    }
}

/// A one-parameter module for driving callbacks by hand.
fn param() -> Param<f64> {
    Param::new(Tensor::from_vec(vec![0.0], [1]))
}

fn logs(pairs: &[(&str, f64)]) -> Logs {
    pairs.iter().map(|&(k, v)| (k.to_string(), v)).collect()
}

#[test]
fn csv_logger_writes_a_sorted_header_and_one_row_per_epoch() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.csv");
    let (x, y) = data();
    let mut m = model(0.01);
    let history = m
        .fit(&x, &y, &options(3), &mut [&mut CSVLogger::new(&path)])
        .unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "epoch,loss,val_loss");
    assert_eq!(lines.len(), 4);
    for (epoch, line) in lines[1..].iter().enumerate() {
        let fields: Vec<f64> = line.split(',').map(|f| f.parse().unwrap()).collect();
        assert_eq!(fields[0], epoch as f64);
        assert_eq!(fields[1], history.get("loss").unwrap()[epoch]);
        assert_eq!(fields[2], history.get("val_loss").unwrap()[epoch]);
    }
}

#[test]
fn csv_logger_appends_without_a_second_header_and_marks_missing_keys() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.tsv");
    let mut p = param();
    for run in 0..2 {
        let mut log = CSVLogger::new(&path).separator(b'\t').append(true);
        Callback::<f64>::on_train_begin(&mut log, &mut p).unwrap();
        log.on_epoch_end(0, &logs(&[("val_loss", 2.5), ("loss", 1.5)]), &mut p)
            .unwrap();
        log.on_epoch_end(1, &logs(&[("loss", 0.25 + run as f64)]), &mut p)
            .unwrap();
        // Flushed each epoch: the rows are on disk before training ends.
        let rows = std::fs::read_to_string(&path).unwrap().lines().count();
        assert_eq!(rows, 3 + 2 * run);
        Callback::<f64>::on_train_end(&mut log, &mut p).unwrap();
    }
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        text,
        "epoch\tloss\tval_loss\n0\t1.5\t2.5\n1\t0.25\tNA\n0\t1.5\t2.5\n1\t1.25\tNA\n"
    );
    // Without append the file starts over.
    let mut log = CSVLogger::new(&path);
    Callback::<f64>::on_train_begin(&mut log, &mut p).unwrap();
    log.on_epoch_end(0, &logs(&[("loss", 1.0)]), &mut p)
        .unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "epoch,loss\n0,1\n");
}

#[test]
fn csv_logger_names_the_file_it_cannot_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing").join("log.csv");
    let (x, y) = data();
    let err = model(0.01)
        .fit(&x, &y, &options(1), &mut [&mut CSVLogger::new(&path)])
        .unwrap_err();
    let message = err.to_string();
    assert!(message.contains("CSVLogger"), "{message}");
    assert!(message.contains(&path.display().to_string()), "{message}");
}

/// Records the learning rate of every batch, grouped by epoch.
#[derive(Default)]
struct RateRecorder {
    rates: Vec<Vec<f64>>,
}

impl Callback<f32> for RateRecorder {
    fn on_train_batch_end(
        &mut self,
        batch: &BatchEnd<'_, f32>,
        _model: &dyn Module<f32>,
    ) -> Result<Option<StopReason>, CallbackError> {
        if batch.batch == 0 {
            self.rates.push(vec![]);
        }
        self.rates.last_mut().unwrap().push(batch.learning_rate);
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

#[test]
fn learning_rate_scheduler_sets_the_rate_before_each_epoch() {
    let (x, y) = data();
    let mut m = model(0.1);
    let mut seen = vec![];
    let mut halve_from_2 = LearningRateScheduler::new(move |epoch, lr| {
        seen.push((epoch, lr));
        assert_eq!(seen.len(), epoch + 1, "called once per epoch, in order");
        if epoch < 2 { lr } else { lr * 0.5 }
    });
    let mut rec = RateRecorder::default();
    m.fit(&x, &y, &options(4), &mut [&mut halve_from_2, &mut rec])
        .unwrap();
    // 15 training rows in batches of 5: three steps per epoch, all at that epoch's rate.
    let expected = [0.1, 0.1, 0.05, 0.025];
    assert_eq!(rec.rates.len(), 4);
    for (rates, want) in rec.rates.iter().zip(expected) {
        assert_eq!(rates, &[want; 3]);
    }
    assert_eq!(m.optimizer.learning_rate(), 0.025);
}

#[test]
fn a_scheduled_optimizer_rate_cannot_be_set() {
    let (x, y) = data();
    let schedule = Schedule::Exponential {
        initial: 0.1,
        decay_steps: 3,
        decay_rate: 0.5,
        staircase: true,
    };
    let net = Sequential::new().add(Dense::new(2, 1).seed(3));
    let mut m = Model::new(
        net,
        Loss::MeanSquaredError,
        Optimizer::sgd(schedule),
        vec![],
    );
    let mut constant = LearningRateScheduler::new(|_, lr| lr);
    let err = m
        .fit(&x, &y, &options(2), &mut [&mut constant])
        .unwrap_err();
    let message = err.to_string();
    assert!(message.contains("LearningRateScheduler"), "{message}");
    assert!(message.contains("Exponential"), "{message}");
    assert_eq!(m.optimizer.iterations(), 0);
    let err = m
        .fit(
            &x,
            &y,
            &options(1),
            &mut [&mut LearningRateScheduler::new(|_, _| f64::NAN)],
        )
        .unwrap_err();
    assert!(err.to_string().contains("NaN"), "{err}");
}

/// The rate after each epoch when `reduce` sees these monitored values, from a rate of 1.
fn rates_after(reduce: &mut ReduceLROnPlateau, values: &[f64]) -> Vec<f64> {
    let mut opt = Optimizer::<f64>::sgd(1.0);
    let mut p = param();
    Callback::<f64>::on_train_begin(reduce, &mut p).unwrap();
    values
        .iter()
        .enumerate()
        .map(|(epoch, &v)| {
            let logs = logs(&[("val_loss", v)]);
            let c = Callback::<f64>::on_epoch_end(reduce, epoch, &logs, &mut p).unwrap();
            assert_eq!(c, Control::Continue);
            Callback::<f64>::adjust_learning_rate(reduce, epoch, &logs, &mut opt).unwrap();
            opt.learning_rate()
        })
        .collect()
}

#[test]
fn reduce_lr_on_plateau_halves_after_two_epochs_without_improvement() {
    let mut reduce = ReduceLROnPlateau::new("val_loss")
        .factor(0.5)
        .patience(2)
        .min_delta(0.0);
    let values = [1.0, 0.9, 0.95, 0.95, 0.8, 0.85, 0.9, 0.9, 0.9, 0.9];
    // Best 1.0, 0.9 (wait 0); 0.95 twice: wait 1, 2 → halve after epoch 3, wait 0; 0.8 is the
    // new best; then wait 1, 2 → halve after epoch 6; wait 1, 2 → halve after epoch 8.
    let want = [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25, 0.25, 0.125, 0.125];
    assert_eq!(rates_after(&mut reduce, &values), want);
    assert_eq!(reduce.reductions, [(3, 0.5), (6, 0.25), (8, 0.125)]);
    // min_delta: 0.95 → 0.9 is not an improvement by more than 0.1, so it still waits.
    let mut strict = ReduceLROnPlateau::new("val_loss")
        .factor(0.5)
        .patience(2)
        .min_delta(0.1);
    assert_eq!(rates_after(&mut strict, &[1.0, 0.95, 0.9]), [1.0, 1.0, 0.5]);
}

#[test]
fn reduce_lr_on_plateau_respects_cooldown_and_the_min_lr_floor() {
    let mut reduce = ReduceLROnPlateau::new("val_loss")
        .factor(0.5)
        .patience(1)
        .cooldown(2)
        .min_lr(0.2);
    // Epoch 0 sets the best; 1 waits and halves (cooldown 2); 2 and 3 count the cooldown down
    // (3 reaches 0 and then waits, so halves); 4, 5 likewise, 0.125 floored at 0.2; at 7 the
    // rate is already min_lr, so it stays.
    let want = [1.0, 0.5, 0.5, 0.25, 0.25, 0.2, 0.2, 0.2];
    assert_eq!(rates_after(&mut reduce, &[1.0; 8]), want);
    assert_eq!(reduce.reductions, [(1, 0.5), (3, 0.25), (5, 0.2)]);
    // State starts over with each run, and an improvement resets the wait.
    assert_eq!(
        rates_after(&mut reduce, &[1.0, 0.5, 0.25, 0.25]),
        [1.0, 1.0, 1.0, 0.5]
    );
}

#[test]
fn reduce_lr_on_plateau_lowers_the_optimizer_rate_inside_fit() {
    let (x, y) = data();
    let mut m = model(0.1);
    // Nothing improves by 1e9: after epoch 0 every epoch waits once and halves the rate.
    let mut reduce = ReduceLROnPlateau::new("val_loss")
        .factor(0.5)
        .patience(1)
        .min_delta(1e9);
    let mut rec = RateRecorder::default();
    m.fit(&x, &y, &options(4), &mut [&mut rec, &mut reduce])
        .unwrap();
    let per_epoch: Vec<f64> = rec.rates.iter().map(|r| r[0]).collect();
    assert_eq!(per_epoch, [0.1, 0.1, 0.05, 0.025]);
    assert_eq!(reduce.reductions, [(1, 0.05), (2, 0.025), (3, 0.0125)]);
    assert_eq!(m.optimizer.learning_rate(), 0.0125);
    // With a schedule the first reduction is a typed error.
    let schedule = Schedule::Cosine {
        initial: 0.1,
        decay_steps: 100,
        alpha: 0.0,
    };
    let net = Sequential::new().add(Dense::new(2, 1).seed(3));
    let mut scheduled = Model::new(
        net,
        Loss::MeanSquaredError,
        Optimizer::sgd(schedule),
        vec![],
    );
    let err = scheduled
        .fit(&x, &y, &options(4), &mut [&mut reduce])
        .unwrap_err();
    assert!(err.to_string().contains("ReduceLROnPlateau"), "{err}");
    assert!(err.to_string().contains("Cosine"), "{err}");
}
