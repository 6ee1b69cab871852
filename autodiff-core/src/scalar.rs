//! Scalar functions and their derivatives, each value `f` written beside its derivative `f_grad`:
//! the one derivative table of the crate. The intrinsics of `#[differentiable]` bodies compile to
//! these, and the elementwise `Var` ops ([`Var::exp`](crate::Var::exp), ...) apply the same
//! functions, so the two paths cannot disagree (a test compares them on every intrinsic).
//!
//! A unary derivative takes the input `x` and the already computed value `y = f(x)` (for many
//! functions the value is the cheaper form), so generated backward passes reuse the forward
//! values instead of recomputing them. Kinks follow PyTorch: the derivative of `relu` and `abs`
//! at 0 is 0, and `max`/`min` split the gradient in half on a tie.

use crate::Float;

/// An `f64` constant as `T` (`lit::<f32>(0.5)`).
#[inline(always)]
pub fn lit<T: Float>(x: f64) -> T {
    T::lit(x)
}

/// eˣ.
#[inline(always)]
pub fn exp<T: Float>(x: T) -> T {
    x.exp()
}

/// d eˣ / dx = eˣ = y.
#[inline(always)]
pub fn exp_grad<T: Float>(_x: T, y: T) -> T {
    y
}

/// The natural logarithm.
#[inline(always)]
pub fn ln<T: Float>(x: T) -> T {
    x.ln()
}

/// d ln x / dx = 1 / x.
#[inline(always)]
pub fn ln_grad<T: Float>(x: T, _y: T) -> T {
    x.recip()
}

/// The square root.
#[inline(always)]
pub fn sqrt<T: Float>(x: T) -> T {
    x.sqrt()
}

/// d √x / dx = 1 / (2y).
#[inline(always)]
pub fn sqrt_grad<T: Float>(_x: T, y: T) -> T {
    T::lit(0.5) / y
}

/// The hyperbolic tangent ([`Float::tanh_fast`]: within 2 ulp for `f32`, the standard
/// library's for `f64`).
#[inline(always)]
pub fn tanh<T: Float>(x: T) -> T {
    x.tanh_fast()
}

/// d tanh x / dx = 1 − y².
#[inline(always)]
pub fn tanh_grad<T: Float>(_x: T, y: T) -> T {
    T::one() - y * y
}

/// The logistic sigmoid 1 / (1 + e⁻ˣ), without overflow for large |x|.
#[inline(always)]
pub fn sigmoid<T: Float>(x: T) -> T {
    if x >= T::zero() {
        T::one() / (T::one() + (-x).exp())
    } else {
        let e = x.exp();
        e / (T::one() + e)
    }
}

/// d σ(x) / dx = y (1 − y).
#[inline(always)]
pub fn sigmoid_grad<T: Float>(_x: T, y: T) -> T {
    y * (T::one() - y)
}

/// max(x, 0).
#[inline(always)]
pub fn relu<T: Float>(x: T) -> T {
    x.max(T::zero())
}

/// 1 for x > 0, else 0 (0 at the kink, as PyTorch).
#[inline(always)]
pub fn relu_grad<T: Float>(x: T, _y: T) -> T {
    if x > T::zero() { T::one() } else { T::zero() }
}

/// |x|.
#[inline(always)]
pub fn abs<T: Float>(x: T) -> T {
    x.abs()
}

/// The sign of x, 0 at 0 (as PyTorch).
#[inline(always)]
pub fn abs_grad<T: Float>(x: T, _y: T) -> T {
    if x > T::zero() {
        T::one()
    } else if x < T::zero() {
        -T::one()
    } else {
        T::zero()
    }
}

/// The sine.
#[inline(always)]
pub fn sin<T: Float>(x: T) -> T {
    x.sin()
}

/// d sin x / dx = cos x.
#[inline(always)]
pub fn sin_grad<T: Float>(x: T, _y: T) -> T {
    x.cos()
}

/// The cosine.
#[inline(always)]
pub fn cos<T: Float>(x: T) -> T {
    x.cos()
}

/// d cos x / dx = −sin x.
#[inline(always)]
pub fn cos_grad<T: Float>(x: T, _y: T) -> T {
    -x.sin()
}

/// ln(1 + eˣ), computed as max(x, 0) + ln(1 + e^−|x|) so it neither overflows nor loses the
/// small values.
#[inline(always)]
pub fn softplus<T: Float>(x: T) -> T {
    x.max(T::zero()) + (-x.abs()).exp().ln_1p()
}

/// d softplus(x) / dx = σ(x).
#[inline(always)]
pub fn softplus_grad<T: Float>(x: T, _y: T) -> T {
    sigmoid(x)
}

/// The error function, computed in `f64` by `libm` (num-traits has none).
#[inline(always)]
pub fn erf<T: Float>(x: T) -> T {
    T::lit(libm::erf(x.to_f64().unwrap_or(f64::NAN)))
}

