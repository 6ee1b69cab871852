//! Weight initializers with Keras's names and formulas.
//!
//! For a kernel of shape `[fan_in, fan_out]` (Keras's Dense layout):
//! - glorot_uniform: U(−l, l) with l = √(6 / (fan_in + fan_out)) — Keras's default for kernels;
//! - glorot_normal: truncated N(0, σ) with σ = √(2 / (fan_in + fan_out));
//! - he_uniform: U(−l, l) with l = √(6 / fan_in);
//! - he_normal: truncated N(0, σ) with σ = √(2 / fan_in);
//! - lecun_normal: truncated N(0, σ) with σ = √(1 / fan_in) (the one SELU wants);
//! - kaiming_uniform(a): U(−l, l) with l = √(6 / ((1 + a²)·fan_in)), PyTorch's
//!   `kaiming_uniform_`; with a = √5 ([`Initializer::TORCH_DEFAULT`]) l = 1/√fan_in, what
//!   PyTorch's `Linear` and `Conv2d` start from;
//! - orthogonal: a matrix with orthonormal columns (rows if it is wide), from the QR
//!   factorisation of a standard normal draw, signs fixed so R's diagonal is positive (Keras's
//!   rule, and its default for recurrent kernels); leading axes are flattened into rows;
//! - random_uniform: U(min, max) (PyTorch's recurrent layers draw every weight from
//!   U(−1/√H, 1/√H));
//! - zeros, ones, constant — zeros is Keras's default for biases.
//!
//! A convolution kernel has the fans Keras and PyTorch give it (see
//! [`Initializer::init_with_fans`]): fan_in = in/groups · kh · kw, fan_out = out · kh · kw.
//!
//! Keras's "truncated" normals redraw values beyond two standard deviations and scale σ by
//! 1/0.87962566 to keep the variance; the same is done here.
//!
//! ```
//! use nn::Initializer;
//! let w = Initializer::GlorotUniform.init::<f32>(&[100, 10], 0);
//! let limit = (6.0_f32 / 110.0).sqrt();
//! assert!(w.data().iter().all(|v| v.abs() <= limit));
//! ```

use autodiff_core::{Float, Tensor};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

/// How to fill a new parameter tensor (Keras's `kernel_initializer` / `bias_initializer`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Initializer {
    /// U(−l, l), l = √(6 / (fan_in + fan_out)).
    GlorotUniform,
    /// Truncated normal with σ = √(2 / (fan_in + fan_out)).
    GlorotNormal,
    /// U(−l, l), l = √(6 / fan_in).
    HeUniform,
    /// Truncated normal with σ = √(2 / fan_in).
    HeNormal,
    /// Truncated normal with σ = √(1 / fan_in).
    LecunNormal,
    /// U(−l, l), l = √(6 / ((1 + a²)·fan_in)) for the negative slope a (PyTorch's
    /// `kaiming_uniform_(a=…)`).
    KaimingUniform(f64),
    /// Orthonormal columns (or rows, for a wide matrix): Keras's `orthogonal` with gain 1.
    Orthogonal,
    /// U(min, max): Keras's `RandomUniform`.
    RandomUniform {
        /// The lower bound.
        min: f64,
        /// The upper bound.
        max: f64,
    },
    /// All zeros.
    Zeros,
    /// All ones.
    Ones,
    /// Every value the same.
    Constant(f64),
}

impl Initializer {
    /// What PyTorch's `Linear` and `Conv2d` draw their weights with: kaiming-uniform with
    /// a = √5, that is U(−1/√fan_in, 1/√fan_in).
    pub const TORCH_DEFAULT: Initializer = Initializer::KaimingUniform(2.236_067_977_499_79);

    /// A tensor of shape `dims` drawn with this initializer and a generator seeded by `seed`.
    /// The fans are Keras's: `fan_in = dims[0]`, `fan_out = dims[1]` for a matrix, both the
    /// length for a vector.
    pub fn init<T: Float>(self, dims: &[usize], seed: u64) -> Tensor<T> {
        let (fan_in, fan_out) = match dims {
            [] => (1, 1),
            [n] => (*n, *n),
            [a, b, ..] => (*a, *b),
        };
        self.init_with_fans(dims, fan_in, fan_out, seed)
    }

