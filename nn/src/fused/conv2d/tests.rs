//! The op against a direct evaluation of its definition, and its 1×1 shortcut against the
//! general path.

use autodiff_core::{Tape, Tensor};

use super::{Conv2dOptions, conv2d};

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
