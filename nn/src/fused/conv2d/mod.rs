//! The fused 2-D convolution (PyTorch's `F.conv2d`, NCHW, kernel `[out, in/groups, kh, kw]`):
//! forward and the gradients of input, kernel and bias, one tape node.
//!
//! With the whole batch's column matrix `cols` (`[c·kh·kw, n·oh·ow]`, see [`im2col`]) and, per
//! group g, its rows `cols_g`, the kernel's rows `W_g` (`[o/g, c/g·kh·kw]`) and the output
//! gradient `G_g` rearranged to `[o/g, n·oh·ow]`:
//! - y_g = W_g · cols_g (+ b), rearranged to `[n, o, oh, ow]`;
//! - dW_g = G_g · cols_gᵀ, db = Σ_{n, positions} g;
//! - dcols_g = W_gᵀ · G_g, and dx = col2im(dcols) (each column entry back to the input element
//!   it was read from).
//!
//! A 1×1 kernel with stride 1 and no padding needs no column matrix: per image and group,
//! y = W_g · x (x's `[c/g, h·w]` rows as they lie), dW += G · xᵀ, dx = W_gᵀ · G.
//!
//! Threads: the products are one gemm per group over the whole batch (n·oh·ow columns), large
//! enough for matrixmultiply to split them over its `MATMUL_NUM_THREADS` threads, each oriented
//! so the long side is the one it splits (see [`product`]); the column
//! copies (im2col by rows, col2im by images), the forward's bias and ReLU ([`epilogue`], per
//! image as its result is written) and the passes over the output gradient (the ReLU mask, the
//! bias gradient's sums: [`output_grad`]) are split over as many scoped threads. When every
//! per-image product is small enough for matrixmultiply to keep on one thread, the products are
//! instead one per image, the images split over scoped threads (see [`per_image`]).
//!
//! Memory: the column matrix is kept for the backward pass (not recomputed) and, like every
//! scratch buffer here, comes from the tensor pool, so after the first step of a given shape
//! a step reuses the buffers the previous step's tape gave back. The per-image passes' scratch
//! (one image's column gradient, a kernel-sized partial sum) comes from the pool of the thread
//! that uses it: reused across steps on the calling thread; a spawned thread is new each call,
//! so its share is allocated each call (and its partial sums end in the caller's pool).

mod epilogue;
mod geometry;
mod im2col;
mod output_grad;
pub(crate) mod parallel;
mod per_image;
mod product;
#[cfg(test)]
mod tests;

pub use geometry::Conv2dOptions;

use autodiff_core::{BackwardCx, Float, Tensor, Var};
use epilogue::Epilogue;
use geometry::Geometry;
use im2col::{col2im_add, im2col};
use output_grad::{channel_sums, relu_masked};
use parallel::for_pieces;
use product::product;

/// The 2-D convolution (cross-correlation, as in every framework) of `x` (`[n, c, h, w]`) with
/// `kernel` (`[o, c/groups, kh, kw]`) plus `bias` (`[o]`), output `[n, o, oh, ow]` with
/// oh = ⌊(h + top + bottom − dh·(kh − 1) − 1) / sh⌋ + 1 (and the same for the width).
///
/// ```
/// use autodiff_core::{Tape, Tensor};
/// use nn::fused::{conv2d, Conv2dOptions};
/// let tape = Tape::new();
/// let x = tape.constant(Tensor::from_vec((0..9).map(f64::from).collect(), [1, 1, 3, 3]));
/// let k = tape.constant(Tensor::ones([1, 1, 2, 2]));
/// let y = conv2d(x, k, None, Conv2dOptions::default());
/// assert_eq!(y.value().data(), &[8.0, 12.0, 20.0, 24.0]); // sums of 2×2 windows
/// ```
///
/// # Panics
/// Naming the op and both shapes, if `x` or `kernel` is not 4-D, the channels do not match
/// `groups`, the window does not fit the padded input, or `bias` is not `[o]`.
#[track_caller]
pub fn conv2d<'t, T: Float>(
    x: Var<'t, T>,
    kernel: Var<'t, T>,
    bias: Option<Var<'t, T>>,
    options: Conv2dOptions,
) -> Var<'t, T> {
    conv2d_with(x, kernel, bias, options, false)
}

/// `relu(conv2d(x, kernel, bias, options))` as one tape node: the ReLU is applied while the bias
/// is added, and its backward masks the output gradient once for all three gradients, so the
/// activation costs no node, buffer or pass of its own.
///
/// ```
/// use autodiff_core::{Tape, Tensor};
/// use nn::fused::{conv2d_relu, Conv2dOptions};
/// let tape = Tape::new();
/// let x = tape.constant(Tensor::from_vec(vec![1.0, -2.0, 3.0, -4.0], [1, 1, 2, 2]));
/// let k = tape.constant(Tensor::ones([1, 1, 1, 1]));
/// let y = conv2d_relu(x, k, None, Conv2dOptions::default());
/// assert_eq!(y.value().data(), &[1.0, 0.0, 3.0, 0.0]);
/// ```
///
/// # Panics
/// As [`conv2d`].
#[track_caller]
pub fn conv2d_relu<'t, T: Float>(
    x: Var<'t, T>,
    kernel: Var<'t, T>,
    bias: Option<Var<'t, T>>,
    options: Conv2dOptions,
) -> Var<'t, T> {
    conv2d_with(x, kernel, bias, options, true)
}

