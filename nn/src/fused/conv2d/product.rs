//! The orientation of conv2d's matrix products.
//!
//! matrixmultiply splits its threads over the rows of the result (given at least 96 of them)
//! and packs the right operand on one thread, once per 1024 columns and per 256 of the inner
//! dimension, each block ending in a join of the threads. A product like `[64, 288]·[288, 7744]`
//! (a convolution's kernel times its column matrix) thus packs its large operand serially and
//! joins sixteen times; its transpose `[7744, 288]·[288, 64]` packs the large operand on every
//! thread and joins twice. The transposed result is stored column by column, which the kernel
//! does element by element: worth it only when a long inner dimension amortises those stores.

use autodiff_core::Float;
use autodiff_core::ops::gemm;

/// Below this inner dimension the transposed result's element-wise stores cost more than the
/// orientation saves (matrixmultiply's f32 depth block, 256).
const MIN_INNER_TO_TRANSPOSE: usize = 256;

/// Whether an `m×k·k×n` product is computed as its transpose: more columns than rows and a long
/// inner dimension.
pub(super) fn transposes(m: usize, k: usize, n: usize) -> bool {
    n > m && k >= MIN_INNER_TO_TRANSPOSE
}

/// `c ← a·b + beta·c` as [`gemm`] takes it, computed as `cᵀ = bᵀ·aᵀ` (the operands swapped and
/// every stride pair reversed, no copy) when [`transposes`] says so.
pub(super) fn product<T: Float>(
    (m, k, n): (usize, usize, usize),
    (a, [ar, ac]): (&[T], [usize; 2]),
    (b, [br, bc]): (&[T], [usize; 2]),
    beta: T,
    (c, [cr, cc]): (&mut [T], [usize; 2]),
) {
    if transposes(m, k, n) {
        gemm((n, k, m), (b, [bc, br]), (a, [ac, ar]), beta, (c, [cc, cr]));
    } else {
        gemm((m, k, n), (a, [ar, ac]), (b, [br, bc]), beta, (c, [cr, cc]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_orientations_give_the_same_product() {
        let (m, k, n) = (3, MIN_INNER_TO_TRANSPOSE + 5, 7);
        assert!(transposes(m, k, n) && !transposes(n, k, m));
        let a: Vec<f64> = (0..m * k).map(|i| (i % 13) as f64 - 6.0).collect();
        let b: Vec<f64> = (0..k * n).map(|i| (i % 7) as f64 * 0.5).collect();
        let mut want = vec![1.0; m * n];
        for (i, row) in want.chunks_exact_mut(n).enumerate() {
            for (j, v) in row.iter_mut().enumerate() {
                *v = 2.0 * *v + (0..k).map(|p| a[i * k + p] * b[p * n + j]).sum::<f64>();
            }
        }
        // a given by columns (transposed strides), c by rows.
        let a_by_columns: Vec<f64> = (0..k * m).map(|i| a[(i % m) * k + i / m]).collect();
        let mut c = vec![1.0; m * n];
        product(
            (m, k, n),
            (&a_by_columns, [1, m]),
            (&b, [n, 1]),
            2.0,
            (&mut c, [n, 1]),
        );
        assert_eq!(c, want);
    }
}
