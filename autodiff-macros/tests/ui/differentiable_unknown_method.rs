use autodiff_core::Float;
use autodiff_macros::differentiable;

#[differentiable]
fn rounded<T: Float>(x: T) -> T {
    x.round() * 2.0
}

fn main() {}
