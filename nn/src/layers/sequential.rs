//! [`Sequential`]: layers applied one after another, as Keras's `Sequential`. Its layers are
//! reached by index, as Keras's `model.layers[i]`: `model[i]` (or [`Sequential::layers`]) as a
//! layer of unknown type, [`Sequential::layer`] as the concrete type it was added as.
//!
//! ```
//! use autodiff_core::{Module, Tape, Tensor};
//! use nn::{Activation, Dense, Layer, Sequential};
//! let model = Sequential::<f32>::new()
//!     .add(Dense::new(10, 16).activation(Activation::Relu))
//!     .add(Dense::new(16, 1).activation(Activation::Sigmoid));
//! assert_eq!(model.num_params(), 10 * 16 + 16 + 16 + 1);
//! let names: Vec<String> = model.named_params().into_iter().map(|(n, _)| n).collect();
//! assert_eq!(names, ["layers.0.kernel", "layers.0.bias", "layers.1.kernel", "layers.1.bias"]);
//! let tape = Tape::no_grad();
//! assert_eq!(model.forward(tape.constant(Tensor::zeros([3, 10]))).dims(), vec![3, 1]);
//!
//! // Indexed access: any layer as a module, or as its own type.
//! assert_eq!(model[1].num_params(), 16 + 1);
//! let first: &Dense<f32> = model.layer(0).unwrap();
//! assert_eq!(first.kernel.value().dims(), [10, 16]);
//! assert!(model.layer::<Activation>(0).is_none()); // not the type it was added as
//! ```

use std::any::Any;
use std::ops::Index;

use autodiff_core::{Float, Tape, Var};
use autodiff_macros::Module;

use super::Layer;

/// A layer from a dense `Var` to a `Var` whose concrete type can be recovered: what a
/// [`Sequential`] holds. Every such `'static` layer is one; there is nothing to implement.
pub trait AnyLayer<T: Float>: for<'t> Layer<'t, T, Output = Var<'t, T>> + Any {
    /// The layer's type as [`std::any::type_name`] spells it (`nn::layers::dense::Dense<f32>`),
    /// which a summary shows. Call it on the layer, not on its box: a
    /// `Box<dyn AnyLayer<T>>` is a layer too, of the box's type.
    fn type_name(&self) -> &'static str {
        std::any::type_name::<Self>()
    }
}

impl<T: Float, L: for<'t> Layer<'t, T, Output = Var<'t, T>> + Any> AnyLayer<T> for L {}

/// A stack of layers; parameters are named by the layer's index (`layers.0.kernel`, …).
#[derive(Module)]
pub struct Sequential<T: Float> {
    layers: Vec<Box<dyn AnyLayer<T>>>,
}

impl<T: Float> Default for Sequential<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Float> Sequential<T> {
    /// An empty stack.
    pub fn new() -> Self {
        Sequential { layers: Vec::new() }
    }

    /// Appends a layer (Keras's `model.add`, hence the name).
    #[allow(clippy::should_implement_trait)]
    pub fn add(mut self, layer: impl AnyLayer<T>) -> Self {
        self.layers.push(Box::new(layer));
        self
    }

    /// The number of layers.
    pub fn len(&self) -> usize {
        self.layers.len()
    }

    /// Whether there is no layer.
    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }

    /// The layers in order (Keras's `model.layers`).
    pub fn layers(&self) -> &[Box<dyn AnyLayer<T>>] {
        &self.layers
    }

    /// Layer `index` as the type `L` it was added as; `None` if there is no such layer or it
    /// is of another type.
    pub fn layer<L: AnyLayer<T>>(&self, index: usize) -> Option<&L> {
        let layer: &dyn Any = self.layers.get(index)?.as_ref();
        layer.downcast_ref()
    }

    /// Layer `index` as the type `L` it was added as, to change it in place; `None` if there is
    /// no such layer or it is of another type.
    pub fn layer_mut<L: AnyLayer<T>>(&mut self, index: usize) -> Option<&mut L> {
        let layer: &mut dyn Any = self.layers.get_mut(index)?.as_mut();
        layer.downcast_mut()
    }
}

/// `model[i]`: layer `i` as a layer of unknown type.
///
/// # Panics
/// If there are not more than `i` layers.
impl<T: Float> Index<usize> for Sequential<T> {
    type Output = dyn AnyLayer<T>;

    fn index(&self, index: usize) -> &Self::Output {
        let len = self.layers.len();
        match self.layers.get(index) {
            Some(layer) => layer.as_ref(),
            None => panic!("Sequential: layer {index} out of range for {len} layers"),
        }
    }
}

impl<'t, T: Float> Layer<'t, T> for Sequential<T> {
    type Output = Var<'t, T>;

    fn forward(&self, x: Var<'t, T>) -> Var<'t, T> {
        self.layers.iter().fold(x, |x, layer| layer.forward(x))
    }

    fn penalty(&self, tape: &'t Tape<T>) -> Option<Var<'t, T>> {
        self.layers
            .iter()
            .filter_map(|l| l.penalty(tape))
            .reduce(|a, b| a + b)
    }
}
