//! The blocks of `nn::blocks`: gradient checks (f64, central differences, PyTorch's
//! tolerances) in the input and in every parameter, with batch normalisation in training mode;
//! output shapes; and each block trained inside a `Sequential` by `Model::fit`.

use autodiff_core::{ParamPath, Tape, Tensor, gradcheck};
use nn::blocks::{AlexNet, AlexNetConfig, BasicBlock, Bottleneck, InceptionModule};
use nn::layers::AnyLayer;
use nn::layers::Flatten;
use nn::losses::Loss;
use nn::optim::Optimizer;
use nn::train::{FitOptions, Model};
use nn::{Dense, Layer, Regularizer, Sequential};

const EPS: f64 = 1e-6;

/// A scalar that weighs each output differently, so batch normalisation's outputs do not sum
/// to a constant.
fn weighted_sum<'t, B: Layer<'t, f64, Output = nn::Var<'t, f64>>>(
    block: &B,
    tape: &'t Tape<f64>,
    x: &Tensor<f64>,
    weights: &Tensor<f64>,
) -> nn::Var<'t, f64> {
    (block.forward(tape.constant(x.clone())) * tape.constant(weights.clone())).sum()
}

/// Checks the block's gradient in `x` with `gradcheck`, and in every parameter against central
/// differences, with every training-only layer on. Every parameter is moved off its initial
/// value first: zero biases put relu's inputs exactly on its kink wherever a relu before them
/// gave zeros, and there the derivative has no single value.
fn check_block<B: for<'t> Layer<'t, f64, Output = nn::Var<'t, f64>>>(mut block: B, x: Tensor<f64>) {
    block.set_training(true);
    let mut seed = 100;
    block.visit_mut(&mut ParamPath::new(), &mut |_, p| {
        seed += 1;
        let noise = Tensor::normal(p.value().dims().to_vec(), 0.0, 0.2, seed);
        p.update(|t| *t = t.add(&noise));
    });
    gradcheck(|v| block.forward(v[0]), std::slice::from_ref(&x)).unwrap();

    let out_dims = {
        let tape = Tape::no_grad();
        block.forward(tape.constant(x.clone())).dims()
    };
    let weights = Tensor::normal(out_dims, 0.0, 1.0, 9);
    let tape = Tape::new();
    let grads = weighted_sum(&block, &tape, &x, &weights).backward();
    let analytic: Vec<(String, Tensor<f64>)> = block
        .named_params()
        .into_iter()
        .map(|(name, p)| {
            (
                name,
                grads.param(p).expect("every parameter is used").clone(),
            )
        })
        .collect();
    drop(grads);
    drop(tape);
    let loss_at = |block: &B| {
        let tape = Tape::no_grad();
        weighted_sum(block, &tape, &x, &weights).item()
    };
    for (k, (name, grad)) in analytic.iter().enumerate() {
        for e in 0..grad.numel() {
            let nudge = |block: &mut B, by: f64| {
                let mut index = 0;
                block.visit_mut(&mut ParamPath::new(), &mut |_, p| {
                    if index == k {
                        p.update(|t| t.data_mut()[e] += by);
                    }
                    index += 1;
                });
            };
            nudge(&mut block, EPS);
            let up = loss_at(&block);
            nudge(&mut block, -2.0 * EPS);
            let down = loss_at(&block);
            nudge(&mut block, EPS);
            let numeric = (up - down) / (2.0 * EPS);
            let analytic = grad.data()[e];
            assert!(
                (analytic - numeric).abs() <= 1e-5 + 1e-3 * numeric.abs(),
                "{name}[{e}]: analytic {analytic:e} vs numeric {numeric:e}"
            );
        }
    }
}

fn images(n: usize, c: usize, side: usize, seed: u64) -> Tensor<f64> {
    Tensor::normal([n, c, side, side], 0.0, 1.0, seed)
}

#[test]
fn basic_block_with_identity_shortcut() {
    let block = BasicBlock::<f64>::new(2, 2, 1).seed(1);
    assert!(block.shortcut.is_none());
    check_block(block, images(2, 2, 4, 1));
}

#[test]
fn basic_block_with_projection_shortcut_for_stride_and_channels() {
    let strided = BasicBlock::<f64>::new(2, 3, 2).seed(2);
    assert!(strided.shortcut.is_some());
    check_block(strided, images(2, 2, 5, 2));
    let wider = BasicBlock::<f64>::new(2, 3, 1).seed(3);
    assert!(wider.shortcut.is_some());
    check_block(wider, images(2, 2, 3, 3));
}

#[test]
fn bottleneck_with_both_shortcuts() {
    let identity = Bottleneck::<f64>::new(4, 1, 1).seed(4);
    assert!(identity.shortcut.is_none());
    check_block(identity, images(2, 4, 3, 4));
    check_block(Bottleneck::<f64>::new(2, 1, 2).seed(5), images(2, 2, 4, 5));
}

#[test]
fn inception_module() {
    check_block(
        InceptionModule::<f64>::new(2, 1, [1, 2], [1, 1], 1).seed(6),
        images(2, 2, 4, 6),
    );
}

