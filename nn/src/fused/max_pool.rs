//! 2-D max pooling on NCHW inputs, as PyTorch's `F.max_pool2d` (`ceil_mode=False`, no
//! dilation): any kernel, stride and padding, overlapping windows included (AlexNet's 3×3
//! windows every 2 pixels).
//!
//! y[n, c, i, j] = max of x[n, c] over window (i, j); the padding counts as −∞, so it is never
//! the maximum. Ties go to one input, as in PyTorch: the first maximum in the window's
//! row-major scan, and a NaN wins (it propagates). The forward saves the winner's position for
//! every output; the backward scatters each output gradient to it, adding where overlapping
//! windows pick the same input: dx[argmax(i, j)] += g[i, j].

use autodiff_core::{BackwardCx, Float, Tensor, Var, pool};

use super::conv2d::parallel::{for_piece_pairs, for_pieces};
use super::pool_window::{PoolWindow, nchw};

/// Max pooling of an NCHW input over `window`, as one tape node; the output is
/// `[N, C, H_out, W_out]` (see [`PoolWindow::output_size`]).
///
/// ```
/// use autodiff_core::{Tape, Tensor};
/// use nn::fused::{PoolWindow, max_pool2d};
/// let tape = Tape::new();
/// let x = tape.var(Tensor::from_vec((0..16).map(f64::from).collect(), [1, 1, 4, 4]));
/// let y = max_pool2d(x, PoolWindow::new(2));
/// assert_eq!(y.value().data(), &[5.0, 7.0, 13.0, 15.0]);
/// let dx = y.sum().backward().wrt(x).unwrap().clone();
/// assert_eq!(dx.data().iter().sum::<f64>(), 4.0); // one input per window gets the gradient
/// ```
///
/// # Panics
/// Naming the op, the input's shape and the window, if the input is not `[N, C, H, W]` or the
/// window does not fit (see [`PoolWindow::output_size`]).
#[track_caller]
pub fn max_pool2d<'t, T: Float>(x: Var<'t, T>, window: PoolWindow) -> Var<'t, T> {
    let [n, c, h, w] = nchw("max_pool2d", &x.dims(), &window);
    let [oh, ow] = window.output_size("max_pool2d", [h, w]);
    assert!(
        u32::try_from(h * w).is_ok(),
        "max_pool2d: input {:?}: a plane of more than 2³² pixels",
        x.dims()
    );
    let (plane_in, plane_out) = (h * w, oh * ow);
    let mut out = pool::unspecified(n * c * plane_out);
    // Positions within the plane as u32: half the memory of usize, and a plane is small.
    let mut argmax = vec![0_u32; n * c * plane_out];
    x.with_value(|xv| {
        let tiles = is_tiling(&window);
        // Planes split over threads.
        for_piece_pairs(
            (&mut out, &mut argmax),
            [plane_out; 2],
            |first, out, argmax| {
                let planes = xv.data()[first * plane_in..].chunks_exact(plane_in);
                let outs = out
                    .chunks_exact_mut(plane_out)
                    .zip(argmax.chunks_exact_mut(plane_out));
                for (x, (y, arg)) in planes.zip(outs) {
                    if tiles {
                        tiled_plane_forward(x, [h, w], window.kernel, y, arg);
                    } else {
                        general_plane_forward(x, [h, w, ow], &window, y, arg);
                    }
                }
            },
        );
    });
    let value = Tensor::from_vec(out, [n, c, oh, ow]);
    x.tape().record(value, &[x], move |cx: &mut BackwardCx<T>| {
        let g = cx.grad_output().data();
        cx.write_grad(0, |dx, beta| {
            let tiles = is_tiling(&window) && beta.is_zero();
            if !tiles && beta.is_zero() {
                dx.fill(T::zero());
            }
            // Planes split over threads.
            for_pieces(dx, plane_in, |first, dx| {
                let planes = dx.chunks_exact_mut(plane_in);
                let grads = g[first * plane_out..]
                    .chunks_exact(plane_out)
                    .zip(argmax[first * plane_out..].chunks_exact(plane_out));
                for (dx, (g, arg)) in planes.zip(grads) {
                    if tiles {
                        tiled_plane_backward(g, arg, [h, w], window.kernel, dx);
                    } else {
                        for (&g, &at) in g.iter().zip(arg) {
                            dx[at as usize] += g;
                        }
                    }
                }
            });
        });
    })
}

