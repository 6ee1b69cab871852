//! [`BasicBlock`]: the residual block of ResNet-18/34 (He et al. 2015, "Deep Residual Learning
//! for Image Recognition", Fig. 2), and its [`Projection`] shortcut.
//!
//! Fig. 2 in words: the input x goes through a weight layer, relu, and a second weight layer,
//! giving the residual F(x); an identity shortcut carries x around both, and the block outputs
//! relu(F(x) + x). Here each weight layer is a 3×3 convolution followed by batch
//! normalisation (the paper's §3.4), so
//!
//! y = relu(bn₂(conv₂(relu(bn₁(conv₁(x))))) + shortcut(x)).
//!
//! The first convolution carries the stride. When the stride is not 1 or the channels change,
//! x no longer adds to F(x), and the shortcut is the paper's option (B): a 1×1 convolution
//! with the same stride and batch normalisation. Convolutions have no bias (batch
//! normalisation's β takes its place) and PyTorch's padding of 1, so a stride of 2 halves
//! even sizes as torchvision's ResNet does.
//!
//! ```
//! use autodiff_core::{Tape, Tensor};
//! use nn::blocks::BasicBlock;
//! use nn::Layer;
//! let same = BasicBlock::<f32>::new(8, 8, 1).seed(1);
//! assert!(same.shortcut.is_none()); // identity
//! let down = BasicBlock::<f32>::new(8, 16, 2).seed(2);
//! assert!(down.shortcut.is_some()); // 1×1 projection, stride 2
//! let tape = Tape::new();
//! let y = down.forward(same.forward(tape.constant(Tensor::ones([2, 8, 10, 10]))));
//! assert_eq!(y.dims(), [2, 16, 5, 5]);
//! ```

use autodiff_core::{Float, Tape, Var};
use autodiff_macros::Module;

use super::sum_penalties;
use crate::layers::{BatchNorm2d, Conv2d, Padding};
use crate::{Layer, Regularizer};

/// A shortcut that changes the channels or the size: a 1×1 convolution with a stride, then
/// batch normalisation (He et al.'s option B).
#[derive(Module)]
pub struct Projection<T: Float> {
    /// The 1×1 convolution, without bias.
    pub conv: Conv2d<T>,
    /// Its batch normalisation.
    pub bn: BatchNorm2d<T>,
}

impl<T: Float> Projection<T> {
    /// A projection from `in_channels` to `out_channels` with `stride`, its kernel drawn with
    /// `seed`.
    pub fn new(in_channels: usize, out_channels: usize, stride: usize, seed: u64) -> Self {
        Projection {
            conv: Conv2d::new(in_channels, out_channels, [1, 1])
                .stride([stride, stride])
                .without_bias()
                .seed(seed),
            bn: BatchNorm2d::new(out_channels),
        }
    }

    /// Redraws the kernel with another seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.conv = self.conv.seed(seed);
        self
    }

    /// Adds a penalty on the kernel.
    pub fn kernel_regularizer(mut self, regularizer: Regularizer) -> Self {
        self.conv = self.conv.kernel_regularizer(regularizer);
        self
    }
}

impl<'t, T: Float> Layer<'t, T> for Projection<T> {
    type Output = Var<'t, T>;

    fn forward(&self, x: Var<'t, T>) -> Var<'t, T> {
        self.bn.forward(self.conv.forward(x))
    }

    fn penalty(&self, tape: &'t Tape<T>) -> Option<Var<'t, T>> {
        Layer::penalty(&self.conv, tape)
    }
}

/// ResNet's basic block (see the module docs): two 3×3 convolutions with batch norm and relu,
/// plus an identity or projection shortcut.
#[derive(Module)]
pub struct BasicBlock<T: Float> {
    /// The first 3×3 convolution, carrying the stride.
    pub conv1: Conv2d<T>,
    /// Batch normalisation after `conv1`.
    pub bn1: BatchNorm2d<T>,
    /// The second 3×3 convolution, stride 1.
    pub conv2: Conv2d<T>,
    /// Batch normalisation after `conv2`.
    pub bn2: BatchNorm2d<T>,
    /// The projection shortcut, or `None` for the identity.
    pub shortcut: Option<Projection<T>>,
}

/// A 3×3 convolution without bias, padding 1.
pub(super) fn conv3x3<T: Float>(
    inputs: usize,
    outputs: usize,
    stride: usize,
    seed: u64,
) -> Conv2d<T> {
    Conv2d::new(inputs, outputs, [3, 3])
        .stride([stride, stride])
        .padding(Padding::Explicit([[1, 1], [1, 1]]))
        .without_bias()
        .seed(seed)
}

/// A 1×1 convolution without bias.
pub(super) fn conv1x1<T: Float>(inputs: usize, outputs: usize, seed: u64) -> Conv2d<T> {
    Conv2d::new(inputs, outputs, [1, 1])
        .without_bias()
        .seed(seed)
}

impl<T: Float> BasicBlock<T> {
    /// A block from `in_channels` to `out_channels` whose first convolution has `stride`; the
    /// shortcut is a projection exactly when `stride != 1` or the channels change. Kernels are
    /// glorot_uniform with seeds 0, 1, 2 (see [`BasicBlock::seed`]).
    ///
    /// # Panics
    /// If `stride` is 0.
    pub fn new(in_channels: usize, out_channels: usize, stride: usize) -> Self {
        assert!(stride > 0, "BasicBlock: stride must be at least 1");
        let mut block = BasicBlock {
            conv1: conv3x3(in_channels, out_channels, stride, 0),
            bn1: BatchNorm2d::new(out_channels),
            conv2: conv3x3(out_channels, out_channels, 1, 0),
            bn2: BatchNorm2d::new(out_channels),
            shortcut: None,
        };
        if stride != 1 || in_channels != out_channels {
            block.shortcut = Some(Projection::new(in_channels, out_channels, stride, 0));
        }
        block.seed(0)
    }

    /// Redraws the kernels with the seeds `seed`, `seed + 1` and (projection) `seed + 2`.
    pub fn seed(mut self, seed: u64) -> Self {
        self.conv1 = self.conv1.seed(seed);
        self.conv2 = self.conv2.seed(seed + 1);
        self.shortcut = self.shortcut.map(|p| p.seed(seed + 2));
        self
    }

    /// Adds a penalty on every convolution kernel (Keras's `kernel_regularizer`).
    pub fn kernel_regularizer(mut self, regularizer: Regularizer) -> Self {
        self.conv1 = self.conv1.kernel_regularizer(regularizer);
        self.conv2 = self.conv2.kernel_regularizer(regularizer);
        self.shortcut = self.shortcut.map(|p| p.kernel_regularizer(regularizer));
        self
    }
}

impl<'t, T: Float> Layer<'t, T> for BasicBlock<T> {
    type Output = Var<'t, T>;

    /// # Panics
    /// Naming the op and both shapes, if `x` is not `[batch, in_channels, height, width]`.
    fn forward(&self, x: Var<'t, T>) -> Var<'t, T> {
        let h = self.bn1.forward(self.conv1.forward(x)).relu();
        let residual = self.bn2.forward(self.conv2.forward(h));
        let shortcut = match &self.shortcut {
            Some(p) => p.forward(x),
            None => x,
        };
        (residual + shortcut).relu()
    }

    fn penalty(&self, tape: &'t Tape<T>) -> Option<Var<'t, T>> {
        sum_penalties([
            Layer::penalty(&self.conv1, tape),
            Layer::penalty(&self.conv2, tape),
            self.shortcut.as_ref().and_then(|p| p.penalty(tape)),
        ])
    }
}
