//! 2-D average pooling on NCHW inputs: [`avg_pool2d`] over sliding windows, as PyTorch's
//! `F.avg_pool2d` with its defaults (`ceil_mode=False`, `count_include_pad=True`), and
//! [`global_avg_pool2d`], the mean of each whole plane (Keras's `GlobalAveragePooling2D`).
//!
//! With `count_include_pad=True` the padding counts as zeros: every window's sum is divided by
//! the full kernel area kh·kw, also where the window overlaps the padding (Keras's `padding=
//! "same"` average pooling divides by the real elements only; this does not). So
//! y[i, j] = Σ_window x / (kh·kw), and each input in a window gets dx += g[i, j] / (kh·kw).

use autodiff_core::{BackwardCx, Float, Tensor, Var, pool};

use super::pool_window::{PoolWindow, nchw};

/// Average pooling of an NCHW input over `window`, the padding counting as zeros in the mean
/// (PyTorch's default `count_include_pad=True`), as one tape node.
///
/// ```
/// use autodiff_core::{Tape, Tensor};
/// use nn::fused::{PoolWindow, avg_pool2d};
/// let tape = Tape::new();
/// let x = tape.constant(Tensor::from_vec(vec![1.0_f32, 2.0, 3.0, 4.0], [1, 1, 2, 2]));
/// assert_eq!(avg_pool2d(x, PoolWindow::new(2)).value().data(), &[2.5]);
/// // With padding 1, each window holds one real element and three zeros of padding.
/// let padded = avg_pool2d(x, PoolWindow::new(2).padding(1));
/// assert_eq!(padded.value().data(), &[0.25, 0.5, 0.75, 1.0]);
/// ```
///
/// # Panics
/// Naming the op, the input's shape and the window, if the input is not `[N, C, H, W]` or the
/// window does not fit (see [`PoolWindow::output_size`]).
#[track_caller]
pub fn avg_pool2d<'t, T: Float>(x: Var<'t, T>, window: PoolWindow) -> Var<'t, T> {
    let [n, c, h, w] = nchw("avg_pool2d", &x.dims(), &window);
    let [oh, ow] = window.output_size("avg_pool2d", [h, w]);
    let (plane_in, plane_out) = (h * w, oh * ow);
    let scale = T::one() / T::lit((window.kernel[0] * window.kernel[1]) as f64);
    let mut out = pool::unspecified(n * c * plane_out);
    x.with_value(|xv| {
        let planes = xv.data().chunks_exact(plane_in);
        for (x, y) in planes.zip(out.chunks_exact_mut(plane_out)) {
            for i in 0..oh {
                let rows = window.span(0, i, h);
                for j in 0..ow {
                    let cols = window.span(1, j, w);
                    let sum = rows.clone().fold(T::zero(), |acc, r| {
                        x[r * w..][cols.clone()].iter().fold(acc, |a, &v| a + v)
                    });
                    y[i * ow + j] = sum * scale;
                }
            }
        }
    });
    let value = Tensor::from_vec(out, [n, c, oh, ow]);
    x.tape().record(value, &[x], move |cx: &mut BackwardCx<T>| {
        let g = cx.grad_output().data();
        cx.write_grad(0, |dx, beta| {
            if beta.is_zero() {
                dx.fill(T::zero());
            }
            let planes = dx.chunks_exact_mut(plane_in);
            for (dx, g) in planes.zip(g.chunks_exact(plane_out)) {
                for i in 0..oh {
                    let rows = window.span(0, i, h);
                    for j in 0..ow {
                        let cols = window.span(1, j, w);
                        let share = g[i * ow + j] * scale;
                        for r in rows.clone() {
                            dx[r * w..][cols.clone()]
                                .iter_mut()
                                .for_each(|d| *d += share);
                        }
                    }
                }
            }
        });
    })
}