/// Windows that tile the input (stride = kernel, no padding, the common `MaxPool2d(2)`): every
/// input belongs to at most one window and every window lies inside the plane, so the fast
/// paths below need no clipping and the backward writes each input once instead of zero-filling
/// and scattering.
fn is_tiling(window: &PoolWindow) -> bool {
    window.stride == window.kernel && window.padding == [0, 0]
}

/// Whether `v` replaces the running maximum: PyTorch's rule (the first maximum of the scan
/// wins a tie; a NaN always replaces, so the last NaN wins).
fn replaces<T: Float>(v: T, max: T) -> bool {
    // `|`, not `||`: no branch, so the 2×2 loop below can be vectorised.
    (v > max) | v.is_nan()
}

/// One plane, any windows: each output scans its window clipped to the plane.
fn general_plane_forward<T: Float>(
    x: &[T],
    [h, w, ow]: [usize; 3],
    window: &PoolWindow,
    y: &mut [T],
    arg: &mut [u32],
) {
    for (i, (y, arg)) in y
        .chunks_exact_mut(ow)
        .zip(arg.chunks_exact_mut(ow))
        .enumerate()
    {
        let rows = window.span(0, i, h);
        for (j, (y, arg)) in y.iter_mut().zip(arg.iter_mut()).enumerate() {
            let cols = window.span(1, j, w);
            let mut best = rows.start * w + cols.start;
            let mut max = T::neg_infinity();
            for r in rows.clone() {
                for (at, &v) in x[r * w..][cols.clone()].iter().enumerate() {
                    if replaces(v, max) {
                        max = v;
                        best = r * w + cols.start + at;
                    }
                }
            }
            *y = max;
            *arg = best as u32;
        }
    }
}

/// One plane of tiling `kh×kw` windows, scanned in the same order with the same rule as
/// [`general_plane_forward`], without clipping; a 2×2 window is unrolled.
fn tiled_plane_forward<T: Float>(
    x: &[T],
    [_, w]: [usize; 2],
    [kh, kw]: [usize; 2],
    y: &mut [T],
    arg: &mut [u32],
) {
    let ow = w / kw;
    if ow == 0 {
        return;
    }
    for (i, (y, arg)) in y
        .chunks_exact_mut(ow)
        .zip(arg.chunks_exact_mut(ow))
        .enumerate()
    {
        let top = i * kh * w;
        if [kh, kw] == [2, 2] {
            // Pairs by chunks (no bounds checks) and offsets within the plane as u32 (lanes as
            // wide as an f32), so the loop vectorises.
            let upper = x[top..][..2 * ow].chunks_exact(2);
            let lower = x[top + w..][..2 * ow].chunks_exact(2);
            let (w32, mut corner) = (w as u32, top as u32);
            for (((y, arg), u), l) in y.iter_mut().zip(arg.iter_mut()).zip(upper).zip(lower) {
                // The first tap replaces the −∞ start unless it is −∞ itself, when keeping it
                // is the same; selects rather than branches, as random data mispredicts.
                let (mut max, mut best) = (u[0], 0);
                for (offset, v) in [(1, u[1]), (w32, l[0]), (w32 + 1, l[1])] {
                    let take = replaces(v, max);
                    max = if take { v } else { max };
                    best = if take { offset } else { best };
                }
                *y = max;
                *arg = corner + best;
                corner += 2;
            }
            continue;
        }
        for (j, (y, arg)) in y.iter_mut().zip(arg.iter_mut()).enumerate() {
            let corner = top + j * kw;
            let (mut max, mut best) = (T::neg_infinity(), corner);
            for r in 0..kh {
                for (at, &v) in x[corner + r * w..][..kw].iter().enumerate() {
                    if replaces(v, max) {
                        (max, best) = (v, corner + r * w + at);
                    }
                }
            }
            *y = max;
            *arg = best as u32;
        }
    }
}

