//! [`TokenIds`]: a batch of integer token ids, `[batch]` or `[batch, time]`, what an
//! [`Embedding`](crate::layers::Embedding) reads.

use crate::train::Batchable;

/// Token ids stored row-major with their shape: `[batch]` (one token per sample) or
/// `[batch, time]` (a sequence per sample). The ids are checked against a vocabulary when an
/// [`Embedding`](crate::layers::Embedding) reads them, not here.
///
/// ```
/// use nn::data::TokenIds;
/// use nn::train::Batchable;
/// let ids = TokenIds::new(vec![1, 2, 3, 4, 5, 6], &[3, 2]);
/// assert_eq!(ids.dims(), [3, 2]);
/// assert_eq!(ids.select_rows(&[2, 0]).ids(), &[5, 6, 1, 2]);
/// assert_eq!(ids.narrow_rows(1, 1).ids(), &[3, 4]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenIds {
    ids: Vec<u32>,
    dims: Vec<usize>,
}

impl TokenIds {
    /// `ids` with the shape `dims`, `[batch]` or `[batch, time]`.
    ///
    /// # Panics
    /// If `dims` has another rank, or does not hold `ids.len()` ids.
    pub fn new(ids: Vec<u32>, dims: &[usize]) -> Self {
        assert!(
            matches!(dims.len(), 1 | 2),
            "TokenIds: shape {dims:?} is neither [batch] nor [batch, time]"
        );
        let numel: usize = dims.iter().product();
        assert!(
            numel == ids.len(),
            "TokenIds: shape {dims:?} holds {numel} ids, not {}",
            ids.len()
        );
        TokenIds {
            ids,
            dims: dims.to_vec(),
        }
    }

    /// Sequences of ids (a [`Tokenizer`](super::Tokenizer)'s output) as `[sequences, len]`, as
    /// Keras's `pad_sequences` makes them by default: a shorter sequence is padded with 0 at the
    /// front, a longer one keeps its last `len` ids.
    ///
    /// ```
    /// use nn::data::TokenIds;
    /// let ids = TokenIds::from_sequences(&[vec![5, 6], vec![1, 2, 3, 4]], 3);
    /// assert_eq!(ids.ids(), &[0, 5, 6, 2, 3, 4]);
    /// ```
    ///
    /// # Panics
    /// If an id does not fit in a `u32`.
    pub fn from_sequences(sequences: &[Vec<usize>], len: usize) -> Self {
        let mut ids = Vec::with_capacity(sequences.len() * len);
        for sequence in sequences {
            let kept = &sequence[sequence.len().saturating_sub(len)..];
            ids.extend(std::iter::repeat_n(0, len - kept.len()));
            ids.extend(kept.iter().map(|&id| {
                u32::try_from(id)
                    .unwrap_or_else(|_| panic!("TokenIds: id {id} does not fit in a u32"))
            }));
        }
        Self::new(ids, &[sequences.len(), len])
    }

    /// Every id 0, with the shape `dims` (a batch to trace shapes with).
    ///
    /// # Panics
    /// As [`TokenIds::new`].
    pub fn zeros(dims: &[usize]) -> Self {
        Self::new(vec![0; dims.iter().product()], dims)
    }

    /// The ids, row-major.
    pub fn ids(&self) -> &[u32] {
        &self.ids
    }

    /// The shape, `[batch]` or `[batch, time]`.
    pub fn dims(&self) -> &[usize] {
        &self.dims
    }

    /// The number of ids per sample: `time`, or 1 for a `[batch]` shape.
    fn row_len(&self) -> usize {
        self.dims.get(1).copied().unwrap_or(1)
    }
}

/// The samples lie along the first axis.
impl Batchable for TokenIds {
    fn num_rows(&self) -> usize {
        self.dims[0]
    }

    fn select_rows(&self, indices: &[usize]) -> Self {
        let len = self.row_len();
        let mut ids = Vec::with_capacity(indices.len() * len);
        for &i in indices {
            ids.extend_from_slice(&self.ids[i * len..(i + 1) * len]);
        }
        let mut dims = self.dims.clone();
        dims[0] = indices.len();
        TokenIds { ids, dims }
    }

    fn narrow_rows(&self, start: usize, len: usize) -> Self {
        let row = self.row_len();
        let mut dims = self.dims.clone();
        dims[0] = len;
        TokenIds {
            ids: self.ids[start * row..(start + len) * row].to_vec(),
            dims,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_token_per_sample_batches_too() {
        let ids = TokenIds::new(vec![7, 8, 9], &[3]);
        assert_eq!(ids.select_rows(&[2, 2]).ids(), &[9, 9]);
        assert_eq!(ids.narrow_rows(1, 2), TokenIds::new(vec![8, 9], &[2]));
    }

    #[test]
    #[should_panic(expected = "TokenIds: shape [2, 2] holds 4 ids, not 3")]
    fn the_shape_must_hold_the_ids() {
        TokenIds::new(vec![1, 2, 3], &[2, 2]);
    }

    #[test]
    #[should_panic(expected = "TokenIds: shape [1, 2, 3] is neither [batch] nor [batch, time]")]
    fn only_batches_and_sequences() {
        TokenIds::zeros(&[1, 2, 3]);
    }
}
