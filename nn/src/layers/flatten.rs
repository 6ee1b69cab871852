//! [`Flatten`]: every axis after the batch axis merged into one, `[n, c, h, w] → [n, c·h·w]`
//! (Keras's `Flatten`, PyTorch's `nn.Flatten`). On NCHW batches the features come channel by
//! channel, PyTorch's order; Keras's channels-last `Flatten` orders them position by position,
//! so a Dense kernel trained in Keras after a `Flatten` needs its rows permuted to load here.
//!
//! ```
//! use autodiff_core::{Tape, Tensor};
//! use nn::layers::Flatten;
//! use nn::Layer;
//! let tape = Tape::new();
//! let y = Flatten.forward(tape.constant(Tensor::<f32>::zeros([4, 3, 2, 5])));
//! assert_eq!(y.dims(), [4, 30]);
//! ```

use autodiff_core::{Float, Module, Param, ParamPath, Tape, Var};

use super::Layer;

/// Merges every axis after the first (a layer without parameters).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flatten;

impl<T: Float> Module<T> for Flatten {
    fn visit<'a>(&'a self, _: &mut ParamPath, _: &mut dyn FnMut(&ParamPath, &'a Param<T>)) {}
    fn visit_mut(&mut self, _: &mut ParamPath, _: &mut dyn FnMut(&ParamPath, &mut Param<T>)) {}
}

impl<'t, T: Float> Layer<'t, T> for Flatten {
    type Output = Var<'t, T>;

    /// # Panics
    /// If `x` is a scalar (it has no batch axis).
    fn forward(&self, x: Var<'t, T>) -> Var<'t, T> {
        x.flatten()
    }

    fn penalty(&self, _: &'t Tape<T>) -> Option<Var<'t, T>> {
        None
    }
}
