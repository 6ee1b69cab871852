use autodiff_core::Float;
use autodiff_macros::differentiable;

#[differentiable]
fn borrowed<T: Float>(x: T) -> T {
    let y = &x;
    x
}

#[differentiable]
fn printed<T: Float>(x: T) -> T {
    println!("{x}");
    x
}

fn main() {}
