use autodiff_core::{Float, Param};
use autodiff_macros::Module;

#[derive(Module)]
struct Dense<T: Float> {
    weight: Param<T>,
    units: usize,
}

fn main() {}
