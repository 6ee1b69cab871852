//! Reductions along an axis (keeping it as length 1 or not) and over everything: sum, mean,
//! max, min, variance, argmax; and `sum_to_shape`, the adjoint of broadcasting.
//!
//! Derivatives: sum broadcasts the gradient back; mean also divides by n; max/min send it to
//! the extreme elements (split evenly on ties, like `torch.amax`); variance with divisor d (n or
//! n − 1) gives 2(x − mean)/d.

use crate::pool;
use crate::tensor::for_each_strided;
use crate::{BackwardCx, Float, Shape, Tensor, Var};

/// What a variance divides the sum of squared deviations by, named at the call site:
/// `x.var_axis(1, false, Correction::Sample)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Correction {
    /// The count n: the population variance (NumPy's `ddof=0`, Keras's `ops.var`).
    Population,
    /// n − 1, Bessel's correction: the unbiased sample estimate (PyTorch's default,
    /// `correction=1`).
    Sample,
}

impl Correction {
    /// The divisor for `n` values (0 for a sample of one, as PyTorch, giving inf or NaN).
    fn divisor<T: Float>(self, n: usize) -> T {
        let subtracted = match self {
            Correction::Population => 0,
            Correction::Sample => 1,
        };
        T::from_usize(n.saturating_sub(subtracted)).unwrap()
    }
}

impl<T: Float> Tensor<T> {
    /// Folds along `axis` into a tensor without that axis: `fold(acc, x)` from `init`.
    fn fold_axis(&self, op: &str, axis: usize, init: T, fold: impl Fn(T, T) -> T) -> Tensor<T> {
        let shape = self.shape();
        shape.axis(op, axis);
        let (outer, n, inner) = shape.split_at_axis(axis);
        let x = self.data();
        let mut out = pool::filled(outer * inner, init);
        for o in 0..outer {
            let acc = &mut out[o * inner..(o + 1) * inner];
            for k in 0..n {
                let row = &x[(o * n + k) * inner..(o * n + k + 1) * inner];
                for (a, &v) in acc.iter_mut().zip(row) {
                    *a = fold(*a, v);
                }
            }
        }
        Tensor::from_parts(shape.without_axis(axis), out)
    }

    /// The shape of a reduction along `axis`, with the axis kept as length 1 or dropped.
    fn reduced(self, axis: usize, keepdim: bool, input: Shape) -> Tensor<T> {
        if keepdim {
            self.with_shape(input.with_dim(axis, 1))
        } else {
            self
        }
    }

    /// The sum along `axis`.
    pub fn sum_axis(&self, axis: usize, keepdim: bool) -> Tensor<T> {
        self.fold_axis("sum_axis", axis, T::zero(), |a, x| a + x)
            .reduced(axis, keepdim, self.shape())
    }

    /// The mean along `axis`.
    pub fn mean_axis(&self, axis: usize, keepdim: bool) -> Tensor<T> {
        let n = self.dims()[self.shape().axis("mean_axis", axis)];
        self.sum_axis(axis, keepdim)
            .scale(T::from_usize(n).unwrap().recip())
    }

    /// The maximum along `axis`.
    pub fn max_axis(&self, axis: usize, keepdim: bool) -> Tensor<T> {
        self.fold_axis("max_axis", axis, T::neg_infinity(), |a, x| a.max(x))
            .reduced(axis, keepdim, self.shape())
    }

    /// The minimum along `axis`.
    pub fn min_axis(&self, axis: usize, keepdim: bool) -> Tensor<T> {
        self.fold_axis("min_axis", axis, T::infinity(), |a, x| a.min(x))
            .reduced(axis, keepdim, self.shape())
    }

    /// The variance along `axis`: [`Correction::Population`] divides by the count n (NumPy and
    /// Keras), [`Correction::Sample`] by n − 1 (the unbiased estimate, PyTorch's default).
    ///
    /// ```
    /// use autodiff_core::{Correction, Tensor};
    /// let x = Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], [1, 4]);
    /// assert_eq!(x.var_axis(1, false, Correction::Population).data(), &[1.25]);
    /// assert_eq!(x.var_axis(1, true, Correction::Sample).dims(), &[1, 1]);
    /// ```
    pub fn var_axis(&self, axis: usize, keepdim: bool, correction: Correction) -> Tensor<T> {
        let mean = self.mean_axis(axis, true);
        let denom = correction.divisor::<T>(self.dims()[axis]);
        self.sub(&mean)
            .powi(2)
            .sum_axis(axis, keepdim)
            .scale(denom.recip())
    }

