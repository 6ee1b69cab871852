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
