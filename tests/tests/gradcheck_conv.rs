//! Gradient checks (f64, central differences) of the convolution op and layers: conv2d over a
//! grid of stride × padding × dilation × groups (dense, grouped, depthwise), with and without
//! bias; the fused ReLU; the 1×1 shortcut; conv1d; flatten; zero padding; and their shape errors.

use autodiff_core::{Tensor, gradcheck};
use nn::fused::{Conv2dOptions, conv2d, conv2d_relu};
use nn::layers::{Conv1d, Conv2d, Flatten, Padding, Padding1d, ZeroPadding2d};
use nn::{Activation, Layer, Regularizer, Tape};

/// x, kernel and bias for `c` input channels, `o` filters, `groups` groups and a `[kh, kw]`
/// kernel, seeded.
fn operands(c: usize, o: usize, groups: usize, k: [usize; 2], seed: u64) -> [Tensor<f64>; 3] {
    [
        Tensor::normal([2, c, 5, 4], 0.0, 1.0, seed),
        Tensor::normal([o, c / groups, k[0], k[1]], 0.0, 1.0, seed + 1),
        Tensor::normal([o], 0.0, 1.0, seed + 2),
    ]
}

#[test]
fn conv2d_over_stride_padding_dilation_and_groups() {
    let mut seed = 0;
    for stride in [[1, 1], [2, 1]] {
        for padding in [[[0, 0], [0, 0]], [[1, 0], [2, 1]]] {
            for dilation in [[1, 1], [2, 2]] {
                // dense, two groups, depthwise (one group per channel, two filters each)
                for (c, o, groups) in [(2, 3, 1), (4, 2, 2), (2, 4, 2)] {
                    seed += 3;
                    let options = Conv2dOptions {
                        stride,
                        padding,
                        dilation,
                        groups,
                    };
                    let inputs = operands(c, o, groups, [2, 2], seed);
                    gradcheck(|v| conv2d(v[0], v[1], Some(v[2]), options), &inputs)
                        .unwrap_or_else(|e| panic!("{options:?}, bias: {e}"));
                    gradcheck(|v| conv2d(v[0], v[1], None, options), &inputs[..2])
                        .unwrap_or_else(|e| panic!("{options:?}, no bias: {e}"));
                }
            }
        }
    }
}

#[test]
fn conv2d_with_fused_relu() {
    // Through the column matrix (padded, strided, grouped) and the 1×1 path; with and without
    // bias. Random normal operands put no output within the difference step of the kink.
    for (options, k) in [
        (
            Conv2dOptions {
                stride: [2, 1],
                padding: [[1, 0], [1, 1]],
                groups: 2,
                ..Conv2dOptions::default()
            },
            [2, 2],
        ),
        (Conv2dOptions::default(), [1, 1]),
    ] {
        let inputs = operands(4, 6, options.groups, k, 70);
        gradcheck(|v| conv2d_relu(v[0], v[1], Some(v[2]), options), &inputs)
            .unwrap_or_else(|e| panic!("{options:?}, bias: {e}"));
        gradcheck(|v| conv2d_relu(v[0], v[1], None, options), &inputs[..2])
            .unwrap_or_else(|e| panic!("{options:?}, no bias: {e}"));
    }
}

#[test]
fn fused_relu_matches_conv2d_then_relu_on_the_whole_batch_paths() {
    // Large enough for the whole-batch products (the gradcheck shapes take the per-image ones).
    let tape = Tape::new();
    let x = tape.var(Tensor::<f32>::normal([8, 32, 13, 13], 0.0, 1.0, 1));
    let w = tape.var(Tensor::<f32>::normal([64, 32, 3, 3], 0.0, 0.1, 2));
    let b = tape.var(Tensor::<f32>::normal([64], 0.0, 0.1, 3));
    let g = tape.constant(Tensor::<f32>::normal([8, 64, 11, 11], 0.0, 1.0, 4));
    let options = Conv2dOptions::default();
    let fused = conv2d_relu(x, w, Some(b), options);
    let unfused = conv2d(x, w, Some(b), options).relu();
    assert_eq!(fused.value().data(), unfused.value().data());
    assert!(fused.value().data().contains(&0.0));
    let wrt = [x, w, b];
    let fused_grads = (fused * g).sum().backward();
    let unfused_grads = (unfused * g).sum().backward();
    for (i, v) in wrt.iter().enumerate() {
        let (a, e) = (fused_grads.wrt(*v).unwrap(), unfused_grads.wrt(*v).unwrap());
        let worst = a
            .data()
            .iter()
            .zip(e.data())
            .map(|(a, e)| (a - e).abs())
            .fold(0.0, f32::max);
        assert!(
            worst < 1e-4,
            "input {i}: fused and unfused differ by {worst}"
        );
    }
}

