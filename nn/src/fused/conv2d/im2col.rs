//! The column matrix of a whole batch and its adjoint.
//!
//! `cols` is `[c·kh·kw, n·oh·ow]`: row `(ci, i, j)` (in that order, so a group's rows are
//! contiguous) holds, for every image and output position, the input value under kernel tap
//! `(i, j)` of channel `ci`, or 0 where the tap falls in the padding:
//!
//! cols[(ci, i, j), (b, y, x)] = input[b, ci, y·sh + i·dh − top, x·sw + j·dw − left].
//!
//! `col2im_add` is its transpose: every column entry is added back to the input element it was
//! read from (overlapping windows add up).

use autodiff_core::Float;

use super::geometry::Geometry;
use super::parallel::for_pieces;

/// Fills `cols` (`[c·kh·kw, n·oh·ow]`) from the input `x` (`[n, c, h, w]`), rows split over
/// threads.
pub(super) fn im2col<T: Float>(x: &[T], g: &Geometry, cols: &mut [T]) {
    let width = g.n * g.positions();
    if width == 0 {
        return;
    }
    for_pieces(cols, width, |first_row, piece| {
        for (i, row) in piece.chunks_exact_mut(width).enumerate() {
            fill_row(x, g, first_row + i, row);
        }
    });
}

/// Adds the column matrix `dcols` back into `dx` (`[n, c, h, w]`), images split over threads.
pub(super) fn col2im_add<T: Float>(dcols: &[T], g: &Geometry, dx: &mut [T]) {
    let (image, width) = (g.c * g.h * g.w, g.n * g.positions());
    if image == 0 {
        return;
    }
    for_pieces(dx, image, |first_image, piece| {
        for (i, dx_image) in piece.chunks_exact_mut(image).enumerate() {
            let b = first_image + i;
            add_image(dcols, [width, b * g.positions()], g, dx_image);
        }
    });
}

/// Which input line (row or column) tap `tap` of output position `out` reads, if any.
fn input_line(
    out: usize,
    tap: usize,
    stride: usize,
    dilation: usize,
    pad: usize,
    len: usize,
) -> Option<usize> {
    (out * stride + tap * dilation)
        .checked_sub(pad)
        .filter(|&i| i < len)
}

/// The output columns `lo..hi` whose tap at offset `offset` (= j·dw) lands inside a row of
/// `len` inputs, the first of them reading input `lo·stride + offset − pad`.
fn valid_columns(g: &Geometry, offset: usize) -> (usize, usize) {
    let (stride, pad, len) = (g.options.stride[1], g.options.padding[1][0], g.w);
    let lo = pad.saturating_sub(offset).div_ceil(stride).min(g.ow);
    let hi = match (len + pad).checked_sub(offset + 1) {
        Some(last) => (last / stride + 1).min(g.ow),
        None => 0,
    };
    (lo, hi.max(lo))
}

/// Row `r = (ci, i, j)` of the column matrix.
fn fill_row<T: Float>(x: &[T], g: &Geometry, r: usize, row: &mut [T]) {
    let (ci, i, j) = (r / (g.kh * g.kw), r / g.kw % g.kh, r % g.kw);
    let [sh, sw] = g.options.stride;
    let [dh, dw] = g.options.dilation;
    let (top, left) = (g.options.padding[0][0], g.options.padding[1][0]);
    let (lo, hi) = valid_columns(g, j * dw);
    let plane = g.h * g.w;
    for b in 0..g.n {
        let channel = &x[(b * g.c + ci) * plane..][..plane];
        for (y, out) in row[b * g.positions()..][..g.positions()]
            .chunks_exact_mut(g.ow)
            .enumerate()
        {
            let Some(iy) = input_line(y, i, sh, dh, top, g.h) else {
                out.fill(T::zero());
                continue;
            };
            let line = &channel[iy * g.w..][..g.w];
            out[..lo].fill(T::zero());
            out[hi..].fill(T::zero());
            if hi == lo {
                continue;
            }
            let start = lo * sw + j * dw - left;
            if sw == 1 {
                out[lo..hi].copy_from_slice(&line[start..start + hi - lo]);
            } else {
                for (k, v) in out[lo..hi].iter_mut().enumerate() {
                    *v = line[start + k * sw];
                }
            }
        }
    }
}

/// One image's share of the transpose: `dx_image += colsᵀ` for its columns, which start at
/// column `first_column` of `dcols`, whose rows are `row_stride` apart.
pub(super) fn add_image<T: Float>(
    dcols: &[T],
    [row_stride, first_column]: [usize; 2],
    g: &Geometry,
    dx_image: &mut [T],
) {
    let [sh, sw] = g.options.stride;
    let [dh, dw] = g.options.dilation;
    let (top, left) = (g.options.padding[0][0], g.options.padding[1][0]);
    let plane = g.h * g.w;
    for r in 0..g.c * g.kh * g.kw {
        let (ci, i, j) = (r / (g.kh * g.kw), r / g.kw % g.kh, r % g.kw);
        let (lo, hi) = valid_columns(g, j * dw);
        if hi == lo {
            continue;
        }
        let row = &dcols[r * row_stride + first_column..][..g.positions()];
        let channel = &mut dx_image[ci * plane..][..plane];
        for (y, grads) in row.chunks_exact(g.ow).enumerate() {
            let Some(iy) = input_line(y, i, sh, dh, top, g.h) else {
                continue;
            };
            let line = &mut channel[iy * g.w..][..g.w];
            let start = lo * sw + j * dw - left;
            if sw == 1 {
                // Unit stride as its own loop, which the compiler vectorises.
                let line = &mut line[start..start + hi - lo];
                line.iter_mut()
                    .zip(&grads[lo..hi])
                    .for_each(|(d, &v)| *d += v);
            } else {
                for (k, &v) in grads[lo..hi].iter().enumerate() {
                    line[start + k * sw] += v;
                }
            }
        }
    }
}
