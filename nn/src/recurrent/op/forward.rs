//! The forward pass: the input projections in one product, then per step the recurrent
//! product(s) and the cell's pointwise pass.

use autodiff_core::ops::gemm;
use autodiff_core::{Float, Tensor};

use super::rows::{copy_rows, fill_rows, gather_diagonal, gather_gates};
use super::{Dims, RunOptions, Trace, direct_width};
use crate::recurrent::cell::{Cell, MAX_STATES, Recurrence};

/// The forward pass's inputs as slices.
pub(super) struct Values<'a, T> {
    pub(super) x: &'a [T],
    pub(super) weight_ih: &'a [T],
    pub(super) weight_hh: &'a [T],
    pub(super) bias_ih: Option<&'a [T]>,
    pub(super) bias_hh: Option<&'a [T]>,
    pub(super) diagonal: Option<&'a [T]>,
    pub(super) initial: [Option<&'a [T]>; MAX_STATES],
}

/// The run itself: its trace for backward, and `[output, final states…]`.
pub(super) fn forward<T: Float, C: Cell>(
    cell: &C,
    dims: Dims,
    options: RunOptions,
    v: &Values<'_, T>,
) -> (Trace<T>, Vec<Tensor<T>>) {
    let Dims {
        batch: b,
        steps: t,
        input: i,
        hidden: h,
        ..
    } = dims;
    let gh = dims.width();
    let summed = cell.recurrence() != Recurrence::Separate;
    let direct = direct_width(cell, dims);
    // Every step's input projection in one product: [B·T, I] × [I, G·H], onto the biases
    // (both of them when the recurrent part is summed in).
    let mut pre = Tensor::empty([b, t, gh]);
    let biases = [v.bias_ih, if summed { v.bias_hh } else { None }];
    fill_rows(pre.data_mut(), gh, biases);
    gemm(
        (b * t, i, gh),
        (v.x, [i, 1]),
        (v.weight_ih, [1, i]),
        T::one(),
        (pre.data_mut(), [gh, 1]),
    );
    let mut rec = (!summed).then(|| {
        let mut rec = Tensor::empty([b, t, gh]);
        fill_rows(rec.data_mut(), gh, [v.bias_hh, None]);
        rec
    });
    let mut prev: Vec<Tensor<T>> = (0..C::STATES).map(|_| Tensor::empty([b, t, h])).collect();
    let mut state: Vec<Tensor<T>> = (0..C::STATES)
        .map(|k| match v.initial[k] {
            Some(s) => {
                let mut state = Tensor::empty([b, h]);
                state.data_mut().copy_from_slice(s);
                state
            }
            None => Tensor::zeros([b, h]),
        })
        .collect();
    let mut sequence = options.return_sequences.then(|| Tensor::empty([b, t, h]));
    let mut modulated = (direct < gh).then(|| Tensor::empty([b, t, h]));
    let mut m = Tensor::empty([if direct < gh { b * h } else { 0 }]);
    let diag = |j: usize| gather_diagonal(v.diagonal, C::DIAGONALS, h, j);
    for step in 0..t {
        let tt = options.time(step, t);
        for (saved, s) in prev.iter_mut().zip(&state) {
            copy_rows(s.data(), saved.data_mut(), (b, t, h), tt);
        }
        // The recurrent product of the step: [B, H] × [H, G·H], added onto its target (under
        // ModulatedLast, the last gate's columns come after the modulation).
        let target = rec.as_mut().unwrap_or(&mut pre).data_mut();
        gemm(
            (b, h, direct),
            (state[0].data(), [h, 1]),
            (v.weight_hh, [1, h]),
            T::one(),
            (&mut target[tt * gh..], [t * gh, 1]),
        );
        if let Some(modulated) = &mut modulated {
            for bb in 0..b {
                for j in 0..h {
                    let mut unit =
                        gather_gates(pre.data(), None, (bb * t + tt) * gh, C::GATES, h, j);
                    for (k, s) in state.iter().enumerate() {
                        unit.prev[k] = s.data()[bb * h + j];
                    }
                    unit.diag = diag(j);
                    m.data_mut()[bb * h + j] = cell.modulate(&unit);
                }
            }
            gemm(
                (b, h, h),
                (m.data(), [h, 1]),
                (&v.weight_hh[direct * h..], [1, h]),
                T::one(),
                (&mut pre.data_mut()[tt * gh + direct..], [t * gh, 1]),
            );
            copy_rows(m.data(), modulated.data_mut(), (b, t, h), tt);
        }
        let (pre, rec) = (pre.data(), rec.as_ref().map(|r| r.data()));
        for bb in 0..b {
            let row = (bb * t + tt) * gh;
            for j in 0..h {
                let mut unit = gather_gates(pre, rec, row, C::GATES, h, j);
                for (k, s) in state.iter().enumerate() {
                    unit.prev[k] = s.data()[bb * h + j];
                }
                unit.diag = diag(j);
                let next = cell.forward(&unit);
                for (k, s) in state.iter_mut().enumerate() {
                    s.data_mut()[bb * h + j] = next[k];
                }
            }
        }
        if let Some(sequence) = &mut sequence {
            copy_rows(state[0].data(), sequence.data_mut(), (b, t, h), tt);
        }
    }
    let output = sequence.unwrap_or_else(|| state[0].clone());
    let outputs = std::iter::once(output).chain(state).collect();
    let trace = Trace {
        pre,
        rec,
        prev,
        modulated,
    };
    (trace, outputs)
}
