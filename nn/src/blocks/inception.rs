//! [`InceptionModule`]: GoogLeNet's module with dimension reductions (Szegedy et al. 2014,
//! "Going Deeper with Convolutions", Fig. 2b).
//!
//! Fig. 2b in words: the previous layer feeds four parallel branches, a 1×1 convolution; a 1×1
//! reduction then a 3×3 convolution; a 1×1 reduction then a 5×5 convolution; and a 3×3 max
//! pooling (stride 1) then a 1×1 projection. Every convolution is followed by relu, every
//! branch keeps the height and width (padding 1 for 3×3, 2 for 5×5), and the filter
//! concatenation stacks the four outputs along the channels, in that order. The 1×1 reductions
//! are what make the 3×3 and 5×5 branches affordable.
//!
//! ```
//! use autodiff_core::{Tape, Tensor};
//! use nn::blocks::InceptionModule;
//! use nn::Layer;
//! // GoogLeNet's inception (3a): 192 channels in, 64 + 128 + 32 + 32 = 256 out.
//! let module = InceptionModule::<f32>::new(192, 64, [96, 128], [16, 32], 32).seed(1);
//! assert_eq!(module.out_channels(), 256);
//! let tape = Tape::new();
//! let y = module.forward(tape.constant(Tensor::ones([1, 192, 7, 7])));
//! assert_eq!(y.dims(), [1, 256, 7, 7]);
//! ```

use autodiff_core::{Float, Tape, Var};
use autodiff_macros::Module;

use super::sum_penalties;
use crate::layers::{Conv2d, MaxPool2d, Padding};
use crate::{Activation, Layer, Regularizer};

/// The Inception module with dimension reductions (see the module docs).
#[derive(Module)]
pub struct InceptionModule<T: Float> {
    /// The 1×1 branch.
    pub branch1x1: Conv2d<T>,
    /// The 3×3 branch's 1×1 reduction.
    pub reduce3x3: Conv2d<T>,
    /// The 3×3 branch's convolution.
    pub branch3x3: Conv2d<T>,
    /// The 5×5 branch's 1×1 reduction.
    pub reduce5x5: Conv2d<T>,
    /// The 5×5 branch's convolution.
    pub branch5x5: Conv2d<T>,
    /// The pooling branch's 1×1 projection, after a 3×3 max pooling with stride 1.
    pub pool_proj: Conv2d<T>,
    #[module(skip)]
    pool: MaxPool2d,
}

/// A `k`×`k` convolution with bias and relu, padded to keep the size.
fn conv_relu<T: Float>(inputs: usize, outputs: usize, k: usize) -> Conv2d<T> {
    let p = k / 2;
    Conv2d::new(inputs, outputs, [k, k])
        .padding(Padding::Explicit([[p, p], [p, p]]))
        .activation(Activation::Relu)
}

impl<T: Float> InceptionModule<T> {
    /// A module on `in_channels` with `c1x1` filters in the 1×1 branch, `[reduction, filters]`
    /// for the 3×3 and 5×5 branches, and `pool_proj` filters after the pooling (the columns of
    /// the paper's Table 1: "#1×1", "#3×3 reduce", "#3×3", "#5×5 reduce", "#5×5", "pool proj").
    /// Kernels drawn with seeds 0 to 5 (see [`InceptionModule::seed`]).
    pub fn new(
        in_channels: usize,
        c1x1: usize,
        c3x3: [usize; 2],
        c5x5: [usize; 2],
        pool_proj: usize,
    ) -> Self {
        InceptionModule {
            branch1x1: conv_relu(in_channels, c1x1, 1),
            reduce3x3: conv_relu(in_channels, c3x3[0], 1),
            branch3x3: conv_relu(c3x3[0], c3x3[1], 3),
            reduce5x5: conv_relu(in_channels, c5x5[0], 1),
            branch5x5: conv_relu(c5x5[0], c5x5[1], 5),
            pool_proj: conv_relu(in_channels, pool_proj, 1),
            pool: MaxPool2d::new(3).stride(1).padding(1),
        }
        .seed(0)
    }

    /// The output channels: the four branches' filters together.
    pub fn out_channels(&self) -> usize {
        [
            &self.branch1x1,
            &self.branch3x3,
            &self.branch5x5,
            &self.pool_proj,
        ]
        .iter()
        .map(|c| c.kernel.value().dims()[0])
        .sum()
    }

    /// Redraws the six kernels with the seeds `seed` to `seed + 5`.
    pub fn seed(self, seed: u64) -> Self {
        self.map_convs(|i, c| c.seed(seed + i as u64))
    }

    /// Adds a penalty on every convolution kernel (Keras's `kernel_regularizer`).
    pub fn kernel_regularizer(self, regularizer: Regularizer) -> Self {
        self.map_convs(|_, c| c.kernel_regularizer(regularizer))
    }

    fn convs(&self) -> [&Conv2d<T>; 6] {
        [
            &self.branch1x1,
            &self.reduce3x3,
            &self.branch3x3,
            &self.reduce5x5,
            &self.branch5x5,
            &self.pool_proj,
        ]
    }

    fn map_convs(self, mut f: impl FnMut(usize, Conv2d<T>) -> Conv2d<T>) -> Self {
        InceptionModule {
            branch1x1: f(0, self.branch1x1),
            reduce3x3: f(1, self.reduce3x3),
            branch3x3: f(2, self.branch3x3),
            reduce5x5: f(3, self.reduce5x5),
            branch5x5: f(4, self.branch5x5),
            pool_proj: f(5, self.pool_proj),
            pool: self.pool,
        }
    }
}

impl<'t, T: Float> Layer<'t, T> for InceptionModule<T> {
    type Output = Var<'t, T>;

    /// # Panics
    /// Naming the op and both shapes, if `x` is not `[batch, in_channels, height, width]`.
    fn forward(&self, x: Var<'t, T>) -> Var<'t, T> {
        let branches = [
            self.branch1x1.forward(x),
            self.branch3x3.forward(self.reduce3x3.forward(x)),
            self.branch5x5.forward(self.reduce5x5.forward(x)),
            self.pool_proj.forward(self.pool.forward(x)),
        ];
        Var::concat(&branches, 1)
    }

    fn penalty(&self, tape: &'t Tape<T>) -> Option<Var<'t, T>> {
        sum_penalties(self.convs().map(|c| Layer::penalty(c, tape)))
    }
}
