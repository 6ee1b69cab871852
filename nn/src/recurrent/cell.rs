//! [`Cell`]: what a recurrent cell tells the shared machinery ([`super::op`]) — how many gates
//! and states it has, how its recurrent product meets its input projection, and its pointwise
//! step with that step's vector-Jacobian product (both from one `#[differentiable]` function).
//!
//! The machinery computes, for every time step, the pre-activations of the `G` gates from the
//! input projection `x_t·W_ihᵀ + b_ih` and the recurrent projection `h_{t−1}·W_hhᵀ + b_hh`, then
//! calls [`Cell::forward`] once per (batch row, hidden unit) with that unit's gate values, its
//! previous states and its diagonal (peephole) weights. A cell never sees a matrix.

use autodiff_core::Float;

/// The most gates a cell may have (an LSTM's four).
pub const MAX_GATES: usize = 4;
/// The most states a cell may carry (an LSTM's `h` and `c`).
pub const MAX_STATES: usize = 2;
/// The most diagonal weight vectors a cell may have (a peephole LSTM's three).
pub const MAX_DIAGONALS: usize = 3;

/// How the recurrent projection `h_{t−1}·W_hhᵀ + b_hh` meets the input projection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recurrence {
    /// Added to it before the pointwise step, which sees one value per gate in
    /// [`UnitInputs::pre`] (LSTM, simple RNN): the recurrent product accumulates straight into
    /// the input projection's buffer.
    Summed,
    /// Kept apart, in [`UnitInputs::rec`] (GRU's reset-after candidate multiplies the recurrent
    /// part by the reset gate).
    Separate,
    /// Summed, but the last gate's recurrent product reads [`Cell::modulate`] (`r ⊙ h_{t−1}` in
    /// the original GRU) instead of `h_{t−1}`: per step, one product for the other gates, the
    /// modulation pointwise, then one product for the last gate.
    ModulatedLast,
}

/// One hidden unit of one batch row at one time step: what [`Cell::forward`] reads. Entries past
/// the cell's own counts are zero.
#[derive(Clone, Copy, Debug)]
pub struct UnitInputs<T> {
    /// The gates' pre-activations, gate by gate (the input projection, plus the recurrent one
    /// under [`Recurrence::Summed`]).
    pub pre: [T; MAX_GATES],
    /// The recurrent projection by gate under [`Recurrence::Separate`]; zeros otherwise.
    pub rec: [T; MAX_GATES],
    /// The states entering the step: `h_{t−1}` first, then the cell's others (`c_{t−1}`).
    pub prev: [T; MAX_STATES],
    /// The unit's diagonal weights (peepholes), one per vector.
    pub diag: [T; MAX_DIAGONALS],
}

/// The gradients of one unit's step with respect to everything in [`UnitInputs`], given the
/// gradients of its new states: what [`Cell::backward`] returns.
#[derive(Clone, Copy, Debug)]
pub struct UnitGrads<T> {
    /// ∂/∂ pre-activations.
    pub pre: [T; MAX_GATES],
    /// ∂/∂ recurrent projections (read only under [`Recurrence::Separate`]).
    pub rec: [T; MAX_GATES],
    /// ∂/∂ previous states (the pointwise part only; the machinery adds the recurrent
    /// product's share to `h_{t−1}`).
    pub prev: [T; MAX_STATES],
    /// ∂/∂ diagonal weights.
    pub diag: [T; MAX_DIAGONALS],
}

impl<T: Float> UnitGrads<T> {
    /// All zeros, for a cell to fill what it has.
    pub fn zeros() -> Self {
        UnitGrads {
            pre: [T::zero(); MAX_GATES],
            rec: [T::zero(); MAX_GATES],
            prev: [T::zero(); MAX_STATES],
            diag: [T::zero(); MAX_DIAGONALS],
        }
    }
}

