//! Gradient checks of reshaping, slicing, joining, gathering and matrix products.

use autodiff_core::Var;
use tests::{check, randn};

#[test]
fn reshape_permute_broadcast() {
    let x = randn(&[2, 3, 4], 1);
    check("reshape", |v| v[0].reshape([6, 4]), [x.clone()]);
    check("flatten", |v| v[0].flatten(), [x.clone()]);
    check("permute", |v| v[0].permute(&[2, 0, 1]), [x.clone()]);
    check("transpose", |v| v[0].transpose(0, 2), [x.clone()]);
    check(
        "unsqueeze/squeeze",
        |v| v[0].unsqueeze(1).squeeze(1) * v[0],
        [x.clone()],
    );
    let row = randn(&[3, 1], 2);
    check("broadcast_to", |v| v[0].broadcast_to([2, 3, 4]), [row]);
    let m = randn(&[3, 5], 3);
    check("t", |v| v[0].t(), [m]);
}

#[test]
fn slicing_and_joining() {
    let x = randn(&[3, 5], 4);
    let y = randn(&[3, 2], 5);
    check("narrow axis 1", |v| v[0].narrow(1, 1, 3), [x.clone()]);
    check("narrow axis 0", |v| v[0].narrow(0, 2, 1), [x.clone()]);
    check(
        "concat",
        |v| Var::concat(&[v[0], v[1], v[0]], 1),
        [x.clone(), y],
    );
    check("stack", |v| Var::stack(&[v[0], v[0] * 2.0], 0), [x.clone()]);
    check(
        "split",
        |v| {
            let p = v[0].split(1, &[2, 3]);
            p[1].sum_axis(1, true) * p[0]
        },
        [x.clone()],
    );
    check(
        "chunk",
        |v| {
            let c = v[0].chunk(2, 1);
            c[0] * c[0] + c[1].sum()
        },
        [x.clone()],
    );
    check(
        "index_select rows",
        |v| v[0].index_select(0, &[2, 0, 2, 1]),
        [x.clone()],
    );
    check(
        "index_select columns",
        |v| v[0].index_select(1, &[4, 4, 0]),
        [x],
    );
}

#[test]
fn matrix_products() {
    let cases: &[(&[usize], &[usize])] = &[
        (&[3, 4], &[4, 2]),
        (&[2, 3, 4], &[2, 4, 5]),
        (&[2, 3, 4], &[4, 5]),
        (&[3, 4], &[2, 4, 5]),
        (&[1, 1], &[1, 1]),
    ];
    for (k, &(a, b)) in cases.iter().enumerate() {
        let inputs = [randn(a, 10 + k as u64), randn(b, 20 + k as u64)];
        check(
            &format!("matmul {a:?} x {b:?}"),
            |v| v[0].matmul(v[1]),
            inputs.clone(),
        );
    }
    let square = randn(&[3, 3], 30);
    check("x·x (one input twice)", |v| v[0].matmul(v[0]), [square]);
}

#[test]
fn matrix_products_broadcast_batches_and_vectors() {
    // A broadcast operand's gradient sums over the products that shared it.
    let cases: &[(&[usize], &[usize])] = &[
        (&[1, 3, 4], &[2, 4, 5]),
        (&[2, 3, 4], &[1, 4, 5]),
        (&[2, 1, 3, 4], &[3, 4, 2]),
        (&[3, 1, 2, 4], &[1, 2, 4, 3]),
        (&[2, 2, 3, 4], &[4, 2]),
        (&[3, 4], &[2, 2, 4, 3]),
        (&[4], &[2, 4, 3]),
        (&[2, 3, 4], &[4]),
        (&[4], &[4]),
        (&[4], &[4, 2]),
    ];
    for (k, &(a, b)) in cases.iter().enumerate() {
        let inputs = [randn(a, 40 + k as u64), randn(b, 60 + k as u64)];
        check(
            &format!("matmul {a:?} x {b:?}"),
            |v| v[0].matmul(v[1]),
            inputs.clone(),
        );
    }
    // Inputs used again after the product: their gradients are added to, not written.
    for (k, &(a, b)) in cases[..4].iter().enumerate() {
        let inputs = [randn(a, 90 + k as u64), randn(b, 95 + k as u64)];
        check(
            &format!("matmul {a:?} x {b:?}, inputs used again"),
            |v| v[0].matmul(v[1]).sum() + (v[0] * v[0]).sum() + (v[1] * v[1]).sum(),
            inputs,
        );
    }
    let batch = randn(&[2, 1, 3, 3], 80);
    check(
        "x·x broadcast against itself",
        |v| v[0].matmul(v[0].reshape([1, 2, 3, 3])),
        [batch],
    );
}
