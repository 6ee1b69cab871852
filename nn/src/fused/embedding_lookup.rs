//! The embedding lookup: rows of a weight table picked by token ids, as one tape node.
//!
//! With W `[vocab, dim]` and ids of shape S (`[batch]` or `[batch, time]`):
//! - forward: y[s, :] = W[ids[s], :], y of shape S + `[dim]`;
//! - backward: dW[ids[s], :] += g[s, :] for every position s, so an id that occurs k times
//!   receives the sum of its k gradients (the ids are data: no gradient).

use std::sync::Arc;

use autodiff_core::{BackwardCx, Float, Tensor, Var, pool};

use crate::data::TokenIds;

/// The rows of `weight` (`[vocab, dim]`) at `ids`: shape `ids.dims() + [dim]`, one tape node
/// whose backward scatter-adds into the weight's gradient.
///
/// ```
/// use nn::data::TokenIds;
/// use nn::{Tape, Tensor};
/// let tape = Tape::new();
/// let weight = tape.var(Tensor::from_vec(vec![0.0, 1.0, 10.0, 11.0, 20.0, 21.0], [3, 2]));
/// let ids = std::sync::Arc::new(TokenIds::new(vec![2, 0, 2], &[1, 3]));
/// let y = nn::fused::embedding_lookup(weight, &ids);
/// assert_eq!(y.value().data(), &[20.0, 21.0, 0.0, 1.0, 20.0, 21.0]);
/// let grads = y.sum().backward();
/// assert_eq!(grads.wrt(weight).unwrap().data(), &[1.0, 1.0, 0.0, 0.0, 2.0, 2.0]);
/// ```
///
/// # Panics
/// If `weight` is not a matrix, or an id is not below its number of rows, naming the id and
/// the vocabulary size.
#[track_caller]
pub fn embedding_lookup<'t, T: Float>(weight: Var<'t, T>, ids: &Arc<TokenIds>) -> Var<'t, T> {
    embedding_lookup_padded(weight, ids, None)
}

/// [`embedding_lookup`] where the id `padding` (if any) is padding: its positions get zeros and
/// send no gradient to the table (Keras's `mask_zero` with `padding` 0).
///
/// ```
/// use nn::data::TokenIds;
/// use nn::{Tape, Tensor};
/// let tape = Tape::new();
/// let weight = tape.var(Tensor::from_vec(vec![5.0, 5.0, 10.0, 11.0], [2, 2]));
/// let ids = std::sync::Arc::new(TokenIds::new(vec![1, 0], &[1, 2]));
/// let y = nn::fused::embedding_lookup_padded(weight, &ids, Some(0));
/// assert_eq!(y.value().data(), &[10.0, 11.0, 0.0, 0.0]);
/// let grads = y.sum().backward();
/// assert_eq!(grads.wrt(weight).unwrap().data(), &[0.0, 0.0, 1.0, 1.0]);
/// ```
///
/// # Panics
/// As [`embedding_lookup`].
#[track_caller]
pub fn embedding_lookup_padded<'t, T: Float>(
    weight: Var<'t, T>,
    ids: &Arc<TokenIds>,
    padding: Option<usize>,
) -> Var<'t, T> {
    let is_padding = move |id: usize| padding == Some(id);
    let ws = weight.shape();
    let [vocab, dim] = *ws.dims() else {
        panic!("embedding: weight {ws} is not a [vocab, dim] matrix");
    };
    if let Some(&id) = ids.ids().iter().find(|&&id| id as usize >= vocab) {
        panic!("embedding: token id {id} is out of range for a vocabulary of {vocab}");
    }
    let mut out = pool::with_capacity(ids.ids().len() * dim);
    weight.with_value(|w| {
        for &id in ids.ids() {
            let id = id as usize;
            match is_padding(id) {
                true => out.extend(std::iter::repeat_n(T::zero(), dim)),
                false => out.extend_from_slice(&w.data()[id * dim..(id + 1) * dim]),
            }
        }
    });
    let dims: Vec<usize> = ids.dims().iter().copied().chain([dim]).collect();
    let value = Tensor::from_vec(out, dims.as_slice());
    let ids = Arc::clone(ids);
    weight
        .tape()
        .record(value, &[weight], move |cx: &mut BackwardCx<T>| {
            let g = cx.grad_output().data();
            // A scatter touches only the picked rows, so the others must be zero: no β = 0 write.
            let dw = cx.grad_mut(0).data_mut();
            for (&id, gs) in ids.ids().iter().zip(g.chunks_exact(dim)) {
                let id = id as usize;
                if is_padding(id) {
                    continue;
                }
                let row = &mut dw[id * dim..(id + 1) * dim];
                row.iter_mut().zip(gs).for_each(|(d, &g)| *d += g);
            }
        })
}

#[cfg(test)]
mod tests {
    use autodiff_core::Tape;

    use super::*;

    #[test]
    #[should_panic(expected = "embedding: token id 3 is out of range for a vocabulary of 3")]
    fn an_id_past_the_vocabulary_panics_naming_both() {
        let tape = Tape::new();
        let weight = tape.var(Tensor::<f32>::zeros([3, 2]));
        embedding_lookup(weight, &Arc::new(TokenIds::new(vec![0, 3], &[2])));
    }

    #[test]
    fn one_id_per_sample_gives_a_matrix() {
        let tape = Tape::new();
        let weight = tape.var(Tensor::<f32>::from_fn([4, 3], |i| i as f32));
        let y = embedding_lookup(weight, &Arc::new(TokenIds::new(vec![3, 1], &[2])));
        assert_eq!(y.dims(), [2, 3]);
        assert_eq!(y.value().data(), &[9.0, 10.0, 11.0, 3.0, 4.0, 5.0]);
    }
}