#[test]
fn conv2d_when_every_input_already_holds_a_gradient() {
    // Each input is used again after the op, so the op's backward must add (β = 1).
    for options in [
        Conv2dOptions {
            padding: [[1, 1], [0, 1]],
            ..Conv2dOptions::default()
        },
        Conv2dOptions {
            groups: 2,
            ..Conv2dOptions::default()
        }, // a 1×1 kernel: plain products
    ] {
        let k = if options.groups == 2 { [1, 1] } else { [2, 3] };
        let inputs = operands(2, 4, options.groups, k, 40);
        gradcheck(
            |v| {
                let y = conv2d(v[0], v[1], Some(v[2]), options).sum();
                y + (v[0] * v[0]).sum() + (v[1] * v[1]).sum() + (v[2] * v[2]).sum()
            },
            &inputs,
        )
        .unwrap_or_else(|e| panic!("{options:?}: {e}"));
    }
}

#[test]
fn pointwise_kernels_take_the_plain_product_path() {
    // 1×1, stride 1, no padding: the path without a column matrix; also with groups and a
    // dilation (which does not matter for one tap).
    for (groups, dilation) in [(1, [1, 1]), (2, [1, 1]), (1, [3, 2])] {
        let options = Conv2dOptions {
            groups,
            dilation,
            ..Conv2dOptions::default()
        };
        let inputs = operands(4, 6, groups, [1, 1], 50 + groups as u64);
        gradcheck(|v| conv2d(v[0], v[1], Some(v[2]), options), &inputs)
            .unwrap_or_else(|e| panic!("{options:?}: {e}"));
    }
    // A strided 1×1 kernel goes through the columns: the same maths.
    let options = Conv2dOptions {
        stride: [2, 2],
        ..Conv2dOptions::default()
    };
    gradcheck(
        |v| conv2d(v[0], v[1], None, options),
        &operands(3, 2, 1, [1, 1], 60)[..2],
    )
    .unwrap();
}

#[test]
fn conv2d_layer_with_same_padding_activation_and_regularizer() {
    let layer = Conv2d::<f64>::new(2, 3, [2, 3])
        .stride([2, 1])
        .padding(Padding::Same)
        .activation(Activation::Tanh)
        .kernel_regularizer(Regularizer::L2(0.1))
        .seed(3);
    let x = Tensor::normal([2, 2, 5, 4], 0.0, 1.0, 70);
    gradcheck(|v| layer.forward(v[0]), std::slice::from_ref(&x)).unwrap();
    let tape = Tape::new();
    assert_eq!(layer.forward(tape.constant(x)).dims(), [2, 3, 3, 4]);
    assert!(Layer::<f64>::penalty(&layer, &tape).is_some());
}

#[test]
fn conv1d_layer_over_paddings_strides_and_groups() {
    for (padding, stride, dilation, groups) in [
        (Padding1d::Valid, 1, 1, 1),
        (Padding1d::Same, 2, 1, 2),
        (Padding1d::Causal, 1, 2, 1),
        (Padding1d::Explicit([2, 1]), 3, 1, 2),
    ] {
        let layer = Conv1d::<f64>::new(2, 4, 3)
            .padding(padding)
            .stride(stride)
            .dilation(dilation)
            .groups(groups)
            .seed(4);
        let x = Tensor::normal([2, 2, 7], 0.0, 1.0, 80);
        gradcheck(|v| layer.forward(v[0]), &[x])
            .unwrap_or_else(|e| panic!("{padding:?}, stride {stride}: {e}"));
    }
}