/// d erf(x) / dx = 2/√π · e^(−x²).
#[inline(always)]
pub fn erf_grad<T: Float>(x: T, _y: T) -> T {
    T::lit(std::f64::consts::FRAC_2_SQRT_PI) * (-x * x).exp()
}

/// xⁿ for an integer n.
#[inline(always)]
pub fn powi<T: Float>(x: T, n: i32) -> T {
    x.powi(n)
}

/// d xⁿ / dx = n xⁿ⁻¹, and 0 for n = 0 (x⁰ is constant; not 0 · 0⁻¹ = NaN at x = 0, as PyTorch).
#[inline(always)]
pub fn powi_grad<T: Float>(x: T, n: i32) -> T {
    if n == 0 {
        T::zero()
    } else {
        T::lit(f64::from(n)) * x.powi(n - 1)
    }
}

/// xᵖ.
#[inline(always)]
pub fn powf<T: Float>(x: T, p: T) -> T {
    x.powf(p)
}

/// ∂ xᵖ / ∂x = p xᵖ⁻¹, and 0 for p = 0 (as PyTorch; not 0 · 0⁻¹ = NaN at x = 0).
#[inline(always)]
pub fn powf_grad_base<T: Float>(x: T, p: T) -> T {
    if p == T::zero() {
        T::zero()
    } else {
        p * x.powf(p - T::one())
    }
}

/// ∂ xᵖ / ∂p = y ln x, taken as 0 at x = 0 (as PyTorch).
#[inline(always)]
pub fn powf_grad_exponent<T: Float>(x: T, y: T) -> T {
    if x == T::zero() {
        T::zero()
    } else {
        y * x.ln()
    }
}

/// The larger of x and y.
#[inline(always)]
pub fn max<T: Float>(x: T, y: T) -> T {
    x.max(y)
}

/// ∂ max(x, y) / ∂x: 1 if x is larger, ½ on a tie, else 0 (∂/∂y is `max_grad(y, x)`).
#[inline(always)]
pub fn max_grad<T: Float>(x: T, y: T) -> T {
    if x > y {
        T::one()
    } else if x == y {
        T::lit(0.5)
    } else {
        T::zero()
    }
}

/// The smaller of x and y.
#[inline(always)]
pub fn min<T: Float>(x: T, y: T) -> T {
    x.min(y)
}

/// ∂ min(x, y) / ∂x: 1 if x is smaller, ½ on a tie, else 0 (∂/∂y is `min_grad(y, x)`).
#[inline(always)]
pub fn min_grad<T: Float>(x: T, y: T) -> T {
    max_grad(y, x)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each derivative against a central difference at a few points.
    #[test]
    fn derivatives_match_central_differences() {
        type Pair = (fn(f64) -> f64, fn(f64, f64) -> f64);
        // Whether the function is defined for negative inputs too, which are then checked.
        let pairs: [(&str, Pair, bool); 10] = [
            ("exp", (exp, exp_grad), true),
            ("ln", (ln, ln_grad), false),
            ("sqrt", (sqrt, sqrt_grad), false),
            ("tanh", (tanh, tanh_grad), true),
            ("sigmoid", (sigmoid, sigmoid_grad), true),
            ("softplus", (softplus, softplus_grad), true),
            ("erf", (erf, erf_grad), true),
            ("sin", (sin, sin_grad), true),
            ("cos", (cos, cos_grad), true),
            ("abs", (abs, abs_grad), true),
        ];
        let h = 1e-6;
        for (name, (f, df), negatives) in pairs {
            let negative = [-0.3, -1.7, -2.5];
            let points = [0.3, 0.9, 1.7, 2.5]
                .into_iter()
                .chain(negative.into_iter().filter(|_| negatives));
            for x in points {
                let numeric = (f(x + h) - f(x - h)) / (2.0 * h);
                let analytic = df(x, f(x));
                assert!(
                    (numeric - analytic).abs() < 1e-7,
                    "{name} at {x}: {analytic} vs {numeric}"
                );
            }
        }
    }

    #[test]
    fn softplus_is_stable_and_erf_is_accurate() {
        assert_eq!(softplus(1000.0_f64), 1000.0);
        assert!(softplus(-1000.0_f64) >= 0.0);
        // python3 -c 'import math; print(math.erf(0.5))' prints 0.5204998778130465.
        assert!((erf(0.5_f64) - 0.520_499_877_813_046_5).abs() < 1e-15);
        assert_eq!(max_grad(1.0_f64, 1.0), 0.5);
        assert_eq!(powf_grad_exponent(0.0_f64, 0.0), 0.0);
    }

    #[test]
    fn constant_powers_have_zero_derivative_even_at_zero() {
        assert_eq!(powi_grad(0.0_f64, 0), 0.0);
        assert_eq!(powf_grad_base(0.0_f64, 0.0), 0.0);
        assert_eq!(powi_grad(0.0_f64, 1), 1.0);
        assert_eq!(powi_grad(2.0_f64, 3), 12.0);
    }
}
