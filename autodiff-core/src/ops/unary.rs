//! Elementwise functions of one tensor: each is an [`UnaryFn`] applied by one generic forward
//! loop and one generic backward loop. Their values and derivatives are those of
//! [`scalar`](crate::scalar), which `#[differentiable]` bodies call too, so the two cannot drift.

use crate::tape::{Op, UnaryVjp};
use crate::{Float, Tensor, Var, scalar};

/// A differentiable scalar function applied elementwise: `f(x)` and `df(x, y)`, the derivative
/// at `x` given `y = f(x)` (for many functions the output is the cheaper form).
pub trait UnaryFn<T: Float>: Copy + 'static {
    /// The op's name, for messages.
    const NAME: &'static str;
    /// The value.
    fn f(&self, x: T) -> T;
    /// The derivative at `x`, with `y = f(x)` already computed.
    fn df(&self, x: T, y: T) -> T;
}

macro_rules! unary_fns {
    ($($(#[$doc:meta])* $name:ident $ty:ident: $f:path, $df:path;)*) => {$(
        #[doc = concat!("The elementwise function behind [`Var::", stringify!($name), "`].")]
        #[derive(Clone, Copy, Debug)]
        pub struct $ty;

        impl<T: Float> UnaryFn<T> for $ty {
            const NAME: &'static str = stringify!($name);
            #[inline(always)]
            fn f(&self, x: T) -> T { $f(x) }
            #[inline(always)]
            fn df(&self, x: T, y: T) -> T { $df(x, y) }
        }

        impl<T: Float> Tensor<T> {
            $(#[$doc])*
            pub fn $name(&self) -> Tensor<T> { self.map(|x| $ty.f(x)) }
        }

        impl<'t, T: Float> Var<'t, T> {
            $(#[$doc])*
            #[track_caller]
            pub fn $name(self) -> Var<'t, T> { self.apply($ty) }
        }
    )*};
}

// The values and derivatives come from `scalar`, the table `#[differentiable]` bodies use too.
unary_fns! {
    /// eˣ.
    exp Exp: scalar::exp, scalar::exp_grad;
    /// The natural logarithm.
    ln Ln: scalar::ln, scalar::ln_grad;
    /// The square root.
    sqrt Sqrt: scalar::sqrt, scalar::sqrt_grad;
    /// |x|; its derivative at 0 is taken as 0, as PyTorch does.
    abs Abs: scalar::abs, scalar::abs_grad;
    /// The hyperbolic tangent.
    tanh Tanh: scalar::tanh, scalar::tanh_grad;
    /// The logistic sigmoid 1 / (1 + e⁻ˣ), computed without overflow for large |x|.
    sigmoid Sigmoid: scalar::sigmoid, scalar::sigmoid_grad;
    /// max(x, 0); its derivative at 0 is taken as 0, as PyTorch does.
    relu Relu: scalar::relu, scalar::relu_grad;
    /// The sine.
    sin Sin: scalar::sin, scalar::sin_grad;
    /// The cosine.
    cos Cos: scalar::cos, scalar::cos_grad;
    /// ln(1 + eˣ), computed without overflow or loss of small values.
    softplus Softplus: scalar::softplus, scalar::softplus_grad;
    /// The error function.
    erf Erf: scalar::erf, scalar::erf_grad;
}

/// xⁿ for an integer n: the function behind [`Var::powi`].
#[derive(Clone, Copy, Debug)]
pub struct Powi(pub i32);

impl<T: Float> UnaryFn<T> for Powi {
    const NAME: &'static str = "powi";
    fn f(&self, x: T) -> T {
        scalar::powi(x, self.0)
    }
    fn df(&self, x: T, _y: T) -> T {
        scalar::powi_grad(x, self.0)
    }
}

/// xᵖ for a real p: the function behind [`Var::powf`].
#[derive(Clone, Copy, Debug)]
pub struct Powf<T>(pub T);

impl<T: Float> UnaryFn<T> for Powf<T> {
    const NAME: &'static str = "powf";
    fn f(&self, x: T) -> T {
        scalar::powf(x, self.0)
    }
    fn df(&self, x: T, _y: T) -> T {
        scalar::powf_grad_base(x, self.0)
    }
}

/// x limited to `[low, high]`: the function behind [`Var::clamp`]. The derivative is 1 inside
/// the interval and 0 outside.
#[derive(Clone, Copy, Debug)]
pub struct Clamp<T> {
    low: T,
    high: T,
}

impl<T: Float> UnaryFn<T> for Clamp<T> {
    const NAME: &'static str = "clamp";
    fn f(&self, x: T) -> T {
        x.max(self.low).min(self.high)
    }
    fn df(&self, x: T, _y: T) -> T {
        if x >= self.low && x <= self.high {
            T::one()
        } else {
            T::zero()
        }
    }
}

/// The backward of [`Var::apply`], run by the tape's sweep in the output gradient's own buffer.
impl<T: Float, F: UnaryFn<T>> UnaryVjp<T> for F {
    #[inline]
    fn scale_in_place(&self, g: &mut [T], x: &[T], y: &[T]) {
        for ((g, &x), &y) in g.iter_mut().zip(x).zip(y) {
            *g *= self.df(x, y);
        }
    }

    #[inline]
    fn add_into(&self, acc: &mut [T], g: &[T], x: &[T], y: &[T]) {
        for (((acc, &g), &x), &y) in acc.iter_mut().zip(g).zip(x).zip(y) {
            *acc += g * self.df(x, y);
        }
    }
}

impl<T: Float> Tensor<T> {
    /// Applies an [`UnaryFn`] elementwise.
    pub fn apply<F: UnaryFn<T>>(&self, f: F) -> Tensor<T> {
        self.map(|x| f.f(x))
    }

    /// xⁿ elementwise.
    pub fn powi(&self, n: i32) -> Tensor<T> {
        self.apply(Powi(n))
    }

    /// xᵖ elementwise.
    pub fn powf(&self, p: T) -> Tensor<T> {
        self.apply(Powf(p))
    }

    /// Each element limited to `[low, high]`.
    pub fn clamp(&self, low: T, high: T) -> Tensor<T> {
        self.apply(Clamp { low, high })
    }
}

impl<'t, T: Float> Var<'t, T> {
    /// Applies an [`UnaryFn`] elementwise: one forward loop, and in the backward pass one loop
    /// computing `grad · df(x, y)`.
    #[track_caller]
    pub fn apply<F: UnaryFn<T>>(self, f: F) -> Var<'t, T> {
        self.tape.record_with(
            F::NAME,
            [self],
            |[x]| x.map_data(|x| f.f(x)),
            || Op::Unary(Box::new(f)),
        )
    }

    /// xⁿ elementwise.
    #[track_caller]
    pub fn powi(self, n: i32) -> Var<'t, T> {
        self.apply(Powi(n))
    }

    /// xᵖ elementwise.
    #[track_caller]
    pub fn powf(self, p: T) -> Var<'t, T> {
        self.apply(Powf(p))
    }

    /// Each element limited to `[low, high]`.
    ///
    /// # Panics
    /// If `low > high`.
    #[track_caller]
    pub fn clamp(self, low: T, high: T) -> Var<'t, T> {
        assert!(low <= high, "clamp: low {low} is above high {high}");
        self.apply(Clamp { low, high })
    }
}

