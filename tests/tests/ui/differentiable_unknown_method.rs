use nn::{Float, differentiable};

#[differentiable]
fn rounded<T: Float>(x: T) -> T {
    x.round() * 2.0
}

fn main() {}
