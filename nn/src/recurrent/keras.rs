//! Keras's weight layout for recurrent layers: [`KerasWeights`] (`kernel` `[I, G·H]`,
//! `recurrent_kernel` `[H, G·H]`, `bias`), a module of its own so a Keras layer's weights load
//! by name through [`crate::checkpoint::load`], then into a layer with
//! [`Recurrent::set_keras_weights`].
//!
//! Keras stores the transposes of PyTorch's matrices, with the gates in the same order for the
//! LSTM (i, f, c, o) and the simple RNN, and in the order z, r, h for the GRU. It has one bias,
//! except the reset-after GRU's `[2, 3H]` (input and recurrent rows). Cells Keras has no layer
//! for (the peephole and coupled LSTMs) use the LSTM's layout for the weights they share; the
//! peepholes are left as they are.
//!
//! ```
//! use nn::recurrent::Lstm;
//! use nn::{Layer, Tape, Tensor};
//! let keras_made = Lstm::<f64>::new(3, 4).seed(1);
//! let weights = keras_made.keras_weights(); // what a Keras LSTM would hold
//! assert_eq!(weights.kernel.value().dims(), [3, 16]);
//! let mut ours = Lstm::<f64>::new(3, 4).seed(2);
//! ours.set_keras_weights(&weights);
//! let tape = Tape::new();
//! let x = tape.constant(Tensor::normal([2, 5, 3], 0.0, 1.0, 3));
//! assert_eq!(ours.forward(x).h.value(), keras_made.forward(x).h.value());
//! ```

use autodiff_core::{Float, Param, Tensor};
use autodiff_macros::Module;

use super::cell::{Cell, Recurrence};
use super::layer::Recurrent;

/// A recurrent layer's weights in Keras's names and layout.
#[derive(Module)]
pub struct KerasWeights<T: Float> {
    /// `[I, G·H]`, Keras's gate order.
    pub kernel: Param<T>,
    /// `[H, G·H]`.
    pub recurrent_kernel: Param<T>,
    /// `[G·H]`, or `[2, G·H]` (input, recurrent) for a reset-after GRU.
    pub bias: Param<T>,
}

impl<T: Float, C: Cell> Recurrent<T, C> {
    /// The layer's weights in Keras's layout (with one bias, `bias_ih + bias_hh`, unless the
    /// cell keeps its recurrent projection apart): to export them, or as the shapes to load a
    /// Keras file into with `checkpoint::load`.
    pub fn keras_weights(&self) -> KerasWeights<T> {
        let (w_ih, w_hh) = (self.weight_ih_l0.value(), self.weight_hh_l0.value());
        let (b_ih, b_hh) = (self.bias_ih_l0.value(), self.bias_hh_l0.value());
        let h = self.hidden();
        let to_keras = |ours: &Tensor<T>| {
            let (rows, cols) = (ours.dims()[0], ours.dims()[1]);
            Tensor::from_fn([cols, rows], |n| {
                let (c, k) = (n / rows, n % rows);
                ours.data()[our_row::<C>(k, h) * cols + c]
            })
        };
        let bias_row = |b: &Tensor<T>, out: &mut [T]| {
            for (k, v) in out.iter_mut().enumerate() {
                *v = b.data()[our_row::<C>(k, h)];
            }
        };
        let width = C::GATES * h;
        let bias = if self.keeps_recurrent_bias() {
            let mut bias = Tensor::empty([2, width]);
            let (input, recurrent) = bias.data_mut().split_at_mut(width);
            bias_row(b_ih, input);
            bias_row(b_hh, recurrent);
            bias
        } else {
            let mut bias = Tensor::empty([width]);
            bias_row(&b_ih.add(b_hh), bias.data_mut());
            bias
        };
        KerasWeights {
            kernel: Param::new(to_keras(w_ih)),
            recurrent_kernel: Param::new(to_keras(w_hh)),
            bias: Param::new(bias),
        }
    }

    /// Sets the layer's weights from Keras's layout (the input bias gets Keras's single bias,
    /// the recurrent bias zero). The peepholes, which Keras does not have, are kept.
    ///
    /// # Panics
    /// If a shape is not the one [`Recurrent::keras_weights`] gives, naming both.
    pub fn set_keras_weights(&mut self, weights: &KerasWeights<T>) {
        let want = self.keras_weights();
        for (name, got, want) in [
            ("kernel", &weights.kernel, &want.kernel),
            (
                "recurrent_kernel",
                &weights.recurrent_kernel,
                &want.recurrent_kernel,
            ),
            ("bias", &weights.bias, &want.bias),
        ] {
            let (got, want) = (got.value().shape(), want.value().shape());
            assert!(
                got == want,
                "{}: Keras {name} {got}, expected {want}",
                C::NAME
            );
        }
        let h = self.hidden();
        let from_keras = |keras: &Tensor<T>| {
            let (rows, cols) = (keras.dims()[0], keras.dims()[1]);
            let mut ours = Tensor::empty([cols, rows]);
            for k in 0..cols {
                for r in 0..rows {
                    ours.data_mut()[our_row::<C>(k, h) * rows + r] = keras.data()[r * cols + k];
                }
            }
            ours
        };
        let width = C::GATES * h;
        let bias_from = |row: &[T]| {
            let mut ours = Tensor::empty([width]);
            for (k, &v) in row.iter().enumerate() {
                ours.data_mut()[our_row::<C>(k, h)] = v;
            }
            ours
        };
        let bias = weights.bias.value();
        let (b_ih, b_hh) = if self.keeps_recurrent_bias() {
            let (input, recurrent) = bias.data().split_at(width);
            (bias_from(input), bias_from(recurrent))
        } else {
            (bias_from(bias.data()), Tensor::zeros([width]))
        };
        self.weight_ih_l0.set(from_keras(weights.kernel.value()));
        self.weight_hh_l0
            .set(from_keras(weights.recurrent_kernel.value()));
        self.bias_ih_l0.set(b_ih);
        self.bias_hh_l0.set(b_hh);
    }

    /// Whether Keras keeps a recurrent bias row for this cell (the reset-after GRU, whose
    /// recurrent projection, bias included, is multiplied by the reset gate).
    fn keeps_recurrent_bias(&self) -> bool {
        self.cell().recurrence() == Recurrence::Separate
    }
}

/// Our row of Keras's column `k` (gate `k / H` in Keras's order, unit `k % H`).
fn our_row<C: Cell>(k: usize, h: usize) -> usize {
    let (keras_gate, unit) = (k / h, k % h);
    let ours = (0..C::GATES)
        .find(|&g| C::KERAS_GATE_ORDER[g] == keras_gate)
        .expect("every Keras gate is one of ours");
    ours * h + unit
}