#[cfg(test)]
mod tests {
    use crate::{Tape, Tensor};

    #[test]
    fn sigmoid_is_stable_at_extremes() {
        let t = Tensor::from_vec(vec![-1000.0_f32, 0.0, 1000.0], [3]).sigmoid();
        assert_eq!(t.data(), &[0.0, 0.5, 1.0]);
    }

    #[test]
    fn tanh_derivative_uses_the_output() {
        let tape = Tape::new();
        let x = tape.var(Tensor::from_vec(vec![0.5_f64], [1]));
        let g = x.tanh().sum().backward();
        let want = 1.0 - 0.5_f64.tanh().powi(2);
        assert!((g.wrt(x).unwrap().item() - want).abs() < 1e-15);
    }

    #[test]
    fn relu_and_clamp_pass_gradient_only_inside() {
        let tape = Tape::new();
        let x = tape.var(Tensor::from_vec(vec![-1.0_f64, 0.5, 2.0], [3]));
        let g = (x.relu() + x.clamp(0.0, 1.0)).sum().backward();
        assert_eq!(g.wrt(x).unwrap().data(), &[0.0, 2.0, 1.0]);
    }

    #[test]
    fn powi_zero_has_zero_gradient_at_zero() {
        let tape = Tape::new();
        let x = tape.var(Tensor::from_vec(vec![0.0_f64, 2.0], [2]));
        let g = x.powi(0).sum().backward();
        assert_eq!(g.wrt(x).unwrap().data(), &[0.0, 0.0]);
    }
}
