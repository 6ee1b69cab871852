//! Gradient checks of the elementwise ops, with broadcasting, scalars on either side and inputs
//! used twice.

use autodiff_core::Var;
use tests::{check, positive, randn};

/// Pairs of shapes that broadcast in every way NumPy allows.
const BROADCASTS: &[(&[usize], &[usize])] = &[
    (&[2, 3], &[2, 3]),
    (&[2, 3], &[3]),
    (&[3], &[2, 3]),
    (&[2, 1, 4], &[3, 1]),
    (&[1], &[2, 2]),
    (&[], &[2, 3]),
];

#[test]
fn binary_arithmetic_through_broadcasting() {
    for (k, &(a, b)) in BROADCASTS.iter().enumerate() {
        let (x, y) = (randn(a, k as u64), positive(b, 100 + k as u64));
        let name = format!("{a:?} op {b:?}");
        check(
            &format!("add {name}"),
            |v| v[0] + v[1],
            [x.clone(), y.clone()],
        );
        check(
            &format!("sub {name}"),
            |v| v[0] - v[1],
            [x.clone(), y.clone()],
        );
        check(
            &format!("mul {name}"),
            |v| v[0] * v[1],
            [x.clone(), y.clone()],
        );
        check(
            &format!("div {name}"),
            |v| v[0] / v[1],
            [x.clone(), y.clone()],
        );
        check(
            &format!("div reversed {name}"),
            |v| v[1] / v[0],
            [y.clone(), x.map(|t| t + 3.0)],
        );
    }
}

#[test]
fn scalar_on_either_side() {
    let x = positive(&[2, 3], 1);
    check("var + s", |v| v[0] + 2.5, [x.clone()]);
    check("s - var", |v| 2.5 - v[0], [x.clone()]);
    check("var * s", |v| v[0] * -1.5, [x.clone()]);
    check("s / var", |v| 3.0 / v[0], [x.clone()]);
    check("var / s", |v| v[0] / 4.0, [x.clone()]);
    check("neg", |v| -v[0], [x]);
}

#[test]
fn an_input_used_twice() {
    let x = randn(&[3, 2], 2);
    check("x * x", |v| v[0] * v[0], [x.clone()]);
    check("x / (x*x + 1)", |v| v[0] / (v[0] * v[0] + 1.0), [x.clone()]);
    check("tanh(x) * x", |v| v[0].tanh() * v[0], [x]);
}

#[test]
fn unary_functions() {
    let x = randn(&[2, 4], 3);
    let p = positive(&[2, 4], 4);
    check("exp", |v| v[0].exp(), [x.clone()]);
    check("ln", |v| v[0].ln(), [p.clone()]);
    check("sqrt", |v| v[0].sqrt(), [p.clone()]);
    check("abs", |v| v[0].abs(), [x.clone()]);
    check("tanh", |v| v[0].tanh(), [x.clone()]);
    check("sigmoid", |v| v[0].sigmoid(), [x.clone()]);
    check("relu", |v| v[0].relu(), [x.clone()]);
    check("powi 3", |v| v[0].powi(3), [x.clone()]);
    check("powi -2", |v| v[0].powi(-2), [p.clone()]);
    check("powf 1.7", |v| v[0].powf(1.7), [p]);
    check("clamp", |v| v[0].clamp(-0.5, 0.7), [x]);
}

#[test]
fn maximum_minimum_and_where() {
    for (k, &(a, b)) in BROADCASTS.iter().enumerate() {
        let inputs = [randn(a, 10 + k as u64), randn(b, 20 + k as u64)];
        check(
            &format!("maximum {a:?} {b:?}"),
            |v| v[0].maximum(v[1]),
            inputs.clone(),
        );
        check(
            &format!("minimum {a:?} {b:?}"),
            |v| v[0].minimum(v[1]),
            inputs.clone(),
        );
        check(
            &format!("where {a:?} {b:?}"),
            |v| Var::where_(v[0].gt(v[1]), v[0] * 2.0, v[1].exp()),
            inputs.clone(),
        );
        check(
            &format!("where against scalars {a:?} {b:?}"),
            |v| Var::where_(v[0].gt(0.1), 0.5, v[1].exp()) + Var::where_(v[1].le(0.0), v[0], -1.0),
            inputs.clone(),
        );
    }
}