/// A recurrent cell's shape and pointwise maths; [`super::Recurrent`] runs any cell over a
/// sequence as one recorded op. Gate `g` of unit `j` is row `g·H + j` of `W_ih` and `W_hh`
/// (PyTorch's layout: gates stacked along the first axis).
///
/// A cell of your own is its step as a `#[differentiable]` function plus this impl; the layer,
/// its products, backpropagation through time and the weight gradients come with it:
///
/// ```
/// use nn::recurrent::{Cell, MAX_STATES, Recurrent, UnitGrads, UnitInputs};
/// use nn::{Float, Layer, Tensor, differentiable, gradcheck};
///
/// /// A two-gate cell: h_t = f ⊙ h_{t−1} + (1 − f) ⊙ tanh(n), f = σ(·).
/// #[differentiable]
/// fn two_gate_unit<T: Float>(f: T, n: T, h_prev: T) -> T {
///     let f = sigmoid(f);
///     f * h_prev + (1.0 - f) * tanh(n)
/// }
///
/// #[derive(Clone, Copy, Default)]
/// struct TwoGate;
///
/// impl Cell for TwoGate {
///     const GATES: usize = 2;
///     const STATES: usize = 1;
///     const NAME: &'static str = "two_gate";
///
///     fn forward<T: Float>(&self, u: &UnitInputs<T>) -> [T; MAX_STATES] {
///         [two_gate_unit(u.pre[0], u.pre[1], u.prev[0]), T::zero()]
///     }
///
///     fn backward<T: Float>(&self, u: &UnitInputs<T>, d: [T; MAX_STATES]) -> UnitGrads<T> {
///         let (df, dn, dh) = two_gate_unit_vjp(u.pre[0], u.pre[1], u.prev[0], d[0]);
///         let mut grads = UnitGrads::zeros();
///         grads.pre[..2].copy_from_slice(&[df, dn]);
///         grads.prev[0] = dh;
///         grads
///     }
/// }
///
/// let layer = Recurrent::<f64, TwoGate>::new(3, 4).return_sequences(true).seed(1);
/// assert_eq!(layer.weight_hh_l0.value().dims(), [8, 4]);
/// let x = Tensor::normal([2, 5, 3], 0.0, 1.0, 1);
/// gradcheck(|v| layer.forward(v[0]).output.sum(), &[x]).unwrap();
/// ```
pub trait Cell: Clone + Send + Sync + 'static {
    /// Gates per hidden unit, `G`: the projections have `G·H` columns.
    const GATES: usize;
    /// States per hidden unit, `h` first (1, or 2 with an LSTM's `c`).
    const STATES: usize;
    /// Diagonal weight vectors of length `H` (peepholes), stored as one `[DIAGONALS, H]`
    /// parameter.
    const DIAGONALS: usize = 0;
    /// The name shape errors use (`"lstm"`).
    const NAME: &'static str;
    /// The forget gate's index, whose input bias Keras's initialisation sets to 1
    /// (`unit_forget_bias`); `None` for a cell without one.
    const FORGET_GATE: Option<usize> = None;

    /// Where each of our gates sits in Keras's layout (`KERAS_GATE_ORDER[g]` is the Keras
    /// position of gate `g`): the identity but for the GRU, whose Keras order is z, r, h.
    const KERAS_GATE_ORDER: [usize; MAX_GATES] = [0, 1, 2, 3];

    /// How the recurrent projection meets the input projection.
    fn recurrence(&self) -> Recurrence {
        Recurrence::Summed
    }

    /// Under [`Recurrence::ModulatedLast`]: the unit's value of what the last gate's recurrent
    /// product reads, from the other gates' complete pre-activations and the previous states.
    fn modulate<T: Float>(&self, unit: &UnitInputs<T>) -> T {
        unit.prev[0]
    }

    /// The gradients of `d_m · modulate(unit)` (in [`UnitGrads::pre`] and [`UnitGrads::prev`]).
    fn modulate_backward<T: Float>(&self, unit: &UnitInputs<T>, d_m: T) -> UnitGrads<T> {
        let mut grads = UnitGrads::zeros();
        grads.prev[0] = d_m;
        let _ = unit;
        grads
    }

    /// The unit's new states (`h_t` first) from its inputs.
    fn forward<T: Float>(&self, unit: &UnitInputs<T>) -> [T; MAX_STATES];

    /// The gradients of `Σ d_next · forward(unit)` with respect to the unit's inputs.
    fn backward<T: Float>(&self, unit: &UnitInputs<T>, d_next: [T; MAX_STATES]) -> UnitGrads<T>;

    /// Values per unit that [`Cell::forward_rows`] saves for [`Cell::backward_rows`] beyond the
    /// activated gates (`tanh(c_t)` for an LSTM).
    const SAVED: usize = 0;

    /// Whether the op runs the cell's row path ([`Cell::forward_rows`], [`Cell::backward_rows`])
    /// instead of its own unit-by-unit loop over [`Cell::forward`] and [`Cell::backward`]. Say
    /// `true` for a cell that overrides both with something faster; the defaults are correct
    /// (the same unit loop), so `true` without overriding them only costs nothing in speed.
    fn has_rows(&self) -> bool {
        false
    }

    /// The step over one batch row (all `H` units at once), hand-written for speed: the same
    /// maths as [`Cell::forward`] (tests check them against each other), usually saving the
    /// activated gates so that [`Cell::backward_rows`] needs only products. Override both row
    /// methods or neither: they agree on what the gate row holds between them. The default runs
    /// [`Cell::forward`] unit by unit and leaves the pre-activations in place.
    fn forward_rows<T: Float>(&self, mut rows: ForwardRows<'_, T>) {
        let units = rows.states[0].len();
        for j in 0..units {
            let unit = row_unit::<T, Self>((rows.gates, rows.rec), &rows.states, rows.diag, j);
            let next = self.forward(&unit);
            for (s, v) in rows.states.iter_mut().zip(next).take(Self::STATES) {
                s[j] = v;
            }
        }
    }

    /// The gradients of one batch row's step from what [`Cell::forward_rows`] left: the same
    /// maths as [`Cell::backward`]. The default runs [`Cell::backward`] unit by unit on the
    /// pre-activations the default [`Cell::forward_rows`] leaves.
    fn backward_rows<T: Float>(&self, mut rows: BackwardRows<'_, T>) {
        let units = rows.prev[0].len();
        for j in 0..units {
            let unit = row_unit::<T, Self>((rows.gates, rows.rec), &rows.prev, rows.diag, j);
            let d_next =
                std::array::from_fn(|k| rows.d_next[k].get(j).copied().unwrap_or_default());
            let grads = self.backward(&unit, d_next);
            for g in 0..Self::GATES {
                rows.d_gates[g * units + j] = grads.pre[g];
                if let Some(d) = rows.d_rec.get_mut(g * units + j) {
                    *d = grads.rec[g];
                }
            }
            for (d, v) in rows.d_prev.iter_mut().zip(grads.prev).take(Self::STATES) {
                d[j] = v;
            }
            for p in 0..Self::DIAGONALS {
                rows.d_diag[p * units + j] += grads.diag[p];
            }
        }
    }
}

