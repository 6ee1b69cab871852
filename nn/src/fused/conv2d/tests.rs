//! The op against a direct evaluation of its definition, and its 1×1 shortcut against the
//! general path.

use autodiff_core::{Tape, Tensor};

use super::geometry::Geometry;
use super::{Conv2dOptions, conv2d, per_image, product};

/// y[b, o, y, x] = bias[o] + Σ_{ci, i, j} x[b, g·cg + ci, y·sh + i·dh − top, x·sw + j·dw − left]
/// · w[o, ci, i, j], with out-of-range inputs 0, computed element by element.
fn direct(x: &Tensor<f64>, w: &Tensor<f64>, bias: &Tensor<f64>, o: Conv2dOptions) -> Tensor<f64> {
    let (&[n, _, h, wd], &[oc, cg, kh, kw]) = (x.dims(), w.dims()) else {
        unreachable!()
    };
    let [[top, bottom], [left, right]] = o.padding;
    let oh = (h + top + bottom - o.dilation[0] * (kh - 1) - 1) / o.stride[0] + 1;
    let ow = (wd + left + right - o.dilation[1] * (kw - 1) - 1) / o.stride[1] + 1;
    let og = oc / o.groups;
    let mut y = Tensor::zeros([n, oc, oh, ow]);
    for b in 0..n {
        for out in 0..oc {
            for oy in 0..oh {
                for ox in 0..ow {
                    let mut sum = bias.data()[out];
                    for ci in 0..cg {
                        for i in 0..kh {
                            for j in 0..kw {
                                let iy =
                                    (oy * o.stride[0] + i * o.dilation[0]) as isize - top as isize;
                                let ix =
                                    (ox * o.stride[1] + j * o.dilation[1]) as isize - left as isize;
                                if iy < 0 || ix < 0 || iy >= h as isize || ix >= wd as isize {
                                    continue;
                                }
                                let channel = out / og * cg + ci;
                                sum += x.get(&[b, channel, iy as usize, ix as usize])
                                    * w.get(&[out, ci, i, j]);
                            }
                        }
                    }
                    y.set(&[b, out, oy, ox], sum);
                }
            }
        }
    }
    y
}

fn ours(x: &Tensor<f64>, w: &Tensor<f64>, bias: &Tensor<f64>, o: Conv2dOptions) -> Tensor<f64> {
    let tape = Tape::new();
    let (x, w, b) = (
        tape.constant(x.clone()),
        tape.constant(w.clone()),
        tape.constant(bias.clone()),
    );
    conv2d(x, w, Some(b), o).value()
}

#[test]
fn matches_the_definition_over_strides_paddings_dilations_and_groups() {
    let mut seed = 0;
    for stride in [[1, 1], [2, 3]] {
        for padding in [[[0, 0], [0, 0]], [[1, 2], [0, 1]], [[3, 3], [3, 3]]] {
            for dilation in [[1, 1], [2, 1]] {
                for (c, oc, groups) in [(3, 4, 1), (4, 6, 2), (3, 6, 3)] {
                    seed += 1;
                    let o = Conv2dOptions {
                        stride,
                        padding,
                        dilation,
                        groups,
                    };
                    let x = Tensor::normal([2, c, 6, 7], 0.0, 1.0, seed);
                    let w = Tensor::normal([oc, c / groups, 3, 2], 0.0, 1.0, seed + 100);
                    let b = Tensor::normal([oc], 0.0, 1.0, seed + 200);
                    let (want, got) = (direct(&x, &w, &b, o), ours(&x, &w, &b, o));
                    assert_eq!(want.dims(), got.dims(), "{o:?}");
                    assert!(got.all_close(&want, 1e-12, 1e-12), "{o:?}");
                }
            }
        }
    }
}

#[test]
fn a_pointwise_kernel_matches_the_definition() {
    for groups in [1, 2] {
        let o = Conv2dOptions {
            groups,
            ..Conv2dOptions::default()
        };
        let x = Tensor::normal([3, 4, 5, 2], 0.0, 1.0, 1);
        let w = Tensor::normal([6, 4 / groups, 1, 1], 0.0, 1.0, 2);
        let b = Tensor::normal([6], 0.0, 1.0, 3);
        assert!(ours(&x, &w, &b, o).all_close(&direct(&x, &w, &b, o), 1e-12, 1e-12));
    }
}

#[test]
fn large_batches_split_over_threads_give_the_same_result() {
    // Over the parallel threshold (2¹⁶ column entries), so the copies run in pieces when the
    // machine has several threads; the direct evaluation knows nothing of pieces.
    let o = Conv2dOptions {
        padding: [[1, 1], [1, 1]],
        ..Conv2dOptions::default()
    };
    let x = Tensor::normal([9, 2, 20, 20], 0.0, 1.0, 4);
    let w = Tensor::normal([3, 2, 3, 3], 0.0, 1.0, 5);
    let b = Tensor::normal([3], 0.0, 1.0, 6);
    assert!(ours(&x, &w, &b, o).all_close(&direct(&x, &w, &b, o), 1e-12, 1e-12));
}

/// Σ a ⊙ b over all elements.
fn inner(a: &Tensor<f64>, b: &Tensor<f64>) -> f64 {
    a.data().iter().zip(b.data()).map(|(a, b)| a * b).sum()
}

