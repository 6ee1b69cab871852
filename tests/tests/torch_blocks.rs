//! The blocks of `nn::blocks` against PyTorch (float64), from `tests/fixtures/torch_blocks.txt`,
//! written by `tests/fixtures/make_torch_blocks.py`: ResNet's basic block (projection and
//! identity shortcuts), the bottleneck and the Inception module, with PyTorch's parameters
//! loaded by name and batch norm in training mode; outputs and the gradients of the input and
//! of every parameter.

use autodiff_core::{ParamPath, Tape, Tensor, Var};
use nn::Layer;
use nn::blocks::{BasicBlock, Bottleneck, InceptionModule};

const FIXTURE: &str = include_str!("../fixtures/torch_blocks.txt");

/// The fixture's values for `name`.
fn reference(name: &str) -> Vec<f64> {
    tests::fixture_values(FIXTURE, name)
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

/// PyTorch's name of one of our parameters: `conv1.kernel` is `conv1.weight`.
fn torch_name(case: &str, ours: &str) -> String {
    format!("{case}.{}", ours.replace("kernel", "weight"))
}

/// Loads the case's parameters into `block`, runs it in training mode on the case's input, and
/// compares the output and every gradient of sum(output · W) with PyTorch's.
fn check<B: for<'t> Layer<'t, f64, Output = Var<'t, f64>>>(
    case: &str,
    mut block: B,
    dims: [usize; 4],
) {
    block.visit_mut(&mut ParamPath::new(), &mut |path, p| {
        let dims = p.value().dims().to_vec();
        p.set(Tensor::from_vec(
            reference(&torch_name(case, path.as_str())),
            dims,
        ));
    });
    block.set_training(true);
    let tape = Tape::new();
    let x = tape.var(Tensor::from_vec(reference(&format!("{case}.input")), dims));
    let y = block.forward(x);
    let n = y.value().numel();
    let w = Tensor::from_fn(y.dims(), |i| (i + 1) as f64 / n as f64);
    let grads = (y * tape.constant(w)).sum().backward();
    assert_close(&format!("{case}.output"), y.value().data());
    assert_close(&format!("{case}.input.grad"), grads.wrt(x).unwrap().data());
    for (name, p) in block.named_params() {
        let grad = grads.param(p).unwrap();
        assert_close(&format!("{}.grad", torch_name(case, &name)), grad.data());
    }
}

#[test]
fn basic_block_with_a_projection_matches_pytorch() {
    check("basic", BasicBlock::new(2, 3, 2), [2, 2, 5, 5]);
}

#[test]
fn basic_block_with_the_identity_matches_pytorch() {
    check("basic_identity", BasicBlock::new(3, 3, 1), [2, 3, 4, 4]);
}

#[test]
fn bottleneck_matches_pytorch() {
    check("bottleneck", Bottleneck::new(3, 2, 2), [2, 3, 6, 6]);
}

#[test]
fn inception_module_matches_pytorch() {
    check(
        "inception",
        InceptionModule::new(3, 2, [2, 3], [1, 2], 2),
        [2, 3, 5, 5],
    );
}