/// [`conv2d`], followed by a ReLU if `relu`.
#[track_caller]
fn conv2d_with<'t, T: Float>(
    x: Var<'t, T>,
    kernel: Var<'t, T>,
    bias: Option<Var<'t, T>>,
    options: Conv2dOptions,
    relu: bool,
) -> Var<'t, T> {
    let g = Geometry::new(x.shape(), kernel.shape(), options);
    if let Some(b) = bias
        && b.dims() != [g.o]
    {
        panic!(
            "conv2d: kernel {}, bias {}: the bias must be [{}]",
            kernel.shape(),
            b.shape(),
            g.o
        );
    }
    let cols = (!g.is_pointwise()).then(|| x.with_value(|x| columns(x.data(), &g)));
    let mut y = Tensor::empty(g.output_dims());
    let mut forward = |bias: Option<&[T]>| {
        let (epilogue, y) = (Epilogue { bias, relu }, y.data_mut());
        kernel.with_value(|w| match &cols {
            Some(cols) if per_image::forward_applies(&g) => {
                per_image::forward(&g, w.data(), cols.data(), epilogue, y)
            }
            Some(cols) => forward_columns(&g, w.data(), cols.data(), epilogue, y),
            None => x.with_value(|x| forward_pointwise(&g, w.data(), x.data(), epilogue, y)),
        })
    };
    match bias {
        Some(b) => b.with_value(|b| forward(Some(b.data()))),
        None => forward(None),
    }
    let inputs: Vec<Var<'t, T>> = [x, kernel].into_iter().chain(bias).collect();
    x.tape().record(y, &inputs, move |cx: &mut BackwardCx<T>| {
        let masked = relu.then(|| relu_masked(&g, cx.grad_output().data(), cx.output().data()));
        backward(cx, &g, cols.as_ref(), masked.as_ref())
    })
}

/// The column matrix of `x`, in a pooled buffer.
fn columns<T: Float>(x: &[T], g: &Geometry) -> Tensor<T> {
    let mut cols = Tensor::empty([g.c * g.kh * g.kw, g.n * g.positions()]);
    im2col(x, g, cols.data_mut());
    cols
}

/// y = W_g · cols_g per group (then the epilogue), through a pooled `[o, n·p]` buffer
/// rearranged into `[n, o, p]` by images split over threads.
fn forward_columns<T: Float>(
    g: &Geometry,
    w: &[T],
    cols: &[T],
    epilogue: Epilogue<T>,
    y: &mut [T],
) {
    let (og, kg, p, np) = (g.og(), g.kg(), g.positions(), g.n * g.positions());
    let mut by_channel = Tensor::<T>::empty([g.o, np]);
    for group in 0..g.groups {
        product(
            (og, kg, np),
            (&w[group * og * kg..], [kg, 1]),
            (&cols[group * kg * np..], [np, 1]),
            T::zero(),
            (&mut by_channel.data_mut()[group * og * np..], [np, 1]),
        );
    }
    if np == 0 || g.o == 0 {
        return;
    }
    let by_channel = by_channel.data();
    for_pieces(y, g.o * p, |first, piece| {
        for (i, image) in piece.chunks_exact_mut(g.o * p).enumerate() {
            let b = first + i;
            for (o, channel) in image.chunks_exact_mut(p).enumerate() {
                channel.copy_from_slice(&by_channel[o * np + b * p..][..p]);
            }
            epilogue.apply(p, image);
        }
    });
}

/// y_b = W_g · x_b per image and group, straight into the output, then the epilogue.
fn forward_pointwise<T: Float>(g: &Geometry, w: &[T], x: &[T], epilogue: Epilogue<T>, y: &mut [T]) {
    let (og, cg, p) = (g.og(), g.cg(), g.positions());
    for b in 0..g.n {
        for group in 0..g.groups {
            product(
                (og, cg, p),
                (&w[group * og * cg..], [cg, 1]),
                (&x[(b * g.c + group * cg) * p..], [p, 1]),
                T::zero(),
                (&mut y[(b * g.o + group * og) * p..], [p, 1]),
            );
        }
        if p > 0 {
            epilogue.apply(p, &mut y[b * g.o * p..][..g.o * p]);
        }
    }
}

