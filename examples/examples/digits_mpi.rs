//! The digits MLP of `digits_mlp` trained data-parallel over MPI: every process holds a replica,
//! reads its share of each epoch's shuffled digits and steps with gradients averaged over all
//! processes (`nn::distributed`). With `P` processes of 32 digits a step, each step trains on
//! `32·P` digits, so an epoch has `P` times fewer steps. Rank 0 prints and plots.
//!
//! ```sh
//! cargo build --release -p examples --features mpi --example digits_mpi
//! mpirun -np 2 target/release/examples/digits_mpi [--epochs N]
//! ```

use std::error::Error;

use examples::{example_args, load_digit_images, output_dir};
use nn::distributed::Distributed;
use nn::history_plot::plot_loss_and_metric;
use nn::metrics::Metric;
use nn::optim::Optimizer;
use nn::train::{FitOptions, Model, Validation};
use nn::{Activation, Dense, LastLayer, Sequential, Tensor};

fn main() -> Result<(), Box<dyn Error>> {
    let dist = Distributed::init()?;
    let args = example_args("digits_mpi", 40);
    let digits = load_digit_images(1)?;
    let flat = |images: Tensor<f32>| {
        let n = images.shape()[0];
        images.reshape([n, 64])
    };
    let (train_x, train_y) = (flat(digits.train_x), digits.train_y);
    let (test_x, test_y) = (flat(digits.test_x), digits.test_y);
    let task = LastLayer::MulticlassSingleLabel {
        sparse_labels: true,
    };
    // Every rank builds the net; `fit` starts them all from rank 0's weights.
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
        data_parallel: Some(&dist),
        ..FitOptions::default()
    };
    let history = model.fit(&train_x, &train_y, &options, &mut [])?;
    if !dist.is_root() {
        return Ok(());
    }
    println!(
        "digits on {} processes: {} training and {} test images",
        dist.size(),
        train_y.numel(),
        test_y.numel()
    );
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
    let out = output_dir("digits_mpi");
    plot_loss_and_metric(&history, "accuracy", &out)?;
    println!("plots in {}", out.display());
    Ok(())
}
