//! [`Batchable`]: inputs that [`Model`](super::Model) can cut into mini-batches, dense tensors
//! and sparse rows alike.

use autodiff_core::{Float, Tensor};

use crate::data::SparseRows;

/// Inputs stored rows first, which `fit`, `evaluate` and `predict` cut into batches.
///
/// ```
/// use autodiff_core::Tensor;
/// use nn::data::SparseRows;
/// use nn::train::Batchable;
/// let dense = Tensor::from_vec(vec![0.0_f32, 1.0, 2.0, 0.0, 0.0, 3.0], [3, 2]);
/// let sparse = SparseRows::from_dense(&dense);
/// assert_eq!(Batchable::num_rows(&sparse), 3);
/// assert_eq!(sparse.select_rows(&[2, 0]).to_dense(), dense.select_rows(&[2, 0]));
/// assert_eq!(sparse.narrow_rows(1, 2).to_dense(), dense.narrow_rows(1, 2));
/// ```
pub trait Batchable: Sized {
    /// The number of rows.
    fn num_rows(&self) -> usize;

    /// The rows at `indices`, in that order (a shuffled mini-batch).
    fn select_rows(&self, indices: &[usize]) -> Self;

    /// The `len` rows from `start` on (a validation split, or a batch of `evaluate`).
    fn narrow_rows(&self, start: usize, len: usize) -> Self {
        self.select_rows(&(start..start + len).collect::<Vec<_>>())
    }
}

/// A dense tensor's rows lie along its first axis; a scalar counts as one row.
impl<T: Float> Batchable for Tensor<T> {
    fn num_rows(&self) -> usize {
        self.dims().first().copied().unwrap_or(1)
    }

    fn select_rows(&self, indices: &[usize]) -> Self {
        self.index_select(0, indices)
    }

    fn narrow_rows(&self, start: usize, len: usize) -> Self {
        self.narrow(0, start, len)
    }
}

/// Sparse rows are selected without densifying them.
impl<T: Float> Batchable for SparseRows<T> {
    fn num_rows(&self) -> usize {
        self.rows()
    }

    fn select_rows(&self, indices: &[usize]) -> Self {
        self.select(indices)
    }
}
