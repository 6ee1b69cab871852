//! A small GoogLeNet-style network on the shipped digits upscaled to 16×16: a 3×3 stem (16
//! filters, relu), 3×3/2 max pooling, two Inception modules (16 → 8 + 16 + 4 + 4 = 32 and
//! 32 → 16 + 24 + 8 + 8 = 56 channels), global average pooling and a dense layer of 10
//! logits; trained with augmentation. Reports test accuracy, parameters and seconds per epoch.
//!
//! `cargo run --release --example inception_mini [-- --epochs N]`

use std::error::Error;

use examples::{example_args, load_digit_images, train_and_report};
use nn::blocks::InceptionModule;
use nn::layers::{Conv2d, Padding};
use nn::{Activation, Dense, GlobalAveragePooling2d, MaxPool2d, Sequential};

fn main() -> Result<(), Box<dyn Error>> {
    let args = example_args("inception_mini", 30);
    let first = InceptionModule::new(16, 8, [8, 16], [4, 4], 4).seed(10);
    let second = InceptionModule::new(first.out_channels(), 16, [12, 24], [4, 8], 8).seed(20);
    let channels = second.out_channels();
    let net = Sequential::new()
        .add(
            Conv2d::new(1, 16, [3, 3])
                .padding(Padding::Same)
                .activation(Activation::Relu)
                .seed(1),
        )
        .add(MaxPool2d::new(3).stride(2).padding(1))
        .add(first)
        .add(second)
        .add(GlobalAveragePooling2d)
        .add(Dense::new(channels, 10).seed(2));
    train_and_report("inception_mini", net, &load_digit_images(2)?, &args, 3e-3)?;
    Ok(())
}
