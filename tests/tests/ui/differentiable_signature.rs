use nn::{Float, differentiable};

#[differentiable]
fn mixed<T: Float>(x: T, n: usize) -> T {
    x
}

#[differentiable]
fn nothing_returned<T: Float>(x: T) {}

fn main() {}
