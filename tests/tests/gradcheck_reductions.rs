//! Gradient checks of the reductions and of softmax, along each axis, keepdim both ways.

use autodiff_core::Correction;
use tests::{check, randn};

const SHAPE: &[usize] = &[2, 3, 4];

#[test]
fn reductions_over_everything() {
    let x = randn(SHAPE, 1);
    check("sum", |v| v[0].sum(), [x.clone()]);
    check("mean", |v| v[0].mean(), [x.clone()]);
    check("max", |v| v[0].max(), [x.clone()]);
    check("min", |v| v[0].min(), [x]);
}

#[test]
fn reductions_along_each_axis() {
    let x = randn(SHAPE, 2);
    for axis in 0..SHAPE.len() {
        for keepdim in [false, true] {
            let name = |op: &str| format!("{op} axis {axis} keepdim {keepdim}");
            check(&name("sum"), |v| v[0].sum_axis(axis, keepdim), [x.clone()]);
            check(
                &name("mean"),
                |v| v[0].mean_axis(axis, keepdim),
                [x.clone()],
            );
            check(&name("max"), |v| v[0].max_axis(axis, keepdim), [x.clone()]);
            check(&name("min"), |v| v[0].min_axis(axis, keepdim), [x.clone()]);
            check(
                &name("logsumexp"),
                |v| v[0].logsumexp(axis, keepdim),
                [x.clone()],
            );
            for correction in [Correction::Population, Correction::Sample] {
                let what = format!("{} {correction:?}", name("var"));
                check(
                    &what,
                    |v| v[0].var_axis(axis, keepdim, correction),
                    [x.clone()],
                );
            }
        }
    }
}

#[test]
fn softmax_along_each_axis() {
    let x = randn(SHAPE, 3);
    for axis in 0..SHAPE.len() {
        check(
            &format!("softmax axis {axis}"),
            |v| v[0].softmax(axis),
            [x.clone()],
        );
        check(
            &format!("log_softmax axis {axis}"),
            |v| v[0].log_softmax(axis),
            [x.clone()],
        );
    }
}

#[test]
fn reduction_of_a_value_used_twice() {
    let x = randn(&[3, 4], 4);
    check(
        "x - mean(x)",
        |v| v[0] - v[0].mean_axis(1, true),
        [x.clone()],
    );
    check(
        "softmax(x) * x",
        |v| (v[0].softmax(1) * v[0]).sum_axis(0, false),
        [x],
    );
}
