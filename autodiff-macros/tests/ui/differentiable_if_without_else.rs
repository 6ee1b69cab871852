use autodiff_core::Float;
use autodiff_macros::differentiable;

#[differentiable]
fn clipped<T: Float>(x: T) -> T {
    let y = if x > 1.0 { 1.0 };
    y
}

#[differentiable]
fn scalar_condition<T: Float>(x: T) -> T {
    if x { x } else { -x }
}

fn main() {}
