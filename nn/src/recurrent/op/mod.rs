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
//! The pointwise passes run per (batch row, step), so a mask for variable-length sequences
//! ([`SequenceMask`], see [`mask`]) fits in them without touching the products: a padded step
//! keeps its states (`state_t = state_{t−1}`), outputs zeros, and, backward, passes its states'
//! gradients straight to the previous step with zero gradients for its pre-activations.

mod backward;
mod forward;
mod mask;
mod rows;

use autodiff_core::{BackwardCx, Float, Tensor, Var, elementwise};

use super::cell::{Cell, MAX_STATES, Recurrence};
use super::mask::SequenceMask;
use backward::backward;
use forward::{Values, forward};

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
    /// Which steps of each row are real, `[B, T]` (every step when absent).
    pub mask: Option<SequenceMask>,
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
        if inputs.initial[C::STATES..].iter().any(Option::is_some) {
            panic!("{name}: an initial state for a state the cell does not have");
        }
        for s in inputs.initial.iter().flatten() {
            if s.dims() != [batch, hidden] {
                panic!(
                    "{name}: input {xs}, initial state {}: expected [{batch}, {hidden}]",
                    s.shape()
                );
            }
        }
        if let Some(mask) = &inputs.mask
            && mask.dims() != [batch, steps]
        {
            panic!(
                "{name}: input {xs}, mask {:?}: expected [{batch}, {steps}]",
                mask.dims()
            );
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
    /// Under the cell's row path ([`Cell::has_rows`]), which leaves the activated gates in
    /// `pre` (and `rec`): its [`Cell::SAVED`] values, `[B, T, SAVED·H]`.
    saved: Option<Tensor<T>>,
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
            mask: inputs.mask.as_ref(),
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
    let mask = inputs.mask;
    x.tape()
        .record_many(values, &list, move |cx: &mut BackwardCx<T>| {
            backward(&cell, dims, options, slots, (&trace, mask.as_ref()), cx)
        })
}

/// Whether the run uses the cell's row path: a cell with diagonal weights needs them given.
fn uses_rows<C: Cell>(cell: &C, has_diagonal: bool) -> bool {
    cell.has_rows() && (C::DIAGONALS == 0 || has_diagonal)
}

/// Below this many pre-activations (`B·T·G·H`) a run stays on the calling thread: a thread
/// costs tens of microseconds to start, as much as a small layer's whole run.
const MIN_PARALLEL_WORK: usize = 1 << 16;

/// How many threads share a run's batch rows: 2 when threads are allowed (as many as
/// matrixmultiply uses) and the run is large enough, else 1.
fn part_count(dims: Dims) -> usize {
    let enough = dims.batch >= 2 && dims.batch * dims.steps * dims.width() >= MIN_PARALLEL_WORK;
    if enough && crate::fused::conv2d::parallel::threads() > 1 {
        2
    } else {
        1
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
