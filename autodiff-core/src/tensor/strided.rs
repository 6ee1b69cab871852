//! Walking a row-major output shape while reading inputs through their (broadcast) strides.

use crate::Shape;
use crate::shape::MAX_RANK;

/// Calls `f(out_index, [offset into each input])` for every element of `shape` in row-major
/// order, each input being read through its own strides (0 along broadcast dimensions).
///
/// The innermost dimension runs as a plain loop so the common cases stay cheap.
pub(crate) fn for_each_strided<const N: usize>(
    shape: &Shape,
    strides: [[usize; MAX_RANK]; N],
    mut f: impl FnMut(usize, [usize; N]),
) {
    let rank = shape.rank();
    if rank == 0 {
        f(0, [0; N]);
        return;
    }
    let dims = shape.dims();
    let last = rank - 1;
    let inner = dims[last];
    if inner == 0 || shape.numel() == 0 {
        return;
    }
    let mut counter = [0usize; MAX_RANK];
    let mut base = [0usize; N];
    let mut out = 0;
    loop {
        for j in 0..inner {
            let mut offsets = base;
            for (o, s) in offsets.iter_mut().zip(&strides) {
                *o += j * s[last];
            }
            f(out, offsets);
            out += 1;
        }
        let mut axis = last;
        loop {
            if axis == 0 {
                return;
            }
            axis -= 1;
            counter[axis] += 1;
            for (b, s) in base.iter_mut().zip(&strides) {
                *b += s[axis];
            }
            if counter[axis] < dims[axis] {
                break;
            }
            for (b, s) in base.iter_mut().zip(&strides) {
                *b -= s[axis] * dims[axis];
            }
            counter[axis] = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visits_broadcast_offsets_in_row_major_order() {
        let out = Shape::new(&[2, 3]);
        let row = Shape::new(&[3]).broadcast_strides("t", &out);
        let col = Shape::new(&[2, 1]).broadcast_strides("t", &out);
        let mut seen = vec![];
        for_each_strided(&out, [row, col], |i, [r, c]| seen.push((i, r, c)));
        assert_eq!(
            seen,
            vec![
                (0, 0, 0),
                (1, 1, 0),
                (2, 2, 0),
                (3, 0, 1),
                (4, 1, 1),
                (5, 2, 1)
            ]
        );
    }
}
