//! Numerically stable softmax, log-softmax and log-sum-exp along an axis (the maximum is
//! subtracted before exponentiating).
//!
//! Derivatives, with s = softmax(x) and g the output gradient:
//! softmax: s ⊙ (g − Σ g⊙s); log_softmax: g − s ⊙ Σ g; logsumexp: g ⊙ s.

use crate::pool;
use crate::{BackwardCx, Float, Tensor, Var};

/// One lane: the `len` elements that differ only in their index along the axis, `stride` apart
/// from `start` in the flat data.
#[derive(Clone, Copy)]
struct Lane {
    start: usize,
    stride: usize,
    len: usize,
}

impl Lane {
    /// The flat indices of the lane's elements, in order along the axis.
    fn indices(self) -> impl Iterator<Item = usize> {
        (self.start..).step_by(self.stride).take(self.len)
    }
}

impl<T: Float> Tensor<T> {
    /// Calls `f(lane)` for every lane along `axis`.
    fn for_each_lane(&self, op: &str, axis: usize, mut f: impl FnMut(Lane)) {
        let (outer, len, inner) = self.shape().split_at_axis(self.shape().axis(op, axis));
        for o in 0..outer {
            for i in 0..inner {
                f(Lane {
                    start: o * len * inner + i,
                    stride: inner,
                    len,
                });
            }
        }
    }

    /// log Σ exp along `axis`, computed stably.
    pub fn logsumexp(&self, axis: usize, keepdim: bool) -> Tensor<T> {
        let x = self.data();
        let mut out = Vec::new();
        self.for_each_lane("logsumexp", axis, |lane| out.push(lane_logsumexp(x, lane)));
        let shape = self.shape();
        let reduced = if keepdim {
            shape.with_dim(axis, 1)
        } else {
            shape.without_axis(axis)
        };
        Tensor::from_parts(reduced, out)
    }

    /// softmax along `axis`: each lane's exponentials divided by their sum.
    pub fn softmax(&self, axis: usize) -> Tensor<T> {
        let x = self.data();
        let mut out = pool::filled(self.numel(), T::zero());
        self.for_each_lane("softmax", axis, |lane| {
            let max = lane.indices().map(|j| x[j]).fold(T::neg_infinity(), T::max);
            let mut total = T::zero();
            for j in lane.indices() {
                out[j] = (x[j] - max).exp();
                total += out[j];
            }
            for j in lane.indices() {
                out[j] /= total;
            }
        });
        Tensor::from_parts(self.shape(), out)
    }

    /// log softmax along `axis`: `x − logsumexp(x)`, without forming the softmax.
    pub fn log_softmax(&self, axis: usize) -> Tensor<T> {
        let x = self.data();
        let mut out = pool::filled(self.numel(), T::zero());
        self.for_each_lane("log_softmax", axis, |lane| {
            let lse = lane_logsumexp(x, lane);
            for j in lane.indices() {
                out[j] = x[j] - lse;
            }
        });
        Tensor::from_parts(self.shape(), out)
    }
}

fn lane_logsumexp<T: Float>(x: &[T], lane: Lane) -> T {
    let max = lane.indices().map(|j| x[j]).fold(T::neg_infinity(), T::max);
    if max == T::neg_infinity() {
        return max;
    }
    max + lane.indices().map(|j| (x[j] - max).exp()).sum::<T>().ln()
}

impl<'t, T: Float> Var<'t, T> {
    /// softmax along `axis`.
    #[track_caller]
    pub fn softmax(self, axis: usize) -> Var<'t, T> {
        let value = self.with_value(|x| x.softmax(axis));
        self.tape
            .record(value, &[self], move |cx: &mut BackwardCx<T>| {
                // Per lane: dx = s ⊙ (g − Σ g⊙s), added straight into the gradient.
                let (s, g) = (cx.output(), cx.grad_output());
                let (sv, gv) = (s.data(), g.data());
                let dx = cx.grad_mut(0).data_mut();
                s.for_each_lane("softmax", axis, |lane| {
                    let dot: T = lane.indices().map(|j| gv[j] * sv[j]).sum();
                    for j in lane.indices() {
                        dx[j] += sv[j] * (gv[j] - dot);
                    }
                });
            })
    }

    /// log softmax along `axis` (the stable input of cross-entropy).
    #[track_caller]
    pub fn log_softmax(self, axis: usize) -> Var<'t, T> {
        let value = self.with_value(|x| x.log_softmax(axis));
        self.tape
            .record(value, &[self], move |cx: &mut BackwardCx<T>| {
                // Per lane: dx = g − exp(y) · Σ g, added straight into the gradient.
                let (y, g) = (cx.output(), cx.grad_output());
                let (yv, gv) = (y.data(), g.data());
                let dx = cx.grad_mut(0).data_mut();
                y.for_each_lane("log_softmax", axis, |lane| {
                    let total: T = lane.indices().map(|j| gv[j]).sum();
                    for j in lane.indices() {
                        dx[j] += gv[j] - yv[j].exp() * total;
                    }
                });
            })
    }

    /// log Σ exp along `axis`, computed stably.
    #[track_caller]
    pub fn logsumexp(self, axis: usize, keepdim: bool) -> Var<'t, T> {
        let value = self.with_value(|x| x.logsumexp(axis, keepdim));
        self.tape
            .record(value, &[self], move |cx: &mut BackwardCx<T>| {
                // softmax(x) = exp(x − logsumexp(x)): reuse the output instead of recomputing.
                let x = cx.input(0);
                let keep = x.shape().with_dim(axis, 1);
                let lse = cx.output().clone().with_shape(keep);
                let g = cx.grad_output().clone().with_shape(keep);
                let softmax = x.broadcast_map(&lse, "logsumexp", |x, l| (x - l).exp());
                cx.accumulate(0, softmax.mul(&g));
            })
    }
}

#[cfg(test)]
mod tests {
    use crate::Tensor;

    #[test]
    fn softmax_is_stable_and_normalised() {
        let t = Tensor::from_vec(vec![1000.0_f64, 1001.0, -1000.0, 0.0], [2, 2]);
        let s = t.softmax(1);
        assert!((s.get(&[0, 1]) - 1.0 / (1.0 + (-1.0_f64).exp())).abs() < 1e-12);
        assert!(
            s.sum_axis(1, false)
                .data()
                .iter()
                .all(|&v| (v - 1.0).abs() < 1e-12)
        );
        let l = t.log_softmax(1);
        assert!(l.data().iter().all(|v| v.is_finite()), "{l}");
        assert!(
            (t.logsumexp(1, false).get(&[0]) - (1001.0 + (1.0 + (-1.0_f64).exp()).ln())).abs()
                < 1e-9
        );
    }

    #[test]
    fn softmax_along_the_first_axis() {
        let t = Tensor::from_vec(vec![0.0_f64, 1.0, 0.0, 1.0], [2, 2]);
        assert_eq!(t.softmax(0).data(), &[0.5, 0.5, 0.5, 0.5]);
    }
}