#[test]
fn output_shapes_follow_the_papers() {
    let tape = Tape::<f32>::no_grad();
    let x = |dims: [usize; 4]| tape.constant(Tensor::zeros(dims));
    let shape = |l: &dyn AnyLayer<f32>, dims| l.forward(x(dims)).dims();
    assert_eq!(shape(&BasicBlock::new(3, 3, 1), [2, 3, 7, 7]), [2, 3, 7, 7]);
    assert_eq!(shape(&BasicBlock::new(3, 6, 2), [2, 3, 7, 7]), [2, 6, 4, 4]);
    assert_eq!(shape(&BasicBlock::new(3, 6, 2), [1, 3, 8, 8]), [1, 6, 4, 4]);
    assert_eq!(shape(&Bottleneck::new(8, 2, 1), [2, 8, 5, 5]), [2, 8, 5, 5]);
    assert_eq!(shape(&Bottleneck::new(3, 2, 2), [2, 3, 6, 6]), [2, 8, 3, 3]);
    let inception = InceptionModule::new(3, 2, [2, 3], [1, 4], 5);
    assert_eq!(inception.out_channels(), 2 + 3 + 4 + 5);
    assert_eq!(shape(&inception, [2, 3, 5, 6]), [2, 14, 5, 6]);
    let config = AlexNetConfig::small(1, [24, 16], 7);
    assert_eq!(AlexNet::<f32>::feature_size(&config), [32, 2, 1]);
    assert_eq!(shape(&AlexNet::new(&config), [3, 1, 24, 16]), [3, 7]);
}

#[test]
#[should_panic(expected = "AlexNet: images of [8, 8] are too small")]
fn alexnet_refuses_images_too_small_for_its_poolings() {
    AlexNet::<f32>::feature_size(&AlexNetConfig::small(1, [8, 8], 10));
}

#[test]
fn every_block_passes_its_kernel_penalties_on() {
    let tape = Tape::<f32>::new();
    let l2 = Regularizer::L2(1.0);
    let sum_of_squares = |m: &dyn AnyLayer<f32>| -> f32 {
        let mut total = 0.0;
        m.visit(&mut ParamPath::new(), &mut |path, p| {
            if path.as_str().ends_with("kernel") {
                total += p.value().data().iter().map(|v| v * v).sum::<f32>();
            }
        });
        total
    };
    let blocks: Vec<Box<dyn AnyLayer<f32>>> = vec![
        Box::new(BasicBlock::new(2, 3, 2).kernel_regularizer(l2)),
        Box::new(Bottleneck::new(2, 1, 2).kernel_regularizer(l2)),
        Box::new(InceptionModule::new(2, 1, [1, 1], [1, 1], 1).kernel_regularizer(l2)),
    ];
    for block in &blocks {
        let penalty = block.penalty(&tape).expect("a penalty").item();
        let expected = sum_of_squares(block.as_ref());
        assert!(
            (penalty - expected).abs() < 1e-4 * expected,
            "{penalty} vs {expected}"
        );
    }
    assert!(BasicBlock::<f32>::new(2, 2, 1).penalty(&tape).is_none());
}

/// `n` noisy 1×`side`×`side` images: class 1 holds a vertical bar, class 0 a horizontal one.
fn bars(n: usize, side: usize) -> (Tensor<f32>, Tensor<f32>) {
    let noise = Tensor::<f32>::normal([n, 1, side, side], 0.0, 0.3, 11);
    let plane = side * side;
    let x = Tensor::from_fn([n, 1, side, side], |i| {
        let (image, y, x) = (i / plane, i / side % side, i % side);
        let at = (image * 7 / 3) % side;
        let on = if image % 2 == 1 { x == at } else { y == at };
        noise.data()[i] + if on { 1.0 } else { 0.0 }
    });
    (x, Tensor::from_fn([n], |image| (image % 2) as f32))
}

/// The first and last epoch's training loss of `net` fitted on bars.
fn first_and_last_loss(net: Sequential<f32>, side: usize, epochs: usize) -> (f64, f64) {
    let (x, y) = bars(32, side);
    let loss = Loss::SparseCategoricalCrossentropy { from_logits: true };
    let mut model = Model::new(net, loss, Optimizer::adam(0.01), vec![]);
    let options = FitOptions {
        epochs,
        batch_size: 16,
        verbose: false,
        ..FitOptions::default()
    };
    let history = model.fit(&x, &y, &options, &mut []).unwrap();
    let losses = history.get("loss").unwrap();
    (losses[0], losses[epochs - 1])
}

/// `block` on 1×6×6 images, flattened into a dense layer of 2 logits; `features` is the
/// block's output size.
fn with_dense_head(block: impl AnyLayer<f32>, features: usize) -> Sequential<f32> {
    Sequential::new()
        .add(block)
        .add(Flatten)
        .add(Dense::new(features, 2).seed(9))
}

#[test]
fn each_block_trains_inside_sequential_through_fit() {
    let nets = [
        (
            "basic",
            with_dense_head(BasicBlock::new(1, 4, 2).seed(1), 4 * 9),
        ),
        (
            "bottleneck",
            with_dense_head(Bottleneck::new(1, 2, 1).seed(2), 8 * 36),
        ),
        (
            "inception",
            with_dense_head(
                InceptionModule::new(1, 2, [2, 2], [1, 2], 2).seed(3),
                8 * 36,
            ),
        ),
    ];
    for (name, net) in nets {
        let (first, last) = first_and_last_loss(net, 6, 15);
        assert!(last < first * 0.5, "{name}: loss {first} → {last}");
    }
    let mut config = AlexNetConfig::small(1, [16, 16], 2);
    config.filters = [4, 8, 8, 8, 8];
    config.dense_units = 16;
    config.dropout = 0.1;
    let alexnet = Sequential::new().add(AlexNet::new(&config));
    let (first, last) = first_and_last_loss(alexnet, 16, 15);
    assert!(last < first * 0.5, "alexnet: loss {first} → {last}");
}
