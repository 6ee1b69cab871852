//! [`Sequential`]: layers applied one after another, as Keras's `Sequential`.
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
//! ```

use autodiff_core::{Float, Tape, Var};
use autodiff_macros::Module;

use super::Layer;

/// A stack of layers; parameters are named by the layer's index (`layers.0.kernel`, …).
#[derive(Module)]
pub struct Sequential<T: Float> {
    layers: Vec<Box<dyn Layer<T>>>,
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
    pub fn add(mut self, layer: impl Layer<T> + 'static) -> Self {
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
}

impl<T: Float> Layer<T> for Sequential<T> {
    fn forward<'t>(&self, x: Var<'t, T>) -> Var<'t, T> {
        self.layers.iter().fold(x, |x, layer| layer.forward(x))
    }

    fn penalty<'t>(&self, tape: &'t Tape<T>) -> Option<Var<'t, T>> {
        self.layers
            .iter()
            .filter_map(|l| l.penalty(tape))
            .reduce(|a, b| a + b)
    }
}
