//! Procedural macros of the autodiff framework: `#[derive(Module)]` and `#[differentiable]`.
