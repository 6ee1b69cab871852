//! The checker itself can fail: a deliberately wrong backward is caught and reported.

use autodiff_core::{BackwardCx, GradcheckError, GradcheckReference, Tensor, Var, gradcheck};

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
    assert!((err.expected - -6.0).abs() < 1e-6, "{err}");
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
    assert!((err.expected - 3.0).abs() < 1e-6, "{err}");
}

/// y = a·b, whose backward gets b's gradient wrong (b instead of a) whenever `a` needs none:
/// the bug sits on a path that a check with every input a variable never takes.
fn mul_wrong_when_a_is_constant<'t>(a: Var<'t, f64>, b: Var<'t, f64>) -> Var<'t, f64> {
    let value = a.with_value(|x| b.with_value(|y| x.zip_map(y, |p, q| p * q)));
    a.tape().record(value, &[a, b], |cx: &mut BackwardCx<f64>| {
        let g = cx.grad_output().clone();
        if cx.needs_grad(0) {
            let ga = g.zip_map(cx.input(1), |g, y| g * y);
            cx.accumulate(0, ga);
            let gb = g.zip_map(cx.input(0), |g, x| g * x);
            cx.accumulate(1, gb);
        } else {
            let gb = g.zip_map(cx.input(1), |g, y| g * y);
            cx.accumulate(1, gb);
        }
    })
}

#[test]
fn a_wrong_gradient_when_another_input_is_constant_is_reported() {
    let a = Tensor::from_vec(vec![2.0, -1.0], [2]);
    let b = Tensor::from_vec(vec![0.5, 3.0], [2]);
    let err = gradcheck(|v| mul_wrong_when_a_is_constant(v[0], v[1]), &[a, b]).unwrap_err();
    assert_eq!(
        err.reference,
        GradcheckReference::AllInputsVariables,
        "{err}"
    );
    assert_eq!((err.input, err.index.clone()), (1, vec![1]), "{err}");
    assert_eq!((err.analytic, err.expected), (3.0, -1.0), "{err}");
    assert!(err.to_string().contains("other inputs constant"), "{err}");
}
