//! [`SparseInput`]: sparse rows handed to a layer on a tape, what `tape.constant` is for a dense
//! tensor. The rows are data: they get no gradient, and the tape's ops share them without a copy.

use std::sync::Arc;

use autodiff_core::{Float, Tape};

use crate::data::SparseRows;

/// [`SparseRows`] as the input of a layer (`Layer<'t, T, SparseInput<'t, T>>`), with the tape
/// its forward pass records on.
///
/// ```
/// use nn::data::SparseRows;
/// use nn::layers::SparseInput;
/// use nn::{Dense, Layer, Tape, Tensor};
/// let rows = SparseRows::from_dense(&Tensor::from_vec(vec![0.0_f32, 2.0, 0.0, 0.0], [2, 2]));
/// let layer = Dense::new(2, 3);
/// let tape = Tape::new();
/// let sparse = layer.forward(SparseInput::new(&tape, rows.clone()));
/// let dense = layer.forward(tape.constant(rows.to_dense()));
/// assert_eq!(sparse.value(), dense.value());
/// ```
#[derive(Clone)]
pub struct SparseInput<'t, T: Float> {
    tape: &'t Tape<T>,
    rows: Arc<SparseRows<T>>,
}

impl<'t, T: Float> SparseInput<'t, T> {
    /// `rows` (owned, or shared through an `Arc` to reuse them across steps) on `tape`.
    pub fn new(tape: &'t Tape<T>, rows: impl Into<Arc<SparseRows<T>>>) -> Self {
        SparseInput {
            tape,
            rows: rows.into(),
        }
    }

    /// The tape the forward pass records on.
    pub fn tape(&self) -> &'t Tape<T> {
        self.tape
    }

    /// The rows.
    pub fn rows(&self) -> &Arc<SparseRows<T>> {
        &self.rows
    }
}
