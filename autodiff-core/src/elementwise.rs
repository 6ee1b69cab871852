//! Helpers for fused elementwise ops of several inputs, such as the ones `#[differentiable]`
//! generates: read the inputs broadcast to their common shape without copying the ones that
//! already have it, and split a stacked multi-output result into one [`Var`] per output.

use std::borrow::Cow;

use crate::{BackwardCx, Float, Shape, Tensor, Var};

/// Runs `f` on the values of several variables of one tape, without copying them; `op` names
/// the operation if they are not all on one tape.
///
/// # Panics
/// If `N` is 0, if the variables are on different tapes, or if `f` records on the tape (the
/// tape is borrowed).
#[track_caller]
pub fn with_values<'t, T: Float, R, const N: usize>(
    op: &str,
    vars: [Var<'t, T>; N],
    f: impl FnOnce([&Tensor<T>; N]) -> R,
) -> R {
    vars[0].tape.with_values(op, vars, f)
}

/// The NumPy broadcast of every input's shape, and each input's elements in that shape
/// (borrowed when the input already has it). `op` names the operation in shape errors.
///
/// # Panics
/// If the shapes do not broadcast, or if `N` is 0.
pub fn broadcast_inputs<'a, T: Float, const N: usize>(
    op: &str,
    inputs: [&'a Tensor<T>; N],
) -> (Shape, [Cow<'a, [T]>; N]) {
    let shape = inputs
        .iter()
        .map(|t| t.shape())
        .reduce(|a, b| Shape::broadcast(op, &a, &b))
        .expect("broadcast_inputs: an op needs at least one input");
    let data = inputs.map(|t| {
        if t.shape() == shape {
            Cow::Borrowed(t.data())
        } else {
            Cow::Owned(t.broadcast_to(shape).into_vec())
        }
    });
    (shape, data)
}

/// Splits a value whose leading axis stacks `M` outputs into `M` variables, each recorded as a
/// light node that sends its gradient into its slice of the stacked value's gradient.
///
/// # Panics
/// If the leading axis is not of length `M`.
pub fn unstack<'t, T: Float, const M: usize>(stacked: Var<'t, T>) -> [Var<'t, T>; M] {
    let shape = stacked.shape();
    assert!(
        shape.rank() >= 1 && shape[0] == M,
        "unstack: shape {shape} does not stack {M} outputs"
    );
    let part_shape = shape.without_axis(0);
    let n = part_shape.numel();
    std::array::from_fn(|k| {
        let part = stacked
            .with_value(|v| Tensor::from_vec(v.data()[k * n..(k + 1) * n].to_vec(), part_shape));
        stacked
            .tape
            .record(part, &[stacked], move |cx: &mut BackwardCx<'_, T>| {
                let g = cx.grad_output();
                let slot = &mut cx.grad_mut(0).data_mut()[k * n..(k + 1) * n];
                for (s, &g) in slot.iter_mut().zip(g.data()) {
                    *s += g;
                }
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Tape;

    #[test]
    fn broadcast_inputs_borrows_full_shapes_and_expands_the_others() {
        let a = Tensor::from_vec(vec![1.0_f64, 2.0, 3.0, 4.0, 5.0, 6.0], [2, 3]);
        let b = Tensor::from_vec(vec![10.0, 20.0], [2, 1]);
        let (shape, [a, b]) = broadcast_inputs("test", [&a, &b]);
        assert_eq!(shape.dims(), &[2, 3]);
        assert!(matches!(a, Cow::Borrowed(_)));
        assert_eq!(&*b, &[10.0, 10.0, 10.0, 20.0, 20.0, 20.0]);
    }

    #[test]
    fn unstack_routes_each_gradient_to_its_slice() {
        let tape = Tape::new();
        let x = tape.var(Tensor::from_vec(vec![1.0_f64, 2.0, 3.0, 4.0], [2, 2]));
        let [a, b] = unstack(x);
        assert_eq!(b.value().data(), &[3.0, 4.0]);
        let grads = (a * 2.0 + b * 3.0).sum().backward();
        assert_eq!(grads.wrt(x).unwrap().data(), &[2.0, 2.0, 3.0, 3.0]);
    }
}
