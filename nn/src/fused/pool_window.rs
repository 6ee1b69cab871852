//! [`PoolWindow`]: the kernel, stride and padding of a 2-D pooling op, and the output size they
//! give, as PyTorch computes it (`ceil_mode=False`, no dilation).
//!
//! For an input of height H with kernel k, stride s and padding p on each side, the output has
//! ⌊(H + 2p − k) / s⌋ + 1 rows; window `o` covers padded rows `o·s − p .. o·s − p + k`. As in
//! PyTorch, the padding may be at most half the kernel, so every window holds at least one real
//! element.

/// A size or step along the two spatial axes `[height, width]`; a single number means both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Size2d(pub [usize; 2]);

impl From<usize> for Size2d {
    fn from(n: usize) -> Self {
        Size2d([n, n])
    }
}

impl From<[usize; 2]> for Size2d {
    fn from(hw: [usize; 2]) -> Self {
        Size2d(hw)
    }
}

impl From<(usize, usize)> for Size2d {
    fn from((h, w): (usize, usize)) -> Self {
        Size2d([h, w])
    }
}

/// The windows a 2-D pooling op slides over an NCHW input.
///
/// ```
/// use nn::fused::PoolWindow;
/// // AlexNet's overlapping pooling: 3×3 windows every 2 pixels.
/// let window = PoolWindow::new(3).stride(2);
/// assert_eq!(window.output_size("max_pool2d", [55, 55]), [27, 27]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolWindow {
    /// The window's `[height, width]`.
    pub kernel: [usize; 2],
    /// How far the window moves, `[down, across]`.
    pub stride: [usize; 2],
    /// Padding added on each side, `[top and bottom, left and right]`.
    pub padding: [usize; 2],
}

impl PoolWindow {
    /// Windows of `kernel` size with PyTorch's defaults: stride = kernel (no overlap), no
    /// padding.
    pub fn new(kernel: impl Into<Size2d>) -> Self {
        let kernel = kernel.into().0;
        PoolWindow {
            kernel,
            stride: kernel,
            padding: [0, 0],
        }
    }

    /// Sets the stride.
    pub fn stride(mut self, stride: impl Into<Size2d>) -> Self {
        self.stride = stride.into().0;
        self
    }

    /// Sets the padding.
    pub fn padding(mut self, padding: impl Into<Size2d>) -> Self {
        self.padding = padding.into().0;
        self
    }

    /// The output's `[height, width]` for an input of `[height, width]`.
    ///
    /// # Panics
    /// Naming `op`, the input size and the window, if a kernel or stride is 0, the padding is
    /// more than half the kernel, or the padded input is smaller than the kernel.
    pub fn output_size(&self, op: &str, input: [usize; 2]) -> [usize; 2] {
        let [k, s, p] = [self.kernel, self.stride, self.padding];
        let problem = (0..2).find_map(|a| {
            if k[a] == 0 || s[a] == 0 {
                Some("kernel and stride must be positive")
            } else if 2 * p[a] > k[a] {
                Some("padding must be at most half the kernel")
            } else if input[a] + 2 * p[a] < k[a] {
                Some("the kernel is larger than the padded input")
            } else {
                None
            }
        });
        if let Some(why) = problem {
            panic!("{op}: input {input:?}, kernel {k:?}, stride {s:?}, padding {p:?}: {why}");
        }
        std::array::from_fn(|a| (input[a] + 2 * p[a] - k[a]) / s[a] + 1)
    }

    /// The input rows (or columns, for `axis` 1) window `o` covers, clipped to the real input
    /// of `len` elements: the padding is outside every range.
    pub(crate) fn span(&self, axis: usize, o: usize, len: usize) -> std::ops::Range<usize> {
        let start = (o * self.stride[axis]).saturating_sub(self.padding[axis]);
        let end = (o * self.stride[axis] + self.kernel[axis]).saturating_sub(self.padding[axis]);
        start..end.min(len)
    }
}

/// The `[N, C, H, W]` of an NCHW input to `op`.
///
/// # Panics
/// Naming `op`, the input's shape and the window, unless the input has rank 4 and a height and
/// width of at least 1.
pub(crate) fn nchw(op: &str, dims: &[usize], window: &PoolWindow) -> [usize; 4] {
    match *dims {
        [n, c, h, w] if h > 0 && w > 0 => [n, c, h, w],
        _ => panic!(
            "{op}: input {dims:?}, kernel {:?}: the input must be [N, C, H, W] with H, W ≥ 1",
            window.kernel
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_sizes_follow_pytorch() {
        // torch.nn.functional.max_pool2d(torch.zeros(1, 1, 7, 6), 2, 2, 1).shape == (1, 1, 4, 4)
        assert_eq!(
            PoolWindow::new(2).padding(1).output_size("t", [7, 6]),
            [4, 4]
        );
        assert_eq!(
            PoolWindow::new([3, 2])
                .stride([2, 1])
                .output_size("t", [7, 5]),
            [3, 4]
        );
    }

    #[test]
    fn spans_are_clipped_to_the_real_input() {
        let w = PoolWindow::new(3).stride(2).padding(1);
        assert_eq!(w.span(0, 0, 5), 0..2);
        assert_eq!(w.span(0, 1, 5), 1..4);
        assert_eq!(w.span(0, 2, 5), 3..5);
    }

    #[test]
    #[should_panic(
        expected = "max_pool2d: input [2, 2], kernel [3, 3], stride [3, 3], padding [0, 0]"
    )]
    fn a_window_larger_than_the_input_names_both() {
        PoolWindow::new(3).output_size("max_pool2d", [2, 2]);
    }

    #[test]
    #[should_panic(expected = "padding must be at most half the kernel")]
    fn padding_over_half_the_kernel_is_refused() {
        PoolWindow::new(2)
            .padding(2)
            .output_size("avg_pool2d", [8, 8]);
    }
}
