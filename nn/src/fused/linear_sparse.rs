//! The dense op on sparse rows ([`SparseRows`], CSR): multi-hot text is ~99 % zeros, so
//! `x·W + b` touching only the non-zeros does the same maths as the dense product at a fraction
//! of the cost.
//!
//! With x in CSR form (row i has values v at columns j):
//! - forward: y[i, :] = b + Σ v · W[j, :];
//! - backward: dW[j, :] += v · g[i, :], db = Σ_rows g (x is data: no gradient).

use std::sync::Arc;

use autodiff_core::{BackwardCx, Float, Tensor, Var, pool};

use crate::data::SparseRows;

/// `x·W + b` for a sparse `x` (`[rows, in]`), W `[in, out]` and b `[out]`, as one tape node;
/// only W and b receive gradients.
///
/// # Panics
/// With the shapes if `x`'s columns are not W's rows or b is not `[out]`.
#[track_caller]
pub fn linear_sparse<'t, T: Float>(
    x: &Arc<SparseRows<T>>,
    w: Var<'t, T>,
    b: Option<Var<'t, T>>,
) -> Var<'t, T> {
    let ws = w.shape();
    let fan_out = match *ws.dims() {
        [i, o] if i == x.cols() => o,
        _ => panic!(
            "linear_sparse: input [{}, {}], kernel {ws}: the kernel must be [{}, out]",
            x.rows(),
            x.cols(),
            x.cols()
        ),
    };
    if let Some(b) = b
        && b.dims() != [fan_out]
    {
        panic!(
            "linear_sparse: kernel {ws}, bias {}: the bias must be [{fan_out}]",
            b.shape()
        );
    }
    let mut out = pool::with_capacity(x.rows() * fan_out);
    match b {
        Some(b) => b.with_value(|b| (0..x.rows()).for_each(|_| out.extend_from_slice(b.data()))),
        None => out.resize(x.rows() * fan_out, T::zero()),
    }
    w.with_value(|wv| {
        for (i, y) in out.chunks_exact_mut(fan_out).enumerate() {
            for (j, v) in x.row(i) {
                let wj = &wv.data()[j * fan_out..(j + 1) * fan_out];
                y.iter_mut().zip(wj).for_each(|(y, &w)| *y += v * w);
            }
        }
    });
    let value = Tensor::from_vec(out, [x.rows(), fan_out]);
    let inputs: Vec<Var<'t, T>> = [w].into_iter().chain(b).collect();
    let x = Arc::clone(x);
    w.tape()
        .record(value, &inputs, move |cx: &mut BackwardCx<T>| {
            let g = cx.grad_output().data();
            if cx.needs_grad(0) {
                let dw = cx.grad_mut(0).data_mut();
                for (i, gi) in g.chunks_exact(fan_out).enumerate() {
                    for (j, v) in x.row(i) {
                        let dwj = &mut dw[j * fan_out..(j + 1) * fan_out];
                        dwj.iter_mut().zip(gi).for_each(|(d, &g)| *d += v * g);
                    }
                }
            }
            if cx.num_inputs() == 2 && cx.needs_grad(1) {
                let db = cx.grad_mut(1).data_mut();
                for row in g.chunks_exact(fan_out) {
                    db.iter_mut().zip(row).for_each(|(d, &v)| *d += v);
                }
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use autodiff_core::{Tape, gradcheck};

    fn sparse_input() -> Arc<SparseRows<f64>> {
        let dense =
            Tensor::<f64>::uniform([4, 6], 0.0, 1.0, 5).map(|v| if v < 0.6 { 0.0 } else { v });
        Arc::new(SparseRows::from_dense(&dense))
    }

    #[test]
    fn gradcheck_kernel_and_bias() {
        let x = sparse_input();
        let w = Tensor::normal([6, 3], 0.0, 1.0, 1);
        let b = Tensor::normal([3], 0.0, 1.0, 2);
        gradcheck(|v| linear_sparse(&x, v[0], Some(v[1])), &[w, b]).unwrap();
    }

    #[test]
    fn same_values_and_gradients_as_the_dense_op() {
        let x = sparse_input();
        let tape = Tape::new();
        let w = tape.var(Tensor::normal([6, 3], 0.0, 1.0, 1));
        let b = tape.var(Tensor::normal([3], 0.0, 1.0, 2));
        let sparse = linear_sparse(&x, w, Some(b));
        let dense = crate::fused::linear(tape.constant(x.to_dense()), w, Some(b));
        assert!(sparse.value().all_close(&dense.value(), 1e-12, 1e-12));
        let (gs, gd) = (
            (sparse * sparse).sum().backward(),
            (dense * dense).sum().backward(),
        );
        assert!(
            gs.wrt(w)
                .unwrap()
                .all_close(gd.wrt(w).unwrap(), 1e-12, 1e-12)
        );
        assert!(
            gs.wrt(b)
                .unwrap()
                .all_close(gd.wrt(b).unwrap(), 1e-12, 1e-12)
        );
    }
}
