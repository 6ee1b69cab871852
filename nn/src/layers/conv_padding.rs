//! [`Padding`]: Keras's `padding="valid"` and `"same"`, or explicit zeros per side, resolved
//! against the input's size when a convolution runs.
//!
//! `same` is TensorFlow's rule: the output has ⌈in / stride⌉ positions, the padding that needs,
//! total = max((out − 1)·stride + dilation·(kernel − 1) + 1 − in, 0), is split with the odd one
//! at the end: before = ⌊total / 2⌋, after = total − before. So an even kernel (or a stride that
//! does not divide the input) pads one more at the bottom and right than at the top and left,
//! which PyTorch's symmetric `padding=` cannot express.
//!
//! ```
//! use nn::layers::Padding;
//! // 3×3 kernel, stride 1: one on every side.
//! assert_eq!(Padding::Same.resolve([5, 5], [3, 3], [1, 1], [1, 1]), [[1, 1], [1, 1]]);
//! // 2×2 kernel: the extra zero goes to the bottom and the right.
//! assert_eq!(Padding::Same.resolve([5, 5], [2, 2], [1, 1], [1, 1]), [[0, 1], [0, 1]]);
//! // 6 inputs, kernel 3, stride 2: 3 outputs need 1 zero, at the end.
//! assert_eq!(Padding::Same.resolve([6, 6], [3, 3], [2, 2], [1, 1]), [[0, 1], [0, 1]]);
//! assert_eq!(Padding::Valid.resolve([6, 6], [3, 3], [2, 2], [1, 1]), [[0, 0], [0, 0]]);
//! ```

/// How a convolution pads its input (Keras's `padding=` argument, or explicit sizes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Padding {
    /// No padding: windows only where they fit (Keras's default).
    #[default]
    Valid,
    /// ⌈in / stride⌉ outputs, zeros split as TensorFlow splits them (see the module docs).
    Same,
    /// `[[top, bottom], [left, right]]` zeros (PyTorch's `padding=p` is `[[p, p], [p, p]]`).
    Explicit([[usize; 2]; 2]),
}

impl Padding {
    /// The zeros `[[top, bottom], [left, right]]` for an input of `[height, width]` and the
    /// kernel size, stride and dilation along each.
    pub fn resolve(
        self,
        input: [usize; 2],
        kernel: [usize; 2],
        stride: [usize; 2],
        dilation: [usize; 2],
    ) -> [[usize; 2]; 2] {
        match self {
            Padding::Valid => [[0, 0], [0, 0]],
            Padding::Explicit(sides) => sides,
            Padding::Same => std::array::from_fn(|axis| {
                let out = input[axis].div_ceil(stride[axis].max(1));
                let span = dilation[axis] * kernel[axis].saturating_sub(1) + 1;
                let total =
                    ((out.saturating_sub(1)) * stride[axis] + span).saturating_sub(input[axis]);
                [total / 2, total - total / 2]
            }),
        }
    }
}
