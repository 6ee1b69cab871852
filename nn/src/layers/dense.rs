//! [`Dense`]: a fully connected layer, `y = activation(x·W + b)`, with Keras's kernel layout
//! `[in, out]` and initializers (glorot_uniform kernel, zero bias).
//!
//! It reads dense rows (`Layer<'t, T>`, input [`Var`]) and sparse rows
//! (`Layer<'t, T, SparseInput<'t, T>>`, through [`crate::fused::linear_sparse`]), with the same
//! maths.
//!
//! ```
//! use autodiff_core::{Tape, Tensor};
//! use nn::{Activation, Dense, Layer};
//! let layer = Dense::<f32>::new(4, 16).activation(Activation::Relu).seed(1);
//! let tape = Tape::new();
//! let y = layer.forward(tape.constant(Tensor::ones([2, 4])));
//! assert_eq!(y.dims(), vec![2, 16]);
//! assert!(y.value().data().iter().all(|&v| v >= 0.0));
//! ```

use std::sync::atomic::AtomicU64;

use autodiff_core::{Float, Param, Tape, Var};
use autodiff_macros::Module;

use super::kernel_config::{KernelConfig, kernel_layer_builders};
use super::{Layer, SparseInput};
use crate::Initializer;

/// A fully connected layer: `activation(x·W + b)` along the last axis of `x`, through one
/// fused op ([`crate::fused::linear`]). Its parameters are `kernel` and `bias`.
#[derive(Module)]
pub struct Dense<T: Float> {
    /// The kernel W, shape `[in, out]`.
    pub kernel: Param<T>,
    /// The bias b, shape `[out]`, unless built without one.
    pub bias: Option<Param<T>>,
    #[module(skip)]
    config: KernelConfig,
}

impl<T: Float> Dense<T> {
    /// A layer from `inputs` to `units` features: glorot_uniform kernel, zero bias, no
    /// activation. Each new layer draws its kernel with the next seed of a counter shared by the
    /// whole process (0, 1, 2, … in construction order), so unseeded layers never start with the
    /// same weights, and a program that builds its layers on one thread in the same order gets
    /// the same weights every run; [`Dense::seed`] fixes the seed explicitly.
    pub fn new(inputs: usize, units: usize) -> Self {
        static NEXT_SEED: AtomicU64 = AtomicU64::new(0);
        let config = KernelConfig::next(&NEXT_SEED);
        Dense {
            kernel: Param::new(config.draw(&[inputs, units], inputs, units)),
            bias: Some(Param::new(Initializer::Zeros.init(&[units], 0))),
            config,
        }
    }

    kernel_layer_builders!();

    fn reinit(mut self) -> Self {
        let dims = self.kernel.value().dims().to_vec();
        self.kernel.set(self.config.draw(&dims, dims[0], dims[1]));
        self
    }
}

impl<'t, T: Float> Layer<'t, T> for Dense<T> {
    type Output = Var<'t, T>;

    fn forward(&self, x: Var<'t, T>) -> Var<'t, T> {
        let tape = x.tape();
        let b = self.bias.as_ref().map(|b| tape.param(b));
        self.config
            .activation
            .apply(crate::fused::linear(x, tape.param(&self.kernel), b))
    }

    fn penalty(&self, tape: &'t Tape<T>) -> Option<Var<'t, T>> {
        Dense::penalty(self, tape)
    }
}

/// Sparse rows (multi-hot text): the same maths as on the dense matrix, touching only the
/// non-zeros.
impl<'t, T: Float> Layer<'t, T, SparseInput<'t, T>> for Dense<T> {
    type Output = Var<'t, T>;

    fn forward(&self, x: SparseInput<'t, T>) -> Var<'t, T> {
        let tape = x.tape();
        let b = self.bias.as_ref().map(|b| tape.param(b));
        self.config.activation.apply(crate::fused::linear_sparse(
            x.rows(),
            tape.param(&self.kernel),
            b,
        ))
    }

    fn penalty(&self, tape: &'t Tape<T>) -> Option<Var<'t, T>> {
        Dense::penalty(self, tape)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unseeded_layers_start_from_different_weights_and_seeded_ones_repeat() {
        let (a, b) = (Dense::<f32>::new(3, 3), Dense::<f32>::new(3, 3));
        assert_ne!(a.kernel.value(), b.kernel.value());
        let (c, d) = (
            Dense::<f32>::new(3, 3).seed(7),
            Dense::<f32>::new(3, 3).seed(7),
        );
        assert_eq!(c.kernel.value(), d.kernel.value());
    }
}
