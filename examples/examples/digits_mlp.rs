//! Handwritten digits (8×8 pixels, 10 classes): a multiclass single-label problem, so the last
//! layer is softmax and the loss sparse categorical cross-entropy (integer labels), as the
//! course's table says. Pixels are scaled to [0, 1]; 20 % of the digits are held out for the
//! test and 10 % of the rest for validation.
//!
//! `cargo run --release --example digits_mlp [-- --epochs N] [--tensorboard DIR]`

use std::error::Error;

use examples::{Digest, example_args, fit_logged, load_digit_images, output_dir};
use nn::history_plot::plot_loss_and_metric;
use nn::metrics::Metric;
use nn::optim::Optimizer;
use nn::train::{FitOptions, Model, Validation};
use nn::{Activation, Dense, LastLayer, Sequential, Tensor};

fn main() -> Result<(), Box<dyn Error>> {
    let args = example_args("digits_mlp", 40);
    // The shared loader's `[n, 1, 8, 8]` images, flattened to the 64 inputs of a dense net.
    let digits = load_digit_images(1)?;
    let flat = |images: Tensor<f32>| {
        let n = images.shape()[0];
        images.reshape([n, 64])
    };
    let (train_x, train_y) = (flat(digits.train_x), digits.train_y);
    let (test_x, test_y) = (flat(digits.test_x), digits.test_y);
    println!(
        "digits: {} training and {} test images",
        train_y.numel(),
        test_y.numel()
    );

    let task = LastLayer::MulticlassSingleLabel {
        sparse_labels: true,
    };
    let net = Sequential::new()
        .add(Dense::new(64, 64).activation(Activation::Relu).seed(1))
        .add(Dense::new(64, 64).activation(Activation::Relu).seed(2))
        .add(Dense::new(64, 10).activation(task.activation()).seed(3));
    let metrics = vec![Metric::sparse_categorical_accuracy("accuracy")];
    let mut model = Model::new(net, task.loss(), Optimizer::rmsprop(1e-3), metrics);
    let options = FitOptions {
        epochs: args.epochs,
        batch_size: 32,
        validation: Validation::Split(0.1),
        ..FitOptions::default()
    };
    let tensorboard = args.tensorboard.as_deref();
    let history = fit_logged(&mut model, &train_x, &train_y, &options, tensorboard)?;
    println!("{history}");
    let test = model.evaluate(&test_x, &test_y, 256)?;
    let acc = test
        .iter()
        .find(|(k, _)| k == "accuracy")
        .map_or(f64::NAN, |(_, v)| *v);
    let loss = test[0].1;
    println!("test loss {loss:.4}, test accuracy {:.2} %", 100.0 * acc);
    Digest::new()
        .history("history", &history)
        .model("weights", &model)
        .tensor("predictions", &model.predict(&test_x, 256)?)
        .print();
    let out = output_dir("digits_mlp");
    plot_loss_and_metric(&history, "accuracy", &out)?;
    println!("plots in {}", out.display());
    Ok(())
}
