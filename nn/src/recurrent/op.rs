//! The recurrent-layer op: a whole layer over a sequence `[batch, time, features]` as ONE
//! recorded op whose outputs are the output (every step's `h`, or the last) and the final
//! states, for any [`Cell`].
//!
//! Forward, for a cell with `G` gates and `H` units:
//! - the input projections of all steps at once: `[B·T, I] × [I, G·H]` (one gemm, onto the
//!   biases);
//! - per step, the recurrent product `h_{t−1}·W_hhᵀ`, `[B, H] × [H, G·H]` (one gemm, added into
//!   the step's pre-activations or kept apart, see [`Recurrence`]), then one pointwise pass of
//!   [`Cell::forward`] over the step's `B·H` units.
//!
//! Backward through time runs the steps in reverse, calling [`Cell::backward`] (the cell's
//! derived VJP) per unit and one gemm per step for `∂h_{t−1} += ∂rec_t·W_hh`; then every weight
//! gradient is one gemm over all steps: `∂W_ih = ∂preᵀ·X` (`[G·H, B·T] × [B·T, I]`),
//! `∂W_hh = ∂recᵀ·H_prev` (`[G·H, B·T] × [B·T, H]`), and `∂X = ∂pre·W_ih` likewise.
//!
//! Everything is stored batch-major (`[B, T, ·]`), as the input and output are: the states
//! entering each step are saved as `[B, T, H]` so that row `(b, t)` of `H_prev` pairs with row
//! `(b, t)` of `∂rec`, which makes `∂W_hh` a single product, and a reversed run (for a
//! bidirectional layer) only changes which time index each step reads.
//!
//! The pointwise passes run per (batch row, step), so a mask for variable-length sequences fits
//! in them without touching the products: a padded step would copy its states through
//! (`state_t = state_{t−1}`) and, backward, pass its states' gradients straight to the previous
//! step with zero gradients for its pre-activations.

use autodiff_core::ops::gemm;
use autodiff_core::{BackwardCx, Float, Tensor, Var, elementwise};

use super::cell::{Cell, MAX_DIAGONALS, MAX_GATES, MAX_STATES, Recurrence, UnitInputs};

/// What one run of a recurrent layer reads; absent options are `None`.
pub struct RunInputs<'t, T: Float> {
    /// The sequence, `[B, T, I]`.
    pub x: Var<'t, T>,
    /// `[G·H, I]`.
    pub weight_ih: Var<'t, T>,
    /// `[G·H, H]`.
    pub weight_hh: Var<'t, T>,
    /// `[G·H]`.
    pub bias_ih: Option<Var<'t, T>>,
    /// `[G·H]`.
    pub bias_hh: Option<Var<'t, T>>,
    /// `[DIAGONALS, H]`, for a cell with diagonal weights.
    pub diagonal: Option<Var<'t, T>>,
    /// The initial states, `[B, H]` each (zeros when absent).
    pub initial: [Option<Var<'t, T>>; MAX_STATES],
}

/// How a run walks the sequence and what it returns.
#[derive(Clone, Copy, Debug)]
pub struct RunOptions {
    /// Output every step's `h` (`[B, T, H]`) rather than the last (`[B, H]`).
    pub return_sequences: bool,
    /// Walk from the last step to the first (outputs stay aligned with the input's time).
    pub reverse: bool,
}

impl RunOptions {
    /// The time index of the `step`-th step of `steps`.
    fn time(self, step: usize, steps: usize) -> usize {
        if self.reverse { steps - 1 - step } else { step }
    }

    /// Whether `step` is the one whose `h` is the output when only the last is returned.
    fn is_last(self, step: usize, steps: usize) -> bool {
        step + 1 == steps
    }
}

/// The sizes of a run.
#[derive(Clone, Copy, Debug)]
struct Dims {
    batch: usize,
    steps: usize,
    input: usize,
    hidden: usize,
    gates: usize,
}

