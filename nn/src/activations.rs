//! Activation functions, each an elementwise [`UnaryFn`] (value `f` beside derivative `df`, one
//! fused loop forward and one backward), and [`Activation`], the choice a layer is built with.
//!
//! | name | f(x) | f′(x) |
//! |---|---|---|
//! | relu, sigmoid, tanh | from `autodiff-core` | |
//! | gelu (exact, Keras's default) | x·Φ(x) = ½x(1 + erf(x/√2)) | Φ(x) + x·φ(x) |
//! | elu (α = 1) | x if x > 0, else α(eˣ − 1) | 1, else y + α |
//! | selu | λ·elu_α(x), λ = 1.0507…, α = 1.6732… | λ, else y + λα |
//! | leaky_relu (slope 0.2, Keras's default) | x if x > 0, else s·x | 1, else s |
//! | softplus | ln(1 + eˣ) = max(x, 0) + ln(1 + e^−\|x\|) | σ(x) |
//! | swish (silu) | x·σ(x) | σ(x)(1 + x(1 − σ(x))) |
//! | softmax | along an axis, from `autodiff-core` | |
//!
//! ```
//! use autodiff_core::{Tape, Tensor};
//! use nn::Activation;
//! let tape = Tape::new();
//! let x = tape.var(Tensor::from_vec(vec![-1.0_f64, 0.0, 2.0], [3]));
//! let y = Activation::LeakyRelu(0.2).apply(x);
//! assert_eq!(y.value().data(), &[-0.2, 0.0, 2.0]);
//! ```

use autodiff_core::ops::UnaryFn;
use autodiff_core::{Float, Var};

const SELU_ALPHA: f64 = 1.673_263_242_354_377_3;
const SELU_SCALE: f64 = 1.050_700_987_355_480_5;

fn sigmoid<T: Float>(x: T) -> T {
    if x >= T::zero() {
        T::one() / (T::one() + (-x).exp())
    } else {
        let e = x.exp();
        e / (T::one() + e)
    }
}

/// GELU, exact form ½x(1 + erf(x/√2)).
#[derive(Clone, Copy, Debug)]
pub struct Gelu;

impl<T: Float> UnaryFn<T> for Gelu {
    const NAME: &'static str = "gelu";
    fn f(&self, x: T) -> T {
        let xf = x.to_f64().unwrap();
        T::lit(0.5 * xf * (1.0 + libm::erf(xf / std::f64::consts::SQRT_2)))
    }
    fn df(&self, x: T, _y: T) -> T {
        let xf = x.to_f64().unwrap();
        let cdf = 0.5 * (1.0 + libm::erf(xf / std::f64::consts::SQRT_2));
        let pdf = (-0.5 * xf * xf).exp() / (2.0 * std::f64::consts::PI).sqrt();
        T::lit(cdf + xf * pdf)
    }
}

/// ELU with slope parameter α: x for x > 0, α(eˣ − 1) otherwise.
#[derive(Clone, Copy, Debug)]
pub struct Elu(pub f64);

impl<T: Float> UnaryFn<T> for Elu {
    const NAME: &'static str = "elu";
    fn f(&self, x: T) -> T {
        if x > T::zero() {
            x
        } else {
            T::lit(self.0) * x.exp_m1()
        }
    }
    fn df(&self, x: T, y: T) -> T {
        if x > T::zero() {
            T::one()
        } else {
            y + T::lit(self.0)
        }
    }
}

/// SELU: λ·ELU_α with Klambauer et al.'s self-normalising constants.
#[derive(Clone, Copy, Debug)]
pub struct Selu;

impl<T: Float> UnaryFn<T> for Selu {
    const NAME: &'static str = "selu";
    fn f(&self, x: T) -> T {
        T::lit(SELU_SCALE) * Elu(SELU_ALPHA).f(x)
    }
    fn df(&self, x: T, y: T) -> T {
        if x > T::zero() {
            T::lit(SELU_SCALE)
        } else {
            y + T::lit(SELU_SCALE * SELU_ALPHA)
        }
    }
}

/// Leaky ReLU: x for x > 0, `slope`·x otherwise.
#[derive(Clone, Copy, Debug)]
pub struct LeakyRelu(pub f64);