/// One plane's input gradient for tiling windows, written (not added) in one pass: each output
/// gradient at its window's maximum, 0 at the rest of the window and at the rows and columns no
/// window covers.
fn tiled_plane_backward<T: Float>(
    g: &[T],
    arg: &[u32],
    [h, w]: [usize; 2],
    [kh, kw]: [usize; 2],
    dx: &mut [T],
) {
    let (oh, ow) = (h / kh, w / kw);
    dx[oh * kh * w..].fill(T::zero());
    for (i, band) in dx[..oh * kh * w].chunks_exact_mut(kh * w).enumerate() {
        // The band is a few rows, in L1 cache for the writes that follow.
        band.fill(T::zero());
        let top = i * kh * w;
        for (&g, &at) in g[i * ow..][..ow].iter().zip(&arg[i * ow..][..ow]) {
            band[at as usize - top] = g;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use autodiff_core::{Tape, gradcheck};

    /// Distinct values at least 0.1 apart (37 is coprime with every size used here), so no two
    /// are within a finite-difference step of each other and every maximum is unique.
    fn distinct(dims: [usize; 4]) -> Tensor<f64> {
        let n = dims.iter().product::<usize>();
        Tensor::from_fn(dims, |i| ((i * 37) % n) as f64 * 0.1 - 1.0)
    }

    #[test]
    fn gradcheck_overlapping_windows_with_padding() {
        let window = PoolWindow::new(3).stride(2).padding(1);
        gradcheck(|v| max_pool2d(v[0], window), &[distinct([2, 2, 5, 6])]).unwrap();
    }

    #[test]
    fn gradcheck_stride_other_than_kernel() {
        let window = PoolWindow::new([2, 3]).stride([3, 1]);
        gradcheck(|v| max_pool2d(v[0], window), &[distinct([1, 3, 7, 5])]).unwrap();
    }

    #[test]
    fn gradcheck_when_the_input_already_holds_a_gradient() {
        let window = PoolWindow::new(2).padding(1);
        gradcheck(
            |v| max_pool2d(v[0], window).sum() + (v[0] * v[0]).sum(),
            &[distinct([1, 2, 3, 3])],
        )
        .unwrap();
    }

    #[test]
    fn ties_go_to_the_first_maximum_in_scan_order() {
        // Every window of a constant input ties; PyTorch gives each window's gradient to its
        // first (top-left) real element. Overlapping 3×3/2 windows with padding 1 on a 4×4
        // plane start at rows and columns 0 and 1, so the gradient lands on (0,0), (0,1),
        // (1,0) and (1,1).
        let tape = Tape::new();
        let x = tape.var(Tensor::<f64>::ones([1, 1, 4, 4]));
        let y = max_pool2d(x, PoolWindow::new(3).stride(2).padding(1));
        assert_eq!(y.dims(), [1, 1, 2, 2]);
        let dx = y.sum().backward().wrt(x).unwrap().clone();
        let mut want = vec![0.0; 16];
        for at in [0, 1, 4, 5] {
            want[at] = 1.0;
        }
        assert_eq!(dx.data(), want.as_slice());
    }

    #[test]
    fn overlapping_windows_add_at_a_shared_maximum() {
        // The maximum 9 sits where all four 2×2 windows of stride 1 meet.
        let tape = Tape::new();
        let data = vec![1.0, 2.0, 3.0, 4.0, 9.0, 5.0, 6.0, 7.0, 8.0];
        let x = tape.var(Tensor::<f64>::from_vec(data, [1, 1, 3, 3]));
        let y = max_pool2d(x, PoolWindow::new(2).stride(1));
        assert_eq!(y.value().data(), &[9.0; 4]);
        let dx = y.sum().backward().wrt(x).unwrap().clone();
        assert_eq!(dx.data()[4], 4.0);
    }

    #[test]
    fn planes_split_over_threads_pool_as_each_plane_alone() {
        // 8·16 planes of 48×48: input and output large enough to be split over threads (when
        // there are two).
        let dims = [8, 16, 48, 48];
        let plane = 48 * 48;
        for window in [PoolWindow::new(2), PoolWindow::new(3).stride(2).padding(1)] {
            let tape = Tape::new();
            let x = tape.var(distinct(dims));
            let y = max_pool2d(x, window);
            let g = tape.constant(Tensor::from_fn(y.dims(), |i| (i % 13) as f64 - 6.0));
            let dx = (y * g).sum().backward().wrt(x).unwrap().clone();
            let (y_all, x_all) = (y.value(), x.value());
            let plane_out = y.dims()[2] * y.dims()[3];
            for at in 0..dims[0] * dims[1] {
                let alone = Tape::new();
                let xp = alone.var(Tensor::from_vec(
                    x_all.data()[at * plane..][..plane].to_vec(),
                    [1, 1, 48, 48],
                ));
                let yp = max_pool2d(xp, window);
                let gp = alone.constant(Tensor::from_vec(
                    g.value().data()[at * plane_out..][..plane_out].to_vec(),
                    yp.dims(),
                ));
                let dxp = (yp * gp).sum().backward().wrt(xp).unwrap().clone();
                let y_plane = &y_all.data()[at * plane_out..][..plane_out];
                assert_eq!(yp.value().data(), y_plane, "{window:?}, plane {at}");
                assert_eq!(
                    dxp.data(),
                    &dx.data()[at * plane..][..plane],
                    "{window:?}, plane {at}"
                );
            }
        }
    }

    /// Values with many ties, −∞ and NaN, so the fast path must follow the same scan rule.
    fn awkward(len: usize) -> Vec<f32> {
        (0..len)
            .map(|i| match (i * 7 + i / 5) % 11 {
                0 => f32::NAN,
                1 | 2 => f32::NEG_INFINITY,
                k => (k % 4) as f32,
            })
            .collect()
    }

    #[test]
    fn tiled_fast_path_matches_the_general_scan() {
        for (kernel, [h, w]) in [([2, 2], [7, 9]), ([2, 2], [6, 6]), ([3, 2], [8, 5])] {
            let window = PoolWindow::new(kernel);
            let [oh, ow] = window.output_size("t", [h, w]);
            let x = awkward(h * w);
            let (mut want, mut want_arg) = (vec![0.0; oh * ow], vec![0; oh * ow]);
            general_plane_forward(&x, [h, w, ow], &window, &mut want, &mut want_arg);
            let (mut got, mut got_arg) = (vec![0.0; oh * ow], vec![0; oh * ow]);
            tiled_plane_forward(&x, [h, w], kernel, &mut got, &mut got_arg);
            assert_eq!(
                got_arg, want_arg,
                "argmax, kernel {kernel:?}, plane {h}×{w}"
            );
            let bits = |v: &[f32]| v.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&got), bits(&want), "values, kernel {kernel:?}");

            let g: Vec<f32> = (0..oh * ow).map(|i| i as f32 + 1.0).collect();
            let mut scattered = vec![0.0; h * w];
            for (&g, &at) in g.iter().zip(&want_arg) {
                scattered[at as usize] += g;
            }
            let mut written = vec![f32::NAN; h * w];
            tiled_plane_backward(&g, &got_arg, [h, w], kernel, &mut written);
            assert_eq!(
                written, scattered,
                "gradient, kernel {kernel:?}, plane {h}×{w}"
            );
        }
    }

    #[test]
    fn gradcheck_tiling_windows_on_an_odd_plane() {
        gradcheck(
            |v| max_pool2d(v[0], PoolWindow::new(2)),
            &[distinct([2, 3, 5, 7])],
        )
        .unwrap();
    }

    #[test]
    fn nan_propagates() {
        let tape = Tape::new();
        let x = tape.constant(Tensor::<f64>::from_vec(
            vec![1.0, f64::NAN, 3.0, 2.0],
            [1, 1, 2, 2],
        ));
        assert!(max_pool2d(x, PoolWindow::new(2)).item().is_nan());
    }

    #[test]
    #[should_panic(expected = "max_pool2d: input [1, 4, 4], kernel [2, 2]")]
    fn a_rank_3_input_names_the_op_and_both_shapes() {
        let tape = Tape::<f32>::new();
        max_pool2d(tape.constant(Tensor::zeros([1, 4, 4])), PoolWindow::new(2));
    }
}
