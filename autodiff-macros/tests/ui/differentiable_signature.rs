use autodiff_core::Float;
use autodiff_macros::differentiable;

#[differentiable]
fn mixed<T: Float>(x: T, n: usize) -> T {
    x
}

#[differentiable]
fn nothing_returned<T: Float>(x: T) {}

fn main() {}
