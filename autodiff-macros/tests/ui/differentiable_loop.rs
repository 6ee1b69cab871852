use autodiff_core::Float;
use autodiff_macros::differentiable;

#[differentiable]
fn repeated<T: Float>(x: T) -> T {
    let y = x;
    for _ in 0..3 {}
    y
}

fn main() {}
