//! [`Feed`]: how [`Model`](super::Model) hands a batch of inputs to its network: dense tensors
//! to any [`Layer`] on `Var`s, [`SparseRows`] to any layer on [`SparseInput`]s.

use autodiff_core::{Float, Tape, Tensor, Var};

use super::Batchable;
use crate::data::SparseRows;
use crate::layers::SparseInput;
use crate::{Layer, Prediction};

/// Inputs that `fit`, `evaluate` and `predict` can give the network `N`: a batch goes on the
/// tape as the input type `N` reads, and `N`'s output gives the [`Prediction`].
///
/// Implemented for [`Tensor`] (a network that is a `Layer<'t, T>`), for [`SparseRows`] (a
/// `Layer<'t, T, SparseInput<'t, T>>`) and for [`TokenIds`](crate::data::TokenIds) (a
/// `Layer<'t, T, TokenInput<'t, T>>`, in `feed_tokens.rs`); a new kind of input gets its own
/// impl beside these.
#[diagnostic::on_unimplemented(
    message = "the network `{N}` cannot be trained on inputs of type `{Self}`",
    label = "inputs of type `{Self}`",
    note = "dense inputs need `{N}: Layer<'t, {T}>` (it reads `Var<'t, {T}>`), sparse rows \
            `{N}: Layer<'t, {T}, SparseInput<'t, {T}>>`, token ids \
            `{N}: Layer<'t, {T}, TokenInput<'t, {T}>>`, for every 't, with an `Output` that \
            implements `Prediction`"
)]
pub trait Feed<T: Float, N>: Batchable {
    /// The network's prediction for this batch, recorded on `tape`.
    fn predict<'t>(self, net: &N, tape: &'t Tape<T>) -> Var<'t, T>;

    /// The network's weight penalties on `tape` (its [`Layer::penalty`] for this input type).
    fn penalty<'t>(net: &N, tape: &'t Tape<T>) -> Option<Var<'t, T>>;
}

/// A dense batch goes on the tape without a copy.
impl<T: Float, N> Feed<T, N> for Tensor<T>
where
    N: for<'t> Layer<'t, T>,
    for<'t> <N as Layer<'t, T>>::Output: Prediction<'t, T>,
{
    fn predict<'t>(self, net: &N, tape: &'t Tape<T>) -> Var<'t, T> {
        net.forward(tape.constant(self)).prediction()
    }

    fn penalty<'t>(net: &N, tape: &'t Tape<T>) -> Option<Var<'t, T>> {
        Layer::<T>::penalty(net, tape)
    }
}

/// A sparse batch is moved onto the tape, never densified.
impl<T: Float, N> Feed<T, N> for SparseRows<T>
where
    N: for<'t> Layer<'t, T, SparseInput<'t, T>>,
    for<'t> <N as Layer<'t, T, SparseInput<'t, T>>>::Output: Prediction<'t, T>,
{
    fn predict<'t>(self, net: &N, tape: &'t Tape<T>) -> Var<'t, T> {
        net.forward(SparseInput::new(tape, self)).prediction()
    }

    fn penalty<'t>(net: &N, tape: &'t Tape<T>) -> Option<Var<'t, T>> {
        Layer::<T, SparseInput<'t, T>>::penalty(net, tape)
    }
}
