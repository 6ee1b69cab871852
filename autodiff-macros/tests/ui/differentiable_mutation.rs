use autodiff_core::Float;
use autodiff_macros::differentiable;

#[differentiable]
fn accumulate<T: Float>(x: T) -> T {
    let mut y = x;
    y
}

#[differentiable]
fn assign<T: Float>(x: T) -> T {
    let y = x;
    y += x;
    y
}

fn main() {}
