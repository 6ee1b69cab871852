//! Handwritten digits (8×8 pixels, 10 classes) with a small convnet, the course's
//! conv → conv → pool → dense pattern scaled to 8×8 images: two 3×3 `same` convolutions (16
//! and 32 filters, relu), 2×2 max pooling, flatten, dropout and a dense softmax layer (logits
//! into sparse categorical cross-entropy). Pixels are scaled to [0, 1] and laid out as
//! `[n, 1, 8, 8]`; 20 % of the digits are held out for the test (the split of `digits_mlp`),
//! 10 % of the rest validate. Training batches are shifted, rotated and zoomed a little
//! (never flipped: a mirrored digit is another symbol) unless `--no-augment` is given.
//!
//! Writes the training curves, the 16 learned first-layer filters (`filters.png`) and their
//! feature maps of one test digit (`digit.png`, `feature_maps.png`) to
//! `target/example-output/digits_cnn/`.
//!
//! `cargo run --release --example digits_cnn [-- --epochs N --no-augment]`

use std::error::Error;
use std::path::{Path, PathBuf};

use examples::cli::{Arg, CliError, Flags, parse_or_exit};
use examples::{Digest, DigitImages, fit_logged, load_digit_images, output_dir};
use nn::data::{FillMode, ImageAugmentation};
use nn::history_plot::plot_loss_and_metric;
use nn::layers::{Conv2d, Flatten, Padding};
use nn::losses::Loss;
use nn::metrics::Metric;
use nn::optim::Optimizer;
use nn::plot::save_image_grid;
use nn::train::{FitOptions, Model, Validation};
use nn::{Activation, Dense, Dropout, Layer, MaxPool2d, Module, Sequential, Tape, Tensor};

const USAGE: &str = "usage: digits_cnn [--epochs N] [--no-augment]

Trains a small convnet (conv 3×3 ×16, conv 3×3 ×32, max pool 2, dense) on the shipped 8×8
digits and reports the test accuracy.

  --epochs N     passes over the training digits (default 50)
  --no-augment   train on the digits as they are (default: shift, rotate and zoom the
                 training batches a little)
  --tensorboard DIR  write TensorBoard logs (train/, validation/) and history.csv in DIR
  -h, --help     print this help";

/// What the command line asked for.
struct Args {
    epochs: usize,
    augment: bool,
    tensorboard: Option<PathBuf>,
}

/// The arguments (see `examples::cli`).
fn parse_args(flags: &mut Flags) -> Result<Args, CliError> {
    let mut args = Args {
        epochs: 50,
        augment: true,
        tensorboard: None,
    };
    while let Some(arg) = flags.next_arg()? {
        match arg {
            Arg::Flag(name) if name == "no-augment" => args.augment = false,
            Arg::Flag(name) if name == "epochs" => args.epochs = flags.positive()?,
            Arg::Flag(name) if name == "tensorboard" => args.tensorboard = Some(flags.value()?),
            _ => return Err(flags.unexpected()),
        }
    }
    Ok(args)
}

fn convnet() -> Sequential<f32> {
    let conv = |inputs, filters, seed| {
        Conv2d::new(inputs, filters, [3, 3])
            .padding(Padding::Same)
            .activation(Activation::Relu)
            .seed(seed)
    };
    Sequential::new()
        .add(conv(1, 16, 1))
        .add(conv(16, 32, 2))
        .add(MaxPool2d::new(2))
        .add(Flatten)
        .add(Dropout::new(0.3, 3))
        .add(Dense::new(32 * 4 * 4, 10).seed(4))
}

/// The first convolution's filters, and its feature maps of the first test digit, as PNG grids.
fn save_first_layer_pictures(
    net: &Sequential<f32>,
    images: &Tensor<f32>,
    out: &Path,
) -> Result<(), Box<dyn Error>> {
    let conv: &Conv2d<f32> = net.layer(0).ok_or("the first layer is a Conv2d")?;
    save_image_grid(out.join("filters.png"), conv.kernel.value(), 8, 24)?;
    let tape = Tape::no_grad();
    let maps = conv.forward(tape.constant(images.narrow(0, 0, 1))).value();
    save_image_grid(out.join("digit.png"), &images.narrow(0, 0, 1), 1, 24)?;
    save_image_grid(
        out.join("feature_maps.png"),
        &maps.reshape([16, 8, 8]),
        8,
        12,
    )?;
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    let args = parse_or_exit(USAGE, parse_args);
    let DigitImages {
        train_x,
        train_y,
        test_x,
        test_y,
    } = load_digit_images(1)?;
    println!(
        "digits: {} training and {} test images of 1×8×8",
        train_y.numel(),
        test_y.numel()
    );

    let net = convnet();
    println!("{} parameters", net.num_params());
    let loss = Loss::SparseCategoricalCrossentropy { from_logits: true };
    let metrics = vec![Metric::sparse_categorical_accuracy("accuracy")];
    let mut model = Model::new(net, loss, Optimizer::adam(1e-3), metrics);
    let augmentation = ImageAugmentation {
        width_shift_range: 0.1,
        height_shift_range: 0.1,
        rotation_range: 10.0,
        zoom_range: 0.1,
        fill_mode: FillMode::Constant(0.0),
        seed: 5,
        ..ImageAugmentation::default()
    };
    let options = FitOptions {
        epochs: args.epochs,
        batch_size: 32,
        validation: Validation::Split(0.1),
        augment: args.augment.then_some(&augmentation as _),
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
    let out = output_dir("digits_cnn");
    plot_loss_and_metric(&history, "accuracy", &out)?;
    save_first_layer_pictures(&model.net, &test_x, &out)?;
    println!("plots, filters and feature maps in {}", out.display());
    Ok(())
}
