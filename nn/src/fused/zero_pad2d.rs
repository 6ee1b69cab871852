//! Zero padding of an NCHW batch's height and width (Keras's `ZeroPadding2D`, PyTorch's
//! `F.pad(x, (left, right, top, bottom))`): y is x framed by zeros, so dx is dy cropped back to
//! x's window.

use autodiff_core::{BackwardCx, Float, Tensor, Var};

/// `x` (`[n, c, h, w]`) with `[[top, bottom], [left, right]]` rows and columns of zeros added,
/// as one tape node.
///
/// ```
/// use autodiff_core::{Tape, Tensor};
/// let tape = Tape::new();
/// let x = tape.constant(Tensor::<f64>::ones([1, 1, 1, 2]));
/// let y = nn::fused::zero_pad2d(x, [[1, 0], [0, 1]]);
/// assert_eq!(y.value().data(), &[0.0, 0.0, 0.0, 1.0, 1.0, 0.0]);
/// ```
///
/// # Panics
/// Naming the op and the shape, if `x` is not 4-D.
#[track_caller]
pub fn zero_pad2d<'t, T: Float>(x: Var<'t, T>, padding: [[usize; 2]; 2]) -> Var<'t, T> {
    let xs = x.shape();
    let &[n, c, h, w] = xs.dims() else {
        panic!("zero_pad2d: input {xs}: the input must be [batch, channels, height, width]");
    };
    let [[top, bottom], [left, right]] = padding;
    let (ph, pw) = (h + top + bottom, w + left + right);
    // Each input row's place in the padded output: the row of output plane `plane`, line `y`.
    let window = move |plane: usize, y: usize| (plane * ph + y + top) * pw + left;
    let mut out = Tensor::zeros([n, c, ph, pw]);
    x.with_value(|x| {
        for (r, row) in x.data().chunks_exact(w.max(1)).enumerate().take(n * c * h) {
            let start = window(r / h, r % h);
            out.data_mut()[start..start + w].copy_from_slice(&row[..w]);
        }
    });
    x.tape().record(out, &[x], move |cx: &mut BackwardCx<T>| {
        let dy = cx.grad_output().data();
        cx.write_grad(0, |dx, beta| {
            for (r, row) in dx.chunks_exact_mut(w.max(1)).enumerate().take(n * c * h) {
                let start = window(r / h, r % h);
                row.iter_mut()
                    .zip(&dy[start..start + w])
                    .for_each(|(d, &g)| *d = g + beta * *d);
            }
        });
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use autodiff_core::{Tape, gradcheck};

    #[test]
    fn frames_every_plane_with_zeros() {
        let tape = Tape::new();
        let x = tape.constant(Tensor::from_vec(vec![1.0_f64, 2.0, 3.0, 4.0], [2, 1, 1, 2]));
        let y = zero_pad2d(x, [[0, 1], [1, 0]]).value();
        assert_eq!(y.dims(), [2, 1, 2, 3]);
        assert_eq!(
            y.data(),
            &[0.0, 1.0, 2.0, 0.0, 0.0, 0.0, 0.0, 3.0, 4.0, 0.0, 0.0, 0.0]
        );
    }

    #[test]
    fn gradcheck_with_uneven_sides() {
        let x = Tensor::normal([2, 2, 3, 2], 0.0, 1.0, 1);
        gradcheck(|v| zero_pad2d(v[0], [[2, 0], [1, 3]]), &[x]).unwrap();
    }

    #[test]
    #[should_panic(expected = "zero_pad2d: input [2, 3]")]
    fn a_matrix_is_refused_naming_its_shape() {
        let tape = Tape::<f32>::new();
        zero_pad2d(tape.constant(Tensor::zeros([2, 3])), [[1, 1], [1, 1]]);
    }
}
