//! [`SparseRows`]: a matrix stored by rows, keeping only the non-zero entries (compressed sparse
//! rows, CSR), as multi-hot text is: ~99 % of its entries are zeros.

use autodiff_core::{Float, Tensor};

/// A matrix stored by rows, keeping only the non-zero entries (compressed sparse rows).
///
/// ```
/// use nn::data::SparseRows;
/// let x = SparseRows::<f32>::from_dense(&autodiff_core::Tensor::from_vec(
///     vec![0.0, 1.0, 0.0, 2.0, 0.0, 0.0], [2, 3]));
/// assert_eq!(x.nnz(), 2);
/// assert_eq!(x.to_dense().data(), &[0.0, 1.0, 0.0, 2.0, 0.0, 0.0]);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct SparseRows<T> {
    cols: usize,
    /// Row i's entries are `starts[i]..starts[i + 1]`.
    starts: Vec<usize>,
    indices: Vec<usize>,
    values: Vec<T>,
}

impl<T: Float> SparseRows<T> {
    /// Builds the matrix from each row's `(column, value)` entries.
    ///
    /// # Panics
    /// If a column index is not below `cols`.
    pub fn from_rows<R: IntoIterator<Item = (usize, T)>>(
        cols: usize,
        rows: impl IntoIterator<Item = R>,
    ) -> Self {
        let mut m = SparseRows {
            cols,
            starts: vec![0],
            indices: vec![],
            values: vec![],
        };
        for row in rows {
            for (j, v) in row {
                assert!(
                    j < cols,
                    "SparseRows: column {j} out of range for {cols} columns"
                );
                m.indices.push(j);
                m.values.push(v);
            }
            m.starts.push(m.indices.len());
        }
        m
    }

    /// The non-zeros of a dense `[rows, cols]` matrix.
    pub fn from_dense(x: &Tensor<T>) -> Self {
        let cols = *x
            .dims()
            .last()
            .expect("SparseRows::from_dense: a scalar is not a matrix");
        let rows = x.data().chunks(cols.max(1)).map(|row| {
            row.iter()
                .enumerate()
                .filter(|(_, v)| !v.is_zero())
                .map(|(j, &v)| (j, v))
        });
        Self::from_rows(cols, rows)
    }

    /// The number of rows.
    pub fn rows(&self) -> usize {
        self.starts.len() - 1
    }

    /// The number of columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// The number of stored (non-zero) entries.
    pub fn nnz(&self) -> usize {
        self.values.len()
    }

    /// Row `i`'s `(column, value)` entries.
    pub fn row(&self, i: usize) -> impl Iterator<Item = (usize, T)> + '_ {
        let range = self.starts[i]..self.starts[i + 1];
        self.indices[range.clone()]
            .iter()
            .copied()
            .zip(self.values[range].iter().copied())
    }

    /// The rows at `indices`, in that order (a mini-batch).
    pub fn select(&self, indices: &[usize]) -> Self {
        Self::from_rows(self.cols, indices.iter().map(|&i| self.row(i)))
    }

    /// The dense `[rows, cols]` matrix.
    pub fn to_dense(&self) -> Tensor<T> {
        let mut t = Tensor::zeros([self.rows(), self.cols]);
        for i in 0..self.rows() {
            for (j, v) in self.row(i) {
                t.data_mut()[i * self.cols + j] = v;
            }
        }
        t
    }
}
