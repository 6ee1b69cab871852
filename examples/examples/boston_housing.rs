//! Boston housing prices, the course's regression example: 404 training and 102 test tracts,
//! 13 features standardized on the training data only, a 64-64-1 network trained with RMSprop on
//! MSE, and 4-fold cross-validation reporting the mean absolute error (in k$) per epoch
//! averaged over folds; `--iterations P` repeats the 4 folds P times on new shuffles of the rows
//! (the book's iterated K-fold validation with shuffling) and averages all 4P. Then a final
//! model on all training data is scored on the test set.
//!
//! Data caveat: feature B encodes the proportion of Black residents by town (see
//! `examples/data/README.md`); it is used only because the course does.
//!
//! `cargo run --release --example boston_housing [-- --epochs N] [--iterations P]`

use std::error::Error;

use autodiff_core::Tensor;
use examples::cli::{Arg, CliError, Flags, parse_or_exit};
use examples::{Digest, data_dir, output_dir};
use nn::data::{CsvOptions, Standardizer, load_csv, train_val_test_split};
use nn::history_plot::plot_metric;
use nn::losses::Loss;
use nn::metrics::Metric;
use nn::optim::Optimizer;
use nn::train::{FitOptions, IteratedKFold, Model};
use nn::{Activation, Dense, Sequential};

const USAGE: &str = "usage: boston_housing [--epochs N] [--iterations P]   (default 100 epochs, 1 iteration of 4 folds)";

/// Folds per round of cross-validation.
const FOLDS: usize = 4;

/// Epochs of every fold's training, and rounds of K-fold.
struct Args {
    epochs: usize,
    iterations: usize,
}

fn parse_args(flags: &mut Flags) -> Result<Args, CliError> {
    let mut args = Args {
        epochs: 100,
        iterations: 1,
    };
    while let Some(arg) = flags.next_arg()? {
        match arg {
            Arg::Flag(name) if name == "epochs" => args.epochs = flags.positive()?,
            Arg::Flag(name) if name == "iterations" => args.iterations = flags.positive()?,
            _ => return Err(flags.unexpected()),
        }
    }
    Ok(args)
}

fn build(seed: u64) -> Model<f32, Sequential<f32>> {
    let net = Sequential::new()
        .add(
            Dense::new(13, 64)
                .activation(Activation::Relu)
                .seed(3 * seed),
        )
        .add(
            Dense::new(64, 64)
                .activation(Activation::Relu)
                .seed(3 * seed + 1),
        )
        .add(Dense::new(64, 1).seed(3 * seed + 2));
    Model::new(
        net,
        Loss::MeanSquaredError,
        Optimizer::rmsprop(1e-3),
        vec![Metric::mae("mae")],
    )
}

fn main() -> Result<(), Box<dyn Error>> {
    let args = parse_or_exit(USAGE, parse_args);
    let path = data_dir().join("tabular/boston_house_prices.csv");
    let table = load_csv(
        &path,
        &CsvOptions {
            header: true,
            ..CsvOptions::default()
        },
    )?;
    let (x, y) = table.features_and_target::<f32>();
    // Keras's copy of the data set is a shuffled 404/102 split; this is a seeded one.
    let split = train_val_test_split(table.rows, 0.0, 102.0 / 506.0, Some(113));
    let (train_x, train_y) = (
        x.index_select(0, &split.train),
        y.index_select(0, &split.train),
    );
    let (test_x, test_y) = (
        x.index_select(0, &split.test),
        y.index_select(0, &split.test),
    );
    let scaler = Standardizer::fit(&train_x);
    let (train_x, test_x) = (scaler.transform(&train_x), scaler.transform(&test_x));
    println!(
        "Boston housing: {} training and {} test tracts",
        split.train.len(),
        split.test.len()
    );

    let options = FitOptions {
        epochs: args.epochs,
        batch_size: 16,
        verbose: false,
        ..FitOptions::default()
    };
    // One iteration is plain shuffled 4-fold cross-validation (the same split as `KFold` with
    // this seed).
    let kfold = IteratedKFold {
        k: FOLDS,
        iterations: args.iterations,
        seed: 0,
    };
    let cv = kfold.cross_validate(&train_x, &train_y, |fold| build(fold as u64), &options)?;
    for (f, h) in cv.folds.iter().enumerate() {
        let mae = h.get("val_mae").unwrap_or_default();
        println!(
            "iteration {} fold {}: final val_mae {:.3}",
            f / FOLDS,
            f % FOLDS,
            mae.last().copied().unwrap_or(f64::NAN)
        );
    }
    let trainings = cv.folds.len();
    println!("\nPer-epoch mean over the {trainings} folds:\n{}", cv.mean);
    let mean_mae = cv.mean.get("val_mae").unwrap_or_default();
    let (best_epoch, best) =
        mean_mae.iter().enumerate().fold(
            (0, f64::INFINITY),
            |b, (e, &v)| if v < b.1 { (e, v) } else { b },
        );
    let last = mean_mae.last().copied().unwrap_or(f64::NAN);
    println!(
        "{}× {FOLDS}-fold validation MAE after {} epochs: {last:.3} k$ (best {best:.3} at epoch {})",
        args.iterations,
        args.epochs,
        best_epoch + 1
    );

    let out = output_dir("boston_housing");
    plot_metric(
        &cv.mean,
        "mae",
        "Mean absolute error, K-fold average",
        out.join("mae"),
    )?;
    plot_metric(
        &cv.mean,
        "loss",
        "MSE loss, K-fold average",
        out.join("loss"),
    )?;

    let mut final_model = build(99);
    let final_options = FitOptions {
        epochs: best_epoch + 1,
        ..options
    };
    final_model.fit(&train_x, &train_y, &final_options, &mut [])?;
    let test = final_model.evaluate(&test_x, &test_y, 64)?;
    let test_mae = test
        .iter()
        .find(|(k, _)| k == "mae")
        .map_or(f64::NAN, |(_, v)| *v);
    println!(
        "final model ({} epochs on all training data): test MAE {test_mae:.3} k$",
        best_epoch + 1
    );
    println!("plots in {}", out.display());
    let sample: Tensor<f32> = final_model.predict(&test_x.narrow(0, 0, 3), 3)?;
    println!(
        "first three test predictions {:?} vs targets {:?}",
        sample.data(),
        &test_y.data()[..3]
    );
    let mut digest = Digest::new();
    digest.history("mean_history", &cv.mean);
    for (f, h) in cv.folds.iter().enumerate() {
        digest.history(&format!("fold{f}.history"), h);
    }
    digest
        .model("final.weights", &final_model)
        .tensor("predictions", &final_model.predict(&test_x, 64)?)
        .print();
    Ok(())
}
