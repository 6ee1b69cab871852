//! The forward loop of a fused elementwise op.

use std::array::from_fn;

use crate::pool;
use crate::tensor::for_each_strided;
use crate::{Float, Tensor};

use super::broadcast_shape;

/// Applies the scalar function `f` of `N` inputs and `M` outputs at every element of the inputs'
/// NumPy broadcast, returning the `M` outputs (each of the broadcast shape). `op` names the
/// operation in shape errors.
///
/// Inputs of the full shape are read in one contiguous loop; an input of a smaller shape is read
/// through strides, never copied to the full shape.
///
/// ```
/// use autodiff_core::{elementwise, Tensor};
/// let x = Tensor::from_vec(vec![1.0_f64, 2.0, 3.0, 4.0], [2, 2]);
/// let w = Tensor::from_vec(vec![10.0, 100.0], [2]);
/// let [y] = elementwise::forward("axpy", [&x, &w], |[x, w]| [w * x + 1.0]);
/// assert_eq!(y.data(), &[11.0, 201.0, 31.0, 401.0]);
/// ```
///
/// # Panics
/// If the shapes do not broadcast, or if `N` is 0.
#[inline]
pub fn forward<T: Float, const N: usize, const M: usize>(
    op: &str,
    inputs: [&Tensor<T>; N],
    f: impl Fn([T; N]) -> [T; M],
) -> [Tensor<T>; M] {
    let shape = broadcast_shape(op, &inputs);
    let n = shape.numel();
    let mut outputs: [Vec<T>; M] = from_fn(|_| pool::with_capacity(n));
    let mut push = |ys: [T; M]| {
        for (out, y) in outputs.iter_mut().zip(ys) {
            out.push(y);
        }
    };
    if inputs.iter().all(|t| t.has_shape(&shape)) {
        // The hot case: every input has the full shape.
        let data: [&[T]; N] = inputs.map(|t| &t.data()[..n]);
        for at in 0..n {
            push(f(from_fn(|i| data[i][at])));
        }
    } else {
        let strides = inputs.map(|t| t.shape().broadcast_strides(op, &shape));
        let data: [&[T]; N] = inputs.map(Tensor::data);
        for_each_strided(&shape, strides, |_, offsets| {
            push(f(from_fn(|i| data[i][offsets[i]])));
        });
    }
    outputs.map(|out| Tensor::from_parts(shape, out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcasts_inputs_of_every_rank_and_computes_every_output() {
        let a = Tensor::from_vec(vec![1.0_f64, 2.0, 3.0, 4.0, 5.0, 6.0], [2, 3]);
        let col = Tensor::from_vec(vec![10.0, 20.0], [2, 1]);
        let scalar = Tensor::scalar(100.0);
        let [sum, product] = forward("t", [&a, &col, &scalar], |[a, c, s]| [a + c + s, a * c]);
        assert_eq!(sum.dims(), &[2, 3]);
        assert_eq!(sum.data(), &[111.0, 112.0, 113.0, 124.0, 125.0, 126.0]);
        assert_eq!(product.data(), &[10.0, 20.0, 30.0, 80.0, 100.0, 120.0]);
    }

    #[test]
    fn the_broadcast_shape_can_be_larger_than_every_input() {
        let row = Tensor::from_vec(vec![1.0_f64, 2.0], [1, 2]);
        let col = Tensor::from_vec(vec![10.0, 20.0, 30.0], [3, 1]);
        let [y] = forward("t", [&row, &col], |[r, c]| [r + c]);
        assert_eq!(y.dims(), &[3, 2]);
        assert_eq!(y.data(), &[11.0, 12.0, 21.0, 22.0, 31.0, 32.0]);
    }

    #[test]
    #[should_panic(expected = "fused: shapes [2, 3] and [4] do not broadcast")]
    fn mismatched_shapes_panic_naming_the_op() {
        let a = Tensor::<f64>::zeros([2, 3]);
        let b = Tensor::zeros([4]);
        forward("fused", [&a, &b], |[a, b]| [a + b]);
    }
}