    /// The index of the first maximum along `axis`, in the row-major order of the shape
    /// without that axis.
    pub fn argmax_axis(&self, axis: usize) -> Vec<usize> {
        let (outer, n, inner) = self
            .shape()
            .split_at_axis(self.shape().axis("argmax_axis", axis));
        let x = self.data();
        let mut out = vec![0; outer * inner];
        for o in 0..outer {
            for i in 0..inner {
                let at = |k: usize| x[(o * n + k) * inner + i];
                let best = (1..n).fold(0, |best, k| if at(k) > at(best) { k } else { best });
                out[o * inner + i] = best;
            }
        }
        out
    }

    /// The sum of all elements, as a rank-0 tensor.
    pub fn sum_all(&self) -> Tensor<T> {
        Tensor::scalar(self.data().iter().copied().sum())
    }

    /// The mean of all elements, as a rank-0 tensor.
    pub fn mean_all(&self) -> Tensor<T> {
        Tensor::scalar(
            self.data().iter().copied().sum::<T>() / T::from_usize(self.numel()).unwrap(),
        )
    }

    /// The largest element, as a rank-0 tensor.
    pub fn max_all(&self) -> Tensor<T> {
        Tensor::scalar(self.data().iter().copied().fold(T::neg_infinity(), T::max))
    }

    /// The smallest element, as a rank-0 tensor.
    pub fn min_all(&self) -> Tensor<T> {
        Tensor::scalar(self.data().iter().copied().fold(T::infinity(), T::min))
    }

    /// Sums a broadcast result back to `target`, the shape it was broadcast from: the adjoint
    /// of broadcasting, used by every backward pass of a broadcasting op.
    ///
    /// # Panics
    /// If `target` does not broadcast to this tensor's shape.
    pub fn sum_to_shape(&self, target: Shape) -> Tensor<T> {
        let shape = self.shape();
        let strides = target.broadcast_strides("sum_to_shape", &shape);
        let mut out = pool::filled(target.numel(), T::zero());
        let x = self.data();
        for_each_strided(&shape, [strides], |i, [j]| out[j] += x[i]);
        Tensor::from_parts(target, out)
    }
}

