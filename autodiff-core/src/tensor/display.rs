//! NumPy-like printing: nested brackets, aligned values, elided when large, then shape and dtype.

use std::fmt;

use crate::{Float, Tensor};

/// Past this many elements, only the first and last [`EDGE`] of each dimension are printed.
const ELIDE_ABOVE: usize = 1000;
const EDGE: usize = 3;

impl<T: Float> fmt::Display for Tensor<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let precision = f.precision().unwrap_or(4);
        let elide = self.numel() > ELIDE_ABOVE;
        let width = self
            .data()
            .iter()
            .map(|x| format!("{x:.precision$}").len())
            .max()
            .unwrap_or(1);
        write!(f, "tensor(")?;
        write_block(f, self, 0, 0, elide, width, precision)?;
        write!(f, ", shape={}, dtype={})", self.shape(), T::DTYPE)
    }
}

impl<T: Float> fmt::Debug for Tensor<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

fn write_block<T: Float>(
    f: &mut fmt::Formatter<'_>,
    t: &Tensor<T>,
    axis: usize,
    offset: usize,
    elide: bool,
    width: usize,
    precision: usize,
) -> fmt::Result {
    if axis == t.rank() {
        return write!(f, "{:>width$.precision$}", t.data()[offset]);
    }
    let len = t.dims()[axis];
    let stride = t.shape().strides()[axis];
    let separator = if axis + 1 == t.rank() {
        ", ".to_string()
    } else {
        format!(
            ",{}{}",
            "\n".repeat(t.rank() - axis - 1),
            " ".repeat(axis + 8)
        )
    };
    write!(f, "[")?;
    for i in 0..len {
        if elide && len > 2 * EDGE && i == EDGE {
            write!(f, "...{separator}")?;
        }
        if elide && len > 2 * EDGE && (EDGE..len - EDGE).contains(&i) {
            continue;
        }
        write_block(f, t, axis + 1, offset + i * stride, elide, width, precision)?;
        if i + 1 < len {
            write!(f, "{separator}")?;
        }
    }
    write!(f, "]")
}

#[cfg(test)]
mod tests {
    use crate::Tensor;

    #[test]
    fn prints_like_numpy() {
        let t = Tensor::from_vec(vec![1.0_f32, -2.5, 3.0, 4.0], [2, 2]);
        assert_eq!(
            t.to_string(),
            "tensor([[ 1.0000, -2.5000],\n        [ 3.0000,  4.0000]], shape=[2, 2], dtype=f32)"
        );
        assert_eq!(
            format!("{:.1}", Tensor::scalar(2.0_f64)),
            "tensor(2.0, shape=[], dtype=f64)"
        );
    }

    #[test]
    fn elides_large_tensors() {
        let s = Tensor::<f64>::zeros([2000]).to_string();
        assert!(s.contains("..."), "{s}");
        assert!(s.len() < 200, "{s}");
    }
}
