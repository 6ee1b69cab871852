//! The [`Feed`] of [`TokenIds`]: `fit`, `evaluate` and `predict` on batches of token ids, for
//! any layer on [`TokenInput`]s (an [`Embedding`](crate::layers::Embedding) first).

use autodiff_core::{Float, Tape, Var};

use super::Feed;
use crate::data::TokenIds;
use crate::layers::TokenInput;
use crate::{Layer, Prediction};

/// A batch of ids is moved onto the tape, never copied again.
impl<T: Float, N> Feed<T, N> for TokenIds
where
    N: for<'t> Layer<'t, T, TokenInput<'t, T>>,
    for<'t> <N as Layer<'t, T, TokenInput<'t, T>>>::Output: Prediction<'t, T>,
{
    fn predict<'t>(self, net: &N, tape: &'t Tape<T>) -> Var<'t, T> {
        net.forward(TokenInput::new(tape, self)).prediction()
    }

    fn penalty<'t>(net: &N, tape: &'t Tape<T>) -> Option<Var<'t, T>> {
        Layer::<T, TokenInput<'t, T>>::penalty(net, tape)
    }
}
