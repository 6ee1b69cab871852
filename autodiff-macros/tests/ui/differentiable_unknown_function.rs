use autodiff_core::Float;
use autodiff_macros::differentiable;

fn not_differentiable<T: Float>(x: T) -> T {
    x
}

#[differentiable]
fn caller<T: Float>(x: T) -> T {
    not_differentiable(x) * x
}

fn main() {}