impl<'t, T: Float> Var<'t, T> {
    /// The sum of all elements (a rank-0 value, ready for [`Var::backward`]).
    #[track_caller]
    pub fn sum(self) -> Var<'t, T> {
        let value = self.with_value(Tensor::sum_all);
        self.tape.record(value, &[self], |cx: &mut BackwardCx<T>| {
            let g = Tensor::full(cx.input(0).shape(), cx.grad_output().item());
            cx.accumulate(0, g);
        })
    }

    /// The mean of all elements.
    #[track_caller]
    pub fn mean(self) -> Var<'t, T> {
        let n = self.shape().numel();
        self.sum().scale(T::from_usize(n).unwrap().recip())
    }

    /// The sum along `axis`, keeping it as length 1 if `keepdim`.
    #[track_caller]
    pub fn sum_axis(self, axis: usize, keepdim: bool) -> Var<'t, T> {
        let value = self.with_value(|x| x.sum_axis(axis, keepdim));
        self.tape
            .record(value, &[self], move |cx: &mut BackwardCx<T>| {
                let shape = cx.input(0).shape();
                let g = cx.grad_output().clone().with_shape(shape.with_dim(axis, 1));
                cx.accumulate(0, g.broadcast_to(shape));
            })
    }

    /// The mean along `axis`.
    #[track_caller]
    pub fn mean_axis(self, axis: usize, keepdim: bool) -> Var<'t, T> {
        let n = self.shape()[self.shape().axis("mean_axis", axis)];
        self.sum_axis(axis, keepdim)
            .scale(T::from_usize(n).unwrap().recip())
    }

    /// The maximum along `axis`; the gradient is split evenly among tied maxima.
    #[track_caller]
    pub fn max_axis(self, axis: usize, keepdim: bool) -> Var<'t, T> {
        self.extreme_axis(axis, keepdim, Tensor::max_axis)
    }

    /// The minimum along `axis`; the gradient is split evenly among tied minima.
    #[track_caller]
    pub fn min_axis(self, axis: usize, keepdim: bool) -> Var<'t, T> {
        self.extreme_axis(axis, keepdim, Tensor::min_axis)
    }

    /// The largest element; the gradient is split evenly among ties.
    #[track_caller]
    pub fn max(self) -> Var<'t, T> {
        let n = self.shape().numel();
        self.reshape([n]).max_axis(0, false)
    }

    /// The smallest element; the gradient is split evenly among ties.
    #[track_caller]
    pub fn min(self) -> Var<'t, T> {
        let n = self.shape().numel();
        self.reshape([n]).min_axis(0, false)
    }

    #[track_caller]
    fn extreme_axis(
        self,
        axis: usize,
        keepdim: bool,
        reduce: fn(&Tensor<T>, usize, bool) -> Tensor<T>,
    ) -> Var<'t, T> {
        let value = self.with_value(|x| reduce(x, axis, keepdim));
        self.tape
            .record(value, &[self], move |cx: &mut BackwardCx<T>| {
                let (x, y, g) = (cx.input(0), cx.output(), cx.grad_output());
                let keep = x.shape().with_dim(axis, 1);
                let y = y.clone().with_shape(keep);
                let hits = x.eq_mask(&y);
                let share = g.clone().with_shape(keep).div(&hits.sum_axis(axis, true));
                cx.accumulate(0, hits.mul(&share));
            })
    }

    /// The variance along `axis`, dividing by n or n − 1 as `correction` says (see
    /// [`Tensor::var_axis`]).
    #[track_caller]
    pub fn var_axis(self, axis: usize, keepdim: bool, correction: Correction) -> Var<'t, T> {
        let value = self.with_value(|x| x.var_axis(axis, keepdim, correction));
        self.tape
            .record(value, &[self], move |cx: &mut BackwardCx<T>| {
                let x = cx.input(0);
                let scale = T::lit(2.0) / correction.divisor::<T>(x.dims()[axis]);
                let g = cx
                    .grad_output()
                    .clone()
                    .with_shape(x.shape().with_dim(axis, 1));
                let centred = x.sub(&x.mean_axis(axis, true));
                cx.accumulate(0, centred.mul(&g).scale(scale));
            })
    }
}

#[cfg(test)]
mod tests {
    use super::Correction;
    use crate::{Tape, Tensor};

    fn t23() -> Tensor<f64> {
        Tensor::from_vec(vec![1.0, 5.0, 3.0, 4.0, 2.0, 6.0], [2, 3])
    }

    #[test]
    fn reductions_along_each_axis() {
        let t = t23();
        assert_eq!(t.sum_axis(0, false).data(), &[5.0, 7.0, 9.0]);
        assert_eq!(t.sum_axis(1, true).dims(), &[2, 1]);
        assert_eq!(t.max_axis(1, false).data(), &[5.0, 6.0]);
        assert_eq!(t.min_axis(0, false).data(), &[1.0, 2.0, 3.0]);
        assert_eq!(t.argmax_axis(1), vec![1, 2]);
        assert_eq!(t.mean_axis(1, false).data(), &[3.0, 4.0]);
        let var = |c| t.var_axis(1, false, c).into_vec();
        assert_eq!(var(Correction::Population), [8.0 / 3.0, 8.0 / 3.0]);
        assert_eq!(var(Correction::Sample), [4.0, 4.0]);
        assert_eq!(t.sum_all().item(), 21.0);
    }

    #[test]
    fn sum_to_shape_is_the_adjoint_of_broadcast() {
        let t = t23();
        assert_eq!(t.sum_to_shape([3].into()).data(), &[5.0, 7.0, 9.0]);
        assert_eq!(t.sum_to_shape([2, 1].into()).data(), &[9.0, 12.0]);
        assert_eq!(t.sum_to_shape([].into()).data(), &[21.0]);
    }

    #[test]
    fn max_gradient_goes_to_the_maximum() {
        let tape = Tape::new();
        let x = tape.var(t23());
        let g = x.max_axis(1, false).sum().backward();
        assert_eq!(g.wrt(x).unwrap().data(), &[0.0, 1.0, 0.0, 0.0, 0.0, 1.0]);
    }

    #[test]
    #[should_panic(expected = "sum_axis: axis 2 is out of range for shape [2, 3]")]
    fn bad_axis_names_op_and_shape() {
        t23().sum_axis(2, false);
    }
}
