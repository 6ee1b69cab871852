//! [`Bidirectional`]: a recurrent layer read both ways — one [`Recurrent`] walks the sequence
//! forward, another walks it backward, and their outputs are merged (Keras's `Bidirectional`,
//! PyTorch's `bidirectional=True`).
//!
//! A forward layer's step `t` has read `x_0 … x_t`; the backward layer's, `x_T … x_t` (its
//! outputs stay aligned with the input's time), so the merged step `t` sees the whole sequence.
//! The merge is Keras's `merge_mode` ([`Merge`]): concatenation along the features (the
//! default, `[…, 2H]`, what PyTorch returns), sum, product or average (`[…, H]`). Without
//! `return_sequences` the merged output is the forward layer's last `h` (after `x_T`) with the
//! backward layer's (after `x_0`), as in Keras.
//!
//! The parameters are named as PyTorch's bidirectional layer: `weight_ih_l0`, `weight_hh_l0`,
//! `bias_ih_l0`, `bias_hh_l0` for the forward direction and the same with `_reverse`
//! (`weight_ih_l0_reverse`, …) for the backward one, so the state dict of
//! `nn.LSTM(I, H, bidirectional=True, batch_first=True)` loads through
//! [`crate::checkpoint::load`].
//!
//! ```
//! use nn::recurrent::{Bidirectional, LstmCell, Merge};
//! use nn::{Layer, Module, Tape, Tensor, gradcheck};
//!
//! let bi = Bidirectional::<f64, LstmCell>::new(3, 4).return_sequences(true).seed(1);
//! let names: Vec<String> = bi.named_params().into_iter().map(|(n, _)| n).collect();
//! assert_eq!(names[0], "weight_ih_l0");
//! assert_eq!(names[4], "weight_ih_l0_reverse");
//! let tape = Tape::new();
//! let x = tape.var(Tensor::normal([2, 5, 3], 0.0, 1.0, 7)); // [batch, time, features]
//! let out = bi.forward(x);
//! assert_eq!(out.output.dims(), [2, 5, 8]); // both directions' h, concatenated
//! // The backward direction's final state is its output at the first step.
//! let first = out.backward.output.narrow(1, 0, 1).value().reshape([2, 4]);
//! assert_eq!(first, out.backward.h.value());
//! gradcheck(|v| bi.forward(v[0]).output.sum(), &[x.value()]).unwrap();
//!
//! let summed = Bidirectional::<f64, LstmCell>::new(3, 4).merge(Merge::Sum);
//! assert_eq!(summed.forward(x).output.dims(), [2, 4]); // the last outputs, summed
//! ```

use autodiff_core::{Float, Module, Param, ParamPath, Tape, Var};

use super::cell::Cell;
use super::cells::GruCell;
use super::layer::{Recurrent, RecurrentInit, RecurrentOutput};
use super::mask::SequenceMask;
use super::output_only::OutputOnly;
use crate::{Layer, Prediction};

/// How a [`Bidirectional`] layer merges its two directions' outputs (Keras's `merge_mode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Merge {
    /// Concatenated along the features, forward first: `[…, 2H]` (Keras's default, PyTorch's
    /// only form).
    #[default]
    Concat,
    /// Added: `[…, H]`.
    Sum,
    /// Multiplied elementwise: `[…, H]`.
    Mul,
    /// Averaged: `[…, H]`.
    Ave,
}

impl Merge {
    /// The merged output of `forward` and `backward` (equal shapes).
    pub fn apply<'t, T: Float>(self, forward: Var<'t, T>, backward: Var<'t, T>) -> Var<'t, T> {
        match self {
            Merge::Concat => Var::concat(&[forward, backward], forward.dims().len() - 1),
            Merge::Sum => forward + backward,
            Merge::Mul => forward * backward,
            Merge::Ave => (forward + backward).scale(T::lit(0.5)),
        }
    }

    /// The merged width of two outputs of `hidden` features.
    pub fn width(self, hidden: usize) -> usize {
        match self {
            Merge::Concat => 2 * hidden,
            Merge::Sum | Merge::Mul | Merge::Ave => hidden,
        }
    }
}

/// A forward and a backward [`Recurrent`] layer over the same input, merged (see the module
/// docs). Both directions share the cell type, the sizes and `return_sequences`.
pub struct Bidirectional<T: Float, C: Cell> {
    /// The direction reading `x_0 … x_T`.
    pub forward_layer: Recurrent<T, C>,
    /// The direction reading `x_T … x_0` (built with [`Recurrent::reverse`]).
    pub backward_layer: Recurrent<T, C>,
    merge: Merge,
}

