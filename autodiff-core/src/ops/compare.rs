//! Comparisons to 0/1 masks, `where`, and the elementwise `maximum` / `minimum`.
//!
//! On `Var`s the right-hand side of a comparison and both branches of `where_` are any
//! [`Operand`]: another `Var`, or a plain scalar (`x.gt(0.5)`, as PyTorch's `x > 0.5`).
//! Masks carry no gradient. `where(mask, a, b)` sends the gradient to `a` where the mask is set
//! and to `b` elsewhere; `maximum` sends it to the larger input (half to each on a tie, as PyTorch).

use crate::pool;
use crate::tensor::for_each_strided;
use crate::{BackwardCx, Float, Shape, Tape, Tensor, Var, scalar};

/// A value a comparison or `where_` accepts beside a `Var`: a `Var` of the same tape, or a
/// scalar of its element type, which broadcasts to every element.
///
/// ```
/// use autodiff_core::{Tape, Tensor, Var};
/// let tape = Tape::new();
/// let x = tape.var(Tensor::from_vec(vec![-1.0_f32, 0.2, 0.7], [3]));
/// assert_eq!(x.gt(0.5).value().data(), &[0.0, 0.0, 1.0]);
/// assert_eq!(x.le(x).value().data(), &[1.0; 3]);
/// let relu = Var::where_(x.gt(0.0), x, 0.0); // max(x, 0)
/// assert_eq!(relu.value().data(), &[0.0, 0.2, 0.7]);
/// ```
pub trait Operand<'t, T: Float> {
    /// The operand as a `Var` on `tape` (a scalar becomes a constant there).
    fn into_var(self, tape: &'t Tape<T>) -> Var<'t, T>;
}

impl<'t, T: Float> Operand<'t, T> for Var<'t, T> {
    #[track_caller]
    fn into_var(self, _: &'t Tape<T>) -> Var<'t, T> {
        self
    }
}

