use nn::{Float, differentiable};

#[differentiable]
fn repeated<T: Float>(x: T) -> T {
    let y = x;
    for _ in 0..3 {}
    y
}

fn main() {}