/// What a [`Bidirectional`] layer returns: the merged output, which `fit` scores, and each
/// direction's own output and final states.
#[derive(Clone, Copy, Debug)]
pub struct BidirectionalOutput<'t, T: Float> {
    /// The merged output: `[B, T, ·]` with `return_sequences`, else `[B, ·]`.
    pub output: Var<'t, T>,
    /// The forward direction's output and final states (after `x_T`).
    pub forward: RecurrentOutput<'t, T>,
    /// The backward direction's output and final states (after `x_0`).
    pub backward: RecurrentOutput<'t, T>,
}

impl<'t, T: Float> Prediction<'t, T> for BidirectionalOutput<'t, T> {
    fn prediction(self) -> Var<'t, T> {
        self.output
    }
}

impl<T: Float, C: Cell + Default> Bidirectional<T, C> {
    /// A layer from `inputs` features to `hidden` units per direction, returning only the last
    /// outputs, concatenated; Keras's initialisation, unseeded (see [`Recurrent::new`]).
    pub fn new(inputs: usize, hidden: usize) -> Self {
        Self::with_cell(C::default(), inputs, hidden)
    }
}

impl<T: Float, C: Cell> Bidirectional<T, C> {
    /// A layer with a configured cell (see [`Bidirectional::new`]).
    pub fn with_cell(cell: C, inputs: usize, hidden: usize) -> Self {
        Self::from_layers(
            Recurrent::with_cell(cell.clone(), inputs, hidden),
            Recurrent::with_cell(cell, inputs, hidden),
        )
    }

    /// Two layers as the directions; `backward` is set to run reversed and to return sequences
    /// as `forward` does.
    ///
    /// # Panics
    /// If their weights' shapes differ (naming both).
    pub fn from_layers(forward: Recurrent<T, C>, backward: Recurrent<T, C>) -> Self {
        let (f, b) = (
            forward.weight_ih_l0.value().shape(),
            backward.weight_ih_l0.value().shape(),
        );
        assert!(
            f == b && forward.hidden() == backward.hidden(),
            "Bidirectional {}: forward weight_ih {f}, backward weight_ih {b}: the directions differ",
            C::NAME
        );
        let sequences = forward.returns_sequences();
        Bidirectional {
            forward_layer: forward.reverse(false),
            backward_layer: backward.reverse(true).return_sequences(sequences),
            merge: Merge::Concat,
        }
    }

    /// Output every step (`[B, T, ·]`) instead of the last (`[B, ·]`), in both directions.
    pub fn return_sequences(mut self, all: bool) -> Self {
        self.forward_layer = self.forward_layer.return_sequences(all);
        self.backward_layer = self.backward_layer.return_sequences(all);
        self
    }

    /// How the directions' outputs merge (default [`Merge::Concat`]).
    pub fn merge(mut self, merge: Merge) -> Self {
        self.merge = merge;
        self
    }

    /// The merge mode.
    pub fn merge_mode(&self) -> Merge {
        self.merge
    }

    /// Redraws both directions' weights with another scheme.
    pub fn initialization(mut self, init: RecurrentInit) -> Self {
        self.forward_layer = self.forward_layer.initialization(init);
        self.backward_layer = self.backward_layer.initialization(init);
        self
    }

    /// Redraws the weights from `seed` (the directions draw from different seeds).
    pub fn seed(mut self, seed: u64) -> Self {
        self.forward_layer = self.forward_layer.seed(seed.wrapping_mul(2));
        self.backward_layer = self.backward_layer.seed(seed.wrapping_mul(2) + 1);
        self
    }

    /// Keras's `Masking(mask_value)` in front of both directions (see
    /// [`Recurrent::mask_value`]).
    pub fn mask_value(mut self, value: Option<f64>) -> Self {
        self.forward_layer = self.forward_layer.mask_value(value);
        self.backward_layer = self.backward_layer.mask_value(value);
        self
    }

    /// The same layer as one whose output is the merged `Var`, for a [`crate::Sequential`];
    /// its parameters keep their names.
    pub fn output_only(self) -> OutputOnly<Self> {
        OutputOnly { layer: self }
    }