impl<'t, T: Float> Operand<'t, T> for T {
    fn into_var(self, tape: &'t Tape<T>) -> Var<'t, T> {
        tape.constant(Tensor::scalar(self))
    }
}

macro_rules! comparisons {
    ($($(#[$doc:meta])* $name:ident $op:tt;)*) => {
        impl<T: Float> Tensor<T> {$(
            $(#[$doc])*
            pub fn $name(&self, other: &Self) -> Tensor<T> {
                self.broadcast_map(other, stringify!($name), |a, b| if a $op b { T::one() } else { T::zero() })
            }
        )*}

        impl<'t, T: Float> Var<'t, T> {$(
            $(#[$doc])*
            /// `other` is a `Var` or a scalar ([`Operand`]). The mask is a constant: no
            /// gradient flows through a comparison.
            pub fn $name(self, other: impl Operand<'t, T>) -> Var<'t, T> {
                let other = other.into_var(self.tape);
                let mask = self.tape.with_values(stringify!($name), [self, other], |[a, b]| a.$name(b));
                self.tape.constant(mask)
            }
        )*}
    };
}

comparisons! {
    /// 1 where `self > other`, else 0 (broadcasting).
    gt >;
    /// 1 where `self ≥ other`, else 0 (broadcasting).
    ge >=;
    /// 1 where `self < other`, else 0 (broadcasting).
    lt <;
    /// 1 where `self ≤ other`, else 0 (broadcasting).
    le <=;
    /// 1 where `self = other`, else 0 (broadcasting).
    eq_mask ==;
}

impl<T: Float> Tensor<T> {
    /// `a` where `mask` is non-zero, else `b`, all three broadcast together (NumPy's `where`).
    pub fn where_(mask: &Self, a: &Self, b: &Self) -> Tensor<T> {
        let ab = Shape::broadcast("where", &a.shape(), &b.shape());
        let shape = Shape::broadcast("where", &mask.shape(), &ab);
        let strides = [mask, a, b].map(|t| t.shape().broadcast_strides("where", &shape));
        let mut data = pool::with_capacity(shape.numel());
        for_each_strided(&shape, strides, |_, [m, i, j]| {
            data.push(if mask.data()[m] != T::zero() {
                a.data()[i]
            } else {
                b.data()[j]
            })
        });
        Tensor::from_parts(shape, data)
    }

    /// The elementwise maximum (broadcasting).
    pub fn maximum(&self, other: &Self) -> Tensor<T> {
        self.broadcast_map(other, "maximum", |a, b| a.max(b))
    }

    /// The elementwise minimum (broadcasting).
    pub fn minimum(&self, other: &Self) -> Tensor<T> {
        self.broadcast_map(other, "minimum", |a, b| a.min(b))
    }
}

impl<'t, T: Float> Var<'t, T> {
    /// `a` where `mask` is non-zero, else `b` (broadcasting); `a` and `b` are `Var`s or scalars
    /// ([`Operand`]). The mask gets no gradient.
    #[track_caller]
    pub fn where_(mask: Var<'t, T>, a: impl Operand<'t, T>, b: impl Operand<'t, T>) -> Var<'t, T> {
        let (a, b) = (a.into_var(mask.tape), b.into_var(mask.tape));
        let value = a
            .tape
            .with_values("where_", [mask, a, b], |[m, a, b]| Tensor::where_(m, a, b));
        a.tape
            .record(value, &[mask, a, b], |cx: &mut BackwardCx<T>| {
                let (g, m) = (cx.grad_output(), cx.input(0));
                // A scalar zero broadcasts: no zero-filled tensor the size of the output.
                let zero = Tensor::scalar(T::zero());
                if cx.needs_grad(1) {
                    cx.accumulate(1, Tensor::where_(m, g, &zero));
                }
                if cx.needs_grad(2) {
                    cx.accumulate(2, Tensor::where_(m, &zero, g));
                }
            })
    }

    /// The elementwise maximum (broadcasting); the gradient goes to the larger input.
    #[track_caller]
    pub fn maximum(self, other: Self) -> Var<'t, T> {
        self.select_extreme(other, "maximum", |a, b| a > b, scalar::max_grad)
    }

    /// The elementwise minimum (broadcasting); the gradient goes to the smaller input.
    #[track_caller]
    pub fn minimum(self, other: Self) -> Var<'t, T> {
        self.select_extreme(other, "minimum", |a, b| a < b, scalar::min_grad)
    }

    /// `self` where `wins(self, other)`, `other` where `wins(other, self)`, their common value on
    /// a tie. The gradient is weighted by the derivative table's `derivative(x, y)` (∂/∂x; the
    /// other input's is `derivative(y, x)`), which splits a tie in half.
    #[track_caller]
    fn select_extreme(
        self,
        other: Self,
        op: &'static str,
        wins: fn(T, T) -> bool,
        derivative: fn(T, T) -> T,
    ) -> Var<'t, T> {
        let value = self.tape.with_values(op, [self, other], |[a, b]| {
            a.broadcast_map(b, op, |a, b| if wins(b, a) { b } else { a })
        });
        self.tape
            .record(value, &[self, other], move |cx: &mut BackwardCx<T>| {
                let (g, a, b) = (cx.grad_output(), cx.input(0), cx.input(1));
                for (i, (x, y)) in [(a, b), (b, a)].into_iter().enumerate() {
                    if cx.needs_grad(i) {
                        let weight = x.broadcast_map(y, op, derivative);
                        cx.accumulate(i, weight.broadcast_map(g, op, |w, g| w * g));
                    }
                }
            })
    }
}

#[cfg(test)]
mod tests {
    use crate::{Tape, Tensor, Var};

    #[test]
    fn where_selects_and_routes_gradients() {
        let tape = Tape::new();
        let a = tape.var(Tensor::from_vec(vec![1.0_f64, 2.0, 3.0], [3]));
        let b = tape.var(Tensor::from_vec(vec![10.0], [1]));
        let mask = a.gt(tape.constant(Tensor::scalar(1.5)));
        let y = Var::where_(mask, a, b);
        assert_eq!(y.value().data(), &[10.0, 2.0, 3.0]);
        let g = y.sum().backward();
        assert_eq!(g.wrt(a).unwrap().data(), &[0.0, 1.0, 1.0]);
        assert_eq!(g.wrt(b).unwrap().data(), &[1.0]);
    }

    #[test]
    fn scalars_compare_and_branch_like_vars() {
        let tape = Tape::new();
        let x = tape.var(Tensor::from_vec(vec![-2.0_f64, 0.5, 3.0], [3]));
        assert_eq!(x.gt(0.5).value().data(), &[0.0, 0.0, 1.0]);
        assert_eq!(x.ge(0.5).value().data(), &[0.0, 1.0, 1.0]);
        assert_eq!(x.lt(0.5).value().data(), &[1.0, 0.0, 0.0]);
        assert_eq!(x.le(0.5).value().data(), &[1.0, 1.0, 0.0]);
        assert_eq!(x.eq_mask(0.5).value().data(), &[0.0, 1.0, 0.0]);
        let clipped = Var::where_(x.gt(1.0), 1.0, x);
        assert_eq!(clipped.value().data(), &[-2.0, 0.5, 1.0]);
        let g = clipped.sum().backward();
        assert_eq!(g.wrt(x).unwrap().data(), &[1.0, 1.0, 0.0]);
        let mirrored = Var::where_(x.lt(0.0), x, -1.0);
        assert_eq!(mirrored.value().data(), &[-2.0, -1.0, -1.0]);
    }

    #[test]
    fn maximum_splits_ties() {
        let tape = Tape::new();
        let a = tape.var(Tensor::from_vec(vec![1.0_f64, 5.0, 2.0], [3]));
        let b = tape.var(Tensor::from_vec(vec![3.0_f64, 4.0, 2.0], [3]));
        let g = a.maximum(b).sum().backward();
        assert_eq!(g.wrt(a).unwrap().data(), &[0.0, 1.0, 0.5]);
        assert_eq!(g.wrt(b).unwrap().data(), &[1.0, 0.0, 0.5]);
    }
}