#[test]
fn conv1d_layer_output_lengths_follow_keras() {
    let tape = Tape::<f32>::new();
    let x = tape.constant(Tensor::zeros([1, 2, 10]));
    let length = |padding, stride| {
        Conv1d::new(2, 1, 4)
            .padding(padding)
            .stride(stride)
            .forward(x)
            .dims()[2]
    };
    assert_eq!(length(Padding1d::Valid, 1), 7);
    assert_eq!(length(Padding1d::Same, 1), 10);
    assert_eq!(length(Padding1d::Same, 3), 4); // ⌈10 / 3⌉
    assert_eq!(length(Padding1d::Causal, 1), 10);
}

#[test]
fn flatten_and_zero_padding_layers() {
    let x = Tensor::normal([2, 3, 2, 2], 0.0, 1.0, 90);
    gradcheck(|v| Flatten.forward(v[0]), std::slice::from_ref(&x)).unwrap();
    let pad = ZeroPadding2d::new([[1, 0], [2, 1]]);
    gradcheck(|v| pad.forward(v[0]), &[x]).unwrap();
}

#[test]
#[should_panic(
    expected = "conv2d: input [2, 3, 5, 5], kernel [4, 2, 3, 3]: the kernel's second \
                           axis must be in/groups = 3/1 = 3"
)]
fn conv2d_names_both_shapes_when_channels_differ() {
    let tape = Tape::<f32>::new();
    let x = tape.constant(Tensor::zeros([2, 3, 5, 5]));
    conv2d(
        x,
        tape.constant(Tensor::zeros([4, 2, 3, 3])),
        None,
        Conv2dOptions::default(),
    );
}

#[test]
#[should_panic(
    expected = "conv2d: input [2, 3, 2, 2], kernel [4, 3, 3, 3]: a window of 3 \
                           (kernel 3, dilation 1) does not fit a padded length of 2"
)]
fn conv2d_names_both_shapes_when_the_window_does_not_fit() {
    let tape = Tape::<f32>::new();
    let x = tape.constant(Tensor::zeros([2, 3, 2, 2]));
    conv2d(
        x,
        tape.constant(Tensor::zeros([4, 3, 3, 3])),
        None,
        Conv2dOptions::default(),
    );
}

#[test]
#[should_panic(
    expected = "conv2d: input [2, 12], kernel [4, 3, 3, 3]: the input must be \
                           [batch, channels, height, width]"
)]
fn conv2d_layer_refuses_a_matrix_naming_both_shapes() {
    let tape = Tape::<f32>::new();
    Conv2d::new(3, 4, [3, 3]).forward(tape.constant(Tensor::zeros([2, 12])));
}

#[test]
#[should_panic(
    expected = "conv2d: input [1, 4, 3, 3], kernel [6, 2, 1, 1]: 3 groups must \
                           divide the input channels (4) and the kernel's outputs (6)"
)]
fn conv2d_names_both_shapes_when_groups_do_not_divide() {
    let tape = Tape::<f32>::new();
    let x = tape.constant(Tensor::zeros([1, 4, 3, 3]));
    let options = Conv2dOptions {
        groups: 3,
        ..Conv2dOptions::default()
    };
    conv2d(x, tape.constant(Tensor::zeros([6, 2, 1, 1])), None, options);
}

#[test]
#[should_panic(expected = "conv2d: kernel [4, 3, 1, 1], bias [3]: the bias must be [4]")]
fn conv2d_names_kernel_and_bias_shapes() {
    let tape = Tape::<f32>::new();
    let x = tape.constant(Tensor::zeros([1, 3, 2, 2]));
    let w = tape.constant(Tensor::zeros([4, 3, 1, 1]));
    conv2d(
        x,
        w,
        Some(tape.constant(Tensor::zeros([3]))),
        Conv2dOptions::default(),
    );
}

#[test]
#[should_panic(
    expected = "conv1d: input [2, 3, 4, 4], kernel [1, 3, 2]: the input must be \
                           [batch, channels, length]"
)]
fn conv1d_names_both_shapes() {
    let tape = Tape::<f32>::new();
    Conv1d::new(3, 1, 2).forward(tape.constant(Tensor::zeros([2, 3, 4, 4])));
}
