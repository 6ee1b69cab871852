//! Breast-cancer diagnosis (30 features, malignant = 0 / benign = 1): binary classification with
//! standardization fitted on the training data only, L2-regularized kernels and dropout, as the
//! course's regularization chapter does; early stopping on the validation loss keeps the best
//! epoch's weights, and a checkpoint callback saves them (safetensors).
//!
//! `cargo run --release --example breast_cancer`

use std::error::Error;

use examples::{Digest, data_dir, output_dir};
use nn::data::{CsvOptions, Standardizer, load_csv, train_val_test_split};
use nn::history_plot::plot_loss_and_metric;
use nn::metrics::Metric;
use nn::optim::Optimizer;
use nn::train::{EarlyStopping, FitOptions, Model, ModelCheckpoint, Validation};
use nn::{Activation, Dense, Dropout, LastLayer, Regularizer, Sequential};

fn main() -> Result<(), Box<dyn Error>> {
    examples::cli::no_options("usage: breast_cancer   (no options)");
    // The first line holds counts and class names, not a header.
    let options = CsvOptions {
        skip_lines: 1,
        ..CsvOptions::default()
    };
    let table = load_csv(data_dir().join("tabular/breast_cancer.csv"), &options)?;
    let (x, y) = table.features_and_target::<f32>();
    let split = train_val_test_split(table.rows, 0.15, 0.2, Some(42));
    let pick = |rows: &[usize]| (x.index_select(0, rows), y.index_select(0, rows));
    let ((train_x, train_y), (val_x, val_y), (test_x, test_y)) =
        (pick(&split.train), pick(&split.val), pick(&split.test));
    let scaler = Standardizer::fit(&train_x);
    let (train_x, val_x, test_x) = (
        scaler.transform(&train_x),
        scaler.transform(&val_x),
        scaler.transform(&test_x),
    );
    println!(
        "breast cancer: {} training, {} validation, {} test tumours",
        split.train.len(),
        split.val.len(),
        split.test.len()
    );

    let task = LastLayer::Binary;
    let l2 = Regularizer::L2(1e-3);
    let net = Sequential::new()
        .add(
            Dense::new(30, 16)
                .activation(Activation::Relu)
                .kernel_regularizer(l2)
                .seed(1),
        )
        .add(Dropout::new(0.3, 11))
        .add(
            Dense::new(16, 16)
                .activation(Activation::Relu)
                .kernel_regularizer(l2)
                .seed(2),
        )
        .add(Dropout::new(0.3, 12))
        .add(Dense::new(16, 1).activation(task.activation()).seed(3));
    let mut model = Model::new(
        net,
        task.loss(),
        Optimizer::rmsprop(1e-3),
        vec![Metric::binary_accuracy("acc")],
    );
    let mut stop = EarlyStopping::new("val_loss")
        .patience(10)
        .restore_best_weights(true);
    let out = output_dir("breast_cancer");
    std::fs::create_dir_all(&out)?;
    let best_file = out.join("best.safetensors");
    let mut checkpoint =
        ModelCheckpoint::new(best_file.to_string_lossy()).save_best_only("val_loss");
    let options = FitOptions {
        epochs: 100,
        batch_size: 16,
        validation: Validation::Data(&val_x, &val_y),
        ..FitOptions::default()
    };
    let history = model.fit(
        &train_x,
        &train_y,
        &options,
        &mut [&mut stop, &mut checkpoint],
    )?;
    println!("{history}");
    match stop.stopped_epoch {
        Some(e) => println!(
            "early stopping at epoch {}, best epoch {}",
            e + 1,
            stop.best_epoch.map_or(0, |b| b + 1)
        ),
        None => println!("ran all {} epochs", history.epochs()),
    }
    let test = model.evaluate(&test_x, &test_y, 256)?;
    let acc = test
        .iter()
        .find(|(k, _)| k == "acc")
        .map_or(f64::NAN, |(_, v)| *v);
    println!(
        "test loss (with L2 penalty) {:.4}, test accuracy {:.2} %",
        test[0].1,
        100.0 * acc
    );
    Digest::new()
        .history("history", &history)
        .model("weights", &model)
        .tensor("predictions", &model.predict(&test_x, 256)?)
        .print();
    println!(
        "best weights saved to {} ({} saves)",
        best_file.display(),
        checkpoint.saved.len()
    );
    plot_loss_and_metric(&history, "acc", &out)?;
    println!("plots in {}", out.display());
    Ok(())
}
