//! Backpropagation through time: the steps in reverse through the cell's VJP, then every weight
//! gradient as one product over all steps.

use autodiff_core::ops::gemm;
use autodiff_core::{BackwardCx, Float, Tensor};

use super::mask::{pass_through, runs};
use super::rows::{
    add_into, blocked_gemm, column_sums, gather_diagonal, gather_gates, split_all, split_opt,
    state_slices, step_gemm, write_or_add,
};
use super::{Dims, RunOptions, Slots, Trace, direct_width, part_count};
use crate::recurrent::activations::vectorised;
use crate::recurrent::cell::{BackwardRows, Cell, MAX_STATES};
use crate::recurrent::mask::SequenceMask;

/// Backward through time, then the weight gradients as single products over all steps.
pub(super) fn backward<T: Float, C: Cell>(
    cell: &C,
    dims: Dims,
    options: RunOptions,
    slots: Slots,
    (trace, mask): (&Trace<T>, Option<&SequenceMask>),
    cx: &mut BackwardCx<'_, T>,
) {
    let Dims {
        batch: b,
        steps: t,
        input: i,
        hidden: h,
        ..
    } = dims;
    let gh = dims.width();
    let (xv, w_ih) = (cx.input(0).data(), cx.input(1).data());
    // ∂ of the states leaving the current step, starting from the final states' gradients.
    let mut d_state: Vec<Tensor<T>> = (0..C::STATES)
        .map(|k| match cx.grad_output_of(1 + k) {
            Some(g) => g.clone(),
            None => Tensor::zeros([b, h]),
        })
        .collect();
    let mut d_prev: Vec<Tensor<T>> = (0..C::STATES).map(|_| Tensor::empty([b, h])).collect();
    let mut d_pre = Tensor::empty([b, t, gh]);
    let mut d_rec = trace.rec.as_ref().map(|_| Tensor::empty([b, t, gh]));
    let parts = part_count(dims);
    // The second part's own sum of the diagonal weights' gradients, added to the first's after.
    let mut d_diag = [1, parts - 1].map(|n| Tensor::zeros([n * C::DIAGONALS * h]));
    let reads = Reads {
        w_hh: cx.input(2).data(),
        diagonal: slots.diagonal.map(|s| cx.input(s).data()),
        g_output: cx.grad_output_of(0).map(Tensor::data),
        pre: trace.pre.data(),
        rec: trace.rec.as_ref().map(|r| r.data()),
        prev: std::array::from_fn(|k| trace.prev.get(k).map_or(&[][..], Tensor::data)),
        saved: trace.saved.as_ref().map(|s| s.data()),
        mask,
    };
    let whole = Part {
        batch: b,
        d_pre: d_pre.data_mut(),
        d_rec: d_rec.as_mut().map(|r| r.data_mut()),
        d_state: state_slices(&mut d_state),
        d_prev: state_slices(&mut d_prev),
        d_diag: &mut [],
    };
    let run = |first: usize, part: Part<'_, T>| run_part(cell, dims, options, &reads, first, part);
    let mut diag_parts = d_diag.iter_mut().map(|d| d.data_mut());
    if parts == 1 {
        let d_diag = diag_parts.next().expect("one part");
        run(0, Part { d_diag, ..whole });
    } else {
        let half = b / 2;
        let (mut first, mut second) = whole.split(dims, half);
        first.d_diag = diag_parts.next().expect("two parts");
        second.d_diag = diag_parts.next().expect("two parts");
        std::thread::scope(|scope| {
            scope.spawn(|| run(half, second));
            run(0, first);
        });
    }
    // Each step swapped the two sets of state gradients: after an odd number of steps the
    // gradients of the initial states are in the second.
    let d_initial = if t % 2 == 1 { &d_prev } else { &d_state };
    let [mut d_diag, second] = d_diag;
    if parts > 1 {
        add_into(d_diag.data_mut(), second.data());
    }
    for (k, s) in slots.initial.iter().enumerate() {
        if let Some(s) = *s {
            cx.write_grad(s, |buf, beta| write_or_add(buf, beta, d_initial[k].data()));
        }
    }
    let d_pre = d_pre.data();
    let d_rec = d_rec.as_ref().map_or(d_pre, |r| r.data());
    // ∂X = ∂pre · W_ih: [B·T, G·H] × [G·H, I], one product.
    let parts = part_count(dims);
    cx.write_grad(0, |dx, beta| {
        blocked_gemm(
            (b * t, gh, i),
            (d_pre, [gh, 1]),
            (w_ih, [i, 1]),
            (w_ih, i),
            beta,
            (dx, i),
            parts,
        )
    });
    // ∂W_ih = ∂preᵀ · X: [G·H, B·T] × [B·T, I], one product over every step.
    cx.write_grad(1, |dw, beta| {
        blocked_gemm(
            (gh, b * t, i),
            (d_pre, [1, gh]),
            (xv, [i, 1]),
            (xv, i),
            beta,
            (dw, i),
            parts,
        )
    });
    // ∂W_hh = ∂recᵀ · H_prev: [G·H, B·T] × [B·T, H], one product over every step (the last
    // gate's rows against the modulated states under ModulatedLast: a second one).
    let h_prev = trace.prev[0].data();
    let direct = direct_width(cell, dims);
    cx.write_grad(2, |dw, beta| {
        gemm(
            (direct, b * t, h),
            (d_rec, [1, gh]),
            (h_prev, [h, 1]),
            beta,
            (dw, [h, 1]),
        );
        if let Some(m) = &trace.modulated {
            gemm(
                (h, b * t, h),
                (&d_rec[direct..], [1, gh]),
                (m.data(), [h, 1]),
                beta,
                (&mut dw[direct * h..], [h, 1]),
            );
        }
    });
    for (slot, d) in [(slots.bias_ih, d_pre), (slots.bias_hh, d_rec)] {
        if let Some(s) = slot {
            cx.write_grad(s, |db, beta| column_sums(d, gh, beta, db));
        }
    }
    if let Some(s) = slots.diagonal {
        cx.write_grad(s, |dd, beta| write_or_add(dd, beta, d_diag.data()));
    }
}

