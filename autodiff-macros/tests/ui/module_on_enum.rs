use autodiff_core::Param;
use autodiff_macros::Module;

#[derive(Module)]
enum Layer {
    Dense(Param<f32>),
}

#[derive(Module)]
union Bits {
    a: u32,
    b: f32,
}

fn main() {}
