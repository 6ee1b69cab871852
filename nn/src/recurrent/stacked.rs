//! [`Stacked`]: deep recurrent layers (PyTorch's `num_layers`), each layer reading the sequence
//! of the one below, one or both directions per layer, with dropout between layers.
//!
//! Layer `k > 0` reads every step of layer `k − 1`'s output (`[B, T, H]`, or `[B, T, 2H]` with
//! both directions concatenated, as PyTorch does); only the top layer's output is returned,
//! every step or the last. Dropout, as PyTorch's `dropout` argument, applies to each layer's
//! output but the top one's, and only in training mode: a new stack is in inference mode (see
//! [`crate::Dropout`]; `Model::fit` switches training on while it runs).
//!
//! The parameters are PyTorch's, by name: `weight_ih_l{k}`, `weight_hh_l{k}`, `bias_ih_l{k}`,
//! `bias_hh_l{k}`, with `_reverse` for the backward direction, so the state dict of
//! `nn.LSTM(I, H, num_layers=2, batch_first=True)` (or `nn.GRU`, or with `bidirectional=True`)
//! loads through [`crate::checkpoint::load`]. The final states come per layer and direction in
//! PyTorch's order (layer 0 forward, layer 0 backward, layer 1 forward, …): `h_n[k]`.
//!
//! ```
//! use nn::recurrent::{LstmCell, Stacked};
//! use nn::{Layer, Module, Tape, Tensor, gradcheck};
//!
//! let deep = Stacked::<f64, LstmCell>::new(3, 4, 2).return_sequences(true).seed(1);
//! assert_eq!(deep.named_params()[4].0, "weight_ih_l1");
//! assert_eq!(deep.named_params()[4].1.value().dims(), [16, 4]); // layer 1 reads layer 0's h
//! let tape = Tape::new();
//! let x = tape.var(Tensor::normal([2, 5, 3], 0.0, 1.0, 7)); // [batch, time, features]
//! let out = deep.forward(x);
//! assert_eq!(out.output.dims(), [2, 5, 4]);
//! assert_eq!((out.h.len(), out.c.unwrap().len()), (2, 2)); // per layer
//! gradcheck(|v| deep.forward(v[0]).output.sum(), &[x.value()]).unwrap();
//!
//! // Both directions in every layer, 30 % dropout between the layers while training.
//! let bi = Stacked::<f64, LstmCell>::with_cell(LstmCell, 3, 4, 2, true).dropout(0.3, 9);
//! assert_eq!(bi.forward(x).output.dims(), [2, 8]);
//! assert_eq!(bi.named_params()[4].0, "weight_ih_l0_reverse");
//! ```

use autodiff_core::{BufferRef, Float, Module, Param, ParamPath, Tape, Var};

use super::bidirectional::Bidirectional;
use super::cell::Cell;
use super::layer::{Recurrent, RecurrentInit};
use super::mask::SequenceMask;
use super::output_only::OutputOnly;
use crate::{Dropout, Layer, Prediction};

/// One layer of a stack: one direction or both.
enum Level<T: Float, C: Cell> {
    One(Recurrent<T, C>),
    Both(Bidirectional<T, C>),
}

/// A stack of recurrent layers with dropout between them (see the module docs).
pub struct Stacked<T: Float, C: Cell> {
    levels: Vec<Level<T, C>>,
    dropout: Dropout,
    return_sequences: bool,
    mask_value: Option<f64>,
}

/// What a [`Stacked`] layer returns: the top layer's output, which `fit` scores, and every
/// layer's final states.
#[derive(Clone, Debug)]
pub struct StackedOutput<'t, T: Float> {
    /// The top layer's output: every step (`[B, T, ·]`) with `return_sequences`, else the last.
    pub output: Var<'t, T>,
    /// The final hidden states, `[B, H]` each, per layer and direction in PyTorch's order.
    pub h: Vec<Var<'t, T>>,
    /// The final cell states likewise, for a cell with one (the LSTMs).
    pub c: Option<Vec<Var<'t, T>>>,
}

impl<'t, T: Float> Prediction<'t, T> for StackedOutput<'t, T> {
    fn prediction(self) -> Var<'t, T> {
        self.output
    }
}

impl<T: Float, C: Cell + Default> Stacked<T, C> {
    /// `layers` one-directional layers of `hidden` units over `inputs` features, returning the
    /// top layer's last output, without dropout; Keras's initialisation, unseeded.
    ///
    /// # Panics
    /// If `layers` is 0.
    pub fn new(inputs: usize, hidden: usize, layers: usize) -> Self {
        Self::with_cell(C::default(), inputs, hidden, layers, false)
    }
}

