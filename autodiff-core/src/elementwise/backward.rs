//! The backward loop of a fused elementwise op.

use std::array::from_fn;

use crate::pool;
use crate::tensor::for_each_strided;
use crate::{BackwardCx, Float, Tensor};

/// The backward of an op recorded from [`forward`](super::forward)'s `M` outputs with
/// [`Tape::record_many`](crate::Tape::record_many): `vjp(inputs, seeds)` gives, at one element,
/// the gradient of `Σₖ seedₖ · outputₖ` with respect to each input.
///
/// - Nothing runs when no output has a gradient; an output without one gets seed 0.
/// - An input that needs no gradient ([`BackwardCx::needs_grad`]) gets no buffer.
/// - An input of a smaller (broadcast) shape is read through strides, and its gradient is summed
///   into a buffer of its own shape while the loop runs (no full-size gradient is built).
///
/// `op` names the operation in shape errors.
///
/// # Panics
/// If the op does not have `N` inputs and `M` outputs.
#[inline]
pub fn backward<T: Float, const N: usize, const M: usize>(
    op: &str,
    cx: &mut BackwardCx<'_, T>,
    vjp: impl Fn([T; N], [T; M]) -> [T; N],
) {
    run::<T, N, M, false>(op, cx, |xs, _, seeds| vjp(xs, seeds));
}

/// [`backward`] for a VJP that also reads the outputs saved by the forward pass,
/// `vjp(inputs, outputs, seeds)`: cheaper than recomputing them where the derivative is a
/// function of the value (σ′ = y(1 − y), tanh′ = 1 − y², exp′ = y).
///
/// # Panics
/// If the op does not have `N` inputs and `M` outputs.
#[inline]
pub fn backward_from_outputs<T: Float, const N: usize, const M: usize>(
    op: &str,
    cx: &mut BackwardCx<'_, T>,
    vjp: impl Fn([T; N], [T; M], [T; M]) -> [T; N],
) {
    run::<T, N, M, true>(op, cx, vjp);
}

/// The loop of [`backward`] (outputs read only when `READ_OUTPUTS`).
#[inline(always)]
fn run<T: Float, const N: usize, const M: usize, const READ_OUTPUTS: bool>(
    op: &str,
    cx: &mut BackwardCx<'_, T>,
    vjp: impl Fn([T; N], [T; M], [T; M]) -> [T; N],
) {
    assert!(
        cx.num_inputs() == N && cx.num_outputs() == M,
        "{op}: the backward expects {N} inputs and {M} outputs, the op has {} and {}",
        cx.num_inputs(),
        cx.num_outputs()
    );
    let seeds: [Option<&[T]>; M] = from_fn(|k| cx.grad_output_of(k).map(Tensor::data));
    let needs: [bool; N] = from_fn(|i| cx.needs_grad(i));
    if seeds.iter().all(Option::is_none) || !needs.contains(&true) {
        return;
    }
    let inputs: [&Tensor<T>; N] = from_fn(|i| cx.input(i));
    let outputs: [&[T]; M] = from_fn(|k| {
        if READ_OUTPUTS {
            cx.output_of(k).data()
        } else {
            &[]
        }
    });
    let shape = cx.output_of(0).shape();
    let at = |at: usize, offsets: [usize; N]| {
        let xs = from_fn(|i| inputs[i].data()[offsets[i]]);
        let ys = from_fn(|k| {
            if READ_OUTPUTS {
                outputs[k][at]
            } else {
                T::zero()
            }
        });
        let ds = from_fn(|k| seeds[k].map_or(T::zero(), |s| s[at]));
        vjp(xs, ys, ds)
    };
    let n = shape.numel();
    let mut grads: [Vec<T>; N];
    if inputs.iter().all(|t| t.has_shape(&shape)) {
        // The hot case: every input has the full shape.
        grads = from_fn(|i| pool::with_capacity(if needs[i] { n } else { 0 }));
        for k in 0..n {
            let gs = at(k, [k; N]);
            for i in 0..N {
                if needs[i] {
                    grads[i].push(gs[i]);
                }
            }
        }
    } else {
        let full: [bool; N] = inputs.map(|t| t.has_shape(&shape));
        grads = from_fn(|i| match (needs[i], full[i]) {
            (false, _) => Vec::new(),
            (true, true) => pool::with_capacity(n),
            (true, false) => pool::filled(inputs[i].numel(), T::zero()),
        });
        let strides = inputs.map(|t| t.shape().broadcast_strides(op, &shape));
        for_each_strided(&shape, strides, |k, offsets| {
            let gs = at(k, offsets);
            for i in 0..N {
                match (needs[i], full[i]) {
                    (false, _) => {}
                    (true, true) => grads[i].push(gs[i]),
                    (true, false) => grads[i][offsets[i]] += gs[i],
                }
            }
        });
    }
    for (i, grad) in grads.into_iter().enumerate() {
        if needs[i] {
            cx.accumulate(i, Tensor::from_parts(inputs[i].shape(), grad));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::elementwise::{forward, with_values};
    use crate::{BackwardCx, Tape, Tensor, Var};

    /// `(x·w, x + w)` as one fused two-output op.
    fn pair<'t>(x: Var<'t, f64>, w: Var<'t, f64>) -> [Var<'t, f64>; 2] {
        let values = with_values("pair", [x, w], |v| {
            forward("pair", v, |[x, w]| [x * w, x + w])
        });
        x.tape()
            .record_many(values, &[x, w], |cx: &mut BackwardCx<f64>| {
                super::backward("pair", cx, |[x, w], [dp, ds]| [dp * w + ds, dp * x + ds]);
            })
    }

    #[test]
    fn broadcast_gradients_are_summed_into_the_inputs_shape() {
        let tape = Tape::new();
        let x = tape.var(Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [2, 3]));
        let w = tape.var(Tensor::from_vec(vec![10.0, 20.0, 30.0], [3]));
        let [p, s] = pair(x, w);
        let grads = (p.sum() + s.sum() * 2.0).backward();
        assert_eq!(grads.wrt(w).unwrap().data(), &[9.0, 11.0, 13.0]);
        assert_eq!(
            grads.wrt(x).unwrap().data(),
            &[12.0, 22.0, 32.0, 12.0, 22.0, 32.0]
        );
    }

    #[test]
    fn an_unused_output_contributes_nothing() {
        let tape = Tape::new();
        let x = tape.var(Tensor::from_vec(vec![1.0, 2.0], [2]));
        let w = tape.var(Tensor::from_vec(vec![3.0], [1]));
        let [_, s] = pair(x, w);
        let grads = s.sum().backward();
        assert_eq!(grads.wrt(x).unwrap().data(), &[1.0, 1.0]);
        assert_eq!(grads.wrt(w).unwrap().data(), &[2.0]);
    }

    #[test]
    fn a_constant_beside_an_input_is_read_but_not_differentiated() {
        let tape = Tape::new();
        let x = tape.var(Tensor::from_vec(vec![1.0, 2.0], [2]));
        let w = tape.constant(Tensor::from_vec(vec![3.0], [1]));
        let [p, _] = pair(x, w);
        let grads = p.sum().backward();
        assert_eq!(grads.wrt(x).unwrap().data(), &[3.0, 3.0]);
        assert!(grads.wrt(w).is_none());
    }
}
