//! Layers: [`Dense`], [`Dropout`], [`Activation`] as a layer, and the
//! [`Sequential`] container. Each implements [`Layer`]: a [`Module`] with a forward pass.

mod dense;
mod dropout;
mod sequential;

pub use dense::Dense;
pub use dropout::Dropout;
pub use sequential::Sequential;

use autodiff_core::{Float, Module, Param, ParamPath, Tape, Var};

use crate::Activation;

/// A module with a forward pass from one tensor to one tensor, as Keras layers are.
pub trait Layer<T: Float>: Module<T> {
    /// The output for input `x`, recorded on `x`'s tape.
    fn forward<'t>(&self, x: Var<'t, T>) -> Var<'t, T>;

    /// The layer's weight penalties (regularizers) on `tape`, if it has any.
    fn penalty<'t>(&self, tape: &'t Tape<T>) -> Option<Var<'t, T>> {
        let _ = tape;
        None
    }
}

/// An activation is a layer without parameters (Keras's `layers.Activation`).
impl<T: Float> Module<T> for Activation {
    fn visit<'a>(&'a self, _: &mut ParamPath, _: &mut dyn FnMut(&ParamPath, &'a Param<T>)) {}
    fn visit_mut(&mut self, _: &mut ParamPath, _: &mut dyn FnMut(&ParamPath, &mut Param<T>)) {}
}

impl<T: Float> Layer<T> for Activation {
    fn forward<'t>(&self, x: Var<'t, T>) -> Var<'t, T> {
        self.apply(x)
    }
}

impl<T: Float, L: Layer<T> + ?Sized> Layer<T> for Box<L> {
    fn forward<'t>(&self, x: Var<'t, T>) -> Var<'t, T> {
        (**self).forward(x)
    }

    fn penalty<'t>(&self, tape: &'t Tape<T>) -> Option<Var<'t, T>> {
        (**self).penalty(tape)
    }
}
