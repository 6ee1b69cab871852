//! Products with a narrow right operand (at most [`WIDTH`] columns), computed without packing.
//!
//! matrixmultiply copies ("packs") every operand into its kernel's layout before multiplying.
//! When B has few columns, packing A costs more than the arithmetic. For a dense layer
//! `X·W` with X `[512, 10000]` and W `[10000, 16]`, the row-major X is gathered element by
//! element, and for the weight gradient `Xᵀ·G` the packing reads 64 bytes from each of 256 rows
//! of X in turn, a pattern the hardware prefetcher cannot follow: on one core the two products
//! took 6–7 ms and 4 ms, against 1.5 ms each here. Here A is read once, in its own layout, and
//! each row of B and C is a 16-element array that the compiler turns into vector registers:
//!
//! - A with contiguous rows ([`rows_of_a`]): eight rows of C (four with AVX2) accumulate in
//!   registers while as many rows of A stream past, one B row per step of the inner dimension.
//! - A with contiguous columns ([`columns_of_a`]): eight rows of B sit in registers while C
//!   streams past, one row of C (read, eight multiply-adds, written) per row of A.
//!
//! The kernels are compiled three times and the widest copy this CPU runs is chosen at run time
//! ([`Simd`]), so a crate that depends on ours gets them at full speed although it is built for
//! plain x86-64: in AVX-512F and AVX2 + FMA functions with fused multiply-adds, and portably
//! with a multiply and an add. The portable copy must not use `mul_add`: without FMA that is a
//! libm call per element (the dense IMDB step took 392 ms instead of 9.9 ms).

use crate::Float;
use crate::simd::Simd;

/// The most columns a product may have to take this path: one 16-lane row of B and C.
pub(super) const WIDTH: usize = 16;

/// Rows of B held in registers at a time by the column kernel. 8 measured fastest; with 4, the
/// compiler vectorizes the column kernel across rows of A instead (gathers and scatters) and it
/// runs ten times slower.
const BLOCK: usize = 8;

/// `c ← a·b + beta·c` for an `m×k` A with strides `[rsa, csa]` (`csa == 1` or `rsa == 1`), a
/// `k×n` B with rows `rsb` apart and an `m×n` C with rows `rsc` apart (`n ≤ WIDTH`, rows
/// contiguous), with the kernels of [`Simd::detected`]. The slices must hold every element
/// their shapes and strides address.
pub(super) fn gemm<T: Float>(
    (m, k, n): (usize, usize, usize),
    (a, [rsa, csa]): (&[T], [usize; 2]),
    (b, rsb): (&[T], usize),
    beta: T,
    (c, rsc): (&mut [T], usize),
) {
    gemm_with(
        Simd::detected(),
        (m, k, n),
        (a, [rsa, csa]),
        (b, rsb),
        beta,
        (c, rsc),
    )
}

/// [`gemm`] with the kernels compiled for `simd`.
fn gemm_with<T: Float>(
    simd: Simd,
    (m, k, n): (usize, usize, usize),
    (a, [rsa, csa]): (&[T], [usize; 2]),
    (b, rsb): (&[T], usize),
    beta: T,
    (c, rsc): (&mut [T], usize),
) {
    debug_assert!(n <= WIDTH && (csa == 1 || rsa == 1));
    if m == 0 || n == 0 {
        return;
    }
    if n == WIDTH {
        return full_width(simd, (m, k), (a, [rsa, csa]), (b, rsb), beta, (c, rsc));
    }
    // Narrower: run on copies padded with zero columns, then copy the n real columns back.
    let pad = |src: &[T], rows: usize, stride: usize| -> Vec<T> {
        let mut out = vec![T::zero(); rows * WIDTH];
        for (dst, r) in out.chunks_exact_mut(WIDTH).zip(0..rows) {
            dst[..n].copy_from_slice(&src[r * stride..r * stride + n]);
        }
        out
    };
    let b = pad(b, k, rsb);
    let mut padded_c = if beta == T::zero() {
        vec![T::zero(); m * WIDTH]
    } else {
        pad(c, m, rsc)
    };
    full_width(
        simd,
        (m, k),
        (a, [rsa, csa]),
        (&b, WIDTH),
        beta,
        (&mut padded_c, WIDTH),
    );
    for (src, r) in padded_c.chunks_exact(WIDTH).zip(0..m) {
        c[r * rsc..r * rsc + n].copy_from_slice(&src[..n]);
    }
}

