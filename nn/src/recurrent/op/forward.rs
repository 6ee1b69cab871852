//! The forward pass: the input projections in one product, then per step the recurrent
//! product(s) and the cell's pointwise pass.

use autodiff_core::ops::gemm;
use autodiff_core::{Float, Tensor};

use super::mask::{runs, zero_padded_outputs};
use super::rows::{
    add_into, copy_rows, fill_rows, gather_diagonal, gather_gates, split_all, split_opt,
    state_slices, step_gemm, transposed,
};
use super::{Dims, RunOptions, Trace, direct_width, part_count, uses_rows};
use crate::recurrent::activations::vectorised;
use crate::recurrent::cell::{Cell, ForwardRows, MAX_STATES, Recurrence};
use crate::recurrent::mask::SequenceMask;

/// The forward pass's inputs as slices.
pub(super) struct Values<'a, T> {
    pub(super) x: &'a [T],
    pub(super) weight_ih: &'a [T],
    pub(super) weight_hh: &'a [T],
    pub(super) bias_ih: Option<&'a [T]>,
    pub(super) bias_hh: Option<&'a [T]>,
    pub(super) diagonal: Option<&'a [T]>,
    pub(super) initial: [Option<&'a [T]>; MAX_STATES],
    pub(super) mask: Option<&'a SequenceMask>,
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
    // Every step's input projection in one product: [B·T, I] × [I, G·H]. The biases (both of
    // them when the recurrent part is summed in) are added per step, onto rows the step's
    // product has just brought into cache, rather than filled into the whole buffer first.
    let mut pre = Tensor::empty([b, t, gh]);
    let biases = [v.bias_ih, if summed { v.bias_hh } else { None }];
    let mut bias = Tensor::empty([if biases.iter().any(Option::is_some) {
        gh
    } else {
        0
    }]);
    fill_rows(bias.data_mut(), gh, biases);
    gemm(
        (b * t, i, gh),
        (v.x, [i, 1]),
        (v.weight_ih, [1, i]),
        T::zero(),
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
    let rows = uses_rows(cell, v.diagonal.is_some());
    let mut saved = Tensor::empty([if rows { b * t * C::SAVED * h } else { 0 }]);
    let whole = Part {
        batch: b,
        pre: pre.data_mut(),
        rec: rec.as_mut().map(|r| r.data_mut()),
        prev: state_slices(&mut prev),
        state: state_slices(&mut state),
        sequence: sequence.as_mut().map(|s| s.data_mut()),
        modulated: modulated.as_mut().map(|m| m.data_mut()),
        saved: saved.data_mut(),
    };
    // Wᵀ_hh `[H, G·H]`, row-major as the per-step products read it.
    let weight_hh_t = transposed(v.weight_hh, gh, h);
    let weight_hh_t = weight_hh_t.data();
    let run = |first: usize, part: Part<'_, T>| {
        run_part(
            cell,
            dims,
            options,
            (v, weight_hh_t, bias.data()),
            rows,
            first,
            part,
        )
    };
    // The batch rows are independent through time, so each thread runs whole rows over every
    // step: no synchronisation per step (the per-step products are too small to share).
    let parts = part_count(dims);
    if parts == 1 {
        run(0, whole);
    } else {
        let half = b / 2;
        let (first, second) = whole.split(dims, half);
        std::thread::scope(|scope| {
            scope.spawn(|| run(half, second));
            run(0, first);
        });
    }
    let output = sequence.unwrap_or_else(|| state[0].clone());
    let outputs = std::iter::once(output).chain(state).collect();
    let trace = Trace {
        pre,
        rec,
        prev,
        modulated,
        saved: rows.then_some(saved),
    };
    (trace, outputs)
}

