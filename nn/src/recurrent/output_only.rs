//! [`OutputOnly`]: a recurrent layer seen as one whose output is a plain `Var`, so it stacks in
//! a [`crate::Sequential`].

use autodiff_core::{BufferRef, Float, Module, Param, ParamPath, Tape, Var};

use crate::{Layer, Prediction};

/// A layer whose output is only its [`Prediction`] (the final states dropped): what a
/// [`crate::Sequential`] stacks (`Lstm::new(8, 16).output_only()`). Made by
/// [`super::Recurrent::output_only`], [`super::Bidirectional::output_only`] and
/// [`super::Stacked::output_only`]; its parameters are named as the layer's.
pub struct OutputOnly<L> {
    /// The layer.
    pub layer: L,
}

/// The layer's parameters under the layer's own names (no `layer.` segment), so a checkpoint of
/// a stack reads as PyTorch's would; training mode reaches the layer (a stack's dropout).
impl<T: Float, L: Module<T>> Module<T> for OutputOnly<L> {
    fn visit<'a>(&'a self, path: &mut ParamPath, f: &mut dyn FnMut(&ParamPath, &'a Param<T>)) {
        self.layer.visit(path, f)
    }

    fn visit_mut(&mut self, path: &mut ParamPath, f: &mut dyn FnMut(&ParamPath, &mut Param<T>)) {
        self.layer.visit_mut(path, f)
    }

    fn visit_buffers<'a>(
        &'a self,
        path: &mut ParamPath,
        f: &mut dyn FnMut(&ParamPath, BufferRef<'a, T>),
    ) {
        self.layer.visit_buffers(path, f)
    }

    fn set_training(&mut self, training: bool) {
        self.layer.set_training(training)
    }
}

impl<'t, T: Float, L> Layer<'t, T> for OutputOnly<L>
where
    L: Layer<'t, T>,
    L::Output: Prediction<'t, T>,
{
    type Output = Var<'t, T>;

    fn forward(&self, x: Var<'t, T>) -> Var<'t, T> {
        self.layer.forward(x).prediction()
    }

    fn penalty(&self, tape: &'t Tape<T>) -> Option<Var<'t, T>> {
        self.layer.penalty(tape)
    }
}