/// [`gemm`] for `n == WIDTH`, with the kernels compiled for `simd`.
fn full_width<T: Float>(
    simd: Simd,
    (m, k): (usize, usize),
    (a, [rsa, csa]): (&[T], [usize; 2]),
    (b, rsb): (&[T], usize),
    beta: T,
    (c, rsc): (&mut [T], usize),
) {
    match simd {
        // SAFETY: a `Simd` other than `Portable` exists only if this CPU has its features.
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        Simd::Avx512 => unsafe {
            full_width_avx512((m, k), (a, [rsa, csa]), (b, rsb), beta, (c, rsc))
        },
        // SAFETY: as above.
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        Simd::Avx2Fma => unsafe {
            full_width_avx2((m, k), (a, [rsa, csa]), (b, rsb), beta, (c, rsc))
        },
        Simd::Portable => {
            full_width_kernel::<T, Separate, 8>((m, k), (a, [rsa, csa]), (b, rsb), beta, (c, rsc))
        }
    }
}

/// [`full_width_kernel`] compiled for AVX-512F, with fused multiply-adds.
#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
#[target_feature(enable = "avx512f,avx2,fma")]
fn full_width_avx512<T: Float>(
    (m, k): (usize, usize),
    (a, [rsa, csa]): (&[T], [usize; 2]),
    (b, rsb): (&[T], usize),
    beta: T,
    (c, rsc): (&mut [T], usize),
) {
    full_width_kernel::<T, Fused, 8>((m, k), (a, [rsa, csa]), (b, rsb), beta, (c, rsc))
}

/// [`full_width_kernel`] compiled for AVX2 and FMA, with fused multiply-adds. Four rows of C at
/// a time: eight f32 accumulators of the 16 ymm registers, where eight rows (sixteen, the
/// AVX-512 and portable choice) spill to the stack in every step of the inner loop.
#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
#[target_feature(enable = "avx2,fma")]
fn full_width_avx2<T: Float>(
    (m, k): (usize, usize),
    (a, [rsa, csa]): (&[T], [usize; 2]),
    (b, rsb): (&[T], usize),
    beta: T,
    (c, rsc): (&mut [T], usize),
) {
    full_width_kernel::<T, Fused, 4>((m, k), (a, [rsa, csa]), (b, rsb), beta, (c, rsc))
}

/// How a kernel computes `acc + x·y`.
trait MulAdd {
    /// `acc + x·y`.
    fn mul_add<T: Float>(acc: T, x: T, y: T) -> T;
}

/// A multiply, then an add: two instructions on any CPU.
struct Separate;

impl MulAdd for Separate {
    #[inline(always)]
    fn mul_add<T: Float>(acc: T, x: T, y: T) -> T {
        acc + x * y
    }
}

/// One fused multiply-add, rounded once: one instruction in a function compiled with FMA, and a
/// libm call in any other, so only the FMA kernels use it.
struct Fused;

impl MulAdd for Fused {
    #[inline(always)]
    fn mul_add<T: Float>(acc: T, x: T, y: T) -> T {
        x.mul_add(y, acc)
    }
}

/// The kernel that suits A's layout (an empty inner dimension only scales C, which the column
/// kernel does first). Inlined into each `#[target_feature]` copy, down to the loops.
#[inline(always)]
fn full_width_kernel<T: Float, M: MulAdd, const ROWS: usize>(
    (m, k): (usize, usize),
    (a, [rsa, csa]): (&[T], [usize; 2]),
    (b, rsb): (&[T], usize),
    beta: T,
    (c, rsc): (&mut [T], usize),
) {
    if csa == 1 && k > 0 {
        rows_of_a::<T, M, ROWS>((m, k), (a, rsa), (b, rsb), beta, (c, rsc));
    } else {
        columns_of_a::<T, M>((m, k), (a, csa), (b, rsb), beta, (c, rsc));
    }
}

/// One row of B or C as a vector.
#[inline(always)]
fn row<T: Float>(x: &[T], r: usize, stride: usize) -> &[T; WIDTH] {
    x[r * stride..r * stride + WIDTH].try_into().unwrap()
}

/// One row of C as a vector, for writing.
#[inline(always)]
fn row_mut<T: Float>(x: &mut [T], r: usize, stride: usize) -> &mut [T; WIDTH] {
    (&mut x[r * stride..r * stride + WIDTH]).try_into().unwrap()
}

