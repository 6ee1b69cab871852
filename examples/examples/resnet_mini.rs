//! A small ResNet on the shipped 8×8 digits: a 3×3 stem (16 filters, batch norm, relu), three
//! basic blocks (16 → 16, 16 → 32 with stride 2 and a projection shortcut, 32 → 64 with stride
//! 2), global average pooling and a dense layer of 10 logits; trained with augmentation.
//! Reports test accuracy, parameters and seconds per epoch.
//!
//! `cargo run --release --example resnet_mini [-- --epochs N]`

use std::error::Error;

use examples::{example_args, load_digit_images, train_and_report};
use nn::blocks::BasicBlock;
use nn::layers::{Conv2d, Padding};
use nn::{Activation, BatchNorm2d, Dense, GlobalAveragePooling2d, Sequential};

fn main() -> Result<(), Box<dyn Error>> {
    let args = example_args("resnet_mini", 30);
    let net = Sequential::new()
        .add(
            Conv2d::new(1, 16, [3, 3])
                .padding(Padding::Same)
                .without_bias()
                .seed(1),
        )
        .add(BatchNorm2d::new(16))
        .add(Activation::Relu)
        .add(BasicBlock::new(16, 16, 1).seed(10))
        .add(BasicBlock::new(16, 32, 2).seed(20))
        .add(BasicBlock::new(32, 64, 2).seed(30))
        .add(GlobalAveragePooling2d)
        .add(Dense::new(64, 10).seed(2));
    train_and_report("resnet_mini", net, &load_digit_images(1)?, &args, 3e-3)?;
    Ok(())
}
