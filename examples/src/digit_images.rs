//! The shipped 8×8 digits as NCHW images for the convolutional examples, optionally upscaled,
//! with the train/test split of `digits_mlp` and a shared training run that reports test
//! accuracy, parameters and seconds per epoch.

use std::error::Error;
use std::path::PathBuf;
use std::time::Instant;

use nn::data::{CsvOptions, FillMode, ImageAugmentation, load_csv, train_val_test_split};
use nn::losses::Loss;
use nn::metrics::Metric;
use nn::optim::Optimizer;
use nn::train::{FitOptions, Model, Validation};
use nn::{Module, Tensor};

use crate::cli::Arg;
use crate::{Digest, data_dir, fit_logged};

/// Training and test digits, `[n, 1, 8·scale, 8·scale]` in [0, 1], labels `[n]`.
pub struct DigitImages {
    /// Training images.
    pub train_x: Tensor<f32>,
    /// Training labels 0–9.
    pub train_y: Tensor<f32>,
    /// Test images (20 % of the digits).
    pub test_x: Tensor<f32>,
    /// Test labels 0–9.
    pub test_y: Tensor<f32>,
}

/// Loads the digits, each pixel repeated `scale`×`scale` times (nearest-neighbour upscaling).
pub fn load_digit_images(scale: usize) -> Result<DigitImages, Box<dyn Error>> {
    load_digit_images_sized(8 * scale)
}

/// Loads the digits upscaled to `side`×`side` pixels (nearest neighbour, see [`upscale`]): 28
/// gives MNIST's image size.
pub fn load_digit_images_sized(side: usize) -> Result<DigitImages, Box<dyn Error>> {
    let table = load_csv(
        data_dir().join("tabular/digits.csv.gz"),
        &CsvOptions::default(),
    )?;
    let (x, y) = table.features_and_target::<f32>();
    let images = upscale(&x.map(|v| v / 16.0), 8, side);
    let split = train_val_test_split(table.rows, 0.0, 0.2, Some(7));
    Ok(DigitImages {
        train_x: images.index_select(0, &split.train),
        train_y: y.index_select(0, &split.train),
        test_x: images.index_select(0, &split.test),
        test_y: y.index_select(0, &split.test),
    })
}

/// Square grey-scale images, `[n, from·from]` row by row, as `[n, 1, to, to]`: output pixel
/// (r, c) is input pixel (⌊r·from/to⌋, ⌊c·from/to⌋), so each input pixel covers a block of
/// about (to/from)² output pixels.
pub fn upscale(images: &Tensor<f32>, from: usize, to: usize) -> Tensor<f32> {
    let n = images.dims()[0];
    Tensor::from_fn([n, 1, to, to], |i| {
        let (b, r, c) = (i / (to * to), i / to % to, i % to);
        images.data()[b * from * from + (r * from / to) * from + c * from / to]
    })
}

/// Small shifts, rotations and zooms (never flips: a mirrored digit is another symbol).
pub fn digit_augmentation(seed: u64) -> ImageAugmentation {
    ImageAugmentation {
        width_shift_range: 0.1,
        height_shift_range: 0.1,
        rotation_range: 10.0,
        zoom_range: 0.1,
        fill_mode: FillMode::Constant(0.0),
        seed,
        ..ImageAugmentation::default()
    }
}

/// Trains `net` (logits out) with Adam and augmentation for `args.epochs` (logging for
/// TensorBoard when asked), then prints and returns its test accuracy, its parameter count and
/// the seconds per epoch.
pub fn train_and_report<N>(
    name: &str,
    net: N,
    data: &DigitImages,
    args: &ExampleArgs,
    learning_rate: f64,
) -> Result<(f64, usize, f64), Box<dyn Error>>
where
    N: Module<f32>,
    Tensor<f32>: nn::train::Feed<f32, N>,
{
    let params = net.num_params();
    println!(
        "{name}: {params} parameters, images {:?}",
        &data.train_x.dims()[1..]
    );
    let loss = Loss::SparseCategoricalCrossentropy { from_logits: true };
    let metrics = vec![Metric::sparse_categorical_accuracy("accuracy")];
    let mut model = Model::new(net, loss, Optimizer::adam(learning_rate), metrics);
    let augmentation = digit_augmentation(5);
    let epochs = args.epochs;
    let options = FitOptions {
        epochs,
        batch_size: 32,
        validation: Validation::Split(0.1),
        augment: Some(&augmentation),
        ..FitOptions::default()
    };
    let start = Instant::now();
    let history = fit_logged(
        &mut model,
        &data.train_x,
        &data.train_y,
        &options,
        args.tensorboard.as_deref(),
    )?;
    let per_epoch = start.elapsed().as_secs_f64() / epochs.max(1) as f64;
    println!("{history}");
    let test = model.evaluate(&data.test_x, &data.test_y, 256)?;
    let accuracy = test
        .iter()
        .find(|(k, _)| k == "accuracy")
        .map_or(f64::NAN, |(_, v)| *v);
    println!(
        "{name}: test accuracy {:.2} %, {params} parameters, {per_epoch:.2} s per epoch",
        100.0 * accuracy
    );
    Digest::new()
        .history("history", &history)
        .model("weights", &model)
        .tensor("predictions", &model.predict(&data.test_x, 256)?)
        .print();
    Ok((accuracy, params, per_epoch))
}

/// The command line of a digits example: `--epochs N` and `--tensorboard DIR`.
pub struct ExampleArgs {
    /// Passes over the training digits.
    pub epochs: usize,
    /// Where to write TensorBoard logs, if asked.
    pub tensorboard: Option<PathBuf>,
}

/// The arguments of the example `name` (`default` epochs without `--epochs`); `--help` prints
/// the usage and exits 0, a bad argument prints it and exits 2 (see [`crate::cli`]).
pub fn example_args(name: &str, default: usize) -> ExampleArgs {
    let usage = format!(
        "usage: {name} [--epochs N] [--tensorboard DIR]   (default {default} epochs, no logs)"
    );
    crate::cli::parse_or_exit(&usage, |flags| {
        let mut args = ExampleArgs {
            epochs: default,
            tensorboard: None,
        };
        while let Some(arg) = flags.next_arg()? {
            match arg {
                Arg::Flag(name) if name == "epochs" => args.epochs = flags.positive()?,
                Arg::Flag(name) if name == "tensorboard" => args.tensorboard = Some(flags.value()?),
                _ => return Err(flags.unexpected()),
            }
        }
        Ok(args)
    })
}
