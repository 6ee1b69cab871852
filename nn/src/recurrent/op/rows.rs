//! Row-wise helpers of the op: one unit's values out of the gate-major rows, bias rows, copies
//! between `[B, H]` states and `[B, T, H]` sequences, and gradient writes.

use autodiff_core::Float;

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
