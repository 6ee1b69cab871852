//! [`Embedding`]: a layer from token ids to vectors, a lookup in a trained table.
//!
//! Its `weight` is `[vocab, dim]`, PyTorch's name and layout (Keras calls it `embeddings`, with
//! the same layout), drawn from U(−0.05, 0.05) as Keras's default `embeddings_initializer`
//! (PyTorch draws N(0, 1)). Token ids `[batch, time]` give `[batch, time, dim]`; ids `[batch]`
//! give `[batch, dim]`. The forward pass and its scatter-add backward are one tape node
//! ([`crate::fused::embedding_lookup`]). A regularizer on the table (Keras's
//! `embeddings_regularizer`) adds its penalty to the loss.
//!
//! ```
//! use nn::data::TokenIds;
//! use nn::layers::{Embedding, GlobalAveragePooling1d};
//! use nn::{Dense, Module, Sequential};
//! let net = Sequential::starting_with(Embedding::<f32>::new(1000, 16))
//!     .add(GlobalAveragePooling1d)
//!     .add(Dense::new(16, 1));
//! assert_eq!(net.num_params(), 1000 * 16 + 16 + 1);
//! let layer: &Embedding<f32> = net.layer(0).unwrap();
//! assert!(layer.weight.value().data().iter().all(|w| w.abs() <= 0.05));
//! ```

use std::sync::atomic::{AtomicU64, Ordering};

use autodiff_core::{Float, Param, Tape, Tensor, Var};
use autodiff_macros::Module;

use super::{Layer, TokenInput};
use crate::{Initializer, Regularizer};

/// How the table is drawn: Keras's default uniform, or any other Keras initializer.
#[derive(Clone, Copy, Debug, PartialEq)]
enum TableInit {
    Uniform { low: f64, high: f64 },
    Keras(Initializer),
}

/// A lookup table from token ids to `dim`-wide vectors; its one parameter is `weight`.
#[derive(Module)]
pub struct Embedding<T: Float> {
    /// The table, `[vocab, dim]`: row i is token i's vector.
    pub weight: Param<T>,
    #[module(skip)]
    init: TableInit,
    #[module(skip)]
    regularizer: Option<Regularizer>,
    #[module(skip)]
    seed: u64,
    #[module(skip)]
    mask_zero: bool,
}

impl<T: Float> Embedding<T> {
    /// A table for ids `0..vocab`, `dim` values each, drawn from U(−0.05, 0.05). Unseeded
    /// tables draw the next seed of a process-wide counter, as [`crate::Dense::new`] does;
    /// [`Embedding::seed`] fixes it.
    pub fn new(vocab: usize, dim: usize) -> Self {
        static NEXT_SEED: AtomicU64 = AtomicU64::new(0);
        let seed = NEXT_SEED.fetch_add(1, Ordering::Relaxed);
        Embedding {
            weight: Param::new(Tensor::zeros([vocab, dim])),
            init: TableInit::Uniform {
                low: -0.05,
                high: 0.05,
            },
            regularizer: None,
            seed,
            mask_zero: false,
        }
        .reinit()
    }

    /// Redraws the table from U(`low`, `high`) (Keras's `RandomUniform`).
    pub fn uniform(mut self, low: f64, high: f64) -> Self {
        self.init = TableInit::Uniform { low, high };
        self.reinit()
    }

    /// Redraws the table with a Keras initializer (fans: vocab and dim).
    pub fn initializer(mut self, init: Initializer) -> Self {
        self.init = TableInit::Keras(init);
        self.reinit()
    }

    /// Redraws the table with another seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self.reinit()
    }

    /// Keras's `mask_zero`: id 0 is padding. Its positions output zeros and send no gradient
    /// to the table, so a recurrent layer after it with
    /// [`crate::recurrent::Recurrent::mask_value`]`(Some(0.0))` skips them (see
    /// [`crate::recurrent::SequenceMask`]); the pair is Keras's `Embedding(mask_zero=True)`
    /// feeding an `LSTM`, in a [`crate::Sequential`] trained by `fit`.
    pub fn mask_zero(mut self, mask: bool) -> Self {
        self.mask_zero = mask;
        self
    }

    /// Adds a penalty on the table to the loss (Keras's `embeddings_regularizer`).
    pub fn regularizer(mut self, regularizer: Regularizer) -> Self {
        self.regularizer = Some(regularizer);
        self
    }

    /// The number of ids the table holds.
    pub fn vocab_size(&self) -> usize {
        self.weight.value().dims()[0]
    }

    /// The width of each vector.
    pub fn dim(&self) -> usize {
        self.weight.value().dims()[1]
    }

    fn reinit(mut self) -> Self {
        let dims = [self.vocab_size(), self.dim()];
        self.weight.set(match self.init {
            TableInit::Uniform { low, high } => {
                Tensor::uniform(dims, T::lit(low), T::lit(high), self.seed)
            }
            TableInit::Keras(init) => init.init(&dims, self.seed),
        });
        self
    }
}

impl<'t, T: Float> Layer<'t, T, TokenInput<'t, T>> for Embedding<T> {
    type Output = Var<'t, T>;

    /// # Panics
    /// If an id is not below [`Embedding::vocab_size`].
    fn forward(&self, x: TokenInput<'t, T>) -> Var<'t, T> {
        let padding = self.mask_zero.then_some(0);
        crate::fused::embedding_lookup_padded(x.tape().param(&self.weight), x.ids(), padding)
    }

    fn penalty(&self, tape: &'t Tape<T>) -> Option<Var<'t, T>> {
        self.regularizer
            .map(|r| r.penalty(tape.param(&self.weight)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_tables_repeat_and_keep_keras_bounds() {
        let a = Embedding::<f32>::new(50, 8).seed(3);
        let b = Embedding::<f32>::new(50, 8).seed(3);
        assert_eq!(a.weight.value(), b.weight.value());
        assert_ne!(
            a.weight.value(),
            Embedding::<f32>::new(50, 8).weight.value()
        );
        let w = a.weight.value();
        assert!(w.data().iter().all(|v| v.abs() <= 0.05));
        assert!(
            w.data().iter().any(|v| v.abs() > 0.04),
            "not spread over the range"
        );
        let ones = Embedding::<f32>::new(4, 2).initializer(Initializer::Ones);
        assert_eq!(*ones.weight.value(), Tensor::ones([4, 2]));
    }
}
