//! [`TokenInput`]: token ids handed to a layer on a tape, what `tape.constant` is for a dense
//! tensor. The ids are data: they get no gradient, and the tape's ops share them without a copy.

use std::sync::Arc;

use autodiff_core::{Float, Tape};

use crate::data::TokenIds;

/// [`TokenIds`] as the input of a layer (`Layer<'t, T, TokenInput<'t, T>>`), with the tape its
/// forward pass records on.
///
/// ```
/// use nn::data::TokenIds;
/// use nn::layers::{Embedding, TokenInput};
/// use nn::{Layer, Tape};
/// let layer = Embedding::<f32>::new(10, 4);
/// let tape = Tape::new();
/// let y = layer.forward(TokenInput::new(&tape, TokenIds::new(vec![1, 2, 3, 1, 1, 9], &[2, 3])));
/// assert_eq!(y.dims(), [2, 3, 4]);
/// ```
#[derive(Clone)]
pub struct TokenInput<'t, T: Float> {
    tape: &'t Tape<T>,
    ids: Arc<TokenIds>,
}

impl<'t, T: Float> TokenInput<'t, T> {
    /// `ids` (owned, or shared through an `Arc` to reuse them across steps) on `tape`.
    pub fn new(tape: &'t Tape<T>, ids: impl Into<Arc<TokenIds>>) -> Self {
        TokenInput {
            tape,
            ids: ids.into(),
        }
    }

    /// The tape the forward pass records on.
    pub fn tape(&self) -> &'t Tape<T> {
        self.tape
    }

    /// The ids.
    pub fn ids(&self) -> &Arc<TokenIds> {
        &self.ids
    }
}