impl Dims {
    /// The sizes, after checking every shape; panics name the layer and the shapes.
    fn check<T: Float, C: Cell>(inputs: &RunInputs<'_, T>) -> Dims {
        let name = C::NAME;
        let (xs, wih, whh) = (
            inputs.x.shape(),
            inputs.weight_ih.shape(),
            inputs.weight_hh.shape(),
        );
        let [batch, steps, input] = *xs.dims() else {
            panic!("{name}: input {xs}: expected [batch, time, features]");
        };
        let [rows, hidden] = *whh.dims() else {
            panic!(
                "{name}: weight_hh {whh}: expected [{} · hidden, hidden]",
                C::GATES
            );
        };
        let gates = C::GATES;
        if rows != gates * hidden {
            panic!(
                "{name}: weight_hh {whh}: expected [{}, {hidden}]",
                gates * hidden
            );
        }
        if wih.dims() != [gates * hidden, input] {
            panic!(
                "{name}: input {xs}, weight_ih {wih}: expected weight_ih [{}, {input}]",
                gates * hidden
            );
        }
        for bias in [inputs.bias_ih, inputs.bias_hh].into_iter().flatten() {
            if bias.dims() != [gates * hidden] {
                panic!(
                    "{name}: weight_hh {whh}, bias {}: expected [{}]",
                    bias.shape(),
                    gates * hidden
                );
            }
        }
        if let Some(d) = inputs.diagonal
            && d.dims() != [C::DIAGONALS, hidden]
        {
            panic!(
                "{name}: weight_hh {whh}, diagonal weights {}: expected [{}, {hidden}]",
                d.shape(),
                C::DIAGONALS
            );
        }
        for s in inputs.initial.iter().flatten() {
            if s.dims() != [batch, hidden] {
                panic!(
                    "{name}: input {xs}, initial state {}: expected [{batch}, {hidden}]",
                    s.shape()
                );
            }
        }
        Dims {
            batch,
            steps,
            input,
            hidden,
            gates,
        }
    }

    fn width(&self) -> usize {
        self.gates * self.hidden
    }
}

/// Where the optional inputs sit in the op's input list.
#[derive(Clone, Copy, Debug, Default)]
struct Slots {
    bias_ih: Option<usize>,
    bias_hh: Option<usize>,
    diagonal: Option<usize>,
    initial: [Option<usize>; MAX_STATES],
}

/// What the forward pass keeps for backward.
struct Trace<T: Float> {
    /// The gates' pre-activations, `[B, T, G·H]`.
    pre: Tensor<T>,
    /// The recurrent projections, `[B, T, G·H]`, under [`Recurrence::Separate`].
    rec: Option<Tensor<T>>,
    /// The states entering each step, `[B, T, H]` per state.
    prev: Vec<Tensor<T>>,
    /// What the last gate's recurrent product read, `[B, T, H]`, under
    /// [`Recurrence::ModulatedLast`].
    modulated: Option<Tensor<T>>,
}

/// Runs `cell` over `inputs.x` as one recorded op; returns `[output, final states…]`, where
/// `M` = 1 + `C::STATES`. The functional form of [`super::Recurrent`], for layers built on it
/// (a bidirectional wrapper runs it with `reverse`).
///
/// # Panics
/// If `M` is not 1 + `C::STATES`, or on a shape mismatch (naming the layer and the shapes).
pub fn run<'t, T: Float, C: Cell, const M: usize>(
    cell: &C,
    inputs: RunInputs<'t, T>,
    options: RunOptions,
) -> [Var<'t, T>; M] {
    assert_eq!(
        M,
        1 + C::STATES,
        "{}: one output per state plus the output",
        C::NAME
    );
    let dims = Dims::check::<T, C>(&inputs);
    let x = inputs.x;
    let or_x = |v: Option<Var<'t, T>>| v.unwrap_or(x);
    let all = [
        x,
        inputs.weight_ih,
        inputs.weight_hh,
        or_x(inputs.bias_ih),
        or_x(inputs.bias_hh),
        or_x(inputs.diagonal),
        or_x(inputs.initial[0]),
        or_x(inputs.initial[1]),
    ];
    let (trace, outputs) = elementwise::with_values(C::NAME, all, |v| {
        let data = |k: usize, present: bool| present.then(|| v[k].data());
        let values = Values {
            x: v[0].data(),
            weight_ih: v[1].data(),
            weight_hh: v[2].data(),
            bias_ih: data(3, inputs.bias_ih.is_some()),
            bias_hh: data(4, inputs.bias_hh.is_some()),
            diagonal: data(5, inputs.diagonal.is_some()),
            initial: [
                data(6, inputs.initial[0].is_some()),
                data(7, inputs.initial[1].is_some()),
            ],
        };
        forward(cell, dims, options, &values)
    });
    let mut list = vec![x, inputs.weight_ih, inputs.weight_hh];
    let mut slot = |v: Option<Var<'t, T>>| {
        v.map(|v| {
            list.push(v);
            list.len() - 1
        })
    };
    let slots = Slots {
        bias_ih: slot(inputs.bias_ih),
        bias_hh: slot(inputs.bias_hh),
        diagonal: slot(inputs.diagonal),
        initial: [slot(inputs.initial[0]), slot(inputs.initial[1])],
    };
    let mut outputs = outputs.into_iter();
    let values: [Tensor<T>; M] = std::array::from_fn(|_| outputs.next().expect("M outputs"));
    let cell = cell.clone();
    x.tape()
        .record_many(values, &list, move |cx: &mut BackwardCx<T>| {
            backward(&cell, dims, options, slots, &trace, cx)
        })
}

