//! Image augmentation: seeded, the identity when every knob is 0, exact flips and whole-pixel
//! shifts, rotations and zooms that move pixels where they should, shapes kept; and inside
//! `fit`, applied to every training batch and never to the validation data.

use std::cell::Cell;

use autodiff_core::Tensor;
use nn::data::{FillMode, ImageAugmentation, ImageTransform};
use nn::layers::Flatten;
use nn::losses::Loss;
use nn::optim::Optimizer;
use nn::train::{BatchTransform, FitOptions, Model, Validation};
use nn::{Dense, Sequential};

fn batch() -> Tensor<f64> {
    Tensor::normal([3, 2, 5, 6], 0.0, 1.0, 1)
}

fn busy() -> ImageAugmentation {
    ImageAugmentation {
        width_shift_range: 0.2,
        height_shift_range: 0.2,
        horizontal_flip: true,
        rotation_range: 20.0,
        zoom_range: 0.2,
        fill_mode: FillMode::Nearest,
        seed: 3,
    }
}

#[test]
fn the_same_seed_gives_the_same_batches_and_shapes_are_kept() {
    let x = batch();
    let a = busy().transform(x.clone(), 2, 5);
    assert_eq!(a.dims(), x.dims());
    assert_eq!(a, busy().transform(x.clone(), 2, 5));
    assert_ne!(a, x);
    assert_ne!(a, busy().transform(x.clone(), 2, 6));
    assert_ne!(a, busy().transform(x.clone(), 3, 5));
    let other_seed = ImageAugmentation { seed: 4, ..busy() };
    assert_ne!(a, other_seed.transform(x, 2, 5));
}

#[test]
fn all_knobs_zero_is_the_identity() {
    let x = batch();
    for fill_mode in [FillMode::Nearest, FillMode::Constant(7.0)] {
        let none = ImageAugmentation {
            fill_mode,
            ..ImageAugmentation::default()
        };
        assert_eq!(none.transform(x.clone(), 0, 0), x);
        assert_eq!(ImageTransform::IDENTITY.apply(&x, fill_mode), x);
    }
}

#[test]
fn a_flip_is_exactly_a_mirror() {
    let x = batch();
    let flip = ImageTransform {
        flip: true,
        ..ImageTransform::IDENTITY
    };
    let y = flip.apply(&x, FillMode::Nearest);
    let mirror = Tensor::from_fn([3, 2, 5, 6], |i| x.data()[i - i % 6 + (5 - i % 6)]);
    assert_eq!(y, mirror);
}

#[test]
fn a_whole_pixel_shift_moves_pixels() {
    let x = batch();
    let shift = ImageTransform {
        shift: [1.0, 2.0],
        ..ImageTransform::IDENTITY
    };
    let constant = shift.apply(&x, FillMode::Constant(-9.0));
    let nearest = shift.apply(&x, FillMode::Nearest);
    for n in 0..3 {
        for c in 0..2 {
            for i in 0..5 {
                for j in 0..6 {
                    let got = constant.get(&[n, c, i, j]);
                    let want = if i >= 1 && j >= 2 {
                        x.get(&[n, c, i - 1, j - 2])
                    } else {
                        -9.0
                    };
                    assert_eq!(got, want, "constant fill at {:?}", [n, c, i, j]);
                    let edge = x.get(&[n, c, i.saturating_sub(1), j.saturating_sub(2)]);
                    assert_eq!(
                        nearest.get(&[n, c, i, j]),
                        edge,
                        "nearest at {:?}",
                        [n, c, i, j]
                    );
                }
            }
        }
    }
}

#[test]
fn a_quarter_turn_rotates_counter_clockwise() {
    let x = Tensor::<f64>::normal([1, 1, 5, 5], 0.0, 1.0, 2);
    let turn = ImageTransform {
        rotation: 90.0,
        ..ImageTransform::IDENTITY
    };
    let y = turn.apply(&x, FillMode::Nearest);
    for r in 0..5 {
        for c in 0..5 {
            // the top row ends up in the left column, read from the bottom up
            let (got, want) = (y.get(&[0, 0, 4 - c, r]), x.get(&[0, 0, r, c]));
            assert!((got - want).abs() < 1e-9, "({r}, {c}): {got} vs {want}");
        }
    }
}

#[test]
fn a_zoom_below_one_magnifies_about_the_centre() {
    // a ramp along the width: each pixel holds its column
    let x = Tensor::<f64>::from_fn([1, 1, 4, 7], |i| (i % 7) as f64);
    let zoom = ImageTransform {
        zoom: [1.0, 0.5],
        ..ImageTransform::IDENTITY
    };
    let y = zoom.apply(&x, FillMode::Nearest);
    for i in 0..4 {
        for j in 0..7 {
            let want = 3.0 + (j as f64 - 3.0) * 0.5;
            assert!((y.get(&[0, 0, i, j]) - want).abs() < 1e-12, "({i}, {j})");
        }
    }
}

/// Counts the rows it is given and zeroes them.
#[derive(Debug, Default)]
struct ZeroAndCount {
    rows: Cell<usize>,
    calls: Cell<usize>,
}

impl BatchTransform<Tensor<f32>> for ZeroAndCount {
    fn transform(&self, batch: Tensor<f32>, _: usize, step: usize) -> Tensor<f32> {
        assert_eq!(
            step,
            self.calls.get() % 3,
            "steps count from 0 in each epoch"
        );
        self.rows.set(self.rows.get() + batch.dims()[0]);
        self.calls.set(self.calls.get() + 1);
        Tensor::zeros(batch.dims().to_vec())
    }
}

#[test]
fn fit_transforms_every_training_batch_and_never_the_validation_data() {
    let x = Tensor::<f32>::normal([20, 1, 2, 2], 0.0, 1.0, 5);
    let y = Tensor::from_fn([20, 1], |i| x.data()[4 * i] + 1.0);
    let net = Sequential::new().add(Flatten).add(Dense::new(4, 1).seed(1));
    let mut model = Model::new(net, Loss::MeanSquaredError, Optimizer::sgd(0.01), vec![]);
    let counter = ZeroAndCount::default();
    let options = FitOptions {
        epochs: 2,
        batch_size: 6,
        validation: Validation::Split(0.25),
        verbose: false,
        augment: Some(&counter),
        ..FitOptions::default()
    };
    let history = model.fit(&x, &y, &options, &mut []).unwrap();
    // 15 training rows in batches of 6, 6 and 3, twice; the 5 validation rows never
    assert_eq!((counter.rows.get(), counter.calls.get()), (30, 6));
    let val = model
        .evaluate(&x.narrow(0, 15, 5), &y.narrow(0, 15, 5), 32)
        .unwrap();
    let val_loss = history.get("val_loss").unwrap()[1];
    assert!((val_loss - val[0].1).abs() < 1e-6, "{val_loss} vs {val:?}");
    // the training loss is the zeroed inputs': the kernel never learns, only the bias
    let trained: &Dense<f32> = model.net.layer(1).unwrap();
    assert_eq!(
        trained.kernel.value(),
        Dense::<f32>::new(4, 1).seed(1).kernel.value()
    );
}
