//! [`Conv2d`]: a 2-D convolution layer, `y = activation(conv2d(x, W) + b)`, on NCHW batches,
//! through one fused op ([`crate::fused::conv2d`], or [`crate::fused::conv2d_relu`] with a ReLU).
//!
//! Layouts are PyTorch's, so its weights load as they are: input `[batch, channels, height,
//! width]`, kernel `[filters, channels/groups, kh, kw]`, bias `[filters]`. Keras works
//! channels-last (`[batch, height, width, channels]`, kernel `[kh, kw, channels/groups,
//! filters]`): a Keras batch becomes ours with `x.permute(&[0, 3, 1, 2])`, and a Keras kernel
//! with `w.permute(&[3, 2, 0, 1])`; the arithmetic is the same. Defaults are Keras's: stride 1,
//! `valid` padding, glorot_uniform kernel (fans in/groups·kh·kw and filters·kh·kw), zero bias.
//!
//! ```
//! use autodiff_core::{Tape, Tensor};
//! use nn::layers::{Conv2d, Padding};
//! use nn::{Activation, Layer};
//! let conv = Conv2d::<f32>::new(3, 8, [3, 3])
//!     .stride([2, 2])
//!     .padding(Padding::Same)
//!     .activation(Activation::Relu)
//!     .seed(1);
//! let tape = Tape::new();
//! let y = conv.forward(tape.constant(Tensor::ones([4, 3, 9, 9])));
//! assert_eq!(y.dims(), [4, 8, 5, 5]); // ⌈9 / 2⌉
//! assert_eq!(conv.kernel.value().dims(), [8, 3, 3, 3]);
//! ```

use std::sync::atomic::AtomicU64;

use autodiff_core::{Float, Param, Tape, Var};
use autodiff_macros::Module;

use super::kernel_config::{KernelConfig, kernel_layer_builders};
use super::{Layer, Padding};
use crate::fused::{Conv2dOptions, conv2d, conv2d_relu};
use crate::{Activation, Initializer};

/// A 2-D convolution with `filters` outputs; its parameters are `kernel` and `bias`.
#[derive(Module)]
pub struct Conv2d<T: Float> {
    /// The kernel W, shape `[filters, in_channels/groups, kh, kw]`.
    pub kernel: Param<T>,
    /// The bias b, shape `[filters]`, unless built without one.
    pub bias: Option<Param<T>>,
    #[module(skip)]
    in_channels: usize,
    #[module(skip)]
    stride: [usize; 2],
    #[module(skip)]
    padding: Padding,
    #[module(skip)]
    dilation: [usize; 2],
    #[module(skip)]
    groups: usize,
    #[module(skip)]
    config: KernelConfig,
}

impl<T: Float> Conv2d<T> {
    /// A layer from `in_channels` to `filters` channels with a `[kh, kw]` kernel: stride 1,
    /// `valid` padding, no dilation, one group, glorot_uniform kernel, zero bias, no activation.
    /// Unseeded layers draw from a process-wide counter, as [`crate::Dense`] does.
    pub fn new(in_channels: usize, filters: usize, kernel_size: [usize; 2]) -> Self {
        static NEXT_SEED: AtomicU64 = AtomicU64::new(0);
        let layer = Conv2d {
            kernel: Param::new(
                Initializer::Zeros.init(&[filters, in_channels, kernel_size[0], kernel_size[1]], 0),
            ),
            bias: Some(Param::new(Initializer::Zeros.init(&[filters], 0))),
            in_channels,
            stride: [1, 1],
            padding: Padding::Valid,
            dilation: [1, 1],
            groups: 1,
            config: KernelConfig::next(&NEXT_SEED),
        };
        layer.reinit()
    }

    /// Sets the stride `[along height, along width]`.
    pub fn stride(mut self, stride: [usize; 2]) -> Self {
        self.stride = stride;
        self
    }

    /// Sets the padding (Keras's `valid` and `same`, or explicit).
    pub fn padding(mut self, padding: Padding) -> Self {
        self.padding = padding;
        self
    }

    /// Sets the dilation `[along height, along width]` (Keras's `dilation_rate`).
    pub fn dilation(mut self, dilation: [usize; 2]) -> Self {
        self.dilation = dilation;
        self
    }

    /// Splits the channels into `groups` groups (`in_channels` of them: depthwise) and redraws
    /// the kernel, now `[filters, in_channels/groups, kh, kw]`.
    ///
    /// # Panics
    /// If `groups` is 0 or does not divide both the input channels and the filters.
    pub fn groups(mut self, groups: usize) -> Self {
        let filters = self.filters();
        assert!(
            groups > 0 && self.in_channels.is_multiple_of(groups) && filters.is_multiple_of(groups),
            "Conv2d: {groups} groups must divide the input channels ({}) and the filters \
             ({filters})",
            self.in_channels
        );
        self.groups = groups;
        self.reinit()
    }

    kernel_layer_builders!();

    /// The conv2d options for an input of `[height, width]`, with the padding resolved.
    pub fn options(&self, input: [usize; 2]) -> Conv2dOptions {
        let dims = self.kernel.value().dims().to_vec();
        Conv2dOptions {
            stride: self.stride,
            padding: self
                .padding
                .resolve(input, [dims[2], dims[3]], self.stride, self.dilation),
            dilation: self.dilation,
            groups: self.groups,
        }
    }

    fn filters(&self) -> usize {
        self.kernel.value().dims()[0]
    }

    fn reinit(mut self) -> Self {
        let dims = self.kernel.value().dims().to_vec();
        let (filters, taps) = (dims[0], dims[2] * dims[3]);
        let shape = [filters, self.in_channels / self.groups, dims[2], dims[3]];
        let (fan_in, fan_out) = (shape[1] * taps, filters * taps);
        self.kernel.set(self.config.draw(&shape, fan_in, fan_out));
        self
    }
}

impl<'t, T: Float> Layer<'t, T> for Conv2d<T> {
    type Output = Var<'t, T>;

    /// # Panics
    /// Naming the op and both shapes, if `x` is not `[batch, in_channels, height, width]` or
    /// the window does not fit the padded input.
    fn forward(&self, x: Var<'t, T>) -> Var<'t, T> {
        let tape = x.tape();
        let dims = x.dims();
        let input = match dims[..] {
            [_, _, h, w] => [h, w],
            _ => [0, 0], // conv2d itself refuses the shape, naming both
        };
        let b = self.bias.as_ref().map(|b| tape.param(b));
        let (kernel, options) = (tape.param(&self.kernel), self.options(input));
        match self.config.activation {
            Activation::Relu => conv2d_relu(x, kernel, b, options),
            activation => activation.apply(conv2d(x, kernel, b, options)),
        }
    }

    fn penalty(&self, tape: &'t Tape<T>) -> Option<Var<'t, T>> {
        Conv2d::penalty(self, tape)
    }
}
