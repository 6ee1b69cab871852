//! Reshaping and re-ordering axes: reshape, squeeze/unsqueeze, permute/transpose, broadcast_to.
//!
//! Derivatives: reshape's gradient is reshaped back; permute's is permuted by the inverse
//! permutation; broadcast_to's is summed back (by [`BackwardCx::accumulate`]).

use crate::pool;
use crate::shape::MAX_RANK;
use crate::tensor::for_each_strided;
use crate::{BackwardCx, Float, Shape, Tensor, Var};

impl<T: Float> Tensor<T> {
    /// The same elements under a new shape with as many elements.
    ///
    /// # Panics
    /// If the element counts differ.
    pub fn reshape(&self, shape: impl Into<Shape>) -> Tensor<T> {
        self.clone().into_reshape(shape)
    }

    /// Like [`Tensor::reshape`], consuming `self` (no copy).
    pub fn into_reshape(self, shape: impl Into<Shape>) -> Tensor<T> {
        let shape = shape.into();
        assert!(
            shape.numel() == self.numel(),
            "reshape: cannot view shape {} ({} elements) as {} ({} elements)",
            self.shape(),
            self.numel(),
            shape,
            shape.numel()
        );
        self.with_shape(shape)
    }

    /// Inserts an axis of length 1 at `axis`.
    pub fn unsqueeze(&self, axis: usize) -> Tensor<T> {
        assert!(
            axis <= self.rank(),
            "unsqueeze: axis {axis} is out of range for shape {}",
            self.shape()
        );
        self.reshape(self.shape().with_axis_inserted(axis, 1))
    }

    /// Removes `axis`, which must have length 1.
    pub fn squeeze(&self, axis: usize) -> Tensor<T> {
        let shape = self.shape();
        assert!(
            axis < shape.rank() && shape[axis] == 1,
            "squeeze: axis {axis} of shape {shape} does not have length 1"
        );
        self.reshape(shape.without_axis(axis))
    }

    /// The axes re-ordered: output axis `i` is input axis `axes[i]` (a copy).
    ///
    /// # Panics
    /// If `axes` is not a permutation of the axes.
    pub fn permute(&self, axes: &[usize]) -> Tensor<T> {
        let shape = self.shape();
        let mut seen = [false; MAX_RANK];
        assert!(
            axes.len() == shape.rank()
                && axes
                    .iter()
                    .all(|&a| a < shape.rank() && !std::mem::replace(&mut seen[a], true)),
            "permute: {axes:?} is not a permutation of the axes of shape {shape}"
        );
        let own = shape.strides();
        let mut strides = [0; MAX_RANK];
        let dims: Vec<usize> = axes.iter().map(|&a| shape[a]).collect();
        for (i, &a) in axes.iter().enumerate() {
            strides[i] = own[a];
        }
        let out_shape = Shape::new(&dims);
        let x = self.data();
        let mut data = pool::with_capacity(self.numel());
        for_each_strided(&out_shape, [strides], |_, [j]| data.push(x[j]));
        Tensor::from_parts(out_shape, data)
    }

    /// Axes `a` and `b` swapped.
    pub fn transpose(&self, a: usize, b: usize) -> Tensor<T> {
        self.permute(&swapped_axes(self.rank(), a, b))
    }

    /// The transpose of a matrix.
    ///
    /// # Panics
    /// If the tensor is not 2-D.
    pub fn t(&self) -> Tensor<T> {
        assert!(
            self.rank() == 2,
            "t: shape {} is not a matrix",
            self.shape()
        );
        self.transpose(0, 1)
    }

    /// The tensor repeated along broadcast dimensions to `shape` (NumPy rules).
    pub fn broadcast_to(&self, shape: impl Into<Shape>) -> Tensor<T> {
        let shape = shape.into();
        if shape == self.shape() {
            return self.clone();
        }
        let strides = self.shape().broadcast_strides("broadcast_to", &shape);
        let x = self.data();
        let mut data = pool::with_capacity(shape.numel());
        for_each_strided(&shape, [strides], |_, [j]| data.push(x[j]));
        Tensor::from_parts(shape, data)
    }
}

fn swapped_axes(rank: usize, a: usize, b: usize) -> Vec<usize> {
    let mut axes: Vec<usize> = (0..rank).collect();
    assert!(
        a < rank && b < rank,
        "transpose: axes {a} and {b} out of range for rank {rank}"
    );
    axes.swap(a, b);
    axes
}

