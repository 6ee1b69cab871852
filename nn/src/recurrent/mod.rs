//! Recurrent layers over sequences `[batch, time, features]`: [`SimpleRnn`], [`Lstm`],
//! [`PeepholeLstm`], [`CoupledLstm`] and [`Gru`] (both forms), with every layer one
//! recorded op over the whole sequence.
//!
//! A layer is a [`Recurrent`] with a [`Cell`]: the cell says how many gates and states it has
//! and gives its pointwise step (a `#[differentiable]` function, in [`cells`]); the shared
//! machinery ([`op`]) does the products — all the input projections in one gemm, one gemm per
//! step for the recurrent part, the weight gradients as single gemms over all steps — and
//! backpropagation through time, calling the cell's derived VJP per step.
//!
//! The parameters have PyTorch's names and layout (`weight_ih_l0` `[G·H, I]`, `weight_hh_l0`
//! `[G·H, H]`, `bias_ih_l0`, `bias_hh_l0`), so a PyTorch `state_dict` saved with safetensors
//! loads through [`crate::checkpoint::load`]; Keras's layout loads through [`KerasWeights`].
//!
//! ```
//! use nn::recurrent::Lstm;
//! use nn::{Layer, Tape, Tensor, gradcheck};
//!
//! let lstm = Lstm::<f64>::new(3, 5).return_sequences(true).seed(1);
//! let tape = Tape::new();
//! let x = tape.var(Tensor::normal([2, 4, 3], 0.0, 1.0, 7)); // [batch, time, features]
//! let out = lstm.forward(x);
//! // The whole layer is one op on the tape (after the input and the four parameters), with
//! // three outputs: the sequence, h_T and c_T.
//! assert_eq!(tape.len(), 1 + 4 + 3);
//! assert_eq!(out.output.dims(), [2, 4, 5]); // every step's h
//! assert_eq!(out.h.dims(), [2, 5]);
//! assert_eq!(out.c.unwrap().dims(), [2, 5]);
//! // The last step's output is the final hidden state.
//! let last = out.output.narrow(1, 3, 1).value().reshape([2, 5]);
//! assert_eq!(last, out.h.value());
//! gradcheck(|v| lstm.forward(v[0]).output.sum(), &[x.value()]).unwrap();
//! ```
//!
//! In a [`crate::Sequential`], a layer goes in through [`Recurrent::output_only`] (or
//! [`Bidirectional::output_only`], [`Stacked::output_only`]), which keeps the output and drops
//! the final states (a stack's layers hand one `Var` to the next).
//!
//! Sequences of different lengths share a batch through a [`SequenceMask`]
//! ([`Recurrent::forward_masked`], or [`Recurrent::mask_value`] for Keras's `Masking`): padded
//! steps neither update the states nor receive a gradient (see [`SequenceMask`]).
//!
//! Built from these layers: [`Bidirectional`] (both directions, Keras's merge modes),
//! [`Stacked`] (PyTorch's `num_layers`, dropout between layers, one or both directions) and
//! [`TruncatedBptt`] (training a long sequence in windows of `k` steps, the state carried
//! forward detached).

pub(crate) mod activations;
mod bidirectional;
mod cell;
pub mod cells;
pub mod keras;
mod layer;
mod mask;
pub mod op;
mod output_only;
mod stacked;
mod truncated;

pub use bidirectional::{Bidirectional, BidirectionalOutput, Merge};
pub use cell::{
    BackwardRows, Cell, ForwardRows, MAX_DIAGONALS, MAX_GATES, MAX_STATES, Recurrence, UnitGrads,
    UnitInputs,
};
pub use cells::{CoupledLstmCell, GruCell, LstmCell, PeepholeLstmCell, SimpleRnnCell};
pub use keras::KerasWeights;
pub use layer::{Recurrent, RecurrentInit, RecurrentOutput};
pub use mask::SequenceMask;
pub use output_only::OutputOnly;
pub use stacked::{Stacked, StackedOutput};
pub use truncated::{TruncatedBptt, Window, WindowResult};

/// An LSTM layer (PyTorch's `nn.LSTM` with one layer and `batch_first=True`; Keras's `LSTM`);
/// the equations are in [`cells::lstm`].
pub type Lstm<T> = Recurrent<T, LstmCell>;

/// A peephole LSTM layer (Gers & Schmidhuber 2000), with the peepholes in
/// `weight_peephole_l0` `[3, H]` (rows i, f, o); the equations are in [`cells::peephole`].
pub type PeepholeLstm<T> = Recurrent<T, PeepholeLstmCell>;

/// A coupled-gate LSTM layer (CIFG: i = 1 − f), gates f, g, o; the equations are in
/// [`cells::coupled`].
pub type CoupledLstm<T> = Recurrent<T, CoupledLstmCell>;

/// A simple (Elman) RNN layer with tanh (PyTorch's `nn.RNN`, Keras's `SimpleRNN`); the
/// equation is in [`cells::simple`].
pub type SimpleRnn<T> = Recurrent<T, SimpleRnnCell>;

/// A GRU layer (PyTorch's `nn.GRU` with one layer and `batch_first=True`; Keras's `GRU`),
/// reset-after unless built with [`Gru::reset_after`]`(false)`; the equations are in
/// [`cells::gru`].
pub type Gru<T> = Recurrent<T, GruCell>;

impl<T: autodiff_core::Float> Gru<T> {
    /// Chooses the form: reset-after (`true`, the default: PyTorch's and Keras's) or Cho et
    /// al.'s original reset-before (`false`). The weights are kept.
    pub fn reset_after(mut self, after: bool) -> Self {
        self.set_cell(if after {
            GruCell::default()
        } else {
            GruCell::reset_before()
        });
        self
    }
}
