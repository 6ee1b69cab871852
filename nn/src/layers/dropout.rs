//! [`Dropout`]: inverted dropout, active only in training.
//!
//! The mode follows Keras: a layer is in inference mode (the identity) unless it is being
//! trained. A new `Dropout` starts in inference mode, so calling `forward` on a freshly built
//! model gives its deterministic outputs; `Model::fit` switches the whole model to training for
//! its duration (validation passes excepted) and back to inference when it returns. A
//! hand-written training loop switches it itself with [`Module::set_training`].
//!
//! In training each element is kept with probability 1 − rate and scaled by 1 / (1 − rate), so
//! the expected value is unchanged and inference is the identity. y = x ⊙ m with
//! m ∈ {0, 1/(1 − rate)}, so dx = g ⊙ m. The masks come from a seeded generator: the same seed
//! gives the same sequence of masks. The generator is a buffer (`rng`, a [`SeededRng`]): weight
//! files leave it out, a training checkpoint saves its position, so resumed training draws
//! the masks an uninterrupted run would have drawn.
//!
//! ```
//! use autodiff_core::{Module, Tape, Tensor};
//! use nn::{Dropout, Layer};
//! let mut dropout = Dropout::new(0.5, 7);
//! let tape = Tape::<f32>::new();
//! let x = tape.constant(Tensor::ones([1000]));
//! assert_eq!(dropout.forward(x).value(), Tensor::ones([1000])); // inference mode
//! Module::<f32>::set_training(&mut dropout, true);
//! let y = dropout.forward(x).value();
//! assert!(y.data().iter().all(|&v| v == 0.0 || v == 2.0));
//! ```

use autodiff_core::{BufferRef, Float, Module, Param, ParamPath, SeededRng, Tape, Tensor, Var};
use rand::RngExt;

use super::Layer;

/// Inverted dropout with a seeded mask generator; starts in inference mode (see the module
/// docs: `fit` turns training on while it runs).
pub struct Dropout {
    rate: f64,
    training: bool,
    rng: SeededRng,
}

impl Dropout {
    /// Drops each element with probability `rate` (in `[0, 1)`) while training; built in
    /// inference mode.
    ///
    /// # Panics
    /// If `rate` is outside `[0, 1)`.
    pub fn new(rate: f64, seed: u64) -> Self {
        assert!(
            (0.0..1.0).contains(&rate),
            "Dropout: rate {rate} is not in [0, 1)"
        );
        Dropout {
            rate,
            training: false,
            rng: SeededRng::new(seed),
        }
    }
}

impl<T: Float> Module<T> for Dropout {
    fn visit<'a>(&'a self, _: &mut ParamPath, _: &mut dyn FnMut(&ParamPath, &'a Param<T>)) {}

    fn visit_mut(&mut self, _: &mut ParamPath, _: &mut dyn FnMut(&ParamPath, &mut Param<T>)) {}

    fn visit_buffers<'a>(
        &'a self,
        path: &mut ParamPath,
        f: &mut dyn FnMut(&ParamPath, BufferRef<'a, T>),
    ) {
        path.push("rng");
        f(path, BufferRef::Rng(&self.rng));
        path.pop();
    }

    fn set_training(&mut self, training: bool) {
        self.training = training;
    }
}

impl<'t, T: Float> Layer<'t, T> for Dropout {
    type Output = Var<'t, T>;

    fn forward(&self, x: Var<'t, T>) -> Var<'t, T> {
        if !self.training || self.rate == 0.0 {
            return x;
        }
        let scale = T::lit(1.0 / (1.0 - self.rate));
        let mut rng = self.rng.lock();
        let mask = Tensor::from_fn(x.shape(), |_| {
            if rng.random::<f64>() < self.rate {
                T::zero()
            } else {
                scale
            }
        });
        x * x.tape().constant(mask)
    }

    fn penalty(&self, _: &'t Tape<T>) -> Option<Var<'t, T>> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use autodiff_core::{Tape, gradcheck};

    fn training(rate: f64, seed: u64) -> Dropout {
        let mut d = Dropout::new(rate, seed);
        Module::<f64>::set_training(&mut d, true);
        d
    }

    #[test]
    fn a_new_layer_is_the_identity_until_training_is_switched_on() {
        let mut d = Dropout::new(0.5, 1);
        let tape = Tape::<f64>::new();
        let x = tape.constant(Tensor::ones([100]));
        assert_eq!(Layer::<f64>::forward(&d, x).value(), Tensor::ones([100]));
        Module::<f64>::set_training(&mut d, true);
        let y = Layer::<f64>::forward(&d, x).value();
        assert!(y.data().contains(&0.0), "training mode drops elements");
    }

    #[test]
    fn keeps_the_expected_fraction_and_mean() {
        let d = training(0.3, 1);
        let tape = Tape::<f64>::new();
        let y = Layer::<f64>::forward(&d, tape.constant(Tensor::ones([20_000]))).value();
        let kept = y.data().iter().filter(|&&v| v > 0.0).count() as f64 / 20_000.0;
        assert!((kept - 0.7).abs() < 0.02, "{kept}");
        assert!((y.sum_all().item() / 20_000.0 - 1.0).abs() < 0.03);
    }

    #[test]
    fn gradcheck_with_a_fixed_mask() {
        // A fresh layer per evaluation gives every evaluation the same mask.
        let x = Tensor::normal([3, 4], 0.0, 1.0, 2);
        gradcheck(|v| Layer::<f64>::forward(&training(0.5, 3), v[0]), &[x]).unwrap();
    }
}
