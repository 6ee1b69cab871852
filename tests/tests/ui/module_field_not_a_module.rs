use nn::{Float, Module, Param};

#[derive(Module)]
struct Dense<T: Float> {
    weight: Param<T>,
    units: usize,
}

fn main() {}
