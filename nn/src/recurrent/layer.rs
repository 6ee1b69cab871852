//! [`Recurrent`]: a layer that runs any [`Cell`] over a sequence `[batch, time, features]` as
//! one recorded op ([`super::op`]), with PyTorch's parameter names and layout, so a PyTorch
//! state dict loads through [`crate::checkpoint`]; and [`RecurrentOutput`], its results.

use std::sync::atomic::{AtomicU64, Ordering};

use autodiff_core::{Float, Param, ParamPath, Tape, Var};
use autodiff_macros::Module;

use super::cell::Cell;
use super::mask::SequenceMask;
use super::op::{RunInputs, RunOptions, run};
use super::output_only::OutputOnly;
use crate::{Initializer, Layer, Prediction};

/// How a new layer's weights are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum RecurrentInit {
    /// Keras's: glorot_uniform input kernel, orthogonal recurrent kernel, zero biases with the
    /// forget gate's input bias at 1 (`unit_forget_bias`).
    #[default]
    Keras,
    /// PyTorch's: every weight and bias from U(−1/√H, 1/√H).
    PyTorch,
}

/// A recurrent layer over `[batch, time, features]` with the cell `C` ([`super::Lstm`],
/// [`super::Gru`], …). The parameters are PyTorch's, by name and layout: gate `g`'s rows of
/// the weights are `g·H .. (g+1)·H`.
#[derive(Module)]
pub struct Recurrent<T: Float, C: Cell> {
    /// The input kernel `W_ih`, `[G·H, I]`.
    pub weight_ih_l0: Param<T>,
    /// The recurrent kernel `W_hh`, `[G·H, H]`.
    pub weight_hh_l0: Param<T>,
    /// The input bias `b_ih`, `[G·H]`.
    pub bias_ih_l0: Param<T>,
    /// The recurrent bias `b_hh`, `[G·H]`.
    pub bias_hh_l0: Param<T>,
    /// The diagonal (peephole) weights, `[DIAGONALS, H]`, for a cell that has them.
    pub weight_peephole_l0: Option<Param<T>>,
    #[module(skip)]
    cell: C,
    #[module(skip)]
    return_sequences: bool,
    #[module(skip)]
    reverse: bool,
    #[module(skip)]
    init: RecurrentInit,
    #[module(skip)]
    seed: u64,
    #[module(skip)]
    mask_value: Option<f64>,
}

/// What a recurrent layer returns: its output, which `fit` scores ([`Prediction`]), and its
/// final states.
#[derive(Clone, Copy, Debug)]
pub struct RecurrentOutput<'t, T: Float> {
    /// Every step's `h`, `[B, T, H]`, with `return_sequences`; else the last, `[B, H]`.
    pub output: Var<'t, T>,
    /// The final hidden state `h_T`, `[B, H]`.
    pub h: Var<'t, T>,
    /// The final cell state `c_T`, `[B, H]`, for a cell with one (the LSTMs).
    pub c: Option<Var<'t, T>>,
}

impl<'t, T: Float> Prediction<'t, T> for RecurrentOutput<'t, T> {
    fn prediction(self) -> Var<'t, T> {
        self.output
    }
}

impl<T: Float, C: Cell + Default> Recurrent<T, C> {
    /// A layer from `inputs` features to `hidden` units, returning only the last output, with
    /// Keras's initialisation. Unseeded layers draw from a process-wide counter of seeds, as
    /// [`crate::Dense`] does; [`Recurrent::seed`] fixes it.
    pub fn new(inputs: usize, hidden: usize) -> Self {
        Self::with_cell(C::default(), inputs, hidden)
    }
}

impl<T: Float, C: Cell> Recurrent<T, C> {
    /// A layer with a configured cell (see [`Recurrent::new`]).
    pub fn with_cell(cell: C, inputs: usize, hidden: usize) -> Self {
        static NEXT_SEED: AtomicU64 = AtomicU64::new(0);
        let width = C::GATES * hidden;
        let zeros = |dims: &[usize]| Param::new(Initializer::Zeros.init(dims, 0));
        Recurrent {
            weight_ih_l0: zeros(&[width, inputs]),
            weight_hh_l0: zeros(&[width, hidden]),
            bias_ih_l0: zeros(&[width]),
            bias_hh_l0: zeros(&[width]),
            weight_peephole_l0: (C::DIAGONALS > 0).then(|| zeros(&[C::DIAGONALS, hidden])),
            cell,
            return_sequences: false,
            reverse: false,
            init: RecurrentInit::Keras,
            seed: NEXT_SEED.fetch_add(1, Ordering::Relaxed),
            mask_value: None,
        }
        .reinit()
    }

    /// Output every step's `h` (`[B, T, H]`, Keras's `return_sequences=True`) instead of the
    /// last one (`[B, H]`).
    pub fn return_sequences(mut self, all: bool) -> Self {
        self.return_sequences = all;
        self
    }

