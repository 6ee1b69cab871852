use autodiff_core::{Float, Param};
use autodiff_macros::Module;

#[derive(Module)]
struct Dense<T: Float> {
    #[module(frozen)]
    weight: Param<T>,
}

fn main() {}
