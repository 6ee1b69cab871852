//! The one safe entry to the strided matrix product ([`Float::gemm`]) that every matmul, fused
//! layer and user op goes through.

use crate::Float;

/// `c ← a·b + beta·c` for an `m×k` times `k×n` product, each operand given as a slice starting
/// at its first element and its `[row, column]` strides in elements. Swapping a matrix's two
/// strides transposes it without copying.
///
/// ```
/// use autodiff_core::ops::gemm;
/// let a = [1.0_f32, 2.0, 3.0, 4.0]; // [[1, 2], [3, 4]]
/// let mut c = [0.0_f32; 4];
/// gemm((2, 2, 2), (&a, [1, 2]), (&a, [2, 1]), 0.0, (&mut c, [2, 1])); // aᵀ·a
/// assert_eq!(c, [10.0, 14.0, 14.0, 20.0]);
/// ```
///
/// # Panics
/// If a slice is too short for the elements its shape and strides address.
pub fn gemm<T: Float>(
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
    assert!(
        a.len() >= span(m, k, a_strides) && b.len() >= span(k, n, b_strides),
        "gemm: an operand is too short for its shape and strides"
    );
    assert!(
        c.len() >= span(m, n, c_strides),
        "gemm: the output is too short for its shape and strides"
    );
    let signed = |[r, c]: [usize; 2]| [r as isize, c as isize];
    // SAFETY: the asserts keep every addressed element inside its slice, and `c` is a unique
    // borrow, so it aliases neither input.
    unsafe {
        T::gemm(
            m,
            k,
            n,
            T::one(),
            a.as_ptr(),
            signed(a_strides),
            b.as_ptr(),
            signed(b_strides),
            beta,
            c.as_mut_ptr(),
            signed(c_strides),
        )
    }
}
