//! The sizes of one conv2d call, checked once: [`Conv2dOptions`] (what the caller chooses) and
//! [`Geometry`] (every size the kernels need, derived from the two shapes and the options).

use autodiff_core::Shape;

/// Stride, zero padding, dilation and groups of a 2-D convolution, PyTorch's
/// `F.conv2d(stride, padding, dilation, groups)` with the padding given per side.
///
/// ```
/// use nn::fused::Conv2dOptions;
/// let o = Conv2dOptions { stride: [2, 2], ..Conv2dOptions::default() };
/// assert_eq!(o.padding, [[0, 0], [0, 0]]);
/// assert_eq!((o.dilation, o.groups), ([1, 1], 1));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Conv2dOptions {
    /// Steps between windows, `[along height, along width]`.
    pub stride: [usize; 2],
    /// Zeros added around the input, `[[top, bottom], [left, right]]` (TensorFlow's `same` with
    /// an even kernel pads one more at the bottom and right than at the top and left).
    pub padding: [[usize; 2]; 2],
    /// Spacing between kernel taps, `[along height, along width]` (1: adjacent).
    pub dilation: [usize; 2],
    /// Channel groups: input and output channels are split into this many groups and group g's
    /// outputs see only group g's inputs (1: dense; the channel count: depthwise).
    pub groups: usize,
}

impl Default for Conv2dOptions {
    /// Stride 1, no padding, no dilation, one group.
    fn default() -> Self {
        Conv2dOptions {
            stride: [1, 1],
            padding: [[0, 0], [0, 0]],
            dilation: [1, 1],
            groups: 1,
        }
    }
}

/// Every size of one call: input `[n, c, h, w]`, kernel `[o, c/groups, kh, kw]`, output
/// `[n, o, oh, ow]`.
#[derive(Clone, Copy, Debug)]
pub(super) struct Geometry {
    pub n: usize,
    pub c: usize,
    pub h: usize,
    pub w: usize,
    pub o: usize,
    pub kh: usize,
    pub kw: usize,
    pub oh: usize,
    pub ow: usize,
    pub groups: usize,
    pub options: Conv2dOptions,
}

impl Geometry {
    /// Checks the shapes against each other and the options.
    ///
    /// # Panics
    /// Naming the op and both shapes, if they do not fit.
    pub fn new(input: Shape, kernel: Shape, options: Conv2dOptions) -> Self {
        let fail = |why: String| -> ! { panic!("conv2d: input {input}, kernel {kernel}: {why}") };
        let (&[n, c, h, w], &[o, cg, kh, kw]) = (input.dims(), kernel.dims()) else {
            fail(
                "the input must be [batch, channels, height, width] and the kernel \
                 [out, in/groups, kh, kw]"
                    .into(),
            )
        };
        let Conv2dOptions {
            stride,
            padding,
            dilation,
            groups,
        } = options;
        if stride.contains(&0) || dilation.contains(&0) || groups == 0 {
            fail(format!(
                "stride {stride:?}, dilation {dilation:?} and groups {groups} must be at least 1"
            ));
        }
        if c % groups != 0 || o % groups != 0 {
            fail(format!(
                "{groups} groups must divide the input channels ({c}) and the kernel's outputs \
                 ({o})"
            ));
        }
        if cg != c / groups {
            fail(format!(
                "the kernel's second axis must be in/groups = {c}/{groups} = {}",
                c / groups
            ));
        }
        let out = |len: usize, [before, after]: [usize; 2], k: usize, d: usize, s: usize| {
            let span = d * (k - 1) + 1;
            let padded = len + before + after;
            if k == 0 || padded < span {
                fail(format!(
                    "a window of {span} (kernel {k}, dilation {d}) does not fit a padded \
                     length of {padded}"
                ));
            }
            (padded - span) / s + 1
        };
        let oh = out(h, padding[0], kh, dilation[0], stride[0]);
        let ow = out(w, padding[1], kw, dilation[1], stride[1]);
        Geometry {
            n,
            c,
            h,
            w,
            o,
            kh,
            kw,
            oh,
            ow,
            groups,
            options,
        }
    }

    /// Input channels per group.
    pub fn cg(&self) -> usize {
        self.c / self.groups
    }

    /// Output channels per group.
    pub fn og(&self) -> usize {
        self.o / self.groups
    }

    /// Rows of one group's column matrix: its input channels × kernel taps.
    pub fn kg(&self) -> usize {
        self.cg() * self.kh * self.kw
    }

    /// Output positions of one image.
    pub fn positions(&self) -> usize {
        self.oh * self.ow
    }

    /// A 1×1 kernel with stride 1 and no padding reads the input as it lies: the product needs
    /// no column matrix.
    pub fn is_pointwise(&self) -> bool {
        let o = &self.options;
        self.kh == 1 && self.kw == 1 && o.stride == [1, 1] && o.padding == [[0, 0], [0, 0]]
    }

    /// The output's dimensions.
    pub fn output_dims(&self) -> [usize; 4] {
        [self.n, self.o, self.oh, self.ow]
    }
}
