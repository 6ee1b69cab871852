//! A narrow AlexNet on the shipped digits upscaled to 16×16 (`AlexNetConfig::small`: a 5×5
//! first kernel, filters 16-32-48-48-32, three overlapping 3×3/2 max poolings, dense layers of
//! 128 with dropout 0.5, 10 logits); trained with augmentation. Reports test accuracy,
//! parameters and seconds per epoch.
//!
//! `cargo run --release --example alexnet_mini [-- --epochs N]`

use std::error::Error;

use examples::{example_args, load_digit_images, train_and_report};
use nn::blocks::{AlexNet, AlexNetConfig};

fn main() -> Result<(), Box<dyn Error>> {
    let args = example_args("alexnet_mini", 30);
    let config = AlexNetConfig {
        seed: 1,
        ..AlexNetConfig::small(1, [16, 16], 10)
    };
    let net = AlexNet::<f32>::new(&config);
    train_and_report("alexnet_mini", net, &load_digit_images(2)?, &args, 1e-3)?;
    Ok(())
}
