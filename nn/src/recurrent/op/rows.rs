//! Row-wise helpers of the op: one unit's values out of the gate-major rows, bias rows, copies
//! between `[B, H]` states and `[B, T, H]` sequences, and gradient writes.

use autodiff_core::ops::gemm;
use autodiff_core::{Float, Tensor};

use crate::recurrent::cell::{MAX_DIAGONALS, MAX_GATES, MAX_STATES, UnitInputs};

/// One unit's gate values: gate `g` of unit `j` is column `g·H + j` of the row at `row`.
#[inline(always)]
pub(super) fn gather_gates<T: Float>(
    pre: &[T],
    rec: Option<&[T]>,
    row: usize,
    gates: usize,
    h: usize,
    j: usize,
) -> UnitInputs<T> {
    let mut unit = UnitInputs {
        pre: [T::zero(); MAX_GATES],
        rec: [T::zero(); MAX_GATES],
        prev: [T::zero(); MAX_STATES],
        diag: [T::zero(); MAX_DIAGONALS],
    };
    for g in 0..gates {
        unit.pre[g] = pre[row + g * h + j];
        if let Some(rec) = rec {
            unit.rec[g] = rec[row + g * h + j];
        }
    }
    unit
}

/// Unit `j`'s diagonal weights (zeros without any).
#[inline(always)]
pub(super) fn gather_diagonal<T: Float>(
    diagonal: Option<&[T]>,
    count: usize,
    h: usize,
    j: usize,
) -> [T; MAX_DIAGONALS] {
    let mut d = [T::zero(); MAX_DIAGONALS];
    if let Some(diagonal) = diagonal {
        for (p, d) in d.iter_mut().enumerate().take(count) {
            *d = diagonal[p * h + j];
        }
    }
    d
}

/// Every row of `dst` (rows of `width`) set to the sum of the given biases, or zeros.
pub(super) fn fill_rows<T: Float>(dst: &mut [T], width: usize, biases: [Option<&[T]>; 2]) {
    for row in dst.chunks_exact_mut(width) {
        match biases {
            [Some(a), Some(b)] => row
                .iter_mut()
                .zip(a.iter().zip(b))
                .for_each(|(r, (&a, &b))| *r = a + b),
            [Some(a), None] | [None, Some(a)] => row.copy_from_slice(a),
            [None, None] => row.fill(T::zero()),
        }
    }
}

/// `[B, H]` rows into the time slot `tt` of a `[B, T, H]` buffer.
pub(super) fn copy_rows<T: Float>(
    src: &[T],
    dst: &mut [T],
    (b, t, h): (usize, usize, usize),
    tt: usize,
) {
    for bb in 0..b {
        dst[(bb * t + tt) * h..][..h].copy_from_slice(&src[bb * h..][..h]);
    }
}

pub(super) fn add_into<T: Float>(dst: &mut [T], src: &[T]) {
    dst.iter_mut().zip(src).for_each(|(d, &s)| *d += s);
}

/// `buf ← values + β·buf` for β ∈ {0, 1}.
pub(super) fn write_or_add<T: Float>(buf: &mut [T], beta: T, values: &[T]) {
    if beta.is_zero() {
        buf.copy_from_slice(values);
    } else {
        add_into(buf, values);
    }
}

/// `db ← Σ_rows d + β·db`, for `d` in rows of `width`.
pub(super) fn column_sums<T: Float>(d: &[T], width: usize, beta: T, db: &mut [T]) {
    if beta.is_zero() {
        db.fill(T::zero());
    }
    for row in d.chunks_exact(width) {
        add_into(db, row);
    }
}

