//! [`Tensor`]: an owned, contiguous, row-major n-d array.
//!
//! Construction and element access live here; the operations live in [`crate::ops`], one file
//! per family, each beside its derivative and tests.

mod display;
mod random;
mod strided;

pub(crate) use strided::for_each_strided;

use crate::{Float, Shape, pool};

/// An owned, contiguous, row-major n-d array of `f32` or `f64`.
///
/// ```
/// use autodiff_core::Tensor;
/// let t = Tensor::from_vec(vec![1.0_f32, 2.0, 3.0, 4.0, 5.0, 6.0], [2, 3]);
/// assert_eq!(t.dims(), &[2, 3]);
/// assert_eq!(t.get(&[1, 0]), 4.0);
/// assert_eq!(t.sum_all().item(), 21.0);
/// ```
#[derive(PartialEq)]
pub struct Tensor<T: Float> {
    shape: Shape,
    data: Vec<T>,
}

/// A copy's buffer comes from the [pool](crate::pool).
impl<T: Float> Clone for Tensor<T> {
    fn clone(&self) -> Self {
        Tensor {
            shape: self.shape,
            data: pool::copy_of(&self.data),
        }
    }
}

/// The buffer goes back to the [pool](crate::pool) for the next tensor of its size.
impl<T: Float> Drop for Tensor<T> {
    fn drop(&mut self) {
        pool::give_back(std::mem::take(&mut self.data));
    }
}

/// The error of [`Tensor::try_from_vec`]: the data does not fill the shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapeError {
    /// The shape asked for.
    pub shape: Shape,
    /// How many values were given.
    pub len: usize,
}

impl std::fmt::Display for ShapeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} values do not fill shape {} ({} elements)",
            self.len,
            self.shape,
            self.shape.numel()
        )
    }
}

impl std::error::Error for ShapeError {}

impl<T: Float> Tensor<T> {
    /// A tensor of the given shape holding `data` in row-major order.
    ///
    /// # Panics
    /// If `data.len()` is not the shape's element count.
    pub fn from_vec(data: Vec<T>, shape: impl Into<Shape>) -> Self {
        match Self::try_from_vec(data, shape) {
            Ok(t) => t,
            Err(e) => panic!("from_vec: {e}"),
        }
    }

    /// Like [`Tensor::from_vec`], but returns an error instead of panicking: for data that comes
    /// from outside the program.
    pub fn try_from_vec(data: Vec<T>, shape: impl Into<Shape>) -> Result<Self, ShapeError> {
        let shape = shape.into();
        if data.len() != shape.numel() {
            return Err(ShapeError {
                shape,
                len: data.len(),
            });
        }
        Ok(Tensor { shape, data })
    }

    /// A tensor filled with `value`.
    pub fn full(shape: impl Into<Shape>, value: T) -> Self {
        let shape = shape.into();
        Tensor {
            data: pool::filled(shape.numel(), value),
            shape,
        }
    }

    /// A tensor whose values are unspecified (PyTorch's `torch.empty`): whatever the
    /// [pool](crate::pool)'s reused buffer held, or zeros; never uninitialised memory. For
    /// kernels that overwrite every element, such as a product with β = 0.
    pub fn empty(shape: impl Into<Shape>) -> Self {
        let shape = shape.into();
        Tensor {
            data: pool::unspecified(shape.numel()),
            shape,
        }
    }

    /// A tensor of zeros.
    pub fn zeros(shape: impl Into<Shape>) -> Self {
        Self::full(shape, T::zero())
    }

    /// A tensor of ones.
    pub fn ones(shape: impl Into<Shape>) -> Self {
        Self::full(shape, T::one())
    }

    /// A rank-0 tensor holding one value.
    pub fn scalar(value: T) -> Self {
        Tensor {
            shape: Shape::scalar(),
            data: pool::filled(1, value),
        }
    }

    /// The `n × n` identity matrix.
    pub fn eye(n: usize) -> Self {
        let mut t = Self::zeros([n, n]);
        for i in 0..n {
            t.data[i * n + i] = T::one();
        }
        t
    }

    /// The 1-D tensor `[start, start + step, …]` of values below `end` (NumPy's `arange`).
    ///
    /// # Panics
    /// If `step` is not positive.
    pub fn arange(start: T, end: T, step: T) -> Self {
        assert!(step > T::zero(), "arange: step {step} must be positive");
        let n = ((end - start) / step).ceil().to_usize().unwrap_or(0);
        let data: Vec<T> = (0..n)
            .map(|i| start + step * T::from_usize(i).unwrap())
            .collect();
        Tensor {
            shape: Shape::new(&[n]),
            data,
        }
    }

    /// A tensor whose element at each multi-index is `f(flat_index)`.
    pub fn from_fn(shape: impl Into<Shape>, f: impl FnMut(usize) -> T) -> Self {
        let shape = shape.into();
        let mut data = pool::with_capacity(shape.numel());
        data.extend((0..shape.numel()).map(f));
        Tensor { data, shape }
    }

    /// The shape.
    pub fn shape(&self) -> Shape {
        self.shape
    }

    /// Whether `self` and `other` have the same shape (compared in place: cheaper than two
    /// [`Tensor::shape`] copies or two [`Tensor::dims`] slices).
    #[inline]
    pub fn same_shape(&self, other: &Self) -> bool {
        self.has_shape(&other.shape)
    }

