//! Boston housing prices, the course's regression example: 404 training and 102 test tracts,
//! 13 features standardized on the training data only, a 64-64-1 network trained with RMSprop on
//! MSE, and 4-fold cross-validation reporting the mean absolute error (in k$) per epoch
//! averaged over folds. Then a final model on all training data is scored on the test set.
//!
//! Data caveat: feature B encodes the proportion of Black residents by town (see
//! `examples/data/README.md`); it is used only because the course does.
//!
//! `cargo run --release --example boston_housing`

use std::error::Error;

use autodiff_core::Tensor;
use examples::{data_dir, output_dir};
use nn::data::{CsvOptions, Standardizer, load_csv, train_val_test_split};
use nn::history_plot::plot_metric;
use nn::losses::Loss;
use nn::metrics::Metric;
use nn::optim::Optimizer;
use nn::train::{FitOptions, KFold, Model};
use nn::{Activation, Dense, Sequential};

const EPOCHS: usize = 100;

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
    examples::cli::no_options("usage: boston_housing   (no options)");
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
        epochs: EPOCHS,
        batch_size: 16,
        verbose: false,
        ..FitOptions::default()
    };
    let kfold = KFold {
        k: 4,
        shuffle: true,
        seed: 0,
    };
    let cv = kfold.cross_validate(&train_x, &train_y, |fold| build(fold as u64), &options)?;
    for (f, h) in cv.folds.iter().enumerate() {
        let mae = h.get("val_mae").unwrap_or_default();
        println!(
            "fold {f}: final val_mae {:.3}",
            mae.last().copied().unwrap_or(f64::NAN)
        );
    }
    println!("\nPer-epoch mean over the 4 folds:\n{}", cv.mean);
    let mean_mae = cv.mean.get("val_mae").unwrap_or_default();
    let (best_epoch, best) =
        mean_mae.iter().enumerate().fold(
            (0, f64::INFINITY),
            |b, (e, &v)| if v < b.1 { (e, v) } else { b },
        );
    let last = mean_mae.last().copied().unwrap_or(f64::NAN);
    println!(
        "4-fold validation MAE after {EPOCHS} epochs: {last:.3} k$ (best {best:.3} at epoch {})",
        best_epoch + 1
    );

    let out = output_dir("boston_housing");
    plot_metric(
        &cv.mean,
        "mae",
        "Mean absolute error, 4-fold average",
        out.join("mae"),
    )?;
    plot_metric(
        &cv.mean,
        "loss",
        "MSE loss, 4-fold average",
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
    Ok(())
}
