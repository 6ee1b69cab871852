//! [`Network`]: what [`Model`](super::Model) trains, a module whose forward pass reads inputs of
//! some type `X`. Every [`Layer`] is a network on dense tensors; a network on other inputs
//! (sparse multi-hot rows, say) implements the trait itself.

use autodiff_core::{Float, Module, Tape, Tensor, Var};

use crate::Layer;

/// A module computing outputs from a batch of inputs `X` (Keras's model on its input type).
///
/// A network on sparse rows, trained with [`Model::fit`](super::Model::fit):
///
/// ```
/// use std::sync::Arc;
/// use autodiff_core::{Tape, Tensor, Var};
/// use nn::fused::SparseRows;
/// use nn::train::{FitOptions, Model, Network};
/// use nn::{Dense, Layer, Module, losses::Loss, optim::Optimizer};
///
/// #[derive(Module)]
/// #[module(float = f32)]
/// struct SparseLinear {
///     dense: Dense<f32>,
/// }
///
/// impl Network<f32, SparseRows<f32>> for SparseLinear {
///     fn forward_input<'t>(&self, tape: &'t Tape<f32>, x: SparseRows<f32>) -> Var<'t, f32> {
///         self.dense.forward_sparse(tape, &Arc::new(x))
///     }
///
///     fn weight_penalty<'t>(&self, tape: &'t Tape<f32>) -> Option<Var<'t, f32>> {
///         self.dense.penalty(tape)
///     }
/// }
///
/// let x = SparseRows::from_rows(3, [vec![(0, 1.0)], vec![(2, 1.0)], vec![(0, 1.0), (2, 1.0)]]);
/// let y = Tensor::from_vec(vec![1.0, -1.0, 0.0], [3, 1]);
/// let net = SparseLinear { dense: Dense::new(3, 1) };
/// let mut model = Model::new(net, Loss::MeanSquaredError, Optimizer::sgd(0.1), vec![]);
/// let options = FitOptions { epochs: 50, verbose: false, ..FitOptions::default() };
/// let history = model.fit(&x, &y, &options, &mut []).unwrap();
/// let loss = history.get("loss").unwrap();
/// assert!(loss[49] < loss[0] / 10.0);
/// ```
pub trait Network<T: Float, X>: Module<T> {
    /// The outputs for the batch `x`, recorded on `tape`; `x` is data (no gradient).
    fn forward_input<'t>(&self, tape: &'t Tape<T>, x: X) -> Var<'t, T>;

    /// The weight penalties (regularizers) added to the loss, `None` if there are none. It has
    /// no default on purpose: a network that reads several input types (a [`Layer`] that also
    /// reads sparse rows, say) must not lose its regularizers on one of them; delegate to
    /// [`Layer::penalty`] there. The penalty does not depend on `X`, so a direct call on such a
    /// type names the input type: `Network::<f32, Tensor<f32>>::weight_penalty(&net, &tape)`.
    fn weight_penalty<'t>(&self, tape: &'t Tape<T>) -> Option<Var<'t, T>>;
}

/// A layer reads dense batches, which go on the tape without a copy.
impl<T: Float, L: Layer<T>> Network<T, Tensor<T>> for L {
    fn forward_input<'t>(&self, tape: &'t Tape<T>, x: Tensor<T>) -> Var<'t, T> {
        self.forward(tape.constant(x))
    }

    fn weight_penalty<'t>(&self, tape: &'t Tape<T>) -> Option<Var<'t, T>> {
        self.penalty(tape)
    }
}
