//! Elementwise functions of one tensor: each is an [`UnaryFn`], its value `f` written beside its
//! derivative `df`, applied by one generic forward loop and one generic backward loop.

use crate::pool;
use crate::{BackwardCx, Float, Tensor, Var};

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
    ($($(#[$doc:meta])* $name:ident $ty:ident: |$x:ident| $f:expr, |$dx:ident, $y:ident| $df:expr;)*) => {$(
        #[doc = concat!("The elementwise function behind [`Var::", stringify!($name), "`].")]
        #[derive(Clone, Copy, Debug)]
        pub struct $ty;

        impl<T: Float> UnaryFn<T> for $ty {
            const NAME: &'static str = stringify!($name);
            #[inline(always)]
            fn f(&self, $x: T) -> T { $f }
            #[inline(always)]
            #[allow(unused_variables)]
            fn df(&self, $dx: T, $y: T) -> T { $df }
        }

        impl<T: Float> Tensor<T> {
            $(#[$doc])*
            pub fn $name(&self) -> Tensor<T> { self.map(|x| $ty.f(x)) }
        }

        impl<'t, T: Float> Var<'t, T> {
            $(#[$doc])*
            pub fn $name(self) -> Var<'t, T> { self.apply($ty) }
        }
    )*};
}

unary_fns! {
    /// eˣ.
    exp Exp: |x| x.exp(), |x, y| y;
    /// The natural logarithm.
    ln Ln: |x| x.ln(), |x, y| x.recip();
    /// The square root.
    sqrt Sqrt: |x| x.sqrt(), |x, y| T::lit(0.5) / y;
    /// |x|; its derivative at 0 is taken as 0, as PyTorch does.
    abs Abs: |x| x.abs(), |x, y| if x > T::zero() { T::one() } else if x < T::zero() { -T::one() } else { T::zero() };
    /// The hyperbolic tangent.
    tanh Tanh: |x| x.tanh(), |x, y| T::one() - y * y;
    /// The logistic sigmoid 1 / (1 + e⁻ˣ), computed without overflow for large |x|.
    sigmoid Sigmoid: |x| stable_sigmoid(x), |x, y| y * (T::one() - y);
    /// max(x, 0); its derivative at 0 is taken as 0, as PyTorch does.
    relu Relu: |x| x.max(T::zero()), |x, y| if x > T::zero() { T::one() } else { T::zero() };
}

/// 1 / (1 + e⁻ˣ) evaluated on the side where the exponential cannot overflow.
#[inline(always)]
pub(crate) fn stable_sigmoid<T: Float>(x: T) -> T {
    if x >= T::zero() {
        T::one() / (T::one() + (-x).exp())
    } else {
        let e = x.exp();
        e / (T::one() + e)
    }
}

/// xⁿ for an integer n: the function behind [`Var::powi`].
#[derive(Clone, Copy, Debug)]
pub struct Powi(pub i32);

impl<T: Float> UnaryFn<T> for Powi {
    const NAME: &'static str = "powi";
    fn f(&self, x: T) -> T {
        x.powi(self.0)
    }
    fn df(&self, x: T, _y: T) -> T {
        // x⁰ is constant: its derivative is 0, not 0 · 0⁻¹ = NaN at x = 0 (as PyTorch).
        if self.0 == 0 {
            T::zero()
        } else {
            T::from_i32(self.0).unwrap() * x.powi(self.0 - 1)
        }
    }
}

/// xᵖ for a real p: the function behind [`Var::powf`].
#[derive(Clone, Copy, Debug)]
pub struct Powf<T>(pub T);

impl<T: Float> UnaryFn<T> for Powf<T> {
    const NAME: &'static str = "powf";
    fn f(&self, x: T) -> T {
        x.powf(self.0)
    }
    fn df(&self, x: T, _y: T) -> T {
        self.0 * x.powf(self.0 - T::one())
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
    pub fn apply<F: UnaryFn<T>>(self, f: F) -> Var<'t, T> {
        let value = self.with_value(|x| x.apply(f));
        self.tape
            .record(value, &[self], move |cx: &mut BackwardCx<T>| {
                let (g, x, y) = (cx.grad_output(), cx.input(0), cx.output());
                let mut data = pool::with_capacity(g.numel());
                data.extend(
                    g.data()
                        .iter()
                        .zip(x.data().iter().zip(y.data()))
                        .map(|(&g, (&x, &y))| g * f.df(x, y)),
                );
                cx.accumulate(0, Tensor::from_parts(x.shape(), data));
            })
    }

    /// xⁿ elementwise.
    pub fn powi(self, n: i32) -> Var<'t, T> {
        self.apply(Powi(n))
    }

    /// xᵖ elementwise.
    pub fn powf(self, p: T) -> Var<'t, T> {
        self.apply(Powf(p))
    }

    /// Each element limited to `[low, high]`.
    ///
    /// # Panics
    /// If `low > high`.
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
