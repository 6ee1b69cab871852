//! Tensor shapes: up to [`MAX_RANK`] dimensions stored inline, so a shape is `Copy` and creating
//! a tensor allocates nothing but its data.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

/// The largest rank a tensor may have.
pub const MAX_RANK: usize = 6;

/// The dimensions of a tensor, outermost first (row-major).
#[derive(Clone, Copy, Eq)]
pub struct Shape {
    /// The dimensions, then zeros up to [`MAX_RANK`] (so shapes compare as whole arrays).
    dims: [usize; MAX_RANK],
    rank: u8,
}

/// Compared without branches or a call: every tensor op compares shapes, and the derived
/// comparison of the arrays was a call to `memcmp` in a build for plain x86-64.
impl PartialEq for Shape {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        let differ = self
            .dims
            .iter()
            .zip(&other.dims)
            .fold(0, |acc, (a, b)| acc | (a ^ b));
        differ == 0 && self.rank == other.rank
    }
}

/// Hashes what [`PartialEq`] compares, as the derived hash would.
impl Hash for Shape {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.dims.hash(state);
        self.rank.hash(state);
    }
}

impl Shape {
    /// A shape with the given dimensions; `&[]` is the shape of a scalar.
    ///
    /// # Panics
    /// If there are more than [`MAX_RANK`] dimensions.
    pub fn new(dims: &[usize]) -> Self {
        assert!(
            dims.len() <= MAX_RANK,
            "shape: rank {} of {dims:?} exceeds the maximum rank {MAX_RANK}",
            dims.len()
        );
        let mut inline = [0; MAX_RANK];
        inline[..dims.len()].copy_from_slice(dims);
        Shape {
            dims: inline,
            rank: dims.len() as u8,
        }
    }

    /// The shape of a scalar (rank 0, one element).
    pub fn scalar() -> Self {
        Shape::new(&[])
    }

    /// The dimensions as a slice.
    pub fn dims(&self) -> &[usize] {
        &self.dims[..self.rank as usize]
    }

    /// The number of dimensions.
    pub fn rank(&self) -> usize {
        self.rank as usize
    }

    /// The number of elements (1 for a scalar).
    pub fn numel(&self) -> usize {
        self.dims().iter().product()
    }

    /// Row-major strides in elements: the last dimension has stride 1.
    pub fn strides(&self) -> [usize; MAX_RANK] {
        let mut strides = [0; MAX_RANK];
        let mut step = 1;
        for axis in (0..self.rank()).rev() {
            strides[axis] = step;
            step *= self.dims[axis];
        }
        strides
    }

    /// Checks that `axis` is a valid axis of this shape and returns it.
    ///
    /// # Panics
    /// With `op`'s name and the shape if `axis` is out of range.
    pub fn axis(&self, op: &str, axis: usize) -> usize {
        assert!(
            axis < self.rank(),
            "{op}: axis {axis} is out of range for shape {self}"
        );
        axis
    }

    /// Splits the shape around `axis` into `(outer, len, inner)` element counts: a row-major
    /// tensor is then an `outer × len × inner` block.
    pub fn split_at_axis(&self, axis: usize) -> (usize, usize, usize) {
        let dims = self.dims();
        let outer = dims[..axis].iter().product();
        let inner = dims[axis + 1..].iter().product();
        (outer, dims[axis], inner)
    }

    /// This shape with `axis` replaced by `len`.
    pub fn with_dim(&self, axis: usize, len: usize) -> Shape {
        let mut shape = *self;
        shape.dims[axis] = len;
        shape
    }

    /// This shape without `axis`.
    pub fn without_axis(&self, axis: usize) -> Shape {
        let mut dims = self.dims().to_vec();
        dims.remove(axis);
        Shape::new(&dims)
    }

    /// This shape with a new dimension of length `len` inserted at `axis`.
    pub fn with_axis_inserted(&self, axis: usize, len: usize) -> Shape {
        let mut dims = self.dims().to_vec();
        dims.insert(axis, len);
        Shape::new(&dims)
    }