/// Some of the batch rows of every buffer the forward pass writes (`batch` rows of each).
struct Part<'a, T> {
    batch: usize,
    pre: &'a mut [T],
    rec: Option<&'a mut [T]>,
    prev: [&'a mut [T]; MAX_STATES],
    state: [&'a mut [T]; MAX_STATES],
    sequence: Option<&'a mut [T]>,
    modulated: Option<&'a mut [T]>,
    saved: &'a mut [T],
}

impl<'a, T> Part<'a, T> {
    /// The first `rows` batch rows and the rest.
    fn split(self, dims: Dims, rows: usize) -> (Part<'a, T>, Part<'a, T>) {
        let (t, h, gh) = (dims.steps, dims.hidden, dims.width());
        let saved_width = self.saved.len() / self.batch;
        let (pre, pre2) = self.pre.split_at_mut(rows * t * gh);
        let (rec, rec2) = split_opt(self.rec, rows * t * gh);
        let (prev, prev2) = split_all(self.prev, rows * t * h);
        let (state, state2) = split_all(self.state, rows * h);
        let (sequence, sequence2) = split_opt(self.sequence, rows * t * h);
        let (modulated, modulated2) = split_opt(self.modulated, rows * t * h);
        let (saved, saved2) = self.saved.split_at_mut(rows * saved_width);
        (
            Part {
                batch: rows,
                pre,
                rec,
                prev,
                state,
                sequence,
                modulated,
                saved,
            },
            Part {
                batch: self.batch - rows,
                pre: pre2,
                rec: rec2,
                prev: prev2,
                state: state2,
                sequence: sequence2,
                modulated: modulated2,
                saved: saved2,
            },
        )
    }
}

/// Every step for the part's batch rows: the recurrent product(s), then the pointwise pass
/// (`first` is the part's first row's index in the whole batch, for the mask).
fn run_part<T: Float, C: Cell>(
    cell: &C,
    dims: Dims,
    options: RunOptions,
    (v, weight_hh_t, bias): (&Values<'_, T>, &[T], &[T]),
    rows: bool,
    first: usize,
    mut part: Part<'_, T>,
) {
    let (t, h, gh, b) = (dims.steps, dims.hidden, dims.width(), part.batch);
    let direct = direct_width(cell, dims);
    let mut m = Tensor::empty([if direct < gh { b * h } else { 0 }]);
    let diag = |j: usize| gather_diagonal(v.diagonal, C::DIAGONALS, h, j);
    let saved_width = C::SAVED * h;
    for step in 0..t {
        let tt = options.time(step, t);
        for (saved, s) in part.prev.iter_mut().zip(&part.state).take(C::STATES) {
            copy_rows(s, saved, (b, t, h), tt);
        }
        // The recurrent product of the step: [B, H] × [H, G·H], added onto its target (under
        // ModulatedLast, the last gate's columns come after the modulation).
        let target = part.rec.as_deref_mut().unwrap_or(part.pre);
        step_gemm(
            (b, h, direct),
            (part.state[0], h),
            (v.weight_hh, [1, h]),
            (weight_hh_t, gh),
            (&mut target[tt * gh..], t * gh),
        );
        if !bias.is_empty() {
            for bb in 0..b {
                add_into(&mut part.pre[(bb * t + tt) * gh..][..gh], bias);
            }
        }
        if let Some(modulated) = part.modulated.as_deref_mut() {
            for bb in 0..b {
                for j in 0..h {
                    let mut unit = gather_gates(part.pre, None, (bb * t + tt) * gh, C::GATES, h, j);
                    for (k, s) in part.state.iter().enumerate().take(C::STATES) {
                        unit.prev[k] = s[bb * h + j];
                    }
                    unit.diag = diag(j);
                    m.data_mut()[bb * h + j] = cell.modulate(&unit);
                }
            }
            step_gemm(
                (b, h, h),
                (m.data(), h),
                (&v.weight_hh[direct * h..], [1, h]),
                (&weight_hh_t[direct..], gh),
                (&mut part.pre[tt * gh + direct..], t * gh),
            );
            copy_rows(m.data(), modulated, (b, t, h), tt);
        }
        for bb in 0..b {
            if !runs(v.mask, first + bb, tt) {
                continue; // padding: the states carry through
            }
            let row = (bb * t + tt) * gh;
            if rows {
                let rows = ForwardRows {
                    gates: &mut part.pre[row..row + gh],
                    rec: match part.rec.as_deref_mut() {
                        Some(rec) => &mut rec[row..row + gh],
                        None => &mut [],
                    },
                    states: part.state.each_mut().map(|s| match s.is_empty() {
                        true => &mut [][..],
                        false => &mut s[bb * h..(bb + 1) * h],
                    }),
                    diag: v.diagonal.unwrap_or(&[]),
                    saved: &mut part.saved[(bb * t + tt) * saved_width..][..saved_width],
                };
                vectorised(
                    #[inline(always)]
                    || cell.forward_rows(rows),
                );
                continue;
            }
            for j in 0..h {
                let mut unit = gather_gates(part.pre, part.rec.as_deref(), row, C::GATES, h, j);
                for (k, s) in part.state.iter().enumerate().take(C::STATES) {
                    unit.prev[k] = s[bb * h + j];
                }
                unit.diag = diag(j);
                let next = cell.forward(&unit);
                for (k, s) in part.state.iter_mut().enumerate().take(C::STATES) {
                    s[bb * h + j] = next[k];
                }
            }
        }
        if let Some(sequence) = part.sequence.as_deref_mut() {
            copy_rows(part.state[0], sequence, (b, t, h), tt);
            zero_padded_outputs(v.mask, sequence, (first, b, t, h), tt);
        }
    }
}