/// C = A·B + beta·C for A with contiguous rows `rsa` apart, `ROWS` rows of C at a time.
#[inline(always)]
fn rows_of_a<T: Float, M: MulAdd, const ROWS: usize>(
    (m, k): (usize, usize),
    (a, rsa): (&[T], usize),
    (b, rsb): (&[T], usize),
    beta: T,
    (c, rsc): (&mut [T], usize),
) {
    let mut i = 0;
    while i + ROWS <= m {
        row_block::<T, M, ROWS>(i, k, (a, rsa), (b, rsb), beta, (c, rsc));
        i += ROWS;
    }
    for i in i..m {
        row_block::<T, M, 1>(i, k, (a, rsa), (b, rsb), beta, (c, rsc));
    }
}

/// Rows `i..i + R` of C: their sums stay in registers for the whole inner dimension.
#[inline(always)]
fn row_block<T: Float, M: MulAdd, const R: usize>(
    i: usize,
    k: usize,
    (a, rsa): (&[T], usize),
    (b, rsb): (&[T], usize),
    beta: T,
    (c, rsc): (&mut [T], usize),
) {
    let a_rows: [&[T]; R] = std::array::from_fn(|r| &a[(i + r) * rsa..(i + r) * rsa + k]);
    let mut acc = [[T::zero(); WIDTH]; R];
    for p in 0..k {
        let b_row = row(b, p, rsb);
        for r in 0..R {
            let x = a_rows[r][p];
            for j in 0..WIDTH {
                acc[r][j] = M::mul_add(acc[r][j], x, b_row[j]);
            }
        }
    }
    for (r, sums) in acc.iter().enumerate() {
        let c_row = row_mut(c, i + r, rsc);
        for j in 0..WIDTH {
            c_row[j] = if beta == T::zero() {
                sums[j]
            } else {
                beta * c_row[j] + sums[j]
            };
        }
    }
}

/// C = A·B + beta·C for A with contiguous columns `csa` apart, [`BLOCK`] rows of B at a time.
#[inline(always)]
fn columns_of_a<T: Float, M: MulAdd>(
    (m, k): (usize, usize),
    (a, csa): (&[T], usize),
    (b, rsb): (&[T], usize),
    beta: T,
    (c, rsc): (&mut [T], usize),
) {
    if beta != T::one() {
        for i in 0..m {
            for v in row_mut(c, i, rsc) {
                *v = if beta == T::zero() {
                    T::zero()
                } else {
                    beta * *v
                };
            }
        }
    }
    let mut p = 0;
    while p + BLOCK <= k {
        column_block::<T, M, BLOCK>(p, m, (a, csa), (b, rsb), (c, rsc));
        p += BLOCK;
    }
    for p in p..k {
        column_block::<T, M, 1>(p, m, (a, csa), (b, rsb), (c, rsc));
    }
}

