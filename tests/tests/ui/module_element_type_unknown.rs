use nn::{Module, Param};

#[derive(Module)]
struct Fixed {
    weight: Param<f32>,
}

fn main() {}
