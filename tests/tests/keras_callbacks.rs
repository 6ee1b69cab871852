//! Keras's CSVLogger, ReduceLROnPlateau and LearningRateScheduler, against expectations worked
//! out by hand from Keras's documented algorithms.

use autodiff_core::{Param, Tensor};
use nn::losses::Loss;
use nn::optim::Optimizer;
use nn::train::{CSVLogger, Callback, FitOptions, Logs, Model, Validation};
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
