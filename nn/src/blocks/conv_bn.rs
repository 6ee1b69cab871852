//! [`ConvBn`]: a convolution followed by batch normalisation (and, on request, a relu), the unit
//! ResNet's blocks are made of, and their projection shortcut.
//!
//! A unit names its two parts itself (`conv` and `bn` unless told otherwise), so a block can
//! keep torchvision's flat keys (`conv1.kernel`, `bn1.weight`) by naming its units `conv1`/`bn1`
//! and marking the fields `#[module(flatten)]`; a unit in a field of its own (a block's
//! `shortcut`) sits under that field (`shortcut.conv.kernel`, `shortcut.bn.weight`).
//!
//! ```
//! use autodiff_core::{Tape, Tensor};
//! use nn::blocks::ConvBn;
//! use nn::layers::Conv2d;
//! use nn::{Layer, Module};
//! let unit = ConvBn::<f32>::new(Conv2d::new(3, 8, [1, 1]).without_bias()).named("conv1", "bn1");
//! let keys: Vec<String> = unit.named_params().into_iter().map(|(k, _)| k).collect();
//! assert_eq!(keys, ["conv1.kernel", "bn1.weight", "bn1.bias"]);
//! let tape = Tape::new();
//! let y = unit.forward_relu(tape.constant(Tensor::ones([2, 3, 4, 4])));
//! assert!(y.value().data().iter().all(|&v| v >= 0.0));
//! ```

use autodiff_core::{BufferRef, Float, Module, Param, ParamPath, Tape, Var};

use crate::Layer;
use crate::Regularizer;
use crate::layers::{BatchNorm2d, Conv2d, Padding};

/// `bn(conv(x))`: a convolution and the batch normalisation of its filters, each reported under
/// its own name (see the module docs).
pub struct ConvBn<T: Float> {
    /// The convolution.
    pub conv: Conv2d<T>,
    /// The batch normalisation of its output channels.
    pub bn: BatchNorm2d<T>,
    /// The path segments of `conv` and `bn`.
    names: [&'static str; 2],
}

impl<T: Float> ConvBn<T> {
    /// `conv` followed by a batch normalisation over its filters, the parts named `conv` and
    /// `bn`.
    pub fn new(conv: Conv2d<T>) -> Self {
        let filters = conv.kernel.value().dims()[0];
        ConvBn {
            conv,
            bn: BatchNorm2d::new(filters),
            names: ["conv", "bn"],
        }
    }

    /// A 3×3 convolution without bias, padding 1 (PyTorch's, so a stride of 2 halves even
    /// sizes as torchvision's ResNet does), then batch normalisation.
    pub fn conv3x3(inputs: usize, outputs: usize, stride: usize) -> Self {
        Self::new(
            Conv2d::new(inputs, outputs, [3, 3])
                .stride([stride, stride])
                .padding(Padding::Explicit([[1, 1], [1, 1]]))
                .without_bias(),
        )
    }

    /// A 1×1 convolution without bias, then batch normalisation: with a stride, He et al.'s
    /// projection shortcut (option B).
    pub fn conv1x1(inputs: usize, outputs: usize, stride: usize) -> Self {
        Self::new(
            Conv2d::new(inputs, outputs, [1, 1])
                .stride([stride, stride])
                .without_bias(),
        )
    }

    /// Names the parts `conv` and `bn` in parameter paths (`conv1`, `bn1` in a block that
    /// flattens the unit).
    pub fn named(mut self, conv: &'static str, bn: &'static str) -> Self {
        self.names = [conv, bn];
        self
    }

    /// Redraws the kernel with another seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.conv = self.conv.seed(seed);
        self
    }

    /// Adds a penalty on the kernel (Keras's `kernel_regularizer`).
    pub fn kernel_regularizer(mut self, regularizer: Regularizer) -> Self {
        self.conv = self.conv.kernel_regularizer(regularizer);
        self
    }

    /// `relu(bn(conv(x)))`.
    pub fn forward_relu<'t>(&self, x: Var<'t, T>) -> Var<'t, T> {
        self.forward(x).relu()
    }
}

impl<'t, T: Float> Layer<'t, T> for ConvBn<T> {
    type Output = Var<'t, T>;

    /// # Panics
    /// Naming the op and both shapes, if `x` is not `[batch, in_channels, height, width]`.
    fn forward(&self, x: Var<'t, T>) -> Var<'t, T> {
        self.bn.forward(self.conv.forward(x))
    }

    fn penalty(&self, tape: &'t Tape<T>) -> Option<Var<'t, T>> {
        Layer::penalty(&self.conv, tape)
    }
}

/// Written out rather than derived: the path segments are the unit's names, not its fields'.
impl<T: Float> Module<T> for ConvBn<T> {
    fn visit<'a>(&'a self, path: &mut ParamPath, f: &mut dyn FnMut(&ParamPath, &'a Param<T>)) {
        let [conv, bn] = self.names;
        path.push(conv);
        self.conv.visit(path, f);
        path.pop();
        path.push(bn);
        self.bn.visit(path, f);
        path.pop();
    }

    fn visit_mut(&mut self, path: &mut ParamPath, f: &mut dyn FnMut(&ParamPath, &mut Param<T>)) {
        let [conv, bn] = self.names;
        path.push(conv);
        self.conv.visit_mut(path, f);
        path.pop();
        path.push(bn);
        self.bn.visit_mut(path, f);
        path.pop();
    }

    fn visit_buffers<'a>(
        &'a self,
        path: &mut ParamPath,
        f: &mut dyn FnMut(&ParamPath, BufferRef<'a, T>),
    ) {
        let [conv, bn] = self.names;
        path.push(conv);
        self.conv.visit_buffers(path, f);
        path.pop();
        path.push(bn);
        self.bn.visit_buffers(path, f);
        path.pop();
    }

    fn set_training(&mut self, training: bool) {
        self.conv.set_training(training);
        self.bn.set_training(training);
    }
}
