//! Gradient checks (f64, central differences, PyTorch's tolerances) of every nn activation,
//! layer and loss, through the public API.

use autodiff_core::{Module, Tensor, gradcheck};
use nn::losses::Loss;
use nn::{Activation, Dense, Dropout, Initializer, Layer, Regularizer, Sequential};

/// Points away from the kinks of relu, leaky relu and elu at 0.
fn points() -> Tensor<f64> {
    Tensor::from_vec(vec![-2.5, -0.7, -0.1, 0.2, 0.9, 3.0], [2, 3])
}

#[test]
fn every_activation() {
    let all = [
        Activation::Linear,
        Activation::Relu,
        Activation::Sigmoid,
        Activation::Tanh,
        Activation::Softmax(1),
        Activation::Softmax(0),
        Activation::Gelu,
        Activation::Elu(1.0),
        Activation::Elu(0.5),
        Activation::Selu,
        Activation::LeakyRelu(0.2),
        Activation::Softplus,
        Activation::Swish,
    ];
    for a in all {
        gradcheck(|v| a.apply(v[0]), &[points()]).unwrap_or_else(|e| panic!("{a:?}: {e}"));
    }
}

#[test]
fn dense_layer_in_its_input_and_through_its_kernel() {
    let layer = Dense::<f64>::new(3, 4).activation(Activation::Tanh).seed(5);
    gradcheck(|v| layer.forward(v[0]), &[points()]).unwrap();
    // the layer's maths with the kernel and bias as inputs
    let w = Initializer::HeNormal.init::<f64>(&[3, 4], 1);
    let b = Tensor::normal([4], 0.0, 1.0, 2);
    gradcheck(
        |v| Activation::Swish.apply(nn::fused::linear(v[0], v[1], Some(v[2]))),
        &[points(), w, b],
    )
    .unwrap();
}

#[test]
fn sequential_with_dropout_and_regularized_kernels() {
    let net = |training: bool| {
        let mut net = Sequential::<f64>::new()
            .add(
                Dense::new(3, 5)
                    .activation(Activation::Elu(1.0))
                    .kernel_regularizer(Regularizer::L2(0.1))
                    .seed(1),
            )
            .add(Dropout::new(0.4, 9))
            .add(Dense::new(5, 2).activation(Activation::Softmax(1)).seed(2));
        net.set_training(training);
        net
    };
    // a fresh network per evaluation: the same dropout mask every time
    gradcheck(|v| net(true).forward(v[0]), &[points()]).unwrap();
    gradcheck(|v| net(false).forward(v[0]), &[points()]).unwrap();
}

#[test]
fn every_loss_through_the_loss_enum_in_prediction_and_target() {
    let logits = points();
    let probs = Activation::Sigmoid
        .apply(autodiff_core::Tape::new().constant(points()))
        .value();
    let row_probs = points().softmax(1);
    let binary = Tensor::from_vec(vec![1.0, 0.0, 0.0, 1.0, 1.0, 0.0], [2, 3]);
    let onehot = Tensor::from_vec(vec![0.0, 1.0, 0.0, 0.0, 0.0, 1.0], [2, 3]);
    let labels = Tensor::from_vec(vec![1.0, 2.0], [2]);
    let cases = [
        (
            Loss::BinaryCrossentropy { from_logits: false },
            probs.clone(),
            binary.clone(),
        ),
        (
            Loss::BinaryCrossentropy { from_logits: true },
            logits.clone(),
            binary.clone(),
        ),
        (
            Loss::CategoricalCrossentropy { from_logits: false },
            row_probs.clone(),
            onehot.clone(),
        ),
        (
            Loss::CategoricalCrossentropy { from_logits: true },
            logits.clone(),
            onehot,
        ),
        (
            Loss::SparseCategoricalCrossentropy { from_logits: false },
            row_probs,
            labels.clone(),
        ),
        (
            Loss::SparseCategoricalCrossentropy { from_logits: true },
            logits.clone(),
            labels,
        ),
        (Loss::MeanSquaredError, logits.clone(), binary.clone()),
        (Loss::MeanAbsoluteError, logits.clone(), binary.clone()),
        (Loss::Huber(1.0), logits, binary),
    ];
    for (loss, pred, target) in cases {
        // the target on the tape too, except class indices, which have no gradient
        let result = if matches!(loss, Loss::SparseCategoricalCrossentropy { .. }) {
            gradcheck(
                |v| loss.compute(v[0], v[0].tape().constant(target.clone())),
                &[pred],
            )
        } else {
            gradcheck(|v| loss.compute(v[0], v[1]), &[pred, target])
        };
        result.unwrap_or_else(|e| panic!("{loss:?}: {e}"));
    }
}
