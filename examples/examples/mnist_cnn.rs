//! The MNIST convnet of Chollet's "Deep Learning with Python" (§5.1): conv 3×3 ×32 relu → max
//! pool 2 → conv 3×3 ×64 relu → max pool 2 → conv 3×3 ×64 relu → flatten → dense 64 relu →
//! dense 10, trained with RMSprop (learning rate 1e-3) in batches of 64. The book's softmax
//! output with categorical cross-entropy is here 10 logits into sparse categorical
//! cross-entropy from logits: the same loss, computed stably.
//!
//! With `--data DIR` it reads MNIST's four IDX files from DIR (`train-images-idx3-ubyte`,
//! `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`, each also
//! accepted gzip-compressed with a `.gz` suffix). Without it, it says so and trains on the
//! shipped 8×8 digits upscaled to MNIST's 28×28. Reports the test accuracy and the seconds per
//! epoch.
//!
//! `cargo run --release --example mnist_cnn [-- --data DIR --epochs N --tensorboard DIR]`

use std::error::Error;
use std::path::{Path, PathBuf};
use std::time::Instant;

use examples::cli::{Arg, CliError, Flags, parse_or_exit};
use examples::{Digest, fit_logged, load_digit_images_sized};
use nn::data::load_idx;
use nn::layers::{Conv2d, Flatten};
use nn::losses::Loss;
use nn::metrics::Metric;
use nn::optim::Optimizer;
use nn::train::{FitOptions, Model, Validation};
use nn::{Activation, Dense, MaxPool2d, Module, Sequential, Tensor};

const USAGE: &str = "usage: mnist_cnn [--data DIR] [--epochs N] [--tensorboard DIR]

Trains the Keras book's MNIST convnet and reports the test accuracy and seconds per epoch.

  --data DIR   read MNIST's IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte,
               t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, or the same names + .gz)
               from DIR (default: the shipped 8×8 digits upscaled to 28×28)
  --epochs N   passes over the training images (default 5 on MNIST, as the book; 15 on the
               digits)
  --tensorboard DIR  write TensorBoard logs (train/, validation/) and history.csv in DIR
  -h, --help   print this help";

/// What the command line asked for.
struct Args {
    data: Option<PathBuf>,
    epochs: Option<usize>,
    tensorboard: Option<PathBuf>,
}

/// The arguments, or what was wrong with them.
fn parse_args(flags: &mut Flags) -> Result<Args, CliError> {
    let mut args = Args {
        data: None,
        epochs: None,
        tensorboard: None,
    };
    while let Some(arg) = flags.next_arg()? {
        match arg {
            Arg::Flag(name) if name == "data" => args.data = Some(flags.value::<PathBuf>()?),
            Arg::Flag(name) if name == "epochs" => args.epochs = Some(flags.positive()?),
            Arg::Flag(name) if name == "tensorboard" => args.tensorboard = Some(flags.value()?),
            _ => return Err(flags.unexpected()),
        }
    }
    Ok(args)
}

fn convnet() -> Sequential<f32> {
    let conv = |inputs, filters, seed| {
        Conv2d::new(inputs, filters, [3, 3])
            .activation(Activation::Relu)
            .seed(seed)
    };
    Sequential::new()
        .add(conv(1, 32, 1))
        .add(MaxPool2d::new(2))
        .add(conv(32, 64, 2))
        .add(MaxPool2d::new(2))
        .add(conv(64, 64, 3))
        .add(Flatten)
        .add(Dense::new(576, 64).activation(Activation::Relu).seed(4))
        .add(Dense::new(64, 10).seed(5))
}

/// Training and test images (`[n, 1, 28, 28]` in [0, 1]) and labels (`[n]`, 0–9).
struct Split {
    train: (Tensor<f32>, Tensor<f32>),
    test: (Tensor<f32>, Tensor<f32>),
}

/// `DIR/NAME`, or `DIR/NAME.gz` when only that exists.
fn idx_file(dir: &Path, name: &str) -> PathBuf {
    let plain = dir.join(name);
    let zipped = dir.join(format!("{name}.gz"));
    if !plain.exists() && zipped.exists() {
        zipped
    } else {
        plain
    }
}

/// One of MNIST's image/label file pairs from `dir`.
fn load_mnist_part(dir: &Path, part: &str) -> Result<(Tensor<f32>, Tensor<f32>), Box<dyn Error>> {
    let (images, labels) = load_idx(
        idx_file(dir, &format!("{part}-images-idx3-ubyte")),
        idx_file(dir, &format!("{part}-labels-idx1-ubyte")),
    )?;
    if (images.rows(), images.cols()) != (28, 28) {
        return Err(format!(
            "{}: images are {}×{}, the convnet takes 28×28",
            dir.display(),
            images.rows(),
            images.cols()
        )
        .into());
    }
    let n = labels.len();
    let labels = Tensor::from_vec(labels.into_iter().map(f32::from).collect(), [n]);
    Ok((images.to_tensor(), labels))
}

fn load(data: Option<&Path>) -> Result<Split, Box<dyn Error>> {
    match data {
        Some(dir) => Ok(Split {
            train: load_mnist_part(dir, "train")?,
            test: load_mnist_part(dir, "t10k")?,
        }),
        None => {
            println!(
                "mnist_cnn: no --data DIR given: training on the shipped 8×8 digits upscaled to 28×28"
            );
            let digits = load_digit_images_sized(28)?;
            Ok(Split {
                train: (digits.train_x, digits.train_y),
                test: (digits.test_x, digits.test_y),
            })
        }
    }
}

fn main() {
    let args = parse_or_exit(USAGE, parse_args);
    if let Err(e) = run(&args) {
        eprintln!("mnist_cnn: {e}");
        std::process::exit(1);
    }
}

/// Loads the data, trains and reports.
fn run(args: &Args) -> Result<(), Box<dyn Error>> {
    let split = load(args.data.as_deref())?;
    let epochs = args
        .epochs
        .unwrap_or(if args.data.is_some() { 5 } else { 15 });
    let net = convnet();
    let params = net.num_params();
    println!(
        "mnist_cnn: {params} parameters, {} training and {} test images",
        split.train.0.dims()[0],
        split.test.0.dims()[0]
    );
    let loss = Loss::SparseCategoricalCrossentropy { from_logits: true };
    let metrics = vec![Metric::sparse_categorical_accuracy("accuracy")];
    let mut model = Model::new(net, loss, Optimizer::rmsprop(1e-3), metrics);
    let options = FitOptions {
        epochs,
        batch_size: 64,
        validation: Validation::None,
        ..FitOptions::default()
    };
    let start = Instant::now();
    let history = fit_logged(
        &mut model,
        &split.train.0,
        &split.train.1,
        &options,
        args.tensorboard.as_deref(),
    )?;
    let per_epoch = start.elapsed().as_secs_f64() / epochs.max(1) as f64;
    println!("{history}");
    let test = model.evaluate(&split.test.0, &split.test.1, 256)?;
    let accuracy = test
        .iter()
        .find(|(k, _)| k == "accuracy")
        .map_or(f64::NAN, |(_, v)| *v);
    println!(
        "mnist_cnn: test accuracy {:.2} %, {per_epoch:.2} s per epoch",
        100.0 * accuracy
    );
    Digest::new()
        .history("history", &history)
        .model("weights", &model)
        .tensor("predictions", &model.predict(&split.test.0, 256)?)
        .print();
    Ok(())
}