/// The forward pass's inputs as slices.
struct Values<'a, T> {
    x: &'a [T],
    weight_ih: &'a [T],
    weight_hh: &'a [T],
    bias_ih: Option<&'a [T]>,
    bias_hh: Option<&'a [T]>,
    diagonal: Option<&'a [T]>,
    initial: [Option<&'a [T]>; MAX_STATES],
}

/// The run itself: its trace for backward, and `[output, final states…]`.
fn forward<T: Float, C: Cell>(
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
            Some(s) => Tensor::from_vec(s.to_vec(), [b, h]),
            None => Tensor::zeros([b, h]),
        })
        .collect();
    let mut sequence = options.return_sequences.then(|| Tensor::empty([b, t, h]));
    let mut modulated = (direct < gh).then(|| Tensor::empty([b, t, h]));
    let mut m = vec![T::zero(); if direct < gh { b * h } else { 0 }];
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
                    m[bb * h + j] = cell.modulate(&unit);
                }
            }
            gemm(
                (b, h, h),
                (&m, [h, 1]),
                (&v.weight_hh[direct * h..], [1, h]),
                T::one(),
                (&mut pre.data_mut()[tt * gh + direct..], [t * gh, 1]),
            );
            copy_rows(&m, modulated.data_mut(), (b, t, h), tt);
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

/// Backward through time, then the weight gradients as single products over all steps.
fn backward<T: Float, C: Cell>(
    cell: &C,
    dims: Dims,
    options: RunOptions,
    slots: Slots,
    trace: &Trace<T>,
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
    let direct = direct_width(cell, dims);
    let mut d_m = vec![T::zero(); if direct < gh { b * h } else { 0 }];
    let (xv, w_ih, w_hh) = (cx.input(0).data(), cx.input(1).data(), cx.input(2).data());
    let diagonal = slots.diagonal.map(|s| cx.input(s).data());
    let g_output = cx.grad_output_of(0).map(Tensor::data);
    // ∂ of the states leaving the current step, starting from the final states' gradients.
    let mut d_state: Vec<Vec<T>> = (0..C::STATES)
        .map(|k| match cx.grad_output_of(1 + k) {
            Some(g) => g.data().to_vec(),
            None => vec![T::zero(); b * h],
        })
        .collect();
    let mut d_prev: Vec<Vec<T>> = (0..C::STATES).map(|_| vec![T::zero(); b * h]).collect();
    let mut d_pre = Tensor::empty([b, t, gh]);
    let mut d_rec = trace.rec.as_ref().map(|_| Tensor::empty([b, t, gh]));
    let mut d_diag = vec![T::zero(); C::DIAGONALS * h];
    let (pre, rec) = (trace.pre.data(), trace.rec.as_ref().map(|r| r.data()));
    for step in (0..t).rev() {
        let tt = options.time(step, t);
        match g_output {
            Some(g) if options.return_sequences => {
                for bb in 0..b {
                    let from = &g[(bb * t + tt) * h..][..h];
                    add_into(&mut d_state[0][bb * h..][..h], from);
                }
            }
            Some(g) if options.is_last(step, t) => add_into(&mut d_state[0], g),
            _ => {}
        }
        for bb in 0..b {
            let row = (bb * t + tt) * gh;
            for j in 0..h {
                let mut unit = gather_gates(pre, rec, row, C::GATES, h, j);
                let mut d_next = [T::zero(); MAX_STATES];
                for k in 0..C::STATES {
                    unit.prev[k] = trace.prev[k].data()[(bb * t + tt) * h + j];
                    d_next[k] = d_state[k][bb * h + j];
                }
                unit.diag = gather_diagonal(diagonal, C::DIAGONALS, h, j);
                let grads = cell.backward(&unit, d_next);
                for g in 0..C::GATES {
                    d_pre.data_mut()[row + g * h + j] = grads.pre[g];
                    if let Some(d_rec) = &mut d_rec {
                        d_rec.data_mut()[row + g * h + j] = grads.rec[g];
                    }
                }
                for (k, d) in d_prev.iter_mut().enumerate() {
                    d[bb * h + j] = grads.prev[k];
                }
                for p in 0..C::DIAGONALS {
                    d_diag[p * h + j] += grads.diag[p];
                }
            }
        }
        if direct < gh {
            // ∂m = ∂pre_last · U_last ([B, H] × [H, H]), then through the modulation.
            gemm(
                (b, h, h),
                (&d_pre.data()[tt * gh + direct..], [t * gh, 1]),
                (&w_hh[direct * h..], [h, 1]),
                T::zero(),
                (&mut d_m, [h, 1]),
            );
            for bb in 0..b {
                let row = (bb * t + tt) * gh;
                for j in 0..h {
                    let mut unit = gather_gates(pre, None, row, C::GATES, h, j);
                    for k in 0..C::STATES {
                        unit.prev[k] = trace.prev[k].data()[(bb * t + tt) * h + j];
                    }
                    unit.diag = gather_diagonal(diagonal, C::DIAGONALS, h, j);
                    let grads = cell.modulate_backward(&unit, d_m[bb * h + j]);
                    for g in 0..C::GATES {
                        d_pre.data_mut()[row + g * h + j] += grads.pre[g];
                    }
                    for (k, d) in d_prev.iter_mut().enumerate() {
                        d[bb * h + j] += grads.prev[k];
                    }
                }
            }
        }
        // h_{t−1} also fed the step's recurrent product: ∂h_{t−1} += ∂rec_t · W_hh.
        let d_rec_t = d_rec.as_ref().unwrap_or(&d_pre).data();
        gemm(
            (b, direct, h),
            (&d_rec_t[tt * gh..], [t * gh, 1]),
            (w_hh, [h, 1]),
            T::one(),
            (&mut d_prev[0], [h, 1]),
        );
        std::mem::swap(&mut d_state, &mut d_prev);
    }
    for (k, s) in slots.initial.iter().enumerate() {
        if let Some(s) = *s {
            cx.write_grad(s, |buf, beta| write_or_add(buf, beta, &d_state[k]));
        }
    }
    let d_pre = d_pre.data();
    let d_rec = d_rec.as_ref().map_or(d_pre, |r| r.data());
    // ∂X = ∂pre · W_ih: [B·T, G·H] × [G·H, I], one product.
    cx.write_grad(0, |dx, beta| {
        gemm(
            (b * t, gh, i),
            (d_pre, [gh, 1]),
            (w_ih, [i, 1]),
            beta,
            (dx, [i, 1]),
        )
    });
    // ∂W_ih = ∂preᵀ · X: [G·H, B·T] × [B·T, I], one product over every step.
    cx.write_grad(1, |dw, beta| {
        gemm(
            (gh, b * t, i),
            (d_pre, [1, gh]),
            (xv, [i, 1]),
            beta,
            (dw, [i, 1]),
        )
    });
    // ∂W_hh = ∂recᵀ · H_prev: [G·H, B·T] × [B·T, H], one product over every step (the last
    // gate's rows against the modulated states under ModulatedLast: a second one).
    let h_prev = trace.prev[0].data();
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
        cx.write_grad(s, |dd, beta| write_or_add(dd, beta, &d_diag));
    }
}

