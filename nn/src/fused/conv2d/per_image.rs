//! Convolutions whose per-image products are small (the first layer of a convnet: a few
//! channels, many positions): one product per image, the images split over scoped threads.
//!
//! matrixmultiply threads a product of m·k + k·n ≥ 2¹⁵ and joins its threads at every block
//! of 256 of the inner dimension and 1024 columns; a whole-batch product with 9 taps
//! (`[32, 9]·[9, 43264]`, or the kernel gradient's inner dimension of 43264) joins tens to
//! hundreds of times, each join a chance to wait for a descheduled thread on a busy machine.
//! Products below that size run on the calling thread, so here one parallel region per pass
//! replaces those joins; and each image's result lands in NCHW directly (no rearrangement).

use autodiff_core::ops::gemm;
use autodiff_core::{Float, Tensor};

use super::epilogue::Epilogue;
use super::geometry::Geometry;
use super::im2col::add_image;
use super::parallel::{for_pieces, map_ranges};

/// matrixmultiply keeps a product with m·k + k·n below this on the calling thread.
const SINGLE_THREADED_PRODUCT: usize = 1 << 15;

/// Whether one image's product of `m×k` by `k×n` stays on the calling thread.
fn single_threaded(m: usize, k: usize, n: usize) -> bool {
    m * k + k * n < SINGLE_THREADED_PRODUCT
}

/// Whether the forward is computed per image: y_b = W_g · cols_b,g is small.
pub(super) fn forward_applies(g: &Geometry) -> bool {
    single_threaded(g.og(), g.kg(), g.positions())
}

/// Whether the kernel gradient is computed per image: G_b · cols_bᵀ is small.
pub(super) fn kernel_grad_applies(g: &Geometry) -> bool {
    single_threaded(g.og(), g.positions(), g.kg())
}

/// Whether the input gradient is computed per image: W_gᵀ · G_b is small (then each image's
/// column gradient is also small enough to stay in cache for its col2im).
pub(super) fn input_grad_applies(g: &Geometry) -> bool {
    single_threaded(g.kg(), g.og(), g.positions())
}

/// y_b = W_g · cols_b,g per image and group, straight into the NCHW output, then the epilogue.
pub(super) fn forward<T: Float>(
    g: &Geometry,
    w: &[T],
    cols: &[T],
    epilogue: Epilogue<T>,
    y: &mut [T],
) {
    let (og, kg, p, np) = (g.og(), g.kg(), g.positions(), g.n * g.positions());
    let image = g.o * p;
    if image == 0 {
        return;
    }
    for_pieces(y, image, |first, piece| {
        for (i, y_b) in piece.chunks_exact_mut(image).enumerate() {
            let b = first + i;
            for group in 0..g.groups {
                gemm(
                    (og, kg, p),
                    (&w[group * og * kg..], [kg, 1]),
                    (&cols[group * kg * np + b * p..], [np, 1]),
                    T::zero(),
                    (&mut y_b[group * og * p..], [p, 1]),
                );
            }
            epilogue.apply(p, y_b);
        }
    });
}

/// `gemm` multiplies without packing when the right operand has at most this many contiguous
/// columns (autodiff-core's narrow path).
const NARROW: usize = 16;

/// dW = Σ_b G_b · cols_bᵀ per group: a partial sum per thread (a pooled tensor, which goes back
/// to the calling thread's pool when it has been added), then added up into `dw`
/// (scaled by `beta`; `beta` = 0 ignores what `dw` held).
///
/// With at most [`NARROW`] taps per group (a first layer's 3×3 kernel on one channel), each
/// image's columns are first transposed into a small `[positions, taps]` buffer: then the
/// product takes gemm's packing-free path instead of packing both operands (both are read
/// along the positions, the worst layout for packing).
pub(super) fn kernel_grad<T: Float>(g: &Geometry, dy: &[T], cols: &[T], beta: T, dw: &mut [T]) {
    let (og, kg, p, np) = (g.og(), g.kg(), g.positions(), g.n * g.positions());
    let len = dw.len();
    let partials = map_ranges(g.n, g.o * p, |images| {
        let mut partial = Tensor::<T>::zeros([len]);
        let mut by_position = Tensor::<T>::empty([if kg <= NARROW { p * kg } else { 0 }]);
        let (partial_data, by_position) = (partial.data_mut(), by_position.data_mut());
        for b in images {
            for group in 0..g.groups {
                let cols_bg = &cols[group * kg * np + b * p..];
                let (right, strides) = if kg <= NARROW {
                    for (t, row) in cols_bg.chunks(np).take(kg).enumerate() {
                        for (at, &v) in row[..p].iter().enumerate() {
                            by_position[at * kg + t] = v;
                        }
                    }
                    (&by_position[..], [kg, 1])
                } else {
                    (cols_bg, [1, np])
                };
                gemm(
                    (og, p, kg),
                    (&dy[(b * g.o + group * og) * p..], [p, 1]),
                    (right, strides),
                    T::one(),
                    (&mut partial_data[group * og * kg..], [kg, 1]),
                );
            }
        }
        partial
    });
    for (k, partial) in partials.iter().enumerate() {
        for (d, &v) in dw.iter_mut().zip(partial.data()) {
            *d = match (k, beta.is_zero()) {
                (0, true) => v,
                (0, false) => beta * *d + v,
                _ => *d + v,
            };
        }
    }
}

/// dx_b += col2im(W_gᵀ · G_b) per image, through a per-thread column buffer of one image (from
/// the thread's tensor pool).
pub(super) fn add_input_grad<T: Float>(g: &Geometry, dy: &[T], w: &[T], dx: &mut [T]) {
    let (og, kg, p) = (g.og(), g.kg(), g.positions());
    let image = g.c * g.h * g.w;
    if image == 0 {
        return;
    }
    for_pieces(dx, image, |first, piece| {
        let mut dcols = Tensor::<T>::empty([g.c * g.kh * g.kw * p]);
        let dcols = dcols.data_mut();
        for (i, dx_b) in piece.chunks_exact_mut(image).enumerate() {
            let b = first + i;
            for group in 0..g.groups {
                gemm(
                    (kg, og, p),
                    (&w[group * og * kg..], [1, kg]),
                    (&dy[(b * g.o + group * og) * p..], [p, 1]),
                    T::zero(),
                    (&mut dcols[group * kg * p..], [p, 1]),
                );
            }
            add_image(dcols, [p, 0], g, dx_b);
        }
    });
}
