//! [`Bottleneck`]: the residual block of ResNet-50/101/152 (He et al. 2015, Fig. 5, right).
//!
//! Fig. 5 in words: to afford depth, the two 3×3 layers of the basic block become three: a 1×1
//! convolution that reduces the channels (256 → 64 in the figure), a 3×3 convolution on the
//! reduced channels (64 → 64), and a 1×1 convolution that restores them (64 → 256), each
//! followed by batch normalisation and all but the last by relu; the shortcut adds the input
//! and a relu follows the sum:
//!
//! y = relu(bn₃(conv₃(relu(bn₂(conv₂(relu(bn₁(conv₁(x)))))))) + shortcut(x)).
//!
//! The restored width is `width · 4` ([`Bottleneck::EXPANSION`]). The stride sits on the 3×3
//! convolution, as torchvision places it (the paper strides the first 1×1, which skips three
//! quarters of the input there). The shortcut is the identity when the stride is 1 and the
//! input already has `width · 4` channels, otherwise a 1×1 projection with the stride
//! ([`ConvBn::conv1x1`](super::ConvBn::conv1x1)).
//!
//! ```
//! use autodiff_core::{Tape, Tensor};
//! use nn::blocks::Bottleneck;
//! use nn::{Layer, Module};
//! let block = Bottleneck::<f32>::new(16, 4, 2).seed(1); // 16 → 4 → 4 → 16 channels
//! assert!(block.shortcut.is_some()); // the stride needs a projection
//! let tape = Tape::new();
//! assert_eq!(block.forward(tape.constant(Tensor::ones([2, 16, 6, 6]))).dims(), [2, 16, 3, 3]);
//! let convs = 16 * 4 + 4 * 4 * 9 + 4 * 16 + 16 * 16;
//! assert_eq!(block.num_params(), convs + 2 * (4 + 4 + 16 + 16));
//! ```

use autodiff_core::{Float, Tape, Var};
use autodiff_macros::Module;

use super::residual::shortcut;
use super::{ConvBn, sum_penalties};
use crate::{Layer, Regularizer};

/// ResNet's bottleneck block (see the module docs): 1×1 reduce, 3×3, 1×1 expand by 4, with an
/// identity or projection shortcut. Its parameters are torchvision's `conv1` to `conv3` and
/// `bn1` to `bn3` (`conv1.kernel`, `bn1.weight`, …) and `shortcut.conv`, `shortcut.bn`.
#[derive(Module)]
pub struct Bottleneck<T: Float> {
    /// The 1×1 reduction to `width` channels, with its batch normalisation (`conv1`, `bn1`).
    #[module(flatten)]
    pub unit1: ConvBn<T>,
    /// The 3×3 convolution on `width` channels, carrying the stride, with its batch
    /// normalisation (`conv2`, `bn2`).
    #[module(flatten)]
    pub unit2: ConvBn<T>,
    /// The 1×1 expansion to `width · 4` channels, with its batch normalisation (`conv3`,
    /// `bn3`).
    #[module(flatten)]
    pub unit3: ConvBn<T>,
    /// The projection shortcut, or `None` for the identity.
    pub shortcut: Option<ConvBn<T>>,
}

impl<T: Float> Bottleneck<T> {
    /// How many times `width` the block's output channels are.
    pub const EXPANSION: usize = 4;

    /// A block from `in_channels` through `width` to `width · 4` channels, the 3×3
    /// convolution with `stride`; kernels drawn with seeds 0 to 3 (see [`Bottleneck::seed`]).
    ///
    /// # Panics
    /// If `stride` is 0.
    pub fn new(in_channels: usize, width: usize, stride: usize) -> Self {
        assert!(stride > 0, "Bottleneck: stride must be at least 1");
        let out = width * Self::EXPANSION;
        Bottleneck {
            unit1: ConvBn::conv1x1(in_channels, width, 1).named("conv1", "bn1"),
            unit2: ConvBn::conv3x3(width, width, stride).named("conv2", "bn2"),
            unit3: ConvBn::conv1x1(width, out, 1).named("conv3", "bn3"),
            shortcut: (stride != 1 || in_channels != out)
                .then(|| ConvBn::conv1x1(in_channels, out, stride)),
        }
        .seed(0)
    }

    /// Redraws the kernels with the seeds `seed` to `seed + 2` and (projection) `seed + 3`.
    pub fn seed(mut self, seed: u64) -> Self {
        self.unit1 = self.unit1.seed(seed);
        self.unit2 = self.unit2.seed(seed + 1);
        self.unit3 = self.unit3.seed(seed + 2);
        self.shortcut = self.shortcut.map(|p| p.seed(seed + 3));
        self
    }

    /// Adds a penalty on every convolution kernel (Keras's `kernel_regularizer`).
    pub fn kernel_regularizer(mut self, regularizer: Regularizer) -> Self {
        self.unit1 = self.unit1.kernel_regularizer(regularizer);
        self.unit2 = self.unit2.kernel_regularizer(regularizer);
        self.unit3 = self.unit3.kernel_regularizer(regularizer);
        self.shortcut = self.shortcut.map(|p| p.kernel_regularizer(regularizer));
        self
    }
}

impl<'t, T: Float> Layer<'t, T> for Bottleneck<T> {
    type Output = Var<'t, T>;

    /// # Panics
    /// Naming the op and both shapes, if `x` is not `[batch, in_channels, height, width]`.
    fn forward(&self, x: Var<'t, T>) -> Var<'t, T> {
        let h = self.unit2.forward_relu(self.unit1.forward_relu(x));
        let residual = self.unit3.forward(h);
        (residual + shortcut(&self.shortcut, x)).relu()
    }

    fn penalty(&self, tape: &'t Tape<T>) -> Option<Var<'t, T>> {
        sum_penalties(
            [&self.unit1, &self.unit2, &self.unit3]
                .into_iter()
                .chain(&self.shortcut)
                .map(|unit| unit.penalty(tape)),
        )
    }
}