    /// The NumPy broadcast of two shapes: align trailing dimensions; each pair must be equal or
    /// contain a 1.
    ///
    /// # Panics
    /// With `op`'s name and both shapes if they do not broadcast.
    pub fn broadcast(op: &str, a: &Shape, b: &Shape) -> Shape {
        if a == b {
            return *a;
        }
        let rank = a.rank().max(b.rank());
        let mut dims = [0; MAX_RANK];
        for i in 0..rank {
            let da = a.dim_from_end(rank - 1 - i);
            let db = b.dim_from_end(rank - 1 - i);
            dims[i] = match (da, db) {
                (x, y) if x == y => x,
                (1, y) => y,
                (x, 1) => x,
                _ => panic!(
                    "{op}: shapes {a} and {b} do not broadcast: dimension {i} is {da} vs {db}"
                ),
            };
        }
        Shape {
            dims,
            rank: rank as u8,
        }
    }

    /// The length of dimension `from_end` counted from the last (0 = last), or 1 past the front.
    fn dim_from_end(&self, from_end: usize) -> usize {
        if from_end < self.rank() {
            self.dims[self.rank() - 1 - from_end]
        } else {
            1
        }
    }

    /// Strides with which a tensor of this shape is read as if broadcast to `target`: 0 along
    /// broadcast dimensions, aligned to `target`'s rank.
    ///
    /// # Panics
    /// With `op`'s name if this shape does not broadcast to `target`.
    pub fn broadcast_strides(&self, op: &str, target: &Shape) -> [usize; MAX_RANK] {
        assert!(
            self.rank() <= target.rank(),
            "{op}: shape {self} cannot be broadcast to {target}: it has more dimensions"
        );
        let own = self.strides();
        let offset = target.rank() - self.rank();
        let mut strides = [0; MAX_RANK];
        for axis in 0..self.rank() {
            let (d, t) = (self.dims[axis], target.dims[axis + offset]);
            assert!(
                d == t || d == 1,
                "{op}: shape {self} cannot be broadcast to {target}: dimension {axis} is {d} vs {t}"
            );
            strides[axis + offset] = if d == 1 { 0 } else { own[axis] };
        }
        strides
    }
}

impl Deref for Shape {
    type Target = [usize];

    fn deref(&self) -> &[usize] {
        self.dims()
    }
}

impl From<&[usize]> for Shape {
    fn from(dims: &[usize]) -> Self {
        Shape::new(dims)
    }
}

impl<const N: usize> From<[usize; N]> for Shape {
    fn from(dims: [usize; N]) -> Self {
        Shape::new(&dims)
    }
}

impl<const N: usize> From<&[usize; N]> for Shape {
    fn from(dims: &[usize; N]) -> Self {
        Shape::new(dims)
    }
}

impl From<Vec<usize>> for Shape {
    fn from(dims: Vec<usize>) -> Self {
        Shape::new(&dims)
    }
}

impl From<&Vec<usize>> for Shape {
    fn from(dims: &Vec<usize>) -> Self {
        Shape::new(dims)
    }
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.dims())
    }
}

impl fmt::Debug for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_are_equal_only_with_equal_rank_and_dimensions() {
        assert!(Shape::new(&[2, 3]) == Shape::new(&[2, 3]));
        assert!(Shape::new(&[2, 3]) != Shape::new(&[3, 2]));
        assert!(Shape::new(&[2, 3, 4, 5, 6, 7]) != Shape::new(&[2, 3, 4, 5, 6, 8]));
        // The same stored dimensions (2, then zeros), told apart by their rank alone.
        assert!(Shape::new(&[2]) != Shape::new(&[2, 0]));
        assert!(Shape::scalar() != Shape::new(&[0]));
    }

    #[test]
    fn broadcast_follows_numpy() {
        let s = Shape::broadcast("add", &Shape::new(&[4, 1, 3]), &Shape::new(&[5, 1]));
        assert_eq!(s.dims(), &[4, 5, 3]);
        assert_eq!(
            Shape::broadcast("add", &Shape::scalar(), &Shape::new(&[2])).dims(),
            &[2]
        );
    }

    #[test]
    #[should_panic(expected = "add: shapes [2, 3] and [4] do not broadcast")]
    fn broadcast_mismatch_names_op_and_shapes() {
        Shape::broadcast("add", &Shape::new(&[2, 3]), &Shape::new(&[4]));
    }

    #[test]
    fn broadcast_strides_zero_on_expanded_axes() {
        let s = Shape::new(&[3, 1]).broadcast_strides("t", &Shape::new(&[2, 3, 4]));
        assert_eq!(&s[..3], &[0, 1, 0]);
    }

    #[test]
    fn strides_are_row_major() {
        assert_eq!(&Shape::new(&[2, 3, 4]).strides()[..3], &[12, 4, 1]);
        assert_eq!(Shape::new(&[2, 3, 4]).split_at_axis(1), (2, 3, 4));
    }
}
