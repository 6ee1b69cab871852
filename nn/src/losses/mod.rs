//! Losses, each one fused tape node with a stable forward and a hand-written backward:
//! binary cross-entropy (probabilities, clipped as Keras, or logits), categorical and sparse
//! categorical cross-entropy (probabilities, or logits fused with log-softmax), MSE, MAE, Huber.
//!
//! [`Loss`] names one for [`crate::train::Model`]. Every loss reduces as Keras does
//! (`sum_over_batch_size`): the mean over samples of the per-sample loss.
//!
//! A target put on the tape with a gradient ([`autodiff_core::Tape::var`], or the output of
//! another network) gets one, as in PyTorch: every loss here is differentiable in its target
//! except the sparse ones, whose class indices are not. Targets given as
//! [`autodiff_core::Tape::constant`] cost nothing extra.

mod binary;
mod categorical;
mod elementwise;
mod regression;
mod sparse_logits;

pub use binary::{EPSILON, binary_crossentropy, binary_crossentropy_from_logits};
pub use categorical::{
    categorical_crossentropy, categorical_crossentropy_from_logits, sparse_categorical_crossentropy,
};
pub use regression::{huber, mean_absolute_error, mean_squared_error};
pub use sparse_logits::sparse_categorical_crossentropy_from_logits;

use autodiff_core::{Float, Var};

/// A loss, as given to Keras's `compile(loss=...)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Loss {
    /// Binary cross-entropy; `from_logits` when the last layer has no sigmoid.
    BinaryCrossentropy {
        /// Whether predictions are logits rather than probabilities.
        from_logits: bool,
    },
    /// Categorical cross-entropy against one-hot targets.
    CategoricalCrossentropy {
        /// Whether predictions are logits rather than probabilities.
        from_logits: bool,
    },
    /// Categorical cross-entropy against integer class labels.
    SparseCategoricalCrossentropy {
        /// Whether predictions are logits rather than probabilities.
        from_logits: bool,
    },
    /// Mean squared error (`"mse"`).
    MeanSquaredError,
    /// Mean absolute error (`"mae"`).
    MeanAbsoluteError,
    /// Huber loss with this threshold (Keras's default 1.0).
    Huber(f64),
}

impl Loss {
    /// The loss of `pred` against `target`, a scalar on their tape.
    pub fn compute<'t, T: Float>(self, pred: Var<'t, T>, target: Var<'t, T>) -> Var<'t, T> {
        match self {
            Loss::BinaryCrossentropy { from_logits: false } => binary_crossentropy(pred, target),
            Loss::BinaryCrossentropy { from_logits: true } => {
                binary_crossentropy_from_logits(pred, target)
            }
            Loss::CategoricalCrossentropy { from_logits: false } => {
                categorical_crossentropy(pred, target)
            }
            Loss::CategoricalCrossentropy { from_logits: true } => {
                categorical_crossentropy_from_logits(pred, target)
            }
            Loss::SparseCategoricalCrossentropy { from_logits: false } => {
                sparse_categorical_crossentropy(pred, target)
            }
            Loss::SparseCategoricalCrossentropy { from_logits: true } => {
                sparse_categorical_crossentropy_from_logits(pred, target)
            }
            Loss::MeanSquaredError => mean_squared_error(pred, target),
            Loss::MeanAbsoluteError => mean_absolute_error(pred, target),
            Loss::Huber(delta) => huber(pred, target, delta),
        }
    }
}

/// Gradchecks `loss` in its prediction and its target, both on the tape.
#[cfg(test)]
pub(crate) fn check_loss(
    loss: impl for<'t> Fn(Var<'t, f64>, Var<'t, f64>) -> Var<'t, f64>,
    pred: autodiff_core::Tensor<f64>,
    target: autodiff_core::Tensor<f64>,
) {
    autodiff_core::gradcheck(|v| loss(v[0], v[1]), &[pred, target])
        .unwrap_or_else(|e| panic!("{e}"));
}

/// Gradchecks `loss` in its prediction, the labels (class indices) held constant.
#[cfg(test)]
pub(crate) fn check_loss_in_prediction(
    loss: impl for<'t> Fn(Var<'t, f64>, Var<'t, f64>) -> Var<'t, f64>,
    pred: autodiff_core::Tensor<f64>,
    labels: autodiff_core::Tensor<f64>,
) {
    autodiff_core::gradcheck(
        |v| loss(v[0], v[0].tape().constant(labels.clone())),
        &[pred],
    )
    .unwrap_or_else(|e| panic!("{e}"));
}
