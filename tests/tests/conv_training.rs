//! A small CNN (conv → relu → flatten → dense) trained end to end by `Model::fit` on 4-D image
//! batches: shuffled mini-batches, a validation split, `evaluate` and `predict` cut NCHW
//! tensors along their first axis.

use autodiff_core::Tensor;
use nn::layers::{Conv2d, Flatten, Padding, ZeroPadding2d};
use nn::losses::Loss;
use nn::metrics::Metric;
use nn::optim::Optimizer;
use nn::train::{FitOptions, Model, Validation};
use nn::{Activation, Dense, Dropout, Sequential};

/// `n` noisy 1×6×6 images, class 1 holding a vertical bar and class 0 a horizontal one, at a
/// position that varies from image to image.
fn bars(n: usize) -> (Tensor<f32>, Tensor<f32>) {
    let noise = Tensor::<f32>::normal([n, 1, 6, 6], 0.0, 0.3, 11);
    let x = Tensor::from_fn([n, 1, 6, 6], |i| {
        let (image, y, x) = (i / 36, i / 6 % 6, i % 6);
        let at = (image * 7 / 3) % 6;
        let on = if image % 2 == 1 { x == at } else { y == at };
        noise.data()[i] + if on { 1.0 } else { 0.0 }
    });
    let labels = Tensor::from_fn([n], |image| (image % 2) as f32);
    (x, labels)
}

#[test]
fn a_small_cnn_learns_through_fit_on_image_batches() {
    let (x, y) = bars(120);
    let net = Sequential::new()
        .add(ZeroPadding2d::uniform(1))
        .add(
            Conv2d::new(1, 4, [3, 3])
                .padding(Padding::Valid)
                .activation(Activation::Relu)
                .seed(1),
        )
        .add(Flatten)
        .add(Dropout::new(0.1, 3))
        .add(Dense::new(4 * 6 * 6, 2).seed(2));
    let loss = Loss::SparseCategoricalCrossentropy { from_logits: true };
    let metrics = vec![Metric::sparse_categorical_accuracy("acc")];
    let mut model = Model::new(net, loss, Optimizer::adam(0.01), metrics);
    let options = FitOptions {
        epochs: 15,
        batch_size: 16,
        validation: Validation::Split(0.25),
        verbose: false,
        ..FitOptions::default()
    };
    let history = model.fit(&x, &y, &options, &mut []).unwrap();
    let losses = history.get("loss").unwrap();
    assert!(losses[14] < losses[0] / 4.0, "{losses:?}");
    assert!(history.get("val_acc").unwrap()[14] > 0.9, "{history:?}");

    let (test_x, test_y) = bars(40);
    let logs = model.evaluate(&test_x, &test_y, 16).unwrap();
    let accuracy = logs.iter().find(|(k, _)| k == "acc").unwrap().1;
    assert!(accuracy > 0.9, "{logs:?}");
    assert_eq!(model.predict(&test_x, 16).unwrap().dims(), [40, 2]);
}