    /// Walk the sequence from its last step to its first (the backward half of a
    /// [`super::Bidirectional`]). The output stays aligned with the input's time: step `t` of
    /// a sequence output is the state after reading `x_T … x_t`, and the last output (without
    /// `return_sequences`) and the final states are those after reading `x_0`.
    pub fn reverse(mut self, reverse: bool) -> Self {
        self.reverse = reverse;
        self
    }

    /// Keras's `Masking(mask_value)` in front of the layer: in [`Layer::forward`] and
    /// [`Recurrent::forward_from`], a step whose features all equal `value` is padding (see
    /// [`SequenceMask`]); `None` (the default) masks nothing. With `Some(0.0)` the layer reads
    /// the zeros an [`crate::layers::Embedding`] with `mask_zero` puts at its padding id, or a
    /// masked layer below outputs at padded steps.
    pub fn mask_value(mut self, value: Option<f64>) -> Self {
        self.mask_value = value;
        self
    }

    /// The value that marks padded steps ([`Recurrent::mask_value`]).
    pub fn masks_value(&self) -> Option<f64> {
        self.mask_value
    }

    /// Whether the layer walks the sequence backwards ([`Recurrent::reverse`]).
    pub fn is_reversed(&self) -> bool {
        self.reverse
    }

    /// Whether the output is every step's `h` ([`Recurrent::return_sequences`]).
    pub fn returns_sequences(&self) -> bool {
        self.return_sequences
    }

    /// Visits the parameters under PyTorch's names for the layer `suffix` of a multi-layer or
    /// bidirectional module (`weight_ih_{suffix}`, …, with `suffix` = `l1` or `l0_reverse`):
    /// what [`super::Bidirectional`] and [`super::Stacked`] name their layers by.
    pub fn visit_as<'a>(
        &'a self,
        suffix: &str,
        path: &mut ParamPath,
        f: &mut dyn FnMut(&ParamPath, &'a Param<T>),
    ) {
        let named = [
            ("weight_ih", &self.weight_ih_l0),
            ("weight_hh", &self.weight_hh_l0),
            ("bias_ih", &self.bias_ih_l0),
            ("bias_hh", &self.bias_hh_l0),
        ];
        let peephole = self.weight_peephole_l0.as_ref();
        for (base, param) in named
            .into_iter()
            .chain(peephole.map(|p| ("weight_peephole", p)))
        {
            path.push(&format!("{base}_{suffix}"));
            f(path, param);
            path.pop();
        }
    }

    /// [`Recurrent::visit_as`] with mutable access (optimizers, loading).
    pub fn visit_mut_as(
        &mut self,
        suffix: &str,
        path: &mut ParamPath,
        f: &mut dyn FnMut(&ParamPath, &mut Param<T>),
    ) {
        let named = [
            ("weight_ih", &mut self.weight_ih_l0),
            ("weight_hh", &mut self.weight_hh_l0),
            ("bias_ih", &mut self.bias_ih_l0),
            ("bias_hh", &mut self.bias_hh_l0),
        ];
        let peephole = self.weight_peephole_l0.as_mut();
        for (base, param) in named
            .into_iter()
            .chain(peephole.map(|p| ("weight_peephole", p)))
        {
            path.push(&format!("{base}_{suffix}"));
            f(path, param);
            path.pop();
        }
    }

    /// Redraws the weights with another scheme.
    pub fn initialization(mut self, init: RecurrentInit) -> Self {
        self.init = init;
        self.reinit()
    }

