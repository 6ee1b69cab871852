//! [`Conv1d`]: a 1-D convolution layer over sequences `[batch, channels, length]` (PyTorch's
//! `Conv1d`; Keras's `Conv1D` reads `[batch, length, channels]`, ours is
//! `x.permute(&[0, 2, 1])` of it, and a Keras kernel `[k, channels/groups, filters]` is ours
//! with `w.permute(&[2, 1, 0])`). It runs the 2-D op with a height of 1.
//!
//! ```
//! use autodiff_core::{Tape, Tensor};
//! use nn::layers::{Conv1d, Padding1d};
//! use nn::Layer;
//! let conv = Conv1d::<f32>::new(2, 4, 3).padding(Padding1d::Causal).dilation(2).seed(0);
//! let tape = Tape::new();
//! let y = conv.forward(tape.constant(Tensor::ones([5, 2, 10])));
//! assert_eq!(y.dims(), [5, 4, 10]); // causal: 2·(3 − 1) zeros on the left
//! assert_eq!(conv.kernel.value().dims(), [4, 2, 3]);
//! ```

use std::sync::atomic::AtomicU64;

use autodiff_core::{Float, Param, Tape, Var};
use autodiff_macros::Module;

use super::kernel_config::{KernelConfig, kernel_layer_builders};
use super::{Layer, Padding};
use crate::Initializer;
use crate::fused::{Conv2dOptions, conv2d};

/// How a [`Conv1d`] pads its sequences (Keras's `padding=` of `Conv1D`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Padding1d {
    /// No padding (Keras's default).
    #[default]
    Valid,
    /// ⌈length / stride⌉ outputs, the odd zero at the end (TensorFlow's rule, see
    /// [`Padding`]).
    Same,
    /// dilation·(kernel − 1) zeros at the start only, so output t sees inputs up to t.
    Causal,
    /// `[start, end]` zeros.
    Explicit([usize; 2]),
}

/// A 1-D convolution with `filters` outputs; its parameters are `kernel` and `bias`.
#[derive(Module)]
pub struct Conv1d<T: Float> {
    /// The kernel W, shape `[filters, in_channels/groups, k]`.
    pub kernel: Param<T>,
    /// The bias b, shape `[filters]`, unless built without one.
    pub bias: Option<Param<T>>,
    #[module(skip)]
    in_channels: usize,
    #[module(skip)]
    stride: usize,
    #[module(skip)]
    padding: Padding1d,
    #[module(skip)]
    dilation: usize,
    #[module(skip)]
    groups: usize,
    #[module(skip)]
    config: KernelConfig,
}

impl<T: Float> Conv1d<T> {
    /// A layer from `in_channels` to `filters` channels with a kernel of `kernel_size` taps:
    /// stride 1, `valid`, no dilation, one group, glorot_uniform kernel, zero bias.
    pub fn new(in_channels: usize, filters: usize, kernel_size: usize) -> Self {
        static NEXT_SEED: AtomicU64 = AtomicU64::new(0);
        let layer = Conv1d {
            kernel: Param::new(Initializer::Zeros.init(&[filters, in_channels, kernel_size], 0)),
            bias: Some(Param::new(Initializer::Zeros.init(&[filters], 0))),
            in_channels,
            stride: 1,
            padding: Padding1d::Valid,
            dilation: 1,
            groups: 1,
            config: KernelConfig::next(&NEXT_SEED),
        };
        layer.reinit()
    }

    /// Sets the stride.
    pub fn stride(mut self, stride: usize) -> Self {
        self.stride = stride;
        self
    }

    /// Sets the padding.
    pub fn padding(mut self, padding: Padding1d) -> Self {
        self.padding = padding;
        self
    }

    /// Sets the dilation (Keras's `dilation_rate`).
    pub fn dilation(mut self, dilation: usize) -> Self {
        self.dilation = dilation;
        self
    }

    /// Splits the channels into `groups` groups and redraws the kernel.
    ///
    /// # Panics
    /// If `groups` is 0 or does not divide both the input channels and the filters.
    pub fn groups(mut self, groups: usize) -> Self {
        let filters = self.kernel.value().dims()[0];
        assert!(
            groups > 0 && self.in_channels.is_multiple_of(groups) && filters.is_multiple_of(groups),
            "Conv1d: {groups} groups must divide the input channels ({}) and the filters \
             ({filters})",
            self.in_channels
        );
        self.groups = groups;
        self.reinit()
    }

    kernel_layer_builders!();

    /// The 2-D options (height 1) for a sequence of `length`.
    fn options(&self, length: usize, taps: usize) -> Conv2dOptions {
        let sides = match self.padding {
            Padding1d::Valid => [0, 0],
            Padding1d::Explicit(sides) => sides,
            Padding1d::Causal => [self.dilation * taps.saturating_sub(1), 0],
            Padding1d::Same => {
                let [_, along] = Padding::Same.resolve(
                    [1, length],
                    [1, taps],
                    [1, self.stride],
                    [1, self.dilation],
                );
                along
            }
        };
        Conv2dOptions {
            stride: [1, self.stride],
            padding: [[0, 0], sides],
            dilation: [1, self.dilation],
            groups: self.groups,
        }
    }

    fn reinit(mut self) -> Self {
        let dims = self.kernel.value().dims().to_vec();
        let shape = [dims[0], self.in_channels / self.groups, dims[2]];
        let (fan_in, fan_out) = (shape[1] * shape[2], shape[0] * shape[2]);
        self.kernel.set(self.config.draw(&shape, fan_in, fan_out));
        self
    }
}

impl<'t, T: Float> Layer<'t, T> for Conv1d<T> {
    type Output = Var<'t, T>;

    /// # Panics
    /// Naming the op and both shapes, if `x` is not `[batch, in_channels, length]` or the
    /// window does not fit the padded sequence.
    fn forward(&self, x: Var<'t, T>) -> Var<'t, T> {
        let tape = x.tape();
        let kernel = tape.param(&self.kernel);
        let (xs, ks) = (x.shape(), kernel.shape());
        let (&[n, c, length], &[o, cg, taps]) = (xs.dims(), ks.dims()) else {
            panic!("conv1d: input {xs}, kernel {ks}: the input must be [batch, channels, length]");
        };
        let b = self.bias.as_ref().map(|b| tape.param(b));
        let options = self.options(length, taps);
        let y = conv2d(
            x.reshape([n, c, 1, length]),
            kernel.reshape([o, cg, 1, taps]),
            b,
            options,
        );
        let out_length = y.dims()[3];
        self.config.activation.apply(y.reshape([n, o, out_length]))
    }

    fn penalty(&self, tape: &'t Tape<T>) -> Option<Var<'t, T>> {
        Conv1d::penalty(self, tape)
    }
}
