//! conv2d against PyTorch: outputs and input, kernel and bias gradients of
//! `torch.nn.functional.conv2d` on seeded f64 data for stride 2, padding (per side, as
//! TensorFlow's `same` pads an even kernel), dilation 2, groups 2, depthwise and 1×1 kernels,
//! written by `tests/fixtures/make_torch_conv.py`, equal within 1e-10.

use autodiff_core::{Tape, Tensor};
use nn::fused::{Conv2dOptions, conv2d};

const FIXTURE: &str = include_str!("../fixtures/torch_conv.txt");

const CASES: [&str; 8] = [
    "stride2",
    "padding",
    "dilation2",
    "groups2",
    "depthwise",
    "tf_same_even_kernel",
    "strided_dilated_uneven",
    "pointwise",
];

/// The tensor on the line `CASE.FIELD dims values…`.
fn field(case: &str, name: &str) -> Tensor<f64> {
    let key = format!("{case}.{name}");
    let line = FIXTURE
        .lines()
        .find(|l| l.split(' ').next() == Some(key.as_str()))
        .unwrap_or_else(|| panic!("{key} is not in the fixture"));
    let mut parts = line.split(' ').skip(1);
    let dims: Vec<usize> = parts
        .next()
        .unwrap()
        .split(',')
        .map(|d| d.parse().unwrap())
        .collect();
    Tensor::from_vec(parts.map(|v| v.parse().unwrap()).collect(), dims.as_slice())
}

fn options(case: &str) -> Conv2dOptions {
    let o: Vec<usize> = field(case, "options")
        .data()
        .iter()
        .map(|&v| v as usize)
        .collect();
    Conv2dOptions {
        stride: [o[0], o[1]],
        padding: [[o[2], o[3]], [o[4], o[5]]],
        dilation: [o[6], o[7]],
        groups: o[8],
    }
}

fn assert_close(case: &str, what: &str, ours: &Tensor<f64>, want: &Tensor<f64>) {
    assert_eq!(ours.dims(), want.dims(), "{case} {what}");
    for (i, (a, b)) in ours.data().iter().zip(want.data()).enumerate() {
        assert!(
            (a - b).abs() <= 1e-10,
            "{case} {what}[{i}]: ours {a}, PyTorch {b}"
        );
    }
}

#[test]
fn conv2d_values_and_gradients_match_pytorch() {
    for case in CASES {
        let tape = Tape::new();
        let [x, w, b] = ["x", "w", "b"].map(|name| tape.var(field(case, name)));
        let y = conv2d(x, w, Some(b), options(case));
        assert_close(case, "y", &y.value(), &field(case, "y"));
        let n = y.shape().numel();
        let weights = Tensor::from_fn(y.shape(), |i| (i + 1) as f64 / n as f64);
        let grads = (y * tape.constant(weights)).sum().backward();
        for (var, name) in [(x, "x.grad"), (w, "w.grad"), (b, "b.grad")] {
            assert_close(case, name, grads.wrt(var).unwrap(), &field(case, name));
        }
    }
}