    /// Whether the tensor has shape `shape` (compared in place, like [`Tensor::same_shape`]).
    #[inline]
    pub fn has_shape(&self, shape: &Shape) -> bool {
        self.shape == *shape
    }

    /// The dimensions as a slice.
    pub fn dims(&self) -> &[usize] {
        self.shape.dims()
    }

    /// The number of dimensions.
    pub fn rank(&self) -> usize {
        self.shape.rank()
    }

    /// The number of elements.
    pub fn numel(&self) -> usize {
        self.data.len()
    }

    /// The elements in row-major order.
    pub fn data(&self) -> &[T] {
        &self.data
    }

    /// The elements in row-major order, mutably.
    pub fn data_mut(&mut self) -> &mut [T] {
        &mut self.data
    }

    /// The elements, consuming the tensor.
    pub fn into_vec(mut self) -> Vec<T> {
        std::mem::take(&mut self.data)
    }

    /// Takes the buffer out, for a tensor about to be dropped whose buffer goes back to the
    /// pool with others ([`pool::give_back_all`]); the tensor is left holding none.
    pub(crate) fn take_buffer(&mut self) -> Vec<T> {
        std::mem::take(&mut self.data)
    }

    /// The value of a one-element tensor.
    ///
    /// # Panics
    /// If the tensor has more than one element.
    pub fn item(&self) -> T {
        assert!(
            self.numel() == 1,
            "item: tensor of shape {} is not a single value",
            self.shape
        );
        self.data[0]
    }

    /// The element at a multi-index.
    ///
    /// # Panics
    /// If the index has the wrong rank or is out of bounds.
    pub fn get(&self, index: &[usize]) -> T {
        self.data[self.flat_index(index)]
    }

    /// Sets the element at a multi-index.
    pub fn set(&mut self, index: &[usize], value: T) {
        let i = self.flat_index(index);
        self.data[i] = value;
    }

    fn flat_index(&self, index: &[usize]) -> usize {
        assert!(
            index.len() == self.rank() && index.iter().zip(self.dims()).all(|(&i, &d)| i < d),
            "index: {index:?} is out of bounds for shape {}",
            self.shape
        );
        let strides = self.shape.strides();
        index.iter().zip(strides).map(|(i, s)| i * s).sum()
    }

    /// The same data under another shape with as many elements (no copy).
    pub(crate) fn with_shape(mut self, shape: Shape) -> Self {
        debug_assert_eq!(shape.numel(), self.data.len());
        self.shape = shape;
        self
    }

    /// A tensor of the given shape whose data is `data` (internal: length already checked).
    pub(crate) fn from_parts(shape: Shape, data: Vec<T>) -> Self {
        debug_assert_eq!(shape.numel(), data.len());
        Tensor { shape, data }
    }

    /// A tensor of shape `[0]` holding no buffer, to be filled in place by
    /// [`Tensor::set_parts`].
    pub(crate) fn placeholder() -> Self {
        Tensor {
            shape: Shape::new(&[0]),
            data: Vec::new(),
        }
    }

    /// Makes this tensor `data` of shape `shape` in place (internal: length already checked).
    #[inline(always)]
    pub(crate) fn set_parts(&mut self, shape: Shape, data: Vec<T>) {
        debug_assert_eq!(shape.numel(), data.len());
        self.shape = shape;
        pool::give_back(std::mem::replace(&mut self.data, data));
    }

    /// `f` of every element, in a buffer from the pool (the data of [`Tensor::map`]).
    #[inline]
    pub(crate) fn map_data(&self, f: impl Fn(T) -> T) -> Vec<T> {
        let mut data = pool::with_capacity(self.numel());
        data.extend(self.data.iter().map(|&x| f(x)));
        data
    }

    /// `f` of every pair of elements of two tensors of one shape, in a buffer from the pool.
    #[inline]
    pub(crate) fn zip_data(&self, other: &Self, f: impl Fn(T, T) -> T) -> Vec<T> {
        debug_assert!(self.same_shape(other));
        let mut data = pool::with_capacity(self.numel());
        data.extend(self.data.iter().zip(&other.data).map(|(&a, &b)| f(a, b)));
        data
    }

    /// Applies `f` to every element, producing a new tensor of the same shape.
    pub fn map(&self, f: impl Fn(T) -> T) -> Self {
        let mut data = pool::with_capacity(self.numel());
        data.extend(self.data.iter().map(|&x| f(x)));
        Tensor::from_parts(self.shape, data)
    }

    /// Converts every element to another float type (`f32` ↔ `f64`).
    pub fn cast<U: Float>(&self) -> Tensor<U> {
        Tensor {
            shape: self.shape,
            data: self.data.iter().map(|&x| U::from(x).unwrap()).collect(),
        }
    }

    /// Whether every element is within `atol + rtol·|other|` of `other`'s (shapes must match).
    pub fn all_close(&self, other: &Self, rtol: T, atol: T) -> bool {
        self.shape == other.shape
            && self
                .data
                .iter()
                .zip(&other.data)
                .all(|(&a, &b)| (a - b).abs() <= atol + rtol * b.abs())
    }
}