/// Adds columns `p..p + R` of A times rows `p..p + R` of B to C, one row of C at a time.
#[inline(always)]
fn column_block<T: Float, M: MulAdd, const R: usize>(
    p: usize,
    m: usize,
    (a, csa): (&[T], usize),
    (b, rsb): (&[T], usize),
    (c, rsc): (&mut [T], usize),
) {
    let a_columns: [&[T]; R] = std::array::from_fn(|r| &a[(p + r) * csa..(p + r) * csa + m]);
    let b_rows: [[T; WIDTH]; R] = std::array::from_fn(|r| *row(b, p + r, rsb));
    for i in 0..m {
        let c_row = row_mut(c, i, rsc);
        let mut acc = *c_row;
        for r in 0..R {
            let x = a_columns[r][i];
            for j in 0..WIDTH {
                acc[j] = M::mul_add(acc[j], x, b_rows[r][j]);
            }
        }
        *c_row = acc;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The product by the textbook triple loop, for comparison.
    fn naive(
        (m, k, n): (usize, usize, usize),
        (a, [rsa, csa]): (&[f64], [usize; 2]),
        (b, rsb): (&[f64], usize),
        beta: f64,
        (c, rsc): (&[f64], usize),
    ) -> Vec<f64> {
        let mut out = c.to_vec();
        for i in 0..m {
            for j in 0..n {
                let dot: f64 = (0..k).map(|p| a[i * rsa + p * csa] * b[p * rsb + j]).sum();
                out[i * rsc + j] = dot + beta * c[i * rsc + j];
            }
        }
        out
    }

    /// Every kernel level this CPU runs, the portable one first. Whole-number data keeps every
    /// product and sum exact, so fused and separate multiply-adds must agree to the bit.
    fn every_level() -> impl Iterator<Item = Simd> {
        Simd::available().into_iter()
    }

    /// Distinct values, so a misplaced element changes the result.
    fn values(len: usize, seed: usize) -> Vec<f64> {
        (0..len)
            .map(|i| ((i * 7 + seed * 13) % 23) as f64 - 11.0)
            .collect()
    }

    #[test]
    fn both_layouts_of_a_every_width_and_beta_match_the_triple_loop() {
        // m and k not multiples of the block, so the one-row remainders run too; C rows wider
        // than n, so columns past n must be left alone.
        let (m, k) = (11, 13);
        for (simd, n) in every_level().flat_map(|simd| [1, 5, WIDTH].map(|n| (simd, n))) {
            for beta in [0.0, 1.0, -0.5] {
                for a_strides in [[k, 1], [1, m]] {
                    let a = values(m * k, 1);
                    let b = values(k * (n + 2), 2);
                    let c = values(m * (n + 3), 3);
                    let want = naive((m, k, n), (&a, a_strides), (&b, n + 2), beta, (&c, n + 3));
                    let mut got = c.clone();
                    gemm_with(
                        simd,
                        (m, k, n),
                        (&a, a_strides),
                        (&b, n + 2),
                        beta,
                        (&mut got, n + 3),
                    );
                    let case = format!("{simd:?}, n {n}, beta {beta}, a strides {a_strides:?}");
                    assert_eq!(got, want, "{case}");
                }
            }
        }
    }

    #[test]
    fn beta_zero_ignores_what_c_held() {
        let a = [1.0_f64, 2.0];
        let b = [3.0; WIDTH * 2];
        for (simd, a_strides) in every_level().flat_map(|s| [(s, [2, 1]), (s, [1, 1])]) {
            let mut c = [f64::NAN; WIDTH];
            gemm_with(
                simd,
                (1, 2, WIDTH),
                (&a, a_strides),
                (&b, WIDTH),
                0.0,
                (&mut c, WIDTH),
            );
            assert_eq!(c, [9.0; WIDTH], "{simd:?}");
        }
    }

    #[test]
    fn a_repeated_b_row_and_f32_match_the_triple_loop() {
        // B with row stride 0 (one row used for every step of the inner dimension), in f32.
        let (m, k) = (5, 9);
        let a = values(m * k, 4);
        let b = values(WIDTH, 5);
        let c = vec![0.0; m * WIDTH];
        let want = naive((m, k, WIDTH), (&a, [k, 1]), (&b, 0), 0.0, (&c, WIDTH));
        let to32 = |x: &[f64]| x.iter().map(|&v| v as f32).collect::<Vec<f32>>();
        for (simd, a_strides) in every_level().flat_map(|s| [(s, [k, 1]), (s, [1, m])]) {
            let a = if a_strides == [k, 1] {
                to32(&a)
            } else {
                let mut by_columns = vec![0.0f32; m * k];
                for i in 0..m {
                    for p in 0..k {
                        by_columns[p * m + i] = a[i * k + p] as f32;
                    }
                }
                by_columns
            };
            let mut got = vec![0.0f32; m * WIDTH];
            gemm_with(
                simd,
                (m, k, WIDTH),
                (&a, a_strides),
                (&to32(&b), 0),
                0.0,
                (&mut got, WIDTH),
            );
            assert_eq!(got, to32(&want), "{simd:?}, a strides {a_strides:?}");
        }
    }

    /// Values with fractional parts, so that rounding differs between fused and separate
    /// multiply-adds.
    fn fractional(len: usize, seed: u32) -> Vec<f64> {
        (0..len)
            .map(|i| ((i as u32).wrapping_mul(2_654_435_761) ^ seed) as f64 / u32::MAX as f64 - 0.5)
            .collect()
    }

    #[test]
    fn every_level_matches_the_portable_kernels_to_rounding() {
        let (m, k) = (19, 301);
        for n in [7, WIDTH] {
            for a_strides in [[k, 1], [1, m]] {
                let (a, b, c) = (
                    fractional(m * k, 1),
                    fractional(k * n, 2),
                    fractional(m * n, 3),
                );
                let run = |simd| {
                    let mut out = c.clone();
                    gemm_with(
                        simd,
                        (m, k, n),
                        (&a, a_strides),
                        (&b, n),
                        0.5,
                        (&mut out, n),
                    );
                    out
                };
                let portable = run(Simd::Portable);
                for simd in every_level() {
                    let got = run(simd);
                    for (g, p) in got.iter().zip(&portable) {
                        assert!(
                            (g - p).abs() <= 1e-12 * p.abs().max(1.0),
                            "{simd:?}: {g} vs {p}"
                        );
                    }
                }
            }
        }
    }
}
