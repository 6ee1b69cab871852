//! [`GlobalAveragePooling1d`]: the mean over time of a sequence, Keras's
//! `GlobalAveragePooling1D`: `[batch, time, features]` → `[batch, features]`.

use autodiff_core::{Float, Module, Param, ParamPath, Tape, Var};

use super::Layer;

/// The mean of `[batch, time, features]` over its time axis (what turns a sequence of
/// embeddings into one vector per sample, for a classifier on top).
///
/// ```
/// use nn::layers::GlobalAveragePooling1d;
/// use nn::{Layer, Tape, Tensor};
/// let tape = Tape::new();
/// let x = tape.constant(Tensor::from_vec(vec![1.0_f32, 2.0, 3.0, 6.0], [1, 2, 2]));
/// assert_eq!(GlobalAveragePooling1d.forward(x).value().data(), &[2.0, 4.0]);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct GlobalAveragePooling1d;

impl<T: Float> Module<T> for GlobalAveragePooling1d {
    fn visit<'a>(&'a self, _: &mut ParamPath, _: &mut dyn FnMut(&ParamPath, &'a Param<T>)) {}
    fn visit_mut(&mut self, _: &mut ParamPath, _: &mut dyn FnMut(&ParamPath, &mut Param<T>)) {}
}

impl<'t, T: Float> Layer<'t, T> for GlobalAveragePooling1d {
    type Output = Var<'t, T>;

    /// # Panics
    /// If `x` is not `[batch, time, features]`.
    fn forward(&self, x: Var<'t, T>) -> Var<'t, T> {
        assert!(
            x.shape().rank() == 3,
            "GlobalAveragePooling1d: input {} is not [batch, time, features]",
            x.shape()
        );
        x.mean_axis(1, false)
    }

    fn penalty(&self, _: &'t Tape<T>) -> Option<Var<'t, T>> {
        None
    }
}