    /// Redraws the weights with another seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self.reinit()
    }

    /// The number of hidden units `H`.
    pub fn hidden(&self) -> usize {
        self.weight_hh_l0.value().dims()[1]
    }

    /// The cell.
    pub fn cell(&self) -> &C {
        &self.cell
    }

    /// Replaces the cell by another of the same type (a GRU's form), keeping the weights.
    pub fn set_cell(&mut self, cell: C) {
        self.cell = cell;
    }

    /// The same layer as one whose output is a plain `Var` (the final states dropped), so it
    /// stacks in a [`crate::Sequential`]; its parameters keep their names.
    pub fn output_only(self) -> OutputOnly<Self> {
        OutputOnly { layer: self }
    }

    /// The run from zero initial states over sequences of different lengths: `mask` `[B, T]`
    /// says which steps are real (see [`SequenceMask`]; it replaces [`Recurrent::mask_value`]).
    ///
    /// # Panics
    /// If the mask is not `[B, T]` of `x` (naming both).
    pub fn forward_masked<'t>(&self, x: Var<'t, T>, mask: &SequenceMask) -> RecurrentOutput<'t, T> {
        self.run(x, [None, None], Some(mask.clone()))
    }

    /// [`Recurrent::forward_masked`] from initial states (as [`Recurrent::forward_from`]).
    ///
    /// # Panics
    /// As [`Recurrent::forward_from`] and [`Recurrent::forward_masked`].
    pub fn forward_masked_from<'t>(
        &self,
        x: Var<'t, T>,
        mask: &SequenceMask,
        initial: &[Var<'t, T>],
    ) -> RecurrentOutput<'t, T> {
        self.run(x, self.initial_states(initial), Some(mask.clone()))
    }

    /// The run from initial states (`[h_0]`, or `[h_0, c_0]` for an LSTM; each `[B, H]`), which
    /// receive gradients like any input.
    ///
    /// # Panics
    /// If the number of states is not the cell's, or on a shape mismatch (naming the shapes).
    pub fn forward_from<'t>(
        &self,
        x: Var<'t, T>,
        initial: &[Var<'t, T>],
    ) -> RecurrentOutput<'t, T> {
        self.run(x, self.initial_states(initial), None)
    }

    /// The mask [`Recurrent::mask_value`] reads off `x`, if the layer has one.
    pub(super) fn value_mask(&self, x: Var<'_, T>) -> Option<SequenceMask> {
        (self.mask_value).map(|value| SequenceMask::from_values(&x.value(), T::lit(value)))
    }

    fn initial_states<'t>(&self, initial: &[Var<'t, T>]) -> [Option<Var<'t, T>>; 2] {
        assert!(
            initial.len() == C::STATES,
            "{}: {} initial states given, the cell has {}",
            C::NAME,
            initial.len(),
            C::STATES
        );
        [initial.first().copied(), initial.get(1).copied()]
    }

    fn run<'t>(
        &self,
        x: Var<'t, T>,
        initial: [Option<Var<'t, T>>; 2],
        mask: Option<SequenceMask>,
    ) -> RecurrentOutput<'t, T> {
        let tape = x.tape();
        let mask = mask.or_else(|| self.value_mask(x));
        let inputs = RunInputs {
            x,
            weight_ih: tape.param(&self.weight_ih_l0),
            weight_hh: tape.param(&self.weight_hh_l0),
            bias_ih: Some(tape.param(&self.bias_ih_l0)),
            bias_hh: Some(tape.param(&self.bias_hh_l0)),
            diagonal: self.weight_peephole_l0.as_ref().map(|p| tape.param(p)),
            initial,
            mask,
        };
        let options = RunOptions {
            return_sequences: self.return_sequences,
            reverse: self.reverse,
        };
        match C::STATES {
            1 => {
                let [output, h] = run::<T, C, 2>(&self.cell, inputs, options);
                RecurrentOutput { output, h, c: None }
            }
            _ => {
                let [output, h, c] = run::<T, C, 3>(&self.cell, inputs, options);
                RecurrentOutput {
                    output,
                    h,
                    c: Some(c),
                }
            }
        }
    }

    fn reinit(mut self) -> Self {
        let dims = |p: &Param<T>| p.value().dims().to_vec();
        let (ih, hh, b) = (
            dims(&self.weight_ih_l0),
            dims(&self.weight_hh_l0),
            dims(&self.bias_ih_l0),
        );
        let hidden = hh[1];
        let seed = self.seed.wrapping_mul(8);
        match self.init {
            RecurrentInit::Keras => {
                self.weight_ih_l0
                    .set(Initializer::GlorotUniform.init(&ih, seed));
                self.weight_hh_l0
                    .set(Initializer::Orthogonal.init(&hh, seed + 1));
                let mut bias = Initializer::Zeros.init(&b, 0);
                if let Some(f) = C::FORGET_GATE {
                    bias.data_mut()[f * hidden..(f + 1) * hidden].fill(T::one());
                }
                self.bias_ih_l0.set(bias);
                self.bias_hh_l0.set(Initializer::Zeros.init(&b, 0));
            }
            RecurrentInit::PyTorch => {
                let k = 1.0 / (hidden as f64).sqrt();
                let u = Initializer::RandomUniform { min: -k, max: k };
                self.weight_ih_l0.set(u.init(&ih, seed));
                self.weight_hh_l0.set(u.init(&hh, seed + 1));
                self.bias_ih_l0.set(u.init(&b, seed + 2));
                self.bias_hh_l0.set(u.init(&b, seed + 3));
            }
        }
        // Peepholes start at zero under both schemes (the cell starts as a plain LSTM).
        if let Some(p) = &mut self.weight_peephole_l0 {
            let d = p.value().dims().to_vec();
            p.set(Initializer::Zeros.init(&d, 0));
        }
        self
    }
}

impl<'t, T: Float, C: Cell> Layer<'t, T> for Recurrent<T, C> {
    type Output = RecurrentOutput<'t, T>;

    /// The run from zero initial states.
    fn forward(&self, x: Var<'t, T>) -> RecurrentOutput<'t, T> {
        self.run(x, [None, None], None)
    }

    fn penalty(&self, _: &'t Tape<T>) -> Option<Var<'t, T>> {
        None
    }
}
