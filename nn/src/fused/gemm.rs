//! A bounds-checked wrapper around the core's strided gemm ([`Float::gemm`]).

use autodiff_core::Float;

/// `c ← a·b + beta·c` for an `m×k` times `k×n` product, each operand a slice and its
/// `[row, column]` strides (swapping a matrix's strides transposes it for free).
pub(crate) fn gemm<T: Float>(
    (m, k, n): (usize, usize, usize),
    (a, a_strides): (&[T], [usize; 2]),
    (b, b_strides): (&[T], [usize; 2]),
    beta: T,
    (c, c_strides): (&mut [T], [usize; 2]),
) {
    let span = |rows: usize, cols: usize, [rs, cs]: [usize; 2]| {
        if rows == 0 || cols == 0 {
            0
        } else {
            (rows - 1) * rs + (cols - 1) * cs + 1
        }
    };
    assert!(a.len() >= span(m, k, a_strides) && b.len() >= span(k, n, b_strides));
    assert!(c.len() >= span(m, n, c_strides));
    let s = |[r, c]: [usize; 2]| [r as isize, c as isize];
    // SAFETY: the asserts keep every addressed element inside its slice; `c` is a unique
    // borrow, so it aliases neither input.
    unsafe {
        T::gemm(
            m,
            k,
            n,
            T::one(),
            a.as_ptr(),
            s(a_strides),
            b.as_ptr(),
            s(b_strides),
            beta,
            c.as_mut_ptr(),
            s(c_strides),
        )
    }
}
