//! The course's table: which last-layer activation and which loss fit which problem.
//!
//! | problem | last activation | loss |
//! |---|---|---|
//! | binary classification | sigmoid | binary cross-entropy |
//! | multiclass, single-label | softmax | categorical cross-entropy (sparse with integer labels) |
//! | multiclass, multilabel | sigmoid | binary cross-entropy |
//! | regression to arbitrary values | none | MSE |
//! | regression to values in [0, 1] | sigmoid | MSE or binary cross-entropy |
//!
//! ```
//! use nn::{Activation, LastLayer, losses::Loss};
//! let task = LastLayer::MulticlassSingleLabel { sparse_labels: true };
//! assert_eq!(task.activation(), Activation::Softmax(1));
//! assert_eq!(task.loss(), Loss::SparseCategoricalCrossentropy { from_logits: false });
//! ```

use crate::Activation;
use crate::losses::Loss;

/// A kind of problem, giving its last-layer activation and loss.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LastLayer {
    /// Two classes, one output unit: sigmoid + binary cross-entropy.
    Binary,
    /// One of several classes per sample: softmax + categorical cross-entropy
    /// (the sparse form when targets are integer labels).
    MulticlassSingleLabel {
        /// Targets are integer labels rather than one-hot rows.
        sparse_labels: bool,
    },
    /// Any subset of several classes per sample: sigmoid per unit + binary cross-entropy.
    Multilabel,
    /// Unbounded real targets: no activation + mean squared error.
    Regression,
    /// Targets in [0, 1]: sigmoid + mean squared error (binary cross-entropy also works).
    RegressionUnitInterval,
}

impl LastLayer {
    /// The activation of the last layer (softmax over the class axis of `[batch, classes]`).
    pub fn activation(self) -> Activation {
        match self {
            LastLayer::Binary | LastLayer::Multilabel | LastLayer::RegressionUnitInterval => {
                Activation::Sigmoid
            }
            LastLayer::MulticlassSingleLabel { .. } => Activation::Softmax(1),
            LastLayer::Regression => Activation::Linear,
        }
    }

    /// The loss to train with, on the activation's probabilities.
    pub fn loss(self) -> Loss {
        match self {
            LastLayer::Binary | LastLayer::Multilabel => {
                Loss::BinaryCrossentropy { from_logits: false }
            }
            LastLayer::MulticlassSingleLabel {
                sparse_labels: false,
            } => Loss::CategoricalCrossentropy { from_logits: false },
            LastLayer::MulticlassSingleLabel {
                sparse_labels: true,
            } => Loss::SparseCategoricalCrossentropy { from_logits: false },
            LastLayer::Regression | LastLayer::RegressionUnitInterval => Loss::MeanSquaredError,
        }
    }
}
