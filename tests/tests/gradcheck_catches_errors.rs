//! The checker itself can fail: a deliberately wrong backward is caught and reported.

use autodiff_core::{BackwardCx, GradcheckError, Tensor, Var, gradcheck};

/// y = x², with a backward that forgets the factor 2.
fn wrong_square<'t>(x: Var<'t, f64>) -> Var<'t, f64> {
    let value = x.with_value(|v| v.map(|a| a * a));
    x.tape().record(value, &[x], |cx: &mut BackwardCx<f64>| {
        let g = cx.grad_output().zip_map(cx.input(0), |g, a| g * a);
        cx.accumulate(0, g);
    })
}

#[test]
fn a_wrong_backward_is_reported_with_its_worst_entry() {
    let x = Tensor::from_vec(vec![1.0, -3.0, 2.0], [3]);
    let err: GradcheckError = gradcheck(|v| wrong_square(v[0]), &[x]).unwrap_err();
    assert_eq!(err.input, 0);
    assert_eq!(err.index, vec![1]);
    assert_eq!(err.output_index, vec![1]);
    assert!((err.analytic - -3.0).abs() < 1e-12, "{err}");
    assert!((err.numeric - -6.0).abs() < 1e-6, "{err}");
    assert!(
        err.to_string().contains("analytic -3e0 vs numeric -6"),
        "{err}"
    );
}

#[test]
fn a_missing_gradient_is_reported() {
    let x = Tensor::from_vec(vec![0.5, 1.5], [2]);
    let err = gradcheck(|v| v[0].tape().constant(v[0].value()) * v[0], &[x]).unwrap_err();
    assert_eq!((err.index.clone(), err.analytic), (vec![1], 1.5));
    assert!((err.numeric - 3.0).abs() < 1e-6, "{err}");
}

/// y = a·b, whose backward gives b the gradient `g·b` instead of `g·a`, either only when `a` is a
/// constant or only when `a` needs a gradient too.
fn mul_wrong_for_b<'t>(
    a: Var<'t, f64>,
    b: Var<'t, f64>,
    wrong_if_a_constant: bool,
) -> Var<'t, f64> {
    let value = a.with_value(|x| b.with_value(|y| x.zip_map(y, |p, q| p * q)));
    a.tape()
        .record(value, &[a, b], move |cx: &mut BackwardCx<f64>| {
            let g = cx.grad_output().clone();
            let a_needs_grad = cx.needs_grad(0);
            if a_needs_grad {
                let ga = g.zip_map(cx.input(1), |g, y| g * y);
                cx.accumulate(0, ga);
            }
            let wrong = a_needs_grad != wrong_if_a_constant;
            let factor = if wrong { cx.input(1) } else { cx.input(0) };
            let gb = g.zip_map(factor, |g, x| g * x);
            cx.accumulate(1, gb);
        })
}

#[test]
fn a_wrong_gradient_is_reported_on_the_path_that_computed_it() {
    let a = Tensor::from_vec(vec![2.0, -4.0], [2]);
    let b = Tensor::from_vec(vec![0.5, 1.0], [2]);
    for wrong_if_a_constant in [true, false] {
        let err = gradcheck(
            |v| mul_wrong_for_b(v[0], v[1], wrong_if_a_constant),
            &[a.clone(), b.clone()],
        )
        .unwrap_err();
        assert_eq!(err.other_inputs_constant, wrong_if_a_constant, "{err}");
        assert_eq!((err.input, err.index.clone()), (1, vec![1]), "{err}");
        assert_eq!(err.analytic, 1.0, "{err}");
        assert!((err.numeric - -4.0).abs() < 1e-6, "{err}");
        assert_eq!(
            err.to_string().contains("(other inputs constant)"),
            wrong_if_a_constant,
            "{err}"
        );
    }
}

#[test]
fn nan_on_both_sides_is_a_failure() {
    // sqrt of a scalar at -1: the value and both derivatives are NaN.
    let x = Tensor::from_vec(vec![-1.0], [1]);
    let err = gradcheck(|v| v[0].sqrt(), &[x]).unwrap_err();
    assert!(err.analytic.is_nan() && err.numeric.is_nan(), "{err}");
}