/// How many of the `G·H` recurrent columns read `h_{t−1}` itself: all but the last gate's under
/// [`Recurrence::ModulatedLast`], else all.
fn direct_width<C: Cell>(cell: &C, dims: Dims) -> usize {
    match cell.recurrence() {
        Recurrence::ModulatedLast => dims.width() - dims.hidden,
        Recurrence::Summed | Recurrence::Separate => dims.width(),
    }
}

/// One unit's gate values: gate `g` of unit `j` is column `g·H + j` of the row at `row`.
#[inline(always)]
fn gather_gates<T: Float>(
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
fn gather_diagonal<T: Float>(
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
fn fill_rows<T: Float>(dst: &mut [T], width: usize, biases: [Option<&[T]>; 2]) {
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
fn copy_rows<T: Float>(src: &[T], dst: &mut [T], (b, t, h): (usize, usize, usize), tt: usize) {
    for bb in 0..b {
        dst[(bb * t + tt) * h..][..h].copy_from_slice(&src[bb * h..][..h]);
    }
}

fn add_into<T: Float>(dst: &mut [T], src: &[T]) {
    dst.iter_mut().zip(src).for_each(|(d, &s)| *d += s);
}

/// `buf ← values + β·buf` for β ∈ {0, 1}.
fn write_or_add<T: Float>(buf: &mut [T], beta: T, values: &[T]) {
    if beta.is_zero() {
        buf.copy_from_slice(values);
    } else {
        add_into(buf, values);
    }
}

/// `db ← Σ_rows d + β·db`, for `d` in rows of `width`.
fn column_sums<T: Float>(d: &[T], width: usize, beta: T, db: &mut [T]) {
    if beta.is_zero() {
        db.fill(T::zero());
    }
    for row in d.chunks_exact(width) {
        add_into(db, row);
    }
}
