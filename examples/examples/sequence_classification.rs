//! Handwritten digits read as sequences: each 8×8 image is 8 time steps of 8 pixels (one row
//! per step), classified by a bidirectional LSTM (one direction reads the rows top to bottom,
//! the other bottom to top; their last outputs are concatenated), then a softmax over the 10
//! digits. The classifier is a layer of our own (`#[derive(Module)]` and one `Layer` impl),
//! trained by `Model::fit`. The same split as `digits_mlp` (20 % held out for the test, 10 % of the
//! rest for validation).
//!
//! `cargo run --release --example sequence_classification [-- --epochs N]`

use std::error::Error;

use autodiff_core::{Tape, Tensor, Var};
use examples::{Digest, load_digit_images};
use nn::metrics::Metric;
use nn::optim::Optimizer;
use nn::recurrent::{Bidirectional, LstmCell};
use nn::train::{FitOptions, Model, Validation};
use nn::{Dense, LastLayer, Layer, Module};

/// Rows per image (time steps) and pixels per row (features per step).
const ROWS: usize = 8;
const COLS: usize = 8;
/// Units per direction.
const UNITS: usize = 64;

/// A bidirectional LSTM over the rows, then a dense softmax over its two last outputs.
#[derive(Module)]
#[module(float = f32)]
struct RowReader {
    rnn: Bidirectional<f32, LstmCell>,
    head: Dense<f32>,
}

impl<'t> Layer<'t, f32> for RowReader {
    type Output = Var<'t, f32>;

    fn forward(&self, x: Var<'t, f32>) -> Var<'t, f32> {
        self.head.forward(self.rnn.forward(x).output)
    }

    fn penalty(&self, tape: &'t Tape<f32>) -> Option<Var<'t, f32>> {
        self.head.penalty(tape)
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let epochs = examples::cli::epochs_or_exit(
        "usage: sequence_classification [--epochs N]   (default 40)",
        40,
    );
    // The digits as [n, 1, 8, 8] images (the split of digits_mlp), read as [n, 8 rows, 8 pixels].
    let digits = load_digit_images(1)?;
    let as_rows = |images: Tensor<f32>| {
        let n = images.dims()[0];
        images.reshape([n, ROWS, COLS])
    };
    let (train_x, train_y) = (as_rows(digits.train_x), digits.train_y);
    let (test_x, test_y) = (as_rows(digits.test_x), digits.test_y);
    println!(
        "digits as sequences of {ROWS} rows: {} training and {} test images",
        train_x.dims()[0],
        test_x.dims()[0]
    );

    let task = LastLayer::MulticlassSingleLabel {
        sparse_labels: true,
    };
    let net = RowReader {
        rnn: Bidirectional::new(COLS, UNITS).seed(1),
        head: Dense::new(2 * UNITS, 10)
            .activation(task.activation())
            .seed(2),
    };
    let metrics = vec![Metric::sparse_categorical_accuracy("accuracy")];
    let mut model = Model::new(net, task.loss(), Optimizer::adam(3e-3), metrics);
    let options = FitOptions {
        epochs,
        batch_size: 32,
        validation: Validation::Split(0.1),
        ..FitOptions::default()
    };
    let history = model.fit(&train_x, &train_y, &options, &mut [])?;
    println!("{history}");
    let test = model.evaluate(&test_x, &test_y, 256)?;
    let acc = test
        .iter()
        .find(|(k, _)| k == "accuracy")
        .map_or(f64::NAN, |(_, v)| *v);
    println!(
        "test loss {:.4}, test accuracy {:.2} %",
        test[0].1,
        100.0 * acc
    );
    Digest::new()
        .history("history", &history)
        .model("weights", &model)
        .tensor("predictions", &model.predict(&test_x, 256)?)
        .print();
    Ok(())
}