/// Each state buffer's first `at` elements, and the rest (an absent state's empty buffer stays
/// empty).
pub(super) fn split_all<'a, T>(
    buffers: [&'a mut [T]; MAX_STATES],
    at: usize,
) -> ([&'a mut [T]; MAX_STATES], [&'a mut [T]; MAX_STATES]) {
    let mut firsts: [&'a mut [T]; MAX_STATES] = Default::default();
    let mut rests: [&'a mut [T]; MAX_STATES] = Default::default();
    for (k, b) in buffers.into_iter().enumerate() {
        if !b.is_empty() {
            (firsts[k], rests[k]) = b.split_at_mut(at);
        }
    }
    (firsts, rests)
}

/// The data of each state's tensor, empty for the states the cell does not have.
pub(super) fn state_slices<T: Float>(tensors: &mut [Tensor<T>]) -> [&mut [T]; MAX_STATES] {
    let mut tensors = tensors.iter_mut();
    std::array::from_fn(|_| tensors.next().map_or(&mut [][..], |t| t.data_mut()))
}

/// An optional buffer's first `at` elements, and the rest.
pub(super) fn split_opt<T>(
    buffer: Option<&mut [T]>,
    at: usize,
) -> (Option<&mut [T]>, Option<&mut [T]>) {
    match buffer {
        Some(b) => {
            let (first, rest) = b.split_at_mut(at);
            (Some(first), Some(rest))
        }
        None => (None, None),
    }
}

/// Columns per product in [`step_gemm`]: the core's unpacked kernel for narrow products takes
/// up to 16.
const STEP_COLUMNS: usize = 16;

/// Rows of C per pass over the column blocks in [`blocked_gemm`]: 64 rows of a `G·H = 512`
/// wide C are 128 KiB, which stay in L2 while every block writes them.
const ROW_CHUNK: usize = 64;

/// `C ← A·B + C` for a per-step product (`m` batch rows, A's rows `rsa` apart): [`blocked_gemm`]
/// on the calling thread. matrixmultiply packs both operands of every call, and for a
/// `[32, 128] × [128, 512]` step packing B (the whole weight) cost as much as the multiply.
pub(super) fn step_gemm<T: Float>(
    (m, k, n): (usize, usize, usize),
    (a, rsa): (&[T], usize),
    (b, b_strides): (&[T], [usize; 2]),
    (row_major_b, rsb): (&[T], usize),
    (c, rsc): (&mut [T], usize),
) {
    blocked_gemm(
        (m, k, n),
        (a, [rsa, 1]),
        (b, b_strides),
        (row_major_b, rsb),
        T::one(),
        (c, rsc),
        1,
    )
}

/// `C ← A·B + β·C` with C's rows `rsc` apart. With a multiple of 16 columns, as products of 16
/// columns each on `row_major_b` (the same B, rows `rsb` apart), which the core's narrow kernel
/// reads in place, with C's rows in two halves, the second on a scoped thread, when `parts` > 1;
/// otherwise one ordinary product on `b` with its strides (the narrow kernel would pad copies
/// of a partial block, and matrixmultiply threads it itself). A's strides must have a 1
/// (rows or columns contiguous).
pub(super) fn blocked_gemm<T: Float>(
    (m, k, n): (usize, usize, usize),
    (a, a_strides): (&[T], [usize; 2]),
    (b, b_strides): (&[T], [usize; 2]),
    (row_major_b, rsb): (&[T], usize),
    beta: T,
    (c, rsc): (&mut [T], usize),
    parts: usize,
) {
    if n % STEP_COLUMNS != 0 {
        return gemm(
            (m, k, n),
            (a, a_strides),
            (b, b_strides),
            beta,
            (c, [rsc, 1]),
        );
    }
    // With A's rows contiguous, every column block of ROW_CHUNK rows before the next rows, so
    // those rows of C stay in cache (one column block at a time over a `[2048, 512]` C ran
    // slower than matrixmultiply); A stored by columns is read in place whole.
    let chunk = if a_strides[1] == 1 {
        ROW_CHUNK
    } else {
        m.max(1)
    };
    let blocks = |rows: usize, a: &[T], c: &mut [T]| {
        for start in (0..rows).step_by(chunk) {
            let rows = chunk.min(rows - start);
            for first in (0..n).step_by(STEP_COLUMNS) {
                gemm(
                    (rows, k, STEP_COLUMNS),
                    (&a[start * a_strides[0]..], a_strides),
                    (&row_major_b[first..], [rsb, 1]),
                    beta,
                    (&mut c[start * rsc + first..], [rsc, 1]),
                );
            }
        }
    };
    let half = m / 2;
    if parts < 2 || half == 0 {
        return blocks(m, a, c);
    }
    let (c_first, c_rest) = c.split_at_mut(half * rsc);
    let a_rest = &a[half * a_strides[0]..];
    std::thread::scope(|scope| {
        scope.spawn(|| blocks(m - half, a_rest, c_rest));
        blocks(half, a, c_first);
    });
}

/// Side of the square tiles [`transposed`] copies: 16 `f32` rows of a tile are 16 cache lines,
/// read and written whole.
const TILE: usize = 16;

/// `w` (`rows × cols`, row-major) transposed, for a product that needs it row-major. Tile by
/// tile: element by element, the writes of one source row land `rows` elements apart, and with
/// `rows = 512` every 16th one falls in the same cache set, which took 0.3 ms for `W_hh` of the
/// 128-unit LSTM, each forward pass.
pub(super) fn transposed<T: Float>(w: &[T], rows: usize, cols: usize) -> Tensor<T> {
    let mut out = Tensor::empty([cols, rows]);
    let o = out.data_mut();
    for r0 in (0..rows).step_by(TILE) {
        for c0 in (0..cols).step_by(TILE) {
            for r in r0..rows.min(r0 + TILE) {
                for c in c0..cols.min(c0 + TILE) {
                    o[c * rows + r] = w[r * cols + c];
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transposed_swaps_rows_and_columns_across_partial_tiles() {
        // 37 × 21: neither a multiple of the tile.
        let (rows, cols) = (37, 21);
        let w: Vec<f64> = (0..rows * cols).map(|x| x as f64).collect();
        let t = transposed(&w, rows, cols);
        assert_eq!(t.dims(), [cols, rows]);
        for r in 0..rows {
            for c in 0..cols {
                assert_eq!(
                    t.data()[c * rows + r],
                    w[r * cols + c],
                    "row {r} column {c}"
                );
            }
        }
    }

    #[test]
    fn step_gemm_is_the_product_with_strides() {
        // 48 columns (three blocks of 16) and 40 (one ordinary product, B read transposed);
        // rows of A, B and C padded.
        for n in [48, 40] {
            step_gemm_case(n);
        }
    }

    #[test]
    fn blocked_gemm_is_the_product_in_chunks_and_halves() {
        // 150 rows: three row chunks, halves of 75; A by rows and by columns; β = 0 over stale
        // values and β = 1; one part and two; 32 columns (blocks) and 40 (one product).
        let (m, k) = (150, 7);
        for n in [32, 40] {
            let b: Vec<f64> = (0..k * n).map(|x| (x as f64 * 0.11).cos()).collect();
            let bt = transposed(&b, k, n);
            let a: Vec<f64> = (0..m * k).map(|x| (x as f64 * 0.37).sin()).collect();
            let a_cols = transposed(&a, m, k);
            for (a, a_strides) in [(&a[..], [k, 1]), (a_cols.data(), [1, m])] {
                for (beta, parts) in [(0.0, 1), (0.0, 2), (1.0, 1), (1.0, 2)] {
                    let before: Vec<f64> = (0..m * n).map(|x| x as f64).collect();
                    let mut c = before.clone();
                    blocked_gemm(
                        (m, k, n),
                        (a, a_strides),
                        (bt.data(), [1, k]),
                        (&b, n),
                        beta,
                        (&mut c, n),
                        parts,
                    );
                    for r in 0..m {
                        for j in 0..n {
                            let product: f64 = (0..k)
                                .map(|p| a[r * a_strides[0] + p * a_strides[1]] * b[p * n + j])
                                .sum();
                            let want = product + beta * before[r * n + j];
                            let got = c[r * n + j];
                            let close = (got - want).abs() <= 1e-12 * (1.0 + want.abs());
                            assert!(close, "n {n} row {r} column {j}: {got}, not {want}");
                        }
                    }
                }
            }
        }
    }

    fn step_gemm_case(n: usize) {
        let (m, k) = (3, 5);
        let (rsa, rsb, rsc) = (7, 52, 53);
        let a: Vec<f64> = (0..m * rsa).map(|x| (x as f64 * 0.37).sin()).collect();
        let b: Vec<f64> = (0..k * rsb).map(|x| (x as f64 * 0.11).cos()).collect();
        let mut c: Vec<f64> = (0..m * rsc).map(|x| x as f64).collect();
        let before = c.clone();
        let bt = transposed(&b, k, rsb);
        let b_strides = [1, k];
        step_gemm(
            (m, k, n),
            (&a, rsa),
            (bt.data(), b_strides),
            (&b, rsb),
            (&mut c, rsc),
        );
        for r in 0..m {
            for j in 0..rsc {
                let want = match j < n {
                    true => {
                        before[r * rsc + j]
                            + (0..k).map(|p| a[r * rsa + p] * b[p * rsb + j]).sum::<f64>()
                    }
                    false => before[r * rsc + j],
                };
                assert!((c[r * rsc + j] - want).abs() < 1e-12, "row {r} column {j}");
            }
        }
    }
}