/// The three gradients from the output gradient, or from `masked` (the output gradient through
/// the fused ReLU) when given.
fn backward<T: Float>(
    cx: &mut BackwardCx<T>,
    g: &Geometry,
    cols: Option<&Tensor<T>>,
    masked: Option<&Tensor<T>>,
) {
    let (dy, x, w) = (
        masked.unwrap_or(cx.grad_output()).data(),
        cx.input(0).data(),
        cx.input(1).data(),
    );
    match cols {
        Some(cols) => backward_columns(cx, g, dy, w, cols.data()),
        None => backward_pointwise(cx, g, dy, x, w),
    }
    if cx.num_inputs() == 3 {
        cx.write_grad(2, |db, beta| {
            for (d, s) in db.iter_mut().zip(channel_sums(g, dy)) {
                *d = if beta.is_zero() { s } else { beta * *d + s };
            }
        });
    }
}

/// The kernel and input gradients through the column matrix, each per image or over the whole
/// batch as [`per_image`] decides.
fn backward_columns<T: Float>(cx: &mut BackwardCx<T>, g: &Geometry, dy: &[T], w: &[T], cols: &[T]) {
    let (og, kg, p, np) = (g.og(), g.kg(), g.positions(), g.n * g.positions());
    let needs_input_grad = cx.needs_grad(0);
    let (kernel_by_image, input_by_image) = (
        per_image::kernel_grad_applies(g),
        per_image::input_grad_applies(g),
    );
    // The output gradient as [o, n·p], the layout of the whole-batch products.
    let by_channel = (!kernel_by_image || (needs_input_grad && !input_by_image)).then(|| {
        let mut by_channel = Tensor::<T>::empty([g.o, np]);
        if p > 0 {
            // Channels split over threads.
            for_pieces(by_channel.data_mut(), np, |first, piece| {
                for (i, channel) in piece.chunks_exact_mut(np).enumerate() {
                    let o = first + i;
                    for (b, image) in channel.chunks_exact_mut(p).enumerate() {
                        image.copy_from_slice(&dy[(b * g.o + o) * p..][..p]);
                    }
                }
            });
        }
        by_channel
    });
    let gt = by_channel.as_ref().map(|t| t.data());
    cx.write_grad(1, |dw, beta| match gt {
        Some(gt) if !kernel_by_image => {
            for group in 0..g.groups {
                // dW_g = G_g · cols_gᵀ (cols_g's strides swapped)
                product(
                    (og, np, kg),
                    (&gt[group * og * np..], [np, 1]),
                    (&cols[group * kg * np..], [1, np]),
                    beta,
                    (&mut dw[group * og * kg..], [kg, 1]),
                );
            }
        }
        _ => per_image::kernel_grad(g, dy, cols, beta, dw),
    });
    if !needs_input_grad {
        return;
    }
    let dcols = gt.filter(|_| !input_by_image).map(|gt| {
        let mut dcols = Tensor::<T>::empty([g.c * g.kh * g.kw, np]);
        for group in 0..g.groups {
            // dcols_g = W_gᵀ · G_g (W_g's strides swapped)
            product(
                (kg, og, np),
                (&w[group * og * kg..], [1, kg]),
                (&gt[group * og * np..], [np, 1]),
                T::zero(),
                (&mut dcols.data_mut()[group * kg * np..], [np, 1]),
            );
        }
        dcols
    });
    cx.write_grad(0, |dx, beta| {
        if beta.is_zero() {
            dx.fill(T::zero());
        }
        match &dcols {
            Some(dcols) => col2im_add(dcols.data(), g, dx),
            None => per_image::add_input_grad(g, dy, w, dx),
        }
    });
}

fn backward_pointwise<T: Float>(cx: &mut BackwardCx<T>, g: &Geometry, dy: &[T], x: &[T], w: &[T]) {
    let (og, cg, p) = (g.og(), g.cg(), g.positions());
    cx.write_grad(0, |dx, beta| {
        for b in 0..g.n {
            for group in 0..g.groups {
                // dx_b = W_gᵀ · G_b
                product(
                    (cg, og, p),
                    (&w[group * og * cg..], [1, cg]),
                    (&dy[(b * g.o + group * og) * p..], [p, 1]),
                    beta,
                    (&mut dx[(b * g.c + group * cg) * p..], [p, 1]),
                );
            }
        }
    });
    cx.write_grad(1, |dw, beta| {
        if g.n == 0 && beta.is_zero() {
            dw.fill(T::zero());
        }
        for b in 0..g.n {
            let beta = if b == 0 { beta } else { T::one() };
            for group in 0..g.groups {
                // dW_g += G_b · x_bᵀ (x_b's strides swapped)
                product(
                    (og, p, cg),
                    (&dy[(b * g.o + group * og) * p..], [p, 1]),
                    (&x[(b * g.c + group * cg) * p..], [1, p]),
                    beta,
                    (&mut dw[group * og * cg..], [cg, 1]),
                );
            }
        }
    });
}
