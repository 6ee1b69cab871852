//! Seeded random tensors.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, StandardNormal};

use crate::{Float, Shape, Tensor};

impl<T: Float> Tensor<T> {
    /// Values drawn uniformly from `[low, high)` by a generator seeded with `seed`.
    pub fn uniform(shape: impl Into<Shape>, low: T, high: T, seed: u64) -> Self {
        Self::uniform_with(shape, low, high, &mut StdRng::seed_from_u64(seed))
    }

    /// Values drawn uniformly from `[low, high)` by the given generator.
    pub fn uniform_with(
        shape: impl Into<Shape>,
        low: T,
        high: T,
        rng: &mut impl rand::Rng,
    ) -> Self {
        let span = high - low;
        Self::from_fn(shape, |_| low + span * T::lit(rng.random::<f64>()))
    }

    /// Values drawn from a normal distribution with the given mean and standard deviation by a
    /// generator seeded with `seed`.
    pub fn normal(shape: impl Into<Shape>, mean: T, std: T, seed: u64) -> Self {
        Self::normal_with(shape, mean, std, &mut StdRng::seed_from_u64(seed))
    }

    /// Values drawn from a normal distribution by the given generator.
    pub fn normal_with(shape: impl Into<Shape>, mean: T, std: T, rng: &mut impl rand::Rng) -> Self {
        Self::from_fn(shape, |_| {
            let z: f64 = StandardNormal.sample(rng);
            mean + std * T::lit(z)
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::Tensor;

    #[test]
    fn seeded_draws_repeat_and_have_the_right_moments() {
        let a = Tensor::<f64>::normal([10_000], 1.0, 2.0, 7);
        assert!(a == Tensor::normal([10_000], 1.0, 2.0, 7));
        let mean = a.sum_all().item() / 1e4;
        let var = a.map(|x| (x - mean).powi(2)).sum_all().item() / 1e4;
        assert!(
            (mean - 1.0).abs() < 0.05 && (var - 4.0).abs() < 0.2,
            "{mean} {var}"
        );
        let u = Tensor::<f32>::uniform([1000], -1.0, 3.0, 1);
        assert!(u.data().iter().all(|&x| (-1.0..3.0).contains(&x)));
    }
}
