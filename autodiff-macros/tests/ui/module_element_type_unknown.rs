use autodiff_core::Param;
use autodiff_macros::Module;

#[derive(Module)]
struct Fixed {
    weight: Param<f32>,
}

fn main() {}
