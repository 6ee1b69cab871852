//! [`BasicBlock`]: the residual block of ResNet-18/34 (He et al. 2015, "Deep Residual Learning
//! for Image Recognition", Fig. 2).
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
//! with the same stride and batch normalisation ([`ConvBn::conv1x1`]). Convolutions have no bias (batch
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

use super::{ConvBn, sum_penalties};
use crate::{Layer, Regularizer};

/// ResNet's basic block (see the module docs): two 3×3 convolutions with batch norm and relu,
/// plus an identity or projection shortcut. Its parameters are torchvision's `conv1`, `bn1`,
/// `conv2`, `bn2` (as we name them: `conv1.kernel`, `bn1.weight`, …) and `shortcut.conv`,
/// `shortcut.bn`.
#[derive(Module)]
pub struct BasicBlock<T: Float> {
    /// The first 3×3 convolution, carrying the stride, with its batch normalisation (`conv1`,
    /// `bn1`).
    #[module(flatten)]
    pub unit1: ConvBn<T>,
    /// The second 3×3 convolution, stride 1, with its batch normalisation (`conv2`, `bn2`).
    #[module(flatten)]
    pub unit2: ConvBn<T>,
    /// The projection shortcut, or `None` for the identity.
    pub shortcut: Option<ConvBn<T>>,
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
        BasicBlock {
            unit1: ConvBn::conv3x3(in_channels, out_channels, stride).named("conv1", "bn1"),
            unit2: ConvBn::conv3x3(out_channels, out_channels, 1).named("conv2", "bn2"),
            shortcut: (stride != 1 || in_channels != out_channels)
                .then(|| ConvBn::conv1x1(in_channels, out_channels, stride)),
        }
        .seed(0)
    }

    /// Redraws the kernels with the seeds `seed`, `seed + 1` and (projection) `seed + 2`.
    pub fn seed(mut self, seed: u64) -> Self {
        self.unit1 = self.unit1.seed(seed);
        self.unit2 = self.unit2.seed(seed + 1);
        self.shortcut = self.shortcut.map(|p| p.seed(seed + 2));
        self
    }

    /// Adds a penalty on every convolution kernel (Keras's `kernel_regularizer`).
    pub fn kernel_regularizer(mut self, regularizer: Regularizer) -> Self {
        self.unit1 = self.unit1.kernel_regularizer(regularizer);
        self.unit2 = self.unit2.kernel_regularizer(regularizer);
        self.shortcut = self.shortcut.map(|p| p.kernel_regularizer(regularizer));
        self
    }
}

impl<'t, T: Float> Layer<'t, T> for BasicBlock<T> {
    type Output = Var<'t, T>;

    /// # Panics
    /// Naming the op and both shapes, if `x` is not `[batch, in_channels, height, width]`.
    fn forward(&self, x: Var<'t, T>) -> Var<'t, T> {
        let residual = self.unit2.forward(self.unit1.forward_relu(x));
        (residual + shortcut(&self.shortcut, x)).relu()
    }

    fn penalty(&self, tape: &'t Tape<T>) -> Option<Var<'t, T>> {
        sum_penalties(
            [&self.unit1, &self.unit2]
                .into_iter()
                .chain(&self.shortcut)
                .map(|unit| unit.penalty(tape)),
        )
    }
}

/// What a residual block adds to its residual: the projection of `x`, or `x` itself.
pub(super) fn shortcut<'t, T: Float>(projection: &Option<ConvBn<T>>, x: Var<'t, T>) -> Var<'t, T> {
    match projection {
        Some(p) => p.forward(x),
        None => x,
    }
}