/// What every part reads: the weights, the output's gradient and the trace, whole.
struct Reads<'a, T> {
    w_hh: &'a [T],
    diagonal: Option<&'a [T]>,
    g_output: Option<&'a [T]>,
    pre: &'a [T],
    rec: Option<&'a [T]>,
    prev: [&'a [T]; MAX_STATES],
    saved: Option<&'a [T]>,
    mask: Option<&'a SequenceMask>,
}

/// Some of the batch rows of every buffer the backward pass writes, and this part's own sum
/// of the diagonal weights' gradients.
struct Part<'a, T> {
    batch: usize,
    d_pre: &'a mut [T],
    d_rec: Option<&'a mut [T]>,
    d_state: [&'a mut [T]; MAX_STATES],
    d_prev: [&'a mut [T]; MAX_STATES],
    d_diag: &'a mut [T],
}

impl<'a, T> Part<'a, T> {
    /// The first `rows` batch rows and the rest (each with an empty `d_diag`).
    fn split(self, dims: Dims, rows: usize) -> (Part<'a, T>, Part<'a, T>) {
        let (t, h, gh) = (dims.steps, dims.hidden, dims.width());
        let (d_pre, d_pre2) = self.d_pre.split_at_mut(rows * t * gh);
        let (d_rec, d_rec2) = split_opt(self.d_rec, rows * t * gh);
        let (d_state, d_state2) = split_all(self.d_state, rows * h);
        let (d_prev, d_prev2) = split_all(self.d_prev, rows * h);
        (
            Part {
                batch: rows,
                d_pre,
                d_rec,
                d_state,
                d_prev,
                d_diag: &mut [],
            },
            Part {
                batch: self.batch - rows,
                d_pre: d_pre2,
                d_rec: d_rec2,
                d_state: d_state2,
                d_prev: d_prev2,
                d_diag: &mut [],
            },
        )
    }
}

/// Every step in reverse for the part's batch rows (`first` is its first row's index in the
/// whole batch).
fn run_part<T: Float, C: Cell>(
    cell: &C,
    dims: Dims,
    options: RunOptions,
    r: &Reads<'_, T>,
    first: usize,
    mut part: Part<'_, T>,
) {
    let (t, h, gh, b) = (dims.steps, dims.hidden, dims.width(), part.batch);
    let direct = direct_width(cell, dims);
    let mut d_m = Tensor::empty([if direct < gh { b * h } else { 0 }]);
    // The trace from this part's first row on: part-local row bb is row first + bb.
    let (pre, rec) = (
        &r.pre[first * t * gh..],
        r.rec.map(|r| &r[first * t * gh..]),
    );
    let prev = r.prev.map(|p| p.get(first * t * h..).unwrap_or_default());
    let saved_width = C::SAVED * h;
    let saved = r.saved.map(|s| &s[first * t * saved_width..]);
    for step in (0..t).rev() {
        let tt = options.time(step, t);
        match r.g_output {
            Some(g) if options.return_sequences => {
                for bb in (0..b).filter(|&bb| runs(r.mask, first + bb, tt)) {
                    let from = &g[((first + bb) * t + tt) * h..][..h];
                    add_into(&mut part.d_state[0][bb * h..][..h], from);
                }
            }
            Some(g) if options.is_last(step, t) => {
                add_into(part.d_state[0], &g[first * h..(first + b) * h]);
            }
            _ => {}
        }
        for bb in 0..b {
            let row = (bb * t + tt) * gh;
            if !runs(r.mask, first + bb, tt) {
                let d_rec = part.d_rec.as_deref_mut().map(|d| &mut d[row..row + gh]);
                let d_gates = &mut part.d_pre[row..row + gh];
                pass_through(
                    (d_gates, d_rec),
                    &part.d_state,
                    &mut part.d_prev,
                    (bb * h, h),
                );
                continue;
            }
            if let Some(saved) = saved {
                let (unit_row, state_row) = ((bb * t + tt) * h, bb * h);
                let rows = BackwardRows {
                    gates: &pre[row..row + gh],
                    rec: rec.map_or(&[], |r| &r[row..row + gh]),
                    prev: prev.map(|p| p.get(unit_row..unit_row + h).unwrap_or_default()),
                    saved: &saved[(bb * t + tt) * saved_width..][..saved_width],
                    diag: r.diagonal.unwrap_or(&[]),
                    d_next: part
                        .d_state
                        .each_ref()
                        .map(|d| d.get(state_row..state_row + h).unwrap_or_default()),
                    d_gates: &mut part.d_pre[row..row + gh],
                    d_rec: match part.d_rec.as_deref_mut() {
                        Some(d) => &mut d[row..row + gh],
                        None => &mut [],
                    },
                    d_prev: part
                        .d_prev
                        .each_mut()
                        .map(|d| d.get_mut(state_row..state_row + h).unwrap_or_default()),
                    d_diag: part.d_diag,
                };
                vectorised(
                    #[inline(always)]
                    || cell.backward_rows(rows),
                );
                continue;
            }
            for j in 0..h {
                let mut unit = gather_gates(pre, rec, row, C::GATES, h, j);
                let mut d_next = [T::zero(); MAX_STATES];
                for k in 0..C::STATES {
                    unit.prev[k] = prev[k][(bb * t + tt) * h + j];
                    d_next[k] = part.d_state[k][bb * h + j];
                }
                unit.diag = gather_diagonal(r.diagonal, C::DIAGONALS, h, j);
                let grads = cell.backward(&unit, d_next);
                for g in 0..C::GATES {
                    part.d_pre[row + g * h + j] = grads.pre[g];
                    if let Some(d_rec) = part.d_rec.as_deref_mut() {
                        d_rec[row + g * h + j] = grads.rec[g];
                    }
                }
                for (k, d) in part.d_prev.iter_mut().enumerate().take(C::STATES) {
                    d[bb * h + j] = grads.prev[k];
                }
                for p in 0..C::DIAGONALS {
                    part.d_diag[p * h + j] += grads.diag[p];
                }
            }
        }
        if direct < gh {
            // ∂m = ∂pre_last · U_last ([B, H] × [H, H]), then through the modulation.
            gemm(
                (b, h, h),
                (&part.d_pre[tt * gh + direct..], [t * gh, 1]),
                (&r.w_hh[direct * h..], [h, 1]),
                T::zero(),
                (d_m.data_mut(), [h, 1]),
            );
            for bb in 0..b {
                let row = (bb * t + tt) * gh;
                for j in 0..h {
                    let mut unit = gather_gates(pre, None, row, C::GATES, h, j);
                    for k in 0..C::STATES {
                        unit.prev[k] = prev[k][(bb * t + tt) * h + j];
                    }
                    unit.diag = gather_diagonal(r.diagonal, C::DIAGONALS, h, j);
                    let grads = cell.modulate_backward(&unit, d_m.data()[bb * h + j]);
                    for g in 0..C::GATES {
                        part.d_pre[row + g * h + j] += grads.pre[g];
                    }
                    for (k, d) in part.d_prev.iter_mut().enumerate().take(C::STATES) {
                        d[bb * h + j] += grads.prev[k];
                    }
                }
            }
        }
        // h_{t−1} also fed the step's recurrent product: ∂h_{t−1} += ∂rec_t · W_hh.
        let d_rec_t = part.d_rec.as_deref().unwrap_or(part.d_pre);
        step_gemm(
            (b, direct, h),
            (&d_rec_t[tt * gh..], t * gh),
            (r.w_hh, [h, 1]),
            (r.w_hh, h),
            (part.d_prev[0], h),
        );
        std::mem::swap(&mut part.d_state, &mut part.d_prev);
    }
}