/// The mean of each `[H, W]` plane of an NCHW input: `[N, C, H, W]` → `[N, C]`, as Keras's
/// `GlobalAveragePooling2D` (PyTorch's `AdaptiveAvgPool2d(1)` followed by a flatten); one tape
/// node. dx[n, c, ·, ·] = g[n, c] / (H·W).
///
/// ```
/// use autodiff_core::{Tape, Tensor};
/// use nn::fused::global_avg_pool2d;
/// let tape = Tape::new();
/// let x = tape.constant(Tensor::from_vec((0..8).map(|v| v as f32).collect(), [1, 2, 2, 2]));
/// assert_eq!(global_avg_pool2d(x).value().data(), &[1.5, 5.5]);
/// ```
///
/// # Panics
/// Naming the op and the input's shape, if the input is not `[N, C, H, W]` with H, W ≥ 1.
#[track_caller]
pub fn global_avg_pool2d<'t, T: Float>(x: Var<'t, T>) -> Var<'t, T> {
    let dims = x.dims();
    let [n, c, h, w] = match *dims {
        [n, c, h, w] if h > 0 && w > 0 => [n, c, h, w],
        _ => panic!(
            "global_avg_pool2d: input {dims:?}, output [N, C]: the input must be [N, C, H, W] \
             with H, W ≥ 1"
        ),
    };
    let plane = h * w;
    let scale = T::one() / T::lit(plane as f64);
    let mut out = pool::with_capacity(n * c);
    x.with_value(|xv| {
        let sums = xv.data().chunks_exact(plane);
        out.extend(sums.map(|p| p.iter().fold(T::zero(), |a, &v| a + v) * scale));
    });
    let value = Tensor::from_vec(out, [n, c]);
    x.tape().record(value, &[x], move |cx: &mut BackwardCx<T>| {
        let g = cx.grad_output().data();
        cx.write_grad(0, |dx, beta| {
            for (dx, &g) in dx.chunks_exact_mut(plane).zip(g) {
                let share = g * scale;
                if beta.is_zero() {
                    dx.fill(share);
                } else {
                    dx.iter_mut().for_each(|d| *d += share);
                }
            }
        });
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use autodiff_core::{Tape, gradcheck};

    fn input(dims: [usize; 4], seed: u64) -> Tensor<f64> {
        Tensor::normal(dims, 0.0, 1.0, seed)
    }

    #[test]
    fn gradcheck_avg_pool_overlapping_and_padded() {
        let window = PoolWindow::new(3).stride(2).padding(1);
        gradcheck(|v| avg_pool2d(v[0], window), &[input([2, 2, 5, 6], 1)]).unwrap();
        let window = PoolWindow::new([2, 3]).stride([3, 1]);
        gradcheck(|v| avg_pool2d(v[0], window), &[input([1, 2, 7, 5], 2)]).unwrap();
    }

    #[test]
    fn gradcheck_global_avg_pool() {
        gradcheck(|v| global_avg_pool2d(v[0]), &[input([2, 3, 2, 4], 3)]).unwrap();
    }

    #[test]
    fn gradcheck_when_the_input_already_holds_a_gradient() {
        let window = PoolWindow::new(2).padding(1);
        gradcheck(
            // Recorded last, the square's backward runs first: both pools then add (β = 1).
            |v| {
                avg_pool2d(v[0], window).sum()
                    + global_avg_pool2d(v[0]).sum() * 2.0
                    + (v[0] * v[0]).sum()
            },
            &[input([1, 2, 3, 3], 4)],
        )
        .unwrap();
    }

    #[test]
    fn global_pooling_is_the_plane_mean() {
        let tape = Tape::new();
        let x = input([3, 2, 4, 5], 5);
        let got = global_avg_pool2d(tape.constant(x.clone())).value();
        let want = x.reshape([3, 2, 20]).mean_axis(2, false);
        assert!(got.all_close(&want, 1e-12, 1e-12));
    }

    #[test]
    #[should_panic(expected = "avg_pool2d: input [2, 8], kernel [2, 2]")]
    fn a_rank_2_input_names_the_op_and_both_shapes() {
        let tape = Tape::<f32>::new();
        avg_pool2d(tape.constant(Tensor::zeros([2, 8])), PoolWindow::new(2));
    }

    #[test]
    #[should_panic(expected = "global_avg_pool2d: input [4, 3], output [N, C]")]
    fn global_pooling_of_rows_names_the_shapes() {
        let tape = Tape::<f32>::new();
        global_avg_pool2d(tape.constant(Tensor::zeros([4, 3])));
    }
}
