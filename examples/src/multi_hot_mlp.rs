//! The course's IMDB network, 16-16-1 on multi-hot rows, with a first layer that reads the
//! rows in sparse form (the same maths as the dense product, on the non-zeros only). It is a
//! [`Layer`] on [`SparseInput`]s, so `Model::fit` trains it on [`SparseRows`](nn::data::SparseRows).

use autodiff_core::{Tape, Var};
use nn::Module;
use nn::layers::SparseInput;
use nn::{Activation, Dense, Layer};

/// Dense 16 relu → Dense 16 relu → Dense 1 with the given last activation.
#[derive(Module)]
#[module(float = f32)]
pub struct MultiHotMlp {
    /// The three layers.
    pub layers: [Dense<f32>; 3],
}

impl MultiHotMlp {
    /// The network for `words`-wide multi-hot rows.
    pub fn new(words: usize, last: Activation, seed: u64) -> Self {
        MultiHotMlp {
            layers: [
                Dense::new(words, 16)
                    .activation(Activation::Relu)
                    .seed(seed),
                Dense::new(16, 16)
                    .activation(Activation::Relu)
                    .seed(seed + 1),
                Dense::new(16, 1).activation(last).seed(seed + 2),
            ],
        }
    }

    /// The outputs (`[rows, 1]`) for the dense multi-hot matrix `[rows, words]`: the same maths
    /// as the sparse forward pass, on every entry.
    pub fn forward_dense<'t>(&self, x: Var<'t, f32>) -> Var<'t, f32> {
        self.layers.iter().fold(x, |h, layer| layer.forward(h))
    }
}

/// The outputs (`[rows, 1]`) for sparse multi-hot rows.
impl<'t> Layer<'t, f32, SparseInput<'t, f32>> for MultiHotMlp {
    type Output = Var<'t, f32>;

    fn forward(&self, x: SparseInput<'t, f32>) -> Var<'t, f32> {
        let h = self.layers[0].forward(x);
        self.layers[2].forward(self.layers[1].forward(h))
    }

    fn penalty(&self, tape: &'t Tape<f32>) -> Option<Var<'t, f32>> {
        self.layers
            .iter()
            .filter_map(|l| l.penalty(tape))
            .reduce(|a, b| a + b)
    }
}