    /// The run from zero initial states over sequences of different lengths (see
    /// [`SequenceMask`]): the backward direction starts at each row's last real step, as
    /// PyTorch's over packed sequences.
    ///
    /// # Panics
    /// As [`Recurrent::forward_masked`].
    pub fn forward_masked<'t>(
        &self,
        x: Var<'t, T>,
        mask: &SequenceMask,
    ) -> BidirectionalOutput<'t, T> {
        self.merged(
            self.forward_layer.forward_masked(x, mask),
            self.backward_layer.forward_masked(x, mask),
        )
    }

    /// [`Bidirectional::forward_masked`] from initial states (as
    /// [`Bidirectional::forward_from`]).
    ///
    /// # Panics
    /// As [`Recurrent::forward_masked_from`].
    pub fn forward_masked_from<'t>(
        &self,
        x: Var<'t, T>,
        mask: &SequenceMask,
        forward: &[Var<'t, T>],
        backward: &[Var<'t, T>],
    ) -> BidirectionalOutput<'t, T> {
        self.merged(
            self.forward_layer.forward_masked_from(x, mask, forward),
            self.backward_layer.forward_masked_from(x, mask, backward),
        )
    }

    /// The number of hidden units per direction.
    pub fn hidden(&self) -> usize {
        self.forward_layer.hidden()
    }

    /// The merged output's feature count.
    pub fn output_width(&self) -> usize {
        self.merge.width(self.hidden())
    }

    /// The run from initial states for each direction (`[h_0]` or `[h_0, c_0]`, `[B, H]`
    /// each; PyTorch's `h_0[0]` is the forward one, `h_0[1]` the backward).
    ///
    /// # Panics
    /// As [`Recurrent::forward_from`].
    pub fn forward_from<'t>(
        &self,
        x: Var<'t, T>,
        forward: &[Var<'t, T>],
        backward: &[Var<'t, T>],
    ) -> BidirectionalOutput<'t, T> {
        self.merged(
            self.forward_layer.forward_from(x, forward),
            self.backward_layer.forward_from(x, backward),
        )
    }

    fn merged<'t>(
        &self,
        forward: RecurrentOutput<'t, T>,
        backward: RecurrentOutput<'t, T>,
    ) -> BidirectionalOutput<'t, T> {
        BidirectionalOutput {
            output: self.merge.apply(forward.output, backward.output),
            forward,
            backward,
        }
    }

    /// Visits the parameters as level `level` of a stack (`weight_ih_l{level}` and
    /// `weight_ih_l{level}_reverse`, …).
    pub(super) fn visit_level<'a>(
        &'a self,
        level: usize,
        path: &mut ParamPath,
        f: &mut dyn FnMut(&ParamPath, &'a Param<T>),
    ) {
        self.forward_layer.visit_as(&format!("l{level}"), path, f);
        self.backward_layer
            .visit_as(&format!("l{level}_reverse"), path, f);
    }

    /// [`Bidirectional::visit_level`] with mutable access.
    pub(super) fn visit_level_mut(
        &mut self,
        level: usize,
        path: &mut ParamPath,
        f: &mut dyn FnMut(&ParamPath, &mut Param<T>),
    ) {
        self.forward_layer
            .visit_mut_as(&format!("l{level}"), path, f);
        self.backward_layer
            .visit_mut_as(&format!("l{level}_reverse"), path, f);
    }
}

impl<T: Float> Bidirectional<T, GruCell> {
    /// Chooses the GRU's form in both directions (see [`super::Gru::reset_after`]).
    pub fn reset_after(mut self, after: bool) -> Self {
        self.forward_layer = self.forward_layer.reset_after(after);
        self.backward_layer = self.backward_layer.reset_after(after);
        self
    }
}

/// PyTorch's names: the forward direction's as a one-layer module's, the backward's with
/// `_reverse`.
impl<T: Float, C: Cell> Module<T> for Bidirectional<T, C> {
    fn visit<'a>(&'a self, path: &mut ParamPath, f: &mut dyn FnMut(&ParamPath, &'a Param<T>)) {
        self.visit_level(0, path, f)
    }

    fn visit_mut(&mut self, path: &mut ParamPath, f: &mut dyn FnMut(&ParamPath, &mut Param<T>)) {
        self.visit_level_mut(0, path, f)
    }
}

impl<'t, T: Float, C: Cell> Layer<'t, T> for Bidirectional<T, C> {
    type Output = BidirectionalOutput<'t, T>;

    /// The run from zero initial states.
    fn forward(&self, x: Var<'t, T>) -> BidirectionalOutput<'t, T> {
        self.merged(
            self.forward_layer.forward(x),
            self.backward_layer.forward(x),
        )
    }

    fn penalty(&self, _: &'t Tape<T>) -> Option<Var<'t, T>> {
        None
    }
}
