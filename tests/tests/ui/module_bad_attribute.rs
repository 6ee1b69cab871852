use nn::{Float, Module, Param};

#[derive(Module)]
struct Dense<T: Float> {
    #[module(frozen)]
    weight: Param<T>,
}

fn main() {}