impl<T: Float, C: Cell> Stacked<T, C> {
    /// `layers` layers of `cell`, each [`Bidirectional`] (concatenated, as PyTorch's) when
    /// `bidirectional`, else forward only (see [`Stacked::new`]).
    ///
    /// # Panics
    /// If `layers` is 0.
    pub fn with_cell(
        cell: C,
        inputs: usize,
        hidden: usize,
        layers: usize,
        bidirectional: bool,
    ) -> Self {
        assert!(layers > 0, "Stacked {}: no layers", C::NAME);
        let width = if bidirectional { 2 * hidden } else { hidden };
        let levels = (0..layers)
            .map(|k| {
                let input = if k == 0 { inputs } else { width };
                let level = if bidirectional {
                    Level::Both(Bidirectional::with_cell(cell.clone(), input, hidden))
                } else {
                    Level::One(Recurrent::with_cell(cell.clone(), input, hidden))
                };
                level.return_sequences(k + 1 < layers)
            })
            .collect();
        Stacked {
            levels,
            dropout: Dropout::new(0.0, 0),
            return_sequences: false,
            mask_value: None,
        }
    }

    /// Drops each element of every layer's output but the top one's with probability `rate`
    /// while training (PyTorch's `dropout`), from a generator seeded by `seed`.
    ///
    /// # Panics
    /// If `rate` is outside `[0, 1)`.
    pub fn dropout(mut self, rate: f64, seed: u64) -> Self {
        self.dropout = Dropout::new(rate, seed);
        self
    }

    /// Output the top layer's every step instead of its last.
    pub fn return_sequences(mut self, all: bool) -> Self {
        self.return_sequences = all;
        let top = self.levels.pop().expect("a stack has layers");
        self.levels.push(top.return_sequences(all));
        self
    }

    /// Keras's `Masking(mask_value)` in front of the stack: the steps of the input whose
    /// features all equal `value` are padding in every layer (see [`Recurrent::mask_value`]).
    pub fn mask_value(mut self, value: Option<f64>) -> Self {
        self.mask_value = value;
        self
    }

    /// The same stack as one whose output is the top layer's `Var`, for a
    /// [`crate::Sequential`]; its parameters keep their names and training mode reaches the
    /// dropout.
    pub fn output_only(self) -> OutputOnly<Self> {
        OutputOnly { layer: self }
    }

    /// The run from zero initial states over sequences of different lengths: every layer reads
    /// `mask` (see [`SequenceMask`]).
    ///
    /// # Panics
    /// As [`Recurrent::forward_masked`].
    pub fn forward_masked<'t>(&self, x: Var<'t, T>, mask: &SequenceMask) -> StackedOutput<'t, T> {
        self.run(x, None, Some(mask))
    }

    /// [`Stacked::forward_masked`] from initial states (as [`Stacked::forward_from`]).
    ///
    /// # Panics
    /// As [`Stacked::forward_from`] and [`Recurrent::forward_masked`].
    pub fn forward_masked_from<'t, S: AsRef<[Var<'t, T>]>>(
        &self,
        x: Var<'t, T>,
        mask: &SequenceMask,
        initial: &[S],
    ) -> StackedOutput<'t, T> {
        let initial = self.initial_entries(initial);
        self.run(x, Some(&initial), Some(mask))
    }

    /// Redraws every layer's weights with another scheme.
    pub fn initialization(mut self, init: RecurrentInit) -> Self {
        self.levels = self.levels.into_iter().map(|l| l.init(init)).collect();
        self
    }

    /// Redraws every layer's weights from `seed` (each layer from its own seed).
    pub fn seed(mut self, seed: u64) -> Self {
        let base = seed.wrapping_mul(64);
        self.levels = (self.levels.into_iter().enumerate())
            .map(|(k, l)| l.seed(base + k as u64))
            .collect();
        self
    }

    /// The number of layers.
    pub fn layers(&self) -> usize {
        self.levels.len()
    }

    /// The final-state entries per layer: 2 with both directions, else 1.
    pub fn directions(&self) -> usize {
        match self.levels[0] {
            Level::One(_) => 1,
            Level::Both(_) => 2,
        }
    }

    /// The run from initial states: one entry per layer and direction in PyTorch's order
    /// (`h_0[k]`), each `[h]` or `[h, c]` (`[B, H]`).
    ///
    /// # Panics
    /// If the number of entries is not `layers · directions`, or as
    /// [`Recurrent::forward_from`].
    pub fn forward_from<'t, S: AsRef<[Var<'t, T>]>>(
        &self,
        x: Var<'t, T>,
        initial: &[S],
    ) -> StackedOutput<'t, T> {
        let initial = self.initial_entries(initial);
        self.run(x, Some(&initial), None)
    }

    fn initial_entries<'s, 't, S: AsRef<[Var<'t, T>]>>(
        &self,
        initial: &'s [S],
    ) -> Vec<&'s [Var<'t, T>]> {
        let entries = self.layers() * self.directions();
        assert!(
            initial.len() == entries,
            "Stacked {}: {} initial state entries given, the stack has {entries} \
             (layers × directions)",
            C::NAME,
            initial.len()
        );
        initial.iter().map(AsRef::as_ref).collect()
    }

    fn run<'t>(
        &self,
        x: Var<'t, T>,
        initial: Option<&[&[Var<'t, T>]]>,
        mask: Option<&SequenceMask>,
    ) -> StackedOutput<'t, T> {
        let from_values = self
            .mask_value
            .map(|value| SequenceMask::from_values(&x.value(), T::lit(value)));
        let mask = mask.or(from_values.as_ref());
        let mut input = x;
        let (mut h, mut c) = (Vec::new(), Vec::new());
        for (k, level) in self.levels.iter().enumerate() {
            if k > 0 {
                input = self.dropout.forward(input);
            }
            let outs = match level {
                Level::One(layer) => {
                    let out = match (initial, mask) {
                        (Some(s), Some(m)) => layer.forward_masked_from(input, m, s[k]),
                        (Some(s), None) => layer.forward_from(input, s[k]),
                        (None, Some(m)) => layer.forward_masked(input, m),
                        (None, None) => layer.forward(input),
                    };
                    input = out.output;
                    vec![out]
                }
                Level::Both(layer) => {
                    let out = match (initial, mask) {
                        (Some(s), Some(m)) => {
                            layer.forward_masked_from(input, m, s[2 * k], s[2 * k + 1])
                        }
                        (Some(s), None) => layer.forward_from(input, s[2 * k], s[2 * k + 1]),
                        (None, Some(m)) => layer.forward_masked(input, m),
                        (None, None) => layer.forward(input),
                    };
                    input = out.output;
                    vec![out.forward, out.backward]
                }
            };
            for out in outs {
                h.push(out.h);
                c.extend(out.c);
            }
        }
        StackedOutput {
            output: input,
            h,
            c: (C::STATES > 1).then_some(c),
        }
    }
}

