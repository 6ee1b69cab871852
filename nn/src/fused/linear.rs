//! The fused dense op `y = x·W + b`: one tape node instead of three (matmul, broadcast, add).
//!
//! For x of shape `[rows, in]` (or `[..., in]`, flattened to rows), W `[in, out]`, b `[out]` and
//! the output gradient g `[rows, out]`:
//! - dx = g·Wᵀ, dW = xᵀ·g, db = Σ_rows g.
//!
//! Both products go to gemm with swapped strides, so no transpose is ever copied.

use autodiff_core::{BackwardCx, Float, Tensor, Var, pool};

use autodiff_core::ops::gemm;

/// `x·W + b` along the last axis of `x`, as one tape node.
///
/// ```
/// use autodiff_core::{Tape, Tensor};
/// let tape = Tape::new();
/// let x = tape.constant(Tensor::from_vec(vec![1.0_f32, 2.0], [1, 2]));
/// let w = tape.var(Tensor::from_vec(vec![1.0, 0.0, 0.0, 1.0, 1.0, 1.0], [2, 3]));
/// let b = tape.var(Tensor::from_vec(vec![0.5, 0.5, 0.5], [3]));
/// assert_eq!(nn::fused::linear(x, w, Some(b)).value().data(), &[3.5, 2.5, 2.5]);
/// ```
///
/// # Panics
/// With the op's name and the shapes if the last axis of `x` is not W's first, W is not a
/// matrix, or b is not `[out]`.
#[track_caller]
pub fn linear<'t, T: Float>(x: Var<'t, T>, w: Var<'t, T>, b: Option<Var<'t, T>>) -> Var<'t, T> {
    let (xs, ws) = (x.shape(), w.shape());
    let (fan_in, fan_out) = match *ws.dims() {
        [i, o] => (i, o),
        _ => panic!("linear: input {xs}, kernel {ws}: the kernel must be a matrix [in, out]"),
    };
    if xs.rank() == 0 || xs.dims()[xs.rank() - 1] != fan_in {
        panic!("linear: input {xs}, kernel {ws}: the input's last axis must be {fan_in}");
    }
    if let Some(b) = b
        && b.dims() != [fan_out]
    {
        panic!(
            "linear: kernel {ws}, bias {}: the bias must be [{fan_out}]",
            b.shape()
        );
    }
    let rows = xs.numel() / fan_in;
    let mut out = pool::with_capacity(rows * fan_out);
    match b {
        Some(b) => b.with_value(|b| (0..rows).for_each(|_| out.extend_from_slice(b.data()))),
        None => out.resize(rows * fan_out, T::zero()),
    }
    x.with_value(|xv| {
        w.with_value(|wv| {
            gemm(
                (rows, fan_in, fan_out),
                (xv.data(), [fan_in, 1]),
                (wv.data(), [fan_out, 1]),
                T::one(),
                (&mut out, [fan_out, 1]),
            )
        })
    });
    let mut dims = xs.dims().to_vec();
    *dims.last_mut().unwrap() = fan_out;
    let value = Tensor::from_vec(out, dims.as_slice());
    let inputs: Vec<Var<'t, T>> = [x, w].into_iter().chain(b).collect();
    x.tape()
        .record(value, &inputs, move |cx: &mut BackwardCx<T>| {
            let (g, xv, wv) = (
                cx.grad_output().data(),
                cx.input(0).data(),
                cx.input(1).data(),
            );
            if cx.needs_grad(0) {
                // dx = g · Wᵀ (W's strides swapped)
                cx.write_grad(0, |dx, beta| {
                    gemm(
                        (rows, fan_out, fan_in),
                        (g, [fan_out, 1]),
                        (wv, [1, fan_out]),
                        beta,
                        (dx, [fan_in, 1]),
                    )
                });
            }
            if cx.needs_grad(1) {
                // dW = xᵀ · g (x's strides swapped)
                cx.write_grad(1, |dw, beta| {
                    gemm(
                        (fan_in, rows, fan_out),
                        (xv, [1, fan_in]),
                        (g, [fan_out, 1]),
                        beta,
                        (dw, [fan_out, 1]),
                    )
                });
            }
            if cx.num_inputs() == 3 && cx.needs_grad(2) {
                cx.write_grad(2, |db, beta| {
                    if beta.is_zero() {
                        db.fill(T::zero());
                    }
                    for row in g.chunks_exact(fan_out) {
                        db.iter_mut().zip(row).for_each(|(d, &v)| *d += v);
                    }
                });
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use autodiff_core::{Tape, gradcheck};

    #[test]
    fn gradcheck_every_input() {
        let x = Tensor::<f64>::normal([4, 3], 0.0, 1.0, 1);
        let w = Tensor::normal([3, 2], 0.0, 1.0, 2);
        let b = Tensor::normal([2], 0.0, 1.0, 3);
        gradcheck(
            |v| linear(v[0], v[1], Some(v[2])),
            &[x.clone(), w.clone(), b],
        )
        .unwrap();
        let x3 = Tensor::<f64>::normal([2, 2, 3], 0.0, 1.0, 4);
        gradcheck(|v| linear(v[0], v[1], None), &[x3, w]).unwrap();
    }

    #[test]
    fn gradcheck_when_every_input_already_holds_a_gradient() {
        // Each input is used again after the op, so its gradient slot is filled before the
        // op's backward runs, which must then add (β = 1) instead of writing.
        let x = Tensor::<f64>::normal([4, 3], 0.0, 1.0, 5);
        let w = Tensor::normal([3, 2], 0.0, 1.0, 6);
        let b = Tensor::normal([2], 0.0, 1.0, 7);
        gradcheck(
            |v| {
                let y = linear(v[0], v[1], Some(v[2])).sum();
                y + (v[0] * v[0]).sum() + (v[1] * v[1]).sum() + (v[2] * v[2]).sum()
            },
            &[x, w, b],
        )
        .unwrap();
    }

    #[test]
    fn matches_matmul_plus_bias() {
        let tape = Tape::new();
        let x = tape.constant(Tensor::<f64>::normal([5, 4], 0.0, 1.0, 1));
        let w = tape.constant(Tensor::normal([4, 3], 0.0, 1.0, 2));
        let b = tape.constant(Tensor::normal([3], 0.0, 1.0, 3));
        let want = x.matmul(w) + b;
        assert!(
            linear(x, w, Some(b))
                .value()
                .all_close(&want.value(), 1e-12, 1e-12)
        );
    }

    #[test]
    #[should_panic(expected = "linear: input [2, 5], kernel [4, 3]")]
    fn shape_errors_name_both_shapes() {
        let tape = Tape::<f32>::new();
        linear(
            tape.constant(Tensor::zeros([2, 5])),
            tape.constant(Tensor::zeros([4, 3])),
            None,
        );
    }
}
