//! [`AlexNet`]: the stack of Krizhevsky, Sutskever and Hinton 2012 ("ImageNet Classification
//! with Deep Convolutional Neural Networks", Fig. 2), sized by an [`AlexNetConfig`] so that it
//! also fits small images.
//!
//! Fig. 2 in words: five convolutional layers then three fully connected ones. The first
//! convolution has a large kernel and a stride (11×11, stride 4, 96 filters on 224×224 images);
//! the second is 5×5 (256), the last three 3×3 (384, 384, 256); relu follows each. Max pooling
//! with overlapping windows (3×3, stride 2, §3.4) follows the first, second and fifth
//! convolutions. The dense head is two hidden layers of 4096 relu units, each with dropout 0.5
//! (§4.2), and the class scores. This version leaves out local response normalisation (later
//! work found it adds little) and the split over two GPUs; it returns logits, to be trained
//! with a `from_logits` loss. Convolutions pad by ⌊k / 2⌋ (the 3×3 and 5×5 ones keep the size).
//!
//! ```
//! use autodiff_core::{Tape, Tensor};
//! use nn::blocks::{AlexNet, AlexNetConfig};
//! use nn::Layer;
//! // The paper's sizes (227×227 is what its arithmetic needs).
//! let paper = AlexNetConfig::imagenet();
//! assert_eq!(AlexNet::<f32>::feature_size(&paper), [256, 6, 6]);
//! // A small one for 1×16×16 digits: 5×5 stride 1 first kernel, narrower layers.
//! let small = AlexNetConfig::small(1, [16, 16], 10);
//! let net = AlexNet::<f32>::new(&small);
//! let tape = Tape::new();
//! assert_eq!(net.forward(tape.constant(Tensor::zeros([2, 1, 16, 16]))).dims(), [2, 10]);
//! ```

use autodiff_core::{Float, Tape, Var};
use autodiff_macros::Module;

use super::sum_penalties;
use crate::layers::{Conv2d, Flatten, MaxPool2d, Padding};
use crate::{Activation, Dense, Dropout, Layer, Sequential};

/// The sizes of an [`AlexNet`].
#[derive(Clone, Debug, PartialEq)]
pub struct AlexNetConfig {
    /// Channels of the input images.
    pub in_channels: usize,
    /// `[height, width]` of the input images.
    pub image_size: [usize; 2],
    /// The number of classes (outputs of the last layer).
    pub classes: usize,
    /// The first convolution's square kernel (11 in the paper).
    pub first_kernel: usize,
    /// The first convolution's stride (4 in the paper).
    pub first_stride: usize,
    /// Filters of the five convolutions (96, 256, 384, 384, 256 in the paper).
    pub filters: [usize; 5],
    /// Units of each of the two hidden dense layers (4096 in the paper).
    pub dense_units: usize,
    /// The dropout rate before each hidden dense layer (0.5 in the paper).
    pub dropout: f64,
    /// The seed of the kernels and the dropout masks.
    pub seed: u64,
}

impl AlexNetConfig {
    /// The paper's network on 3×227×227 images and 1000 classes.
    pub fn imagenet() -> Self {
        AlexNetConfig {
            in_channels: 3,
            image_size: [227, 227],
            classes: 1000,
            first_kernel: 11,
            first_stride: 4,
            filters: [96, 256, 384, 384, 256],
            dense_units: 4096,
            dropout: 0.5,
            seed: 0,
        }
    }

    /// A narrow network for small images (16×16 to 32×32): a 5×5 first kernel with stride 1,
    /// filters 16, 32, 48, 48, 32, dense layers of 128 units, dropout 0.5.
    pub fn small(in_channels: usize, image_size: [usize; 2], classes: usize) -> Self {
        AlexNetConfig {
            in_channels,
            image_size,
            classes,
            first_kernel: 5,
            first_stride: 1,
            filters: [16, 32, 48, 48, 32],
            dense_units: 128,
            dropout: 0.5,
            seed: 0,
        }
    }
}

