//! Pooling and batch norm against PyTorch (float64), from `tests/fixtures/torch_pool_bn.txt`,
//! written by `tests/fixtures/make_torch_pool_bn.py`: max pooling with overlapping windows and
//! with padding, average pooling with its padding counted in the mean, and `nn.BatchNorm2d` in
//! training mode (output, gradients of input, weight and bias, running statistics after two
//! steps) and in eval mode.

use autodiff_core::{Module, Tape, Tensor, Var};
use nn::fused::{PoolWindow, avg_pool2d, max_pool2d};
use nn::{BatchNorm2d, Layer};

const FIXTURE: &str = include_str!("../fixtures/torch_pool_bn.txt");

/// The fixture's values for `name`.
fn reference(name: &str) -> Vec<f64> {
    tests::fixture_values(FIXTURE, name)
}

fn tensor(name: &str, dims: &[usize]) -> Tensor<f64> {
    Tensor::from_vec(reference(name), dims)
}

fn assert_close(name: &str, got: &[f64]) {
    let want = reference(name);
    assert_eq!(got.len(), want.len(), "{name}: length");
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert!(
            (g - w).abs() <= 1e-10 * (1.0 + w.abs()),
            "{name}[{i}]: ours {g} vs PyTorch {w}"
        );
    }
}

/// W = 1/n, 2/n, … in `y`'s shape: the script's weights for sum(y · W).
fn weights(y: Var<'_, f64>) -> Tensor<f64> {
    let n = y.shape().numel();
    Tensor::from_fn(y.shape(), |i| (i + 1) as f64 / n as f64)
}

fn assert_pool_matches(name: &str, f: impl for<'t> Fn(Var<'t, f64>) -> Var<'t, f64>) {
    let tape = Tape::new();
    let x = tape.var(tensor("pool.input", &[2, 3, 7, 7]));
    let y = f(x);
    let grads = y.backward_with(weights(y));
    assert_close(name, y.value().data());
    assert_close(&format!("{name}.grad"), grads.wrt(x).unwrap().data());
}

#[test]
fn max_pooling_matches_pytorch() {
    assert_pool_matches("max_pool_3x3_s2", |x| {
        max_pool2d(x, PoolWindow::new(3).stride(2))
    });
    assert_pool_matches("max_pool_2x2_p1", |x| {
        max_pool2d(x, PoolWindow::new(2).padding(1))
    });
}

#[test]
fn average_pooling_matches_pytorch() {
    assert_pool_matches("avg_pool_3x3_s2_p1", |x| {
        avg_pool2d(x, PoolWindow::new(3).stride(2).padding(1))
    });
    assert_pool_matches("avg_pool_2x2", |x| avg_pool2d(x, PoolWindow::new(2)));
}

fn bn_input(k: usize) -> Tensor<f64> {
    tensor(&format!("bn.input{k}"), &[4, 3, 5, 5])
}

#[test]
fn batch_norm_2d_matches_pytorch_in_training_and_eval() {
    let mut bn = BatchNorm2d::<f64>::new(3);
    bn.weight.set(tensor("bn.weight", &[3]));
    bn.bias.set(tensor("bn.bias", &[3]));
    Module::<f64>::set_training(&mut bn, true);
    {
        let tape = Tape::new();
        let x = tape.var(bn_input(0));
        let y = bn.forward(x);
        let grads = y.backward_with(weights(y));
        assert_close("bn.train", y.value().data());
        assert_close("bn.train.grad", grads.wrt(x).unwrap().data());
        assert_close(
            "bn.train.grad_weight",
            grads.param(&bn.weight).unwrap().data(),
        );
        assert_close("bn.train.grad_bias", grads.param(&bn.bias).unwrap().data());
    }
    bn.forward(Tape::new().constant(bn_input(1)));
    assert_close("bn.running_mean", bn.running_mean.value().data());
    assert_close("bn.running_var", bn.running_var.value().data());
    assert_close(
        "bn.num_batches_tracked",
        &[bn.num_batches_tracked.get() as f64],
    );

    Module::<f64>::set_training(&mut bn, false);
    let tape = Tape::new();
    let x = tape.var(bn_input(2));
    let y = bn.forward(x);
    let grads = y.backward_with(weights(y));
    assert_close("bn.eval", y.value().data());
    assert_close("bn.eval.grad", grads.wrt(x).unwrap().data());
    assert_eq!(bn.num_batches_tracked.get(), 2, "eval mode counts no batch");
}