impl<'t, T: Float> Var<'t, T> {
    /// The same elements under a new shape with as many elements.
    #[track_caller]
    pub fn reshape(self, shape: impl Into<Shape>) -> Var<'t, T> {
        let value = self.with_value(|x| x.reshape(shape));
        self.tape.record(value, &[self], |cx: &mut BackwardCx<T>| {
            let g = cx.grad_output().reshape(cx.input(0).shape());
            cx.accumulate(0, g);
        })
    }

    /// All dimensions after the first merged into one: `[n, …] → [n, ∏…]` (Keras's `Flatten`).
    #[track_caller]
    pub fn flatten(self) -> Var<'t, T> {
        let shape = self.shape();
        assert!(shape.rank() >= 1, "flatten: a scalar has no batch axis");
        self.reshape([shape[0], shape[1..].iter().product()])
    }

    /// Inserts an axis of length 1 at `axis`.
    #[track_caller]
    pub fn unsqueeze(self, axis: usize) -> Var<'t, T> {
        let shape = self.shape();
        assert!(
            axis <= shape.rank(),
            "unsqueeze: axis {axis} is out of range for shape {shape}"
        );
        self.reshape(shape.with_axis_inserted(axis, 1))
    }

    /// Removes `axis`, which must have length 1.
    #[track_caller]
    pub fn squeeze(self, axis: usize) -> Var<'t, T> {
        let shape = self.shape();
        assert!(
            axis < shape.rank() && shape[axis] == 1,
            "squeeze: axis {axis} of shape {shape} does not have length 1"
        );
        self.reshape(shape.without_axis(axis))
    }

    /// The axes re-ordered: output axis `i` is input axis `axes[i]`.
    #[track_caller]
    pub fn permute(self, axes: &[usize]) -> Var<'t, T> {
        let value = self.with_value(|x| x.permute(axes));
        let mut inverse = vec![0; axes.len()];
        for (i, &a) in axes.iter().enumerate() {
            inverse[a] = i;
        }
        self.tape
            .record(value, &[self], move |cx: &mut BackwardCx<T>| {
                let g = cx.grad_output().permute(&inverse);
                cx.accumulate(0, g);
            })
    }

    /// Axes `a` and `b` swapped.
    #[track_caller]
    pub fn transpose(self, a: usize, b: usize) -> Var<'t, T> {
        self.permute(&swapped_axes(self.shape().rank(), a, b))
    }

    /// The transpose of a matrix.
    #[track_caller]
    pub fn t(self) -> Var<'t, T> {
        let shape = self.shape();
        assert!(shape.rank() == 2, "t: shape {shape} is not a matrix");
        self.transpose(0, 1)
    }

    /// The value repeated along broadcast dimensions to `shape`; the gradient is summed back.
    #[track_caller]
    pub fn broadcast_to(self, shape: impl Into<Shape>) -> Var<'t, T> {
        let value = self.with_value(|x| x.broadcast_to(shape));
        self.tape.record(value, &[self], |cx: &mut BackwardCx<T>| {
            let g = cx.grad_output().clone();
            cx.accumulate(0, g);
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::Tensor;

    #[test]
    fn permute_moves_axes() {
        let t = Tensor::from_fn([2, 3, 4], |i| i as f32);
        let p = t.permute(&[2, 0, 1]);
        assert_eq!(p.dims(), &[4, 2, 3]);
        assert_eq!(p.get(&[3, 1, 2]), t.get(&[1, 2, 3]));
        assert_eq!(t.transpose(0, 2).get(&[3, 2, 1]), t.get(&[1, 2, 3]));
    }

    #[test]
    fn broadcast_to_repeats() {
        let t = Tensor::from_vec(vec![1.0_f32, 2.0], [2, 1]);
        assert_eq!(
            t.broadcast_to([2, 3]).data(),
            &[1.0, 1.0, 1.0, 2.0, 2.0, 2.0]
        );
    }

    #[test]
    #[should_panic(expected = "reshape: cannot view shape [2, 3] (6 elements) as [4] (4 elements)")]
    fn reshape_checks_count() {
        Tensor::<f32>::zeros([2, 3]).reshape([4]);
    }

    #[test]
    #[should_panic(expected = "permute: [0, 0] is not a permutation of the axes of shape [2, 3]")]
    fn permute_checks_axes() {
        Tensor::<f32>::zeros([2, 3]).permute(&[0, 0]);
    }
}