/// Checks the forward against the definition and both gradients through linearity: for any U
/// and V, ⟨dx, U⟩ = ⟨G, conv(U, W)⟩ and ⟨dW, V⟩ = ⟨G, conv(x, V)⟩.
fn check_forward_and_gradients(xd: [usize; 4], wd: [usize; 4], o: Conv2dOptions) {
    let (x, w) = (
        Tensor::normal(xd, 0.0, 1.0, 7),
        Tensor::normal(wd, 0.0, 1.0, 8),
    );
    let (b, zero) = (Tensor::normal([wd[0]], 0.0, 1.0, 9), Tensor::zeros([wd[0]]));
    let want = direct(&x, &w, &b, o);
    assert!(ours(&x, &w, &b, o).all_close(&want, 1e-11, 1e-11));
    let g = Tensor::normal(want.dims(), 0.0, 1.0, 10);
    let tape = Tape::new();
    let (xv, wv) = (tape.var(x.clone()), tape.var(w.clone()));
    let grads = (conv2d(xv, wv, None, o) * tape.constant(g.clone()))
        .sum()
        .backward();
    let (u, v) = (
        Tensor::normal(xd, 0.0, 1.0, 11),
        Tensor::normal(wd, 0.0, 1.0, 12),
    );
    let dx = inner(grads.wrt(xv).unwrap(), &u);
    let dw = inner(grads.wrt(wv).unwrap(), &v);
    let want_dx = inner(&g, &direct(&u, &w, &zero, o));
    let want_dw = inner(&g, &direct(&x, &v, &zero, o));
    assert!(
        (dx - want_dx).abs() < 1e-9 * want_dx.abs().max(1.0),
        "{dx} vs {want_dx}"
    );
    assert!(
        (dw - want_dw).abs() < 1e-9 * want_dw.abs().max(1.0),
        "{dw} vs {want_dw}"
    );
}

#[test]
fn products_with_a_long_inner_dimension_are_transposed_and_still_exact() {
    // 32 channels × 3×3 taps = 288 rows, 64 outputs and 2 × 225 positions: every pass too
    // large per image, so whole-batch products, the forward and the kernel gradient transposed
    // (see `product`).
    let (xd, wd) = ([2, 32, 17, 17], [64, 32, 3, 3]);
    let g = Geometry::new(xd.into(), wd.into(), Conv2dOptions::default());
    assert!(!per_image::forward_applies(&g) && !per_image::kernel_grad_applies(&g));
    assert!(!per_image::input_grad_applies(&g));
    assert!(product::transposes(64, 288, 450) && product::transposes(64, 450, 288));
    check_forward_and_gradients(xd, wd, Conv2dOptions::default());
}

#[test]
fn small_per_image_products_split_over_threads_are_exact() {
    // 3 channels × 3×3 taps, 40×40 positions: per-image products, and over the parallel
    // threshold (2¹⁶ elements) in the output and the input gradient, with groups and padding.
    let o = Conv2dOptions {
        padding: [[1, 1], [1, 1]],
        groups: 3,
        ..Conv2dOptions::default()
    };
    let g = Geometry::new([20, 3, 40, 40].into(), [6, 1, 3, 3].into(), o);
    assert!(per_image::forward_applies(&g) && per_image::kernel_grad_applies(&g));
    assert!(per_image::input_grad_applies(&g));
    check_forward_and_gradients([20, 3, 40, 40], [6, 1, 3, 3], o);
}

#[test]
fn whole_batch_kernel_gradient_with_a_per_image_input_gradient_is_exact() {
    // A convnet's second layer: the forward and kernel gradient are too large per image, the
    // input gradient is not.
    let (xd, wd) = ([2, 32, 13, 13], [64, 32, 3, 3]);
    let g = Geometry::new(xd.into(), wd.into(), Conv2dOptions::default());
    assert!(!per_image::forward_applies(&g) && !per_image::kernel_grad_applies(&g));
    assert!(per_image::input_grad_applies(&g));
    check_forward_and_gradients(xd, wd, Conv2dOptions::default());
}

#[test]
fn whole_batch_products_with_padding_stride_dilation_and_groups_are_exact() {
    // Every geometry knob at once, with products too large per image.
    let o = Conv2dOptions {
        stride: [2, 1],
        padding: [[2, 1], [1, 2]],
        dilation: [1, 2],
        groups: 2,
    };
    let (xd, wd) = ([2, 64, 20, 20], [128, 32, 3, 3]);
    let g = Geometry::new(xd.into(), wd.into(), o);
    assert!(!per_image::kernel_grad_applies(&g));
    check_forward_and_gradients(xd, wd, o);
}

#[test]
fn whole_batch_rearrangements_split_over_threads_are_exact() {
    // 9 images of a convnet's second layer: the output (9·64·121 elements) is over the parallel
    // threshold, so the forward's and the output gradient's rearrangements between `[n, o, p]`
    // and `[o, n·p]` run in pieces when the machine has several threads.
    let (xd, wd) = ([9, 32, 13, 13], [64, 32, 3, 3]);
    let g = Geometry::new(xd.into(), wd.into(), Conv2dOptions::default());
    assert!(!per_image::forward_applies(&g) && !per_image::kernel_grad_applies(&g));
    assert!(g.n * g.o * g.positions() >= 1 << 16);
    check_forward_and_gradients(xd, wd, Conv2dOptions::default());
}