    /// A tensor of shape `dims` drawn with the fans given rather than read from `dims`: what a
    /// convolution kernel `[out, in/groups, kh, kw]` needs (fan_in = in/groups·kh·kw,
    /// fan_out = out·kh·kw, as Keras and PyTorch count them).
    ///
    /// ```
    /// use nn::Initializer;
    /// let w = Initializer::TORCH_DEFAULT.init_with_fans::<f64>(&[8, 4, 3, 3], 36, 72, 0);
    /// assert!(w.data().iter().all(|v| v.abs() <= 1.0 / 6.0));
    /// ```
    pub fn init_with_fans<T: Float>(
        self,
        dims: &[usize],
        fan_in: usize,
        fan_out: usize,
        seed: u64,
    ) -> Tensor<T> {
        let (fan_in, fan_out) = (fan_in as f64, fan_out as f64);
        let mut rng = StdRng::seed_from_u64(seed);
        let mut uniform = |limit: f64| {
            Tensor::from_fn(dims, |_| T::lit(limit * (2.0 * rng.random::<f64>() - 1.0)))
        };
        match self {
            Initializer::GlorotUniform => uniform((6.0 / (fan_in + fan_out)).sqrt()),
            Initializer::HeUniform => uniform((6.0 / fan_in).sqrt()),
            Initializer::KaimingUniform(a) => uniform((6.0 / ((1.0 + a * a) * fan_in)).sqrt()),
            Initializer::GlorotNormal => truncated(dims, (2.0 / (fan_in + fan_out)).sqrt(), seed),
            Initializer::HeNormal => truncated(dims, (2.0 / fan_in).sqrt(), seed),
            Initializer::LecunNormal => truncated(dims, (1.0 / fan_in).sqrt(), seed),
            Initializer::Orthogonal => orthogonal(dims, seed),
            Initializer::RandomUniform { min, max } => {
                Tensor::from_fn(dims, |_| T::lit(min + (max - min) * rng.random::<f64>()))
            }
            Initializer::Zeros => Tensor::zeros(dims),
            Initializer::Ones => Tensor::ones(dims),
            Initializer::Constant(c) => Tensor::full(dims, T::lit(c)),
        }
    }
}

/// N(0, σ/0.87962566) redrawn beyond two (scaled) standard deviations, as Keras does.
fn truncated<T: Float>(dims: &[usize], std: f64, seed: u64) -> Tensor<T> {
    let std = std / 0.879_625_661_034_239_8;
    let mut rng = StdRng::seed_from_u64(seed);
    let normal = Tensor::<f64>::normal_with(
        [4 * dims.iter().product::<usize>() + 16],
        0.0,
        1.0,
        &mut rng,
    );
    let mut kept = normal.data().iter().filter(|z| z.abs() <= 2.0);
    Tensor::from_fn(dims, |_| T::lit(std * kept.next().copied().unwrap_or(0.0)))
}

/// Q of the QR factorisation of a standard normal `[rows, cols]` draw (the tall way round),
/// by modified Gram–Schmidt, which gives R a positive diagonal: Keras's `q · sign(diag(r))`.
fn orthogonal<T: Float>(dims: &[usize], seed: u64) -> Tensor<T> {
    let cols = dims.last().copied().unwrap_or(1);
    let rows = dims.iter().product::<usize>() / cols.max(1);
    let (tall, short) = (rows.max(cols), rows.min(cols));
    let mut rng = StdRng::seed_from_u64(seed);
    let normal = Tensor::<f64>::normal_with([short, tall], 0.0, 1.0, &mut rng);
    // `short` vectors of length `tall`, made orthonormal one after another.
    let mut q: Vec<Vec<f64>> = normal
        .data()
        .chunks(tall.max(1))
        .map(<[f64]>::to_vec)
        .collect();
    for k in 0..q.len() {
        let (done, rest) = q.split_at_mut(k);
        let v = &mut rest[0];
        for u in done.iter() {
            let dot: f64 = u.iter().zip(v.iter()).map(|(a, b)| a * b).sum();
            v.iter_mut().zip(u).for_each(|(x, &a)| *x -= dot * a);
        }
        let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
        v.iter_mut().for_each(|x| *x /= norm);
    }
    // The vectors are the columns of a tall matrix and the rows of a wide one.
    Tensor::from_fn(dims, |n| {
        let (r, c) = (n / cols, n % cols);
        T::lit(if rows >= cols { q[c][r] } else { q[r][c] })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn he_normal_has_the_keras_variance_and_no_tails() {
        let w = Initializer::HeNormal.init::<f64>(&[200, 100], 3);
        let var = w.data().iter().map(|v| v * v).sum::<f64>() / w.numel() as f64;
        assert!((var - 2.0 / 200.0).abs() < 0.1 * 2.0 / 200.0, "{var}");
        let bound = 2.0 * (2.0_f64 / 200.0).sqrt() / 0.879_625_661_034_239_8;
        assert!(w.data().iter().all(|v| v.abs() <= bound + 1e-12));
    }

    #[test]
    fn orthogonal_is_orthonormal_the_short_way_round() {
        for dims in [[12, 3], [3, 12], [5, 5]] {
            let w = Initializer::Orthogonal.init::<f64>(&dims, 4);
            let gram = if dims[0] >= dims[1] {
                w.t().matmul(&w)
            } else {
                w.matmul(&w.t())
            };
            let n = dims[0].min(dims[1]);
            assert!(
                gram.all_close(&Tensor::eye(n), 1e-12, 1e-12),
                "{dims:?}: {gram}"
            );
        }
        let u = Initializer::RandomUniform {
            min: -0.5,
            max: 0.25,
        }
        .init::<f64>(&[400], 1);
        assert!(u.data().iter().all(|&v| (-0.5..0.25).contains(&v)));
        assert!(u.data().iter().any(|&v| v < -0.45) && u.data().iter().any(|&v| v > 0.2));
    }

    #[test]
    fn seeds_repeat_and_constants_fill() {
        let a = Initializer::GlorotUniform.init::<f32>(&[3, 4], 9);
        assert!(a == Initializer::GlorotUniform.init(&[3, 4], 9));
        assert!(a != Initializer::GlorotUniform.init(&[3, 4], 10));
        assert_eq!(
            Initializer::Constant(0.5).init::<f32>(&[2], 0).data(),
            &[0.5, 0.5]
        );
    }
}
