//! The one safe entry to the strided matrix product that every matmul, fused layer and user op
//! goes through: [`Float::gemm`] (matrixmultiply), or, for a right operand of at most 16
//! contiguous columns, the packing-free kernels of [`super::narrow_gemm`], or, for one column,
//! a matrix-vector loop.

use super::narrow_gemm;
use crate::Float;

/// `c ← a·b + beta·c` for an `m×k` times `k×n` product, each operand given as a slice starting
/// at its first element and its `[row, column]` strides in elements. Swapping a matrix's two
/// strides transposes it without copying.
///
/// A product with at most 16 columns whose B and C rows are contiguous, and A's rows or columns,
/// skips matrixmultiply's packing (see [`super::narrow_gemm`]), which for a dense layer with a
/// wide input and few units costs more than the arithmetic. A product with one column (a
/// matrix times a vector) is a loop of dot products or of column sums, with no scratch buffer.
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
    // The last element a matrix addresses, plus one; None on overflow or a stride that does not
    // fit the isize matrixmultiply takes.
    let span = |rows: usize, cols: usize, [rs, cs]: [usize; 2]| -> Option<usize> {
        if rows == 0 || cols == 0 {
            return Some(0);
        }
        if rs > isize::MAX as usize || cs > isize::MAX as usize {
            return None;
        }
        (rows - 1)
            .checked_mul(rs)?
            .checked_add((cols - 1).checked_mul(cs)?)?
            .checked_add(1)
    };
    let fits = |len: usize, span: Option<usize>| span.is_some_and(|s| len >= s);
    assert!(
        fits(a.len(), span(m, k, a_strides)) && fits(b.len(), span(k, n, b_strides)),
        "gemm: an operand is too short for its shape and strides"
    );
    assert!(
        fits(c.len(), span(m, n, c_strides)),
        "gemm: the output is too short for its shape and strides"
    );
    assert!(
        distinct_elements(m, n, c_strides),
        "gemm: output strides {c_strides:?} make distinct elements of a {m}×{n} result overlap"
    );
    if n == 1 {
        return matrix_vector(
            m,
            k,
            (a, a_strides),
            (b, b_strides[0]),
            beta,
            (c, c_strides[0]),
        );
    }
    if n <= narrow_gemm::WIDTH
        && b_strides[1] == 1
        && c_strides[1] == 1
        && (a_strides[1] == 1 || a_strides[0] == 1)
    {
        return narrow_gemm::gemm(
            (m, k, n),
            (a, a_strides),
            (b, b_strides[0]),
            beta,
            (c, c_strides[0]),
        );
    }
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

/// [`gemm`] for one column, `c ← a·b + beta·c` with `b` and `c` vectors (elements `rsb` and
/// `rsc` apart): dot products of A's rows, or, for A stored by columns, a sum of its columns.
/// Measured: the narrow kernels padded such a product to 16 columns (two allocations and 16×
/// the arithmetic).
fn matrix_vector<T: Float>(
    m: usize,
    k: usize,
    (a, [rsa, csa]): (&[T], [usize; 2]),
    (b, rsb): (&[T], usize),
    beta: T,
    (c, rsc): (&mut [T], usize),
) {
    // With β = 0, C is written without being read (it may hold anything).
    let scaled = |c: T| if beta.is_zero() { T::zero() } else { beta * c };
    if k > 0 && csa == 1 && rsb == 1 {
        for i in 0..m {
            let out = &mut c[i * rsc];
            *out = dot(&a[i * rsa..i * rsa + k], &b[..k]) + scaled(*out);
        }
        return;
    }
    for i in 0..m {
        c[i * rsc] = scaled(c[i * rsc]);
    }
    for p in 0..k {
        let bp = b[p * rsb];
        for i in 0..m {
            c[i * rsc] += a[i * rsa + p * csa] * bp;
        }
    }
}

/// `Σ xᵢ·yᵢ` in eight partial sums, so the loop vectorises (one running sum cannot be
/// reordered).
fn dot<T: Float>(x: &[T], y: &[T]) -> T {
    let (xs, ys) = (x.chunks_exact(8), y.chunks_exact(8));
    let tail = (xs.remainder().iter().zip(ys.remainder())).fold(T::zero(), |s, (&a, &b)| s + a * b);
    let mut sums = [T::zero(); 8];
    for (x, y) in xs.zip(ys) {
        for j in 0..8 {
            sums[j] += x[j] * y[j];
        }
    }
    sums.iter().fold(tail, |s, &v| s + v)
}