impl<T: Float> UnaryFn<T> for LeakyRelu {
    const NAME: &'static str = "leaky_relu";
    fn f(&self, x: T) -> T {
        if x > T::zero() { x } else { T::lit(self.0) * x }
    }
    fn df(&self, x: T, _y: T) -> T {
        if x > T::zero() {
            T::one()
        } else {
            T::lit(self.0)
        }
    }
}

/// Softplus ln(1 + eˣ), computed as max(x, 0) + ln(1 + e^−|x|) so it never overflows.
#[derive(Clone, Copy, Debug)]
pub struct Softplus;

impl<T: Float> UnaryFn<T> for Softplus {
    const NAME: &'static str = "softplus";
    fn f(&self, x: T) -> T {
        x.max(T::zero()) + (-x.abs()).exp().ln_1p()
    }
    fn df(&self, x: T, _y: T) -> T {
        sigmoid(x)
    }
}

/// Swish (SiLU): x·σ(x).
#[derive(Clone, Copy, Debug)]
pub struct Swish;

impl<T: Float> UnaryFn<T> for Swish {
    const NAME: &'static str = "swish";
    fn f(&self, x: T) -> T {
        x * sigmoid(x)
    }
    fn df(&self, x: T, _y: T) -> T {
        let s = sigmoid(x);
        s * (T::one() + x * (T::one() - s))
    }
}

/// The activation a layer applies to its output (Keras's `activation=` argument).
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub enum Activation {
    /// The identity (Keras's `None` / `"linear"`).
    #[default]
    Linear,
    /// max(x, 0).
    Relu,
    /// 1 / (1 + e⁻ˣ).
    Sigmoid,
    /// tanh x.
    Tanh,
    /// softmax along this axis (Keras's default is the last; use 1 for `[batch, classes]`).
    Softmax(usize),
    /// Exact GELU.
    Gelu,
    /// ELU with this α (Keras's default is 1).
    Elu(f64),
    /// SELU.
    Selu,
    /// Leaky ReLU with this negative slope (Keras's `leaky_relu` default is 0.2).
    LeakyRelu(f64),
    /// ln(1 + eˣ).
    Softplus,
    /// x·σ(x).
    Swish,
}

impl Activation {
    /// Applies the activation.
    pub fn apply<'t, T: Float>(self, x: Var<'t, T>) -> Var<'t, T> {
        match self {
            Activation::Linear => x,
            Activation::Relu => x.relu(),
            Activation::Sigmoid => x.sigmoid(),
            Activation::Tanh => x.tanh(),
            Activation::Softmax(axis) => x.softmax(axis),
            Activation::Gelu => x.apply(Gelu),
            Activation::Elu(alpha) => x.apply(Elu(alpha)),
            Activation::Selu => x.apply(Selu),
            Activation::LeakyRelu(slope) => x.apply(LeakyRelu(slope)),
            Activation::Softplus => x.apply(Softplus),
            Activation::Swish => x.apply(Swish),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use autodiff_core::{Tape, Tensor};

    #[test]
    fn values_match_closed_forms() {
        let tape = Tape::new();
        let x = tape.constant(Tensor::from_vec(vec![-2.0_f64, 0.0, 1.0], [3]));
        let v = |a: Activation| a.apply(x).value().into_vec();
        let gelu1 = 0.841_344_746_068_542_9;
        assert!((v(Activation::Gelu)[2] - gelu1).abs() < 1e-12);
        assert!((v(Activation::Elu(1.0))[0] - ((-2.0_f64).exp() - 1.0)).abs() < 1e-15);
        assert!((v(Activation::Softplus)[1] - 2f64.ln()).abs() < 1e-15);
        assert!((v(Activation::Swish)[2] - 1.0 / (1.0 + (-1.0_f64).exp())).abs() < 1e-15);
        assert!((v(Activation::Selu)[2] - SELU_SCALE).abs() < 1e-15);
    }

    #[test]
    fn softplus_does_not_overflow() {
        assert_eq!(UnaryFn::<f32>::f(&Softplus, 1000.0), 1000.0);
        assert_eq!(UnaryFn::<f32>::f(&Softplus, -1000.0), 0.0);
    }
}
