//! Activation functions and [`Activation`], the choice a layer is built with.
//!
//! Each activation below is written as its scalar formula with `#[differentiable]`, which
//! derives the derivative at compile time and generates `NAME_op`: one fused tape node, one loop
//! forward and one backward. relu, sigmoid, tanh and softmax are the core's own ops.
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

use autodiff_core::{Float, Tensor, Var};
use autodiff_macros::differentiable;

/// GELU, exact form ½x(1 + erf(x/√2)) (Keras's default, `approximate=False`).
#[differentiable]
pub fn gelu<T: Float>(x: T) -> T {
    0.5 * x * (1.0 + erf(x / sqrt(2.0)))
}

/// ELU: x for x > 0, α(eˣ − 1) otherwise.
#[differentiable]
pub fn elu<T: Float>(x: T, alpha: T) -> T {
    if x > 0.0 { x } else { alpha * (exp(x) - 1.0) }
}

/// SELU: λ·ELU_α(x) with Klambauer et al.'s constants λ = 1.0507…, α = 1.6732… (λα = 1.7581…).
#[differentiable]
pub fn selu<T: Float>(x: T) -> T {
    if x > 0.0 {
        1.0507009873554805 * x
    } else {
        1.7580993408473766 * (exp(x) - 1.0)
    }
}

/// Leaky ReLU: x for x > 0, `slope`·x otherwise.
#[differentiable]
pub fn leaky_relu<T: Float>(x: T, slope: T) -> T {
    if x > 0.0 { x } else { slope * x }
}

/// Softplus ln(1 + eˣ), as max(x, 0) + ln(1 + e^−|x|) so it never overflows.
#[differentiable]
pub fn soft_plus<T: Float>(x: T) -> T {
    max(x, 0.0) + ln(1.0 + exp(-abs(x)))
}

/// Swish (SiLU): x·σ(x).
#[differentiable]
pub fn swish<T: Float>(x: T) -> T {
    x * sigmoid(x)
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

/// A parameter of an activation as a scalar on `x`'s tape (broadcast by the fused op).
fn constant<'t, T: Float>(x: Var<'t, T>, value: f64) -> Var<'t, T> {
    x.tape().constant(Tensor::scalar(T::lit(value)))
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
            Activation::Gelu => gelu_op(x),
            Activation::Elu(alpha) => elu_op(x, constant(x, alpha)),
            Activation::Selu => selu_op(x),
            Activation::LeakyRelu(slope) => leaky_relu_op(x, constant(x, slope)),
            Activation::Softplus => soft_plus_op(x),
            Activation::Swish => swish_op(x),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use autodiff_core::Tape;

    #[test]
    fn values_match_closed_forms() {
        let tape = Tape::new();
        let x = tape.constant(Tensor::from_vec(vec![-2.0_f64, 0.0, 1.0], [3]));
        let v = |a: Activation| a.apply(x).value().into_vec();
        // gelu(1) = Φ(1): python3 -c 'import math; print(0.5 * (1 + math.erf(1 / math.sqrt(2))))'
        // prints 0.8413447460685429.
        assert!((v(Activation::Gelu)[2] - 0.841_344_746_068_542_9).abs() < 1e-12);
        assert!((v(Activation::Elu(1.0))[0] - ((-2.0_f64).exp() - 1.0)).abs() < 1e-15);
        assert!((v(Activation::Softplus)[1] - 2f64.ln()).abs() < 1e-15);
        assert!((v(Activation::Swish)[2] - 1.0 / (1.0 + (-1.0_f64).exp())).abs() < 1e-15);
        assert!((v(Activation::Selu)[2] - 1.050_700_987_355_480_5).abs() < 1e-15);
        assert_eq!(v(Activation::LeakyRelu(0.2)), [-0.4, 0.0, 1.0]);
        assert_eq!(
            tape.len(),
            1 + 6 + 2,
            "one node per activation, plus two parameter scalars"
        );
    }

    #[test]
    fn softplus_does_not_overflow() {
        assert_eq!(soft_plus(1000.0_f32), 1000.0);
        assert_eq!(soft_plus(-1000.0_f32), 0.0);
    }
}