impl<T: Float, C: Cell> Level<T, C> {
    fn return_sequences(self, all: bool) -> Self {
        match self {
            Level::One(l) => Level::One(l.return_sequences(all)),
            Level::Both(l) => Level::Both(l.return_sequences(all)),
        }
    }

    fn init(self, init: RecurrentInit) -> Self {
        match self {
            Level::One(l) => Level::One(l.initialization(init)),
            Level::Both(l) => Level::Both(l.initialization(init)),
        }
    }

    fn seed(self, seed: u64) -> Self {
        match self {
            Level::One(l) => Level::One(l.seed(seed)),
            Level::Both(l) => Level::Both(l.seed(seed)),
        }
    }
}

/// PyTorch's names (`weight_ih_l{k}`, `weight_ih_l{k}_reverse`, …); training mode switches the
/// dropout between layers.
impl<T: Float, C: Cell> Module<T> for Stacked<T, C> {
    fn visit<'a>(&'a self, path: &mut ParamPath, f: &mut dyn FnMut(&ParamPath, &'a Param<T>)) {
        for (k, level) in self.levels.iter().enumerate() {
            match level {
                Level::One(l) => l.visit_as(&format!("l{k}"), path, f),
                Level::Both(l) => l.visit_level(k, path, f),
            }
        }
    }

    fn visit_mut(&mut self, path: &mut ParamPath, f: &mut dyn FnMut(&ParamPath, &mut Param<T>)) {
        for (k, level) in self.levels.iter_mut().enumerate() {
            match level {
                Level::One(l) => l.visit_mut_as(&format!("l{k}"), path, f),
                Level::Both(l) => l.visit_level_mut(k, path, f),
            }
        }
    }

    fn visit_buffers<'a>(
        &'a self,
        path: &mut ParamPath,
        f: &mut dyn FnMut(&ParamPath, BufferRef<'a, T>),
    ) {
        path.push("dropout");
        Module::<T>::visit_buffers(&self.dropout, path, f);
        path.pop();
    }

    fn set_training(&mut self, training: bool) {
        Module::<T>::set_training(&mut self.dropout, training);
    }
}

impl<'t, T: Float, C: Cell> Layer<'t, T> for Stacked<T, C> {
    type Output = StackedOutput<'t, T>;

    /// The run from zero initial states.
    fn forward(&self, x: Var<'t, T>) -> StackedOutput<'t, T> {
        self.run(x, None, None)
    }

    fn penalty(&self, _: &'t Tape<T>) -> Option<Var<'t, T>> {
        None
    }
}