/// Whether an `m×n` matrix with these strides gives every element its own memory (several
/// threads may write the output at once).
fn distinct_elements(m: usize, n: usize, [rs, cs]: [usize; 2]) -> bool {
    match (m <= 1, n <= 1) {
        (true, true) => true,
        (true, false) => cs >= 1,
        (false, true) => rs >= 1,
        (false, false) => (cs >= 1 && rs >= n * cs) || (rs >= 1 && cs >= m * rs),
    }
}

#[cfg(test)]
mod tests {
    use super::gemm;

    #[test]
    #[should_panic(expected = "gemm: an operand is too short")]
    fn a_huge_stride_cannot_wrap_around_the_bounds_check() {
        let a = [1.0_f32, 2.0];
        let mut c = [0.0_f32; 2];
        gemm(
            (2, 1, 1),
            (&a[1..], [usize::MAX, 1]),
            (&a, [1, 1]),
            0.0,
            (&mut c, [1, 1]),
        );
    }

    #[test]
    fn narrow_and_packed_products_agree() {
        // 16 columns take the narrow kernels, 20 go to matrixmultiply: the first 16 columns of
        // both results must be equal, for A stored by rows and by columns.
        let (m, k) = (37, 29);
        let a: Vec<f64> = (0..m * k).map(|i| ((i * 7) % 19) as f64 - 9.0).collect();
        let b: Vec<f64> = (0..k * 20).map(|i| ((i * 5) % 17) as f64 - 8.0).collect();
        for a_strides in [[k, 1], [1, m]] {
            let mut packed = vec![0.0; m * 20];
            gemm(
                (m, k, 20),
                (&a, a_strides),
                (&b, [20, 1]),
                0.0,
                (&mut packed, [20, 1]),
            );
            let mut narrow = vec![0.0; m * 16];
            gemm(
                (m, k, 16),
                (&a, a_strides),
                (&b, [20, 1]),
                0.0,
                (&mut narrow, [16, 1]),
            );
            for i in 0..m {
                assert_eq!(narrow[i * 16..(i + 1) * 16], packed[i * 20..i * 20 + 16]);
            }
        }
    }

    #[test]
    fn one_column_products_match_the_definition() {
        let (m, k) = (7, 19);
        let a: Vec<f64> = (0..m * k).map(|i| ((i * 7) % 19) as f64 - 9.0).collect();
        let b: Vec<f64> = (0..k * 2).map(|i| ((i * 5) % 17) as f64 - 8.0).collect();
        // A by rows and by columns; B a contiguous column and every other element.
        for (a_strides, rsb) in [([k, 1], 1), ([1, m], 1), ([k, 1], 2), ([1, m], 2)] {
            for beta in [0.0, 0.5] {
                let before: Vec<f64> = (0..m * 3).map(|i| i as f64).collect();
                let mut c = before.clone();
                if beta == 0.0 {
                    c.iter_mut().for_each(|x| *x = f64::NAN);
                }
                gemm(
                    (m, k, 1),
                    (&a, a_strides),
                    (&b, [rsb, 1]),
                    beta,
                    (&mut c, [3, 1]),
                );
                for i in 0..m {
                    let want: f64 = (0..k)
                        .map(|p| a[i * a_strides[0] + p * a_strides[1]] * b[p * rsb])
                        .sum::<f64>()
                        + beta * before[i * 3];
                    assert_eq!(c[i * 3], want, "row {i}, A strides {a_strides:?}, β {beta}");
                }
            }
        }
    }

    #[test]
    #[should_panic(expected = "make distinct elements of a 2×2 result overlap")]
    fn overlapping_output_strides_are_refused() {
        let a = [1.0_f32; 4];
        let mut c = [0.0_f32; 4];
        gemm((2, 2, 2), (&a, [2, 1]), (&a, [2, 1]), 0.0, (&mut c, [0, 1]));
    }
}
