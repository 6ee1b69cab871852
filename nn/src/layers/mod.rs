//! Layers: [`Dense`], [`Dropout`], [`Activation`] as a layer, the convolutions [`Conv2d`] and
//! [`Conv1d`] (NCHW, PyTorch's layouts), [`Flatten`], [`ZeroPadding2d`], pooling
//! ([`MaxPool2d`], [`AvgPool2d`], [`GlobalAveragePooling2d`], [`GlobalAveragePooling1d`]), batch
//! normalisation ([`BatchNorm1d`], [`BatchNorm2d`]), [`Embedding`], and the [`Sequential`]
//! container ([`SequentialFrom`] when the first layer reads token ids or sparse rows). Each
//! implements [`Layer`]: a [`Module`] with a forward pass from its input type to its output type.

mod batch_norm;
mod conv1d;
mod conv2d;
mod conv_padding;
mod dense;
mod dropout;
mod embedding;
mod flatten;
mod global_pooling_1d;
mod kernel_config;
mod pooling;
mod sequential;
mod sequential_from;
mod sparse_input;
mod token_input;
mod zero_padding;

pub use batch_norm::{BatchNorm, BatchNorm1d, BatchNorm2d};
pub use conv_padding::Padding;
pub use conv1d::{Conv1d, Padding1d};
pub use conv2d::Conv2d;
pub use dense::Dense;
pub use dropout::Dropout;
pub use embedding::Embedding;
pub use flatten::Flatten;
pub use global_pooling_1d::GlobalAveragePooling1d;
pub use pooling::{AvgPool2d, GlobalAveragePooling2d, MaxPool2d};
pub use sequential::{AnyLayer, Sequential};
pub use sequential_from::SequentialFrom;
pub use sparse_input::SparseInput;
pub use token_input::TokenInput;
pub use zero_padding::ZeroPadding2d;

use autodiff_core::{Float, Module, Param, ParamPath, Tape, Var};

use crate::Activation;

/// A module with a forward pass, as Keras layers are: from an input `X` recorded on the tape
/// `'t` to an [`Output`](Layer::Output), plus the weight penalties its regularizers add to the
/// loss.
///
/// The input is a dense [`Var`] unless named otherwise: a layer on sparse multi-hot rows reads a
/// [`SparseInput`] (`Layer<'t, T, SparseInput<'t, T>>`), and a type may implement the trait for
/// several inputs, as [`Dense`] does. The output is a `Var` for the built-in layers; a layer
/// with several results (a recurrent layer's sequence and final state) returns a type of its
/// own. `Model::fit`, `evaluate` and `predict` train any layer whose output implements
/// [`Prediction`], on any input type that has a [`Feed`](crate::train::Feed).
///
/// A layer of your own is a `#[derive(Module)]` struct with one impl:
///
/// ```
/// use nn::losses::Loss;
/// use nn::optim::Optimizer;
/// use nn::train::{FitOptions, Model};
/// use nn::{Activation, Dense, Layer, Module, Regularizer, Sequential, Tape, Tensor, Var};
///
/// /// y = x + relu(x·W + b): a residual block of constant width.
/// #[derive(Module)]
/// #[module(float = f32)]
/// struct Residual {
///     inner: Dense<f32>,
/// }
///
/// impl<'t> Layer<'t, f32> for Residual {
///     type Output = Var<'t, f32>;
///
///     fn forward(&self, x: Var<'t, f32>) -> Var<'t, f32> {
///         x + self.inner.forward(x)
///     }
///
///     // Composite layers pass their parts' penalties on, so regularizers are never lost.
///     fn penalty(&self, tape: &'t Tape<f32>) -> Option<Var<'t, f32>> {
///         self.inner.penalty(tape)
///     }
/// }
///
/// let block = Residual {
///     inner: Dense::new(2, 2)
///         .activation(Activation::Relu)
///         .kernel_regularizer(Regularizer::L2(1e-3)),
/// };
/// let tape = Tape::new();
/// assert_eq!(block.forward(tape.constant(Tensor::ones([5, 2]))).dims(), [5, 2]);
/// assert!(block.penalty(&tape).is_some());
///
/// // It stacks like a built-in layer, and `fit` trains it (y = x₀ − x₁).
/// let net = Sequential::new().add(block).add(Dense::new(2, 1).seed(3));
/// let x = Tensor::<f32>::normal([64, 2], 0.0, 1.0, 1);
/// let y = Tensor::from_fn([64, 1], |i| x.get(&[i, 0]) - x.get(&[i, 1]));
/// let mut model = Model::new(net, Loss::MeanSquaredError, Optimizer::adam(0.05), vec![]);
/// let options = FitOptions { epochs: 40, verbose: false, ..FitOptions::default() };
/// let loss = model.fit(&x, &y, &options, &mut []).unwrap().get("loss").unwrap().to_vec();
/// assert!(loss[39] < loss[0] / 10.0, "{loss:?}");
/// ```
pub trait Layer<'t, T: Float, X = Var<'t, T>>: Module<T> {
    /// What the forward pass returns: `Var<'t, T>` for a layer with one result.
    type Output;