/// Unit `j` of a row: its gate values (and recurrent ones, if the row has them), states and
/// diagonal weights.
fn row_unit<T: Float, C: Cell>(
    (gates, rec): (&[T], &[T]),
    states: &[impl AsRef<[T]>; MAX_STATES],
    diag: &[T],
    j: usize,
) -> UnitInputs<T> {
    let units = states[0].as_ref().len();
    let mut unit = UnitInputs {
        pre: [T::zero(); MAX_GATES],
        rec: [T::zero(); MAX_GATES],
        prev: [T::zero(); MAX_STATES],
        diag: [T::zero(); MAX_DIAGONALS],
    };
    for g in 0..C::GATES {
        unit.pre[g] = gates[g * units + j];
        unit.rec[g] = rec.get(g * units + j).copied().unwrap_or_default();
    }
    for (p, s) in unit.prev.iter_mut().zip(states).take(C::STATES) {
        *p = s.as_ref()[j];
    }
    for (p, d) in unit.diag.iter_mut().enumerate().take(C::DIAGONALS) {
        *d = diag[p * units + j];
    }
    unit
}

/// One batch row of one step for [`Cell::forward_rows`]. A gate row holds `G·H` values, gate
/// `g` at `g·H..(g + 1)·H`; a state row `H`. What the cell does not have is empty.
pub struct ForwardRows<'a, T> {
    /// In: the gates' pre-activations (as [`UnitInputs::pre`]); out: what
    /// [`Cell::backward_rows`] reads of them (the activated gates).
    pub gates: &'a mut [T],
    /// In: the recurrent projections under [`Recurrence::Separate`]; out: what the backward
    /// reads of them.
    pub rec: &'a mut [T],
    /// In: the states entering the step (`h` first); out: the states leaving it.
    pub states: [&'a mut [T]; MAX_STATES],
    /// The diagonal weights, `DIAGONALS·H`.
    pub diag: &'a [T],
    /// Out: the cell's [`Cell::SAVED`] values per unit, `SAVED·H`.
    pub saved: &'a mut [T],
}

/// One batch row of one step for [`Cell::backward_rows`]: what [`Cell::forward_rows`] left,
/// the states' gradients, and where the gradients go.
pub struct BackwardRows<'a, T> {
    /// The gate row as [`Cell::forward_rows`] left it.
    pub gates: &'a [T],
    /// The recurrent row as [`Cell::forward_rows`] left it (empty unless `Separate`).
    pub rec: &'a [T],
    /// The states entering the step.
    pub prev: [&'a [T]; MAX_STATES],
    /// The values [`Cell::forward_rows`] saved.
    pub saved: &'a [T],
    /// The diagonal weights.
    pub diag: &'a [T],
    /// ∂ of the states leaving the step.
    pub d_next: [&'a [T]; MAX_STATES],
    /// Out: ∂ pre-activations (written).
    pub d_gates: &'a mut [T],
    /// Out: ∂ recurrent projections under `Separate` (written).
    pub d_rec: &'a mut [T],
    /// Out: ∂ states entering the step, the pointwise part (written).
    pub d_prev: [&'a mut [T]; MAX_STATES],
    /// ∂ diagonal weights (added to).
    pub d_diag: &'a mut [T],
}
