//! Values and gradients against numbers PyTorch computed (float64), from
//! `tests/fixtures/torch_reference.txt`, written by `tests/fixtures/make_torch_reference.py`.
//! Finite differences prove our derivatives match our own forward passes; these prove the
//! forward passes and conventions (variance correction, how a maximum splits ties, loss
//! reductions) match PyTorch's.

use autodiff_core::{Correction, Tape, Tensor, Var};
use nn::Activation;
use nn::losses::{
    binary_crossentropy_from_logits, huber, mean_squared_error,
    sparse_categorical_crossentropy_from_logits,
};

const FIXTURE: &str = include_str!("../fixtures/torch_reference.txt");

fn x() -> Tensor<f64> {
    let data = vec![
        0.1, -1.2, 0.7, 2.0, 0.5, 0.5, -0.3, 1.1, -2.0, 0.0, 0.3, 0.3,
    ];
    Tensor::from_vec(data, [3, 4])
}

fn constant<'t>(tape: &'t Tape<f64>, data: Vec<f64>, dims: &[usize]) -> Var<'t, f64> {
    tape.constant(Tensor::from_vec(data, dims))
}

/// The fixture's values for `name`.
fn reference(name: &str) -> Vec<f64> {
    tests::fixture_values(FIXTURE, name)
}

/// Our output of `f` and the gradient of Σ output · W (W = 1/n, 2/n, …), as the script does.
fn ours(f: impl for<'t> Fn(Var<'t, f64>) -> Var<'t, f64>) -> (Vec<f64>, Vec<f64>) {
    let tape = Tape::new();
    let input = tape.var(x());
    let y = f(input);
    let n = y.shape().numel();
    let weights = Tensor::from_fn(y.shape(), |i| (i + 1) as f64 / n as f64);
    let grads = y.backward_with(weights);
    (
        y.value().into_vec(),
        grads.wrt(input).unwrap().data().to_vec(),
    )
}

fn assert_matches(name: &str, f: impl for<'t> Fn(Var<'t, f64>) -> Var<'t, f64>) {
    let (value, grad) = ours(f);
    for (what, got, want) in [
        ("value", value, reference(name)),
        ("grad", grad, reference(&format!("{name}.grad"))),
    ] {
        assert_eq!(got.len(), want.len(), "{name} {what}: length");
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            assert!(
                (g - w).abs() <= 1e-10 + 1e-9 * w.abs(),
                "{name} {what}[{i}]: ours {g} vs PyTorch {w}"
            );
        }
    }
}

#[test]
fn core_ops_match_pytorch() {
    assert_matches("softmax0", |x| x.softmax(0));
    assert_matches("log_softmax1", |x| x.log_softmax(1));
    assert_matches("logsumexp1", |x| x.logsumexp(1, false));
    assert_matches("var1_unbiased", |x| {
        x.var_axis(1, false, Correction::Sample)
    });
    assert_matches("var0_population", |x| {
        x.var_axis(0, true, Correction::Population)
    });
    assert_matches("amax1", |x| x.max_axis(1, false));
    assert_matches("mean_all", |x| x.mean());
    assert_matches("sigmoid", |x| x.sigmoid());
    assert_matches("tanh_times_x", |x| x.tanh() * x);
    assert_matches("matmul_xxt", |x| x.matmul(x.t()));
}

#[test]
fn activations_match_pytorch() {
    assert_matches("gelu", |x| Activation::Gelu.apply(x));
    assert_matches("elu", |x| Activation::Elu(1.0).apply(x));
    assert_matches("selu", |x| Activation::Selu.apply(x));
    assert_matches("softplus", |x| Activation::Softplus.apply(x));
}

#[test]
fn losses_match_pytorch() {
    assert_matches("bce_with_logits", |x| {
        let t = vec![1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.0];
        binary_crossentropy_from_logits(x, constant(x.tape(), t, &[3, 4]))
    });
    assert_matches("cross_entropy", |x| {
        sparse_categorical_crossentropy_from_logits(
            x,
            constant(x.tape(), vec![3.0, 0.0, 2.0], &[3]),
        )
    });
    let y = vec![
        0.0, -1.0, 1.0, 2.5, 0.2, 0.1, 0.0, 1.0, -1.0, 0.5, 0.3, -0.2,
    ];
    assert_matches("mse", |x| {
        mean_squared_error(x, constant(x.tape(), y.clone(), &[3, 4]))
    });
    assert_matches("huber", |x| {
        huber(x, constant(x.tape(), y.clone(), &[3, 4]), 1.0)
    });
}