/// The AlexNet stack (see the module docs): `features` (convolutions and pooling), flattened,
/// then `classifier` (dropout and dense layers, logits out).
#[derive(Module)]
pub struct AlexNet<T: Float> {
    /// The five convolutions with relu and the three overlapping max poolings.
    pub features: Sequential<T>,
    /// Flatten, then dropout, dense 4096-style relu, dropout, dense relu, dense logits.
    pub classifier: Sequential<T>,
}

/// AlexNet's overlapping pooling: 3×3 windows every 2 pixels.
fn overlapping_pool() -> MaxPool2d {
    MaxPool2d::new(3).stride(2)
}

/// Positions after a window of `k` with stride `s` and padding `p` on `n` positions, or
/// `None` if the window does not fit.
fn positions(n: usize, k: usize, s: usize, p: usize) -> Option<usize> {
    (n + 2 * p).checked_sub(k).map(|span| span / s + 1)
}

impl<T: Float> AlexNet<T> {
    /// The `[channels, height, width]` the features have for `config`'s images.
    ///
    /// # Panics
    /// If the images are too small for the convolutions and the three poolings, naming the
    /// size that ran out.
    pub fn feature_size(config: &AlexNetConfig) -> [usize; 3] {
        let side = |n: usize| {
            let (k, s) = (config.first_kernel, config.first_stride.max(1));
            let steps = [
                (k, s, k / 2),
                (3, 2, 0),
                (5, 1, 2),
                (3, 2, 0),
                (3, 1, 1),
                (3, 2, 0),
            ];
            steps
                .iter()
                .try_fold(n, |n, &(k, s, p)| positions(n, k, s, p))
                .unwrap_or_else(|| {
                    panic!(
                        "AlexNet: images of {:?} are too small for a first kernel of {k} with \
                     stride {s} and three 3×3 poolings",
                        config.image_size
                    )
                })
        };
        let [h, w] = config.image_size;
        [config.filters[4], side(h), side(w)]
    }

    /// The network for `config`.
    ///
    /// # Panics
    /// As [`AlexNet::feature_size`], and if `dropout` is outside `[0, 1)`.
    pub fn new(config: &AlexNetConfig) -> Self {
        let [c, h, w] = Self::feature_size(config);
        let f = config.filters;
        let seed = config.seed;
        let conv = |inputs: usize, outputs: usize, k: usize, stride: usize, i: u64| {
            let p = k / 2;
            Conv2d::new(inputs, outputs, [k, k])
                .stride([stride, stride])
                .padding(Padding::Explicit([[p, p], [p, p]]))
                .activation(Activation::Relu)
                .seed(seed + i)
        };
        let (k, s) = (config.first_kernel, config.first_stride.max(1));
        let features = Sequential::new()
            .add(conv(config.in_channels, f[0], k, s, 0))
            .add(overlapping_pool())
            .add(conv(f[0], f[1], 5, 1, 1))
            .add(overlapping_pool())
            .add(conv(f[1], f[2], 3, 1, 2))
            .add(conv(f[2], f[3], 3, 1, 3))
            .add(conv(f[3], f[4], 3, 1, 4))
            .add(overlapping_pool());
        let units = config.dense_units;
        let classifier = Sequential::new()
            .add(Flatten)
            .add(Dropout::new(config.dropout, seed + 5))
            .add(
                Dense::new(c * h * w, units)
                    .activation(Activation::Relu)
                    .seed(seed + 6),
            )
            .add(Dropout::new(config.dropout, seed + 7))
            .add(
                Dense::new(units, units)
                    .activation(Activation::Relu)
                    .seed(seed + 8),
            )
            .add(Dense::new(units, config.classes).seed(seed + 9));
        AlexNet {
            features,
            classifier,
        }
    }
}

impl<'t, T: Float> Layer<'t, T> for AlexNet<T> {
    type Output = Var<'t, T>;

    /// # Panics
    /// Naming the op and both shapes, if `x` is not `[batch, in_channels, height, width]`
    /// of the configured size.
    fn forward(&self, x: Var<'t, T>) -> Var<'t, T> {
        self.classifier.forward(self.features.forward(x))
    }

    fn penalty(&self, tape: &'t Tape<T>) -> Option<Var<'t, T>> {
        sum_penalties([self.features.penalty(tape), self.classifier.penalty(tape)])
    }
}
