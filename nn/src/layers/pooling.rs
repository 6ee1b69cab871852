//! Pooling layers on NCHW image batches: [`MaxPool2d`], [`AvgPool2d`] and
//! [`GlobalAveragePooling2d`], each one fused op from [`crate::fused`], without parameters.
//!
//! Windows follow PyTorch (`nn.MaxPool2d(kernel_size, stride=None, padding=0)`): the stride
//! defaults to the kernel, padding is added on both sides and may be at most half the kernel,
//! and the output size rounds down (⌊(H + 2p − k)/s⌋ + 1). Keras's `MaxPooling2D(pool_size)`
//! with `padding="valid"` is the same layer on channels-last data; transpose `[N, H, W, C]`
//! to `[N, C, H, W]` (`x.permute(&[0, 3, 1, 2])`) to use it.
//!
//! ```
//! use autodiff_core::{Tape, Tensor};
//! use nn::{AvgPool2d, GlobalAveragePooling2d, Layer, MaxPool2d};
//! let tape = Tape::<f32>::new();
//! let images = tape.constant(Tensor::normal([8, 3, 55, 55], 0.0, 1.0, 1));
//! // AlexNet's overlapping pooling: 3×3 windows every 2 pixels.
//! let pooled = MaxPool2d::new(3).stride(2).forward(images);
//! assert_eq!(pooled.dims(), [8, 3, 27, 27]);
//! let smoothed = AvgPool2d::new(2).padding(1).forward(pooled);
//! assert_eq!(smoothed.dims(), [8, 3, 14, 14]);
//! assert_eq!(GlobalAveragePooling2d.forward(smoothed).dims(), [8, 3]);
//! ```

use autodiff_core::{Float, Module, Param, ParamPath, Tape, Var};

use super::Layer;
use crate::fused::{PoolWindow, Size2d, avg_pool2d, global_avg_pool2d, max_pool2d};

/// Max pooling over sliding windows of an `[N, C, H, W]` batch (see [`crate::fused::max_pool2d`]:
/// the padding never wins, ties go to the first maximum in scan order, as in PyTorch).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MaxPool2d {
    /// The windows it pools over.
    pub window: PoolWindow,
}

impl MaxPool2d {
    /// Windows of `kernel` (a number for square windows, or `[height, width]`), with stride
    /// = kernel and no padding.
    pub fn new(kernel: impl Into<Size2d>) -> Self {
        MaxPool2d {
            window: PoolWindow::new(kernel),
        }
    }

    /// Sets the stride (smaller than the kernel for overlapping windows).
    pub fn stride(mut self, stride: impl Into<Size2d>) -> Self {
        self.window = self.window.stride(stride);
        self
    }

    /// Sets the padding on each side (at most half the kernel); it counts as −∞.
    pub fn padding(mut self, padding: impl Into<Size2d>) -> Self {
        self.window = self.window.padding(padding);
        self
    }
}

/// Average pooling over sliding windows of an `[N, C, H, W]` batch. As PyTorch's default
/// (`count_include_pad=True`), the padding counts as zeros: each window's sum is divided by the
/// kernel's area, also at the borders (see [`crate::fused::avg_pool2d`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AvgPool2d {
    /// The windows it pools over.
    pub window: PoolWindow,
}

impl AvgPool2d {
    /// Windows of `kernel` (a number for square windows, or `[height, width]`), with stride
    /// = kernel and no padding.
    pub fn new(kernel: impl Into<Size2d>) -> Self {
        AvgPool2d {
            window: PoolWindow::new(kernel),
        }
    }

    /// Sets the stride.
    pub fn stride(mut self, stride: impl Into<Size2d>) -> Self {
        self.window = self.window.stride(stride);
        self
    }

    /// Sets the padding on each side (at most half the kernel); it counts as zeros in the mean.
    pub fn padding(mut self, padding: impl Into<Size2d>) -> Self {
        self.window = self.window.padding(padding);
        self
    }
}

/// The mean of each channel's whole plane: `[N, C, H, W]` → `[N, C]`, as Keras's
/// `GlobalAveragePooling2D` (ready for a `Dense` head, no flatten needed).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GlobalAveragePooling2d;

/// `Module` and `Layer` for a pooling layer without parameters, its forward pass `$forward`.
macro_rules! parameterless_layer {
    ($layer:ty, |$this:ident, $x:ident| $forward:expr) => {
        impl<T: Float> Module<T> for $layer {
            fn visit<'a>(&'a self, _: &mut ParamPath, _: &mut dyn FnMut(&ParamPath, &'a Param<T>)) {
            }

            fn visit_mut(
                &mut self,
                _: &mut ParamPath,
                _: &mut dyn FnMut(&ParamPath, &mut Param<T>),
            ) {
            }
        }

        impl<'t, T: Float> Layer<'t, T> for $layer {
            type Output = Var<'t, T>;

            fn forward(&self, $x: Var<'t, T>) -> Var<'t, T> {
                let $this = self;
                $forward
            }

            fn penalty(&self, _: &'t Tape<T>) -> Option<Var<'t, T>> {
                None
            }
        }
    };
}

parameterless_layer!(MaxPool2d, |layer, x| max_pool2d(x, layer.window));
parameterless_layer!(AvgPool2d, |layer, x| avg_pool2d(x, layer.window));
parameterless_layer!(GlobalAveragePooling2d, |_layer, x| global_avg_pool2d(x));

#[cfg(test)]
mod tests {
    use super::*;
    use autodiff_core::{Tensor, gradcheck};

    #[test]
    fn layers_match_their_ops() {
        let tape = Tape::<f64>::new();
        let x = tape.constant(Tensor::normal([2, 3, 6, 7], 0.0, 1.0, 1));
        let window = PoolWindow::new([3, 2]).stride([2, 3]).padding(1);
        let max = MaxPool2d::new([3, 2]).stride([2, 3]).padding(1);
        assert_eq!(max.forward(x).value(), max_pool2d(x, window).value());
        let avg = AvgPool2d::new([3, 2]).stride([2, 3]).padding(1);
        assert_eq!(avg.forward(x).value(), avg_pool2d(x, window).value());
        assert_eq!(Module::<f64>::num_params(&max), 0);
    }

    #[test]
    fn gradcheck_a_pooling_stack() {
        let x = Tensor::from_fn([1, 2, 6, 6], |i| ((i * 29) % 72) as f64 * 0.1);
        gradcheck(
            |v| {
                let y = MaxPool2d::new(3).stride(2).padding(1).forward(v[0]);
                GlobalAveragePooling2d.forward(AvgPool2d::new(2).forward(y))
            },
            &[x],
        )
        .unwrap();
    }
}