    /// The output for the input `x`, recorded on `x`'s tape.
    fn forward(&self, x: X) -> Self::Output;

    /// The weight penalties of the layer's regularizers on `tape` (added to `loss` and
    /// `val_loss` by `fit`), or `None`. It has no default on purpose: a layer made of layers
    /// must pass their penalties on, and forgetting to would silently drop a regularizer. The
    /// penalty does not depend on the input, so on a type that reads several inputs a direct
    /// call names the dense one: `Layer::<f32>::penalty(&net, &tape)`.
    fn penalty(&self, tape: &'t Tape<T>) -> Option<Var<'t, T>>;
}

/// A layer's output that `fit` can score: the [`Var`] the loss and the metrics compare with the
/// targets. A `Var` is its own prediction; a layer with several results says which one counts.
///
/// ```
/// use nn::{Prediction, Tape, Tensor, Var};
///
/// /// A readout that also hands back the features it read from.
/// struct Readout<'t> {
///     features: Var<'t, f32>,
///     logits: Var<'t, f32>,
/// }
///
/// impl<'t> Prediction<'t, f32> for Readout<'t> {
///     fn prediction(self) -> Var<'t, f32> {
///         self.logits
///     }
/// }
///
/// let tape = Tape::new();
/// let features = tape.constant(Tensor::ones([2, 3]));
/// let out = Readout { features, logits: features.sum_axis(1, true) };
/// assert_eq!(out.prediction().value().data(), &[3.0, 3.0]);
/// ```
pub trait Prediction<'t, T: Float> {
    /// The value the loss and the metrics see.
    fn prediction(self) -> Var<'t, T>;
}

impl<'t, T: Float> Prediction<'t, T> for Var<'t, T> {
    fn prediction(self) -> Var<'t, T> {
        self
    }
}

/// An activation is a layer without parameters (Keras's `layers.Activation`).
impl<T: Float> Module<T> for Activation {
    fn visit<'a>(&'a self, _: &mut ParamPath, _: &mut dyn FnMut(&ParamPath, &'a Param<T>)) {}
    fn visit_mut(&mut self, _: &mut ParamPath, _: &mut dyn FnMut(&ParamPath, &mut Param<T>)) {}
}

impl<'t, T: Float> Layer<'t, T> for Activation {
    type Output = Var<'t, T>;

    fn forward(&self, x: Var<'t, T>) -> Var<'t, T> {
        self.apply(x)
    }

    fn penalty(&self, _: &'t Tape<T>) -> Option<Var<'t, T>> {
        None
    }
}

impl<'t, T: Float, X, L: Layer<'t, T, X> + ?Sized> Layer<'t, T, X> for Box<L> {
    type Output = L::Output;

    fn forward(&self, x: X) -> L::Output {
        (**self).forward(x)
    }

    fn penalty(&self, tape: &'t Tape<T>) -> Option<Var<'t, T>> {
        (**self).penalty(tape)
    }
}
