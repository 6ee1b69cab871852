//! [`SequenceMask`]: which steps of each batch row are real and which are padding, for
//! sequences of different lengths in one batch.
//!
//! A padded step neither updates the states nor receives a gradient: the states leaving it are
//! the states entering it, its input gets a zero gradient, and it adds nothing to the weight
//! gradients. So a row's final states are those after its last real step, equal to a run over
//! that row alone without its padding — PyTorch's `h_n` over a `pack_padded_sequence`.
//!
//! With `return_sequences`, the output at a padded step is **zeros**, as PyTorch's
//! `pad_packed_sequence` gives. Keras instead repeats the previous step's output there (the
//! state carried through); the two agree at every real step and in the final states. Zeros make
//! a padded step of a stacked layer's output look like padding again to a layer above with
//! [`super::Recurrent::mask_value`]`(0.0)`, and a bidirectional layer's merge keeps them zeros.
//!
//! A reversed layer (the backward half of a [`super::Bidirectional`]) walks the steps from the
//! last to the first and skips the padded ones, so on a padded-at-the-end row it starts at the
//! row's last real step, as PyTorch's bidirectional layer over packed sequences does.
//!
//! ```
//! use nn::recurrent::{Lstm, SequenceMask};
//! use nn::{Layer, Tape, Tensor};
//!
//! let lstm = Lstm::<f64>::new(3, 4).return_sequences(true).seed(1);
//! let tape = Tape::new();
//! let x = tape.var(Tensor::normal([2, 5, 3], 0.0, 1.0, 7));
//! // Row 0 has all 5 steps; row 1 only its first 2, the rest is padding.
//! let mask = SequenceMask::from_lengths(&[5, 2], 5);
//! let out = lstm.forward_masked(x, &mask);
//! let seq = out.output.value();
//! assert!(seq.narrow(0, 1, 1).narrow(1, 2, 3).data().iter().all(|&v| v == 0.0));
//! // Row 1's final state is its state after step 1.
//! let after_two = seq.narrow(0, 1, 1).narrow(1, 1, 1).reshape([4]);
//! assert_eq!(out.h.value().narrow(0, 1, 1).reshape([4]), after_two);
//! ```

use std::sync::Arc;

use autodiff_core::{Float, Tensor};

/// Which steps of a `[batch, time, …]` sequence are real (`true`) and which padding; cheap to
/// clone (the flags are shared).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SequenceMask {
    batch: usize,
    steps: usize,
    valid: Arc<[bool]>,
}

impl SequenceMask {
    /// Row `b`'s first `lengths[b]` steps real, the rest of `steps` padding (PyTorch's
    /// `pack_padded_sequence` lengths, padding at the end).
    ///
    /// # Panics
    /// If a length exceeds `steps` (naming the row).
    pub fn from_lengths(lengths: &[usize], steps: usize) -> Self {
        if let Some((b, &len)) = lengths.iter().enumerate().find(|(_, l)| **l > steps) {
            panic!("SequenceMask::from_lengths: row {b} has length {len}, the sequence {steps}");
        }
        let valid = lengths
            .iter()
            .flat_map(|&len| (0..steps).map(move |t| t < len))
            .collect();
        SequenceMask {
            batch: lengths.len(),
            steps,
            valid,
        }
    }

    /// The flags row by row (`valid[b·steps + t]` for step `t` of row `b`; Keras's boolean
    /// `mask` `[batch, time]`). Padding may sit anywhere, not only at the end.
    ///
    /// # Panics
    /// If `valid` does not hold `batch · steps` flags.
    pub fn from_flags(valid: Vec<bool>, batch: usize, steps: usize) -> Self {
        assert_eq!(
            valid.len(),
            batch * steps,
            "SequenceMask::from_flags: {} flags for [{batch}, {steps}]",
            valid.len()
        );
        SequenceMask {
            batch,
            steps,
            valid: valid.into(),
        }
    }

    /// Keras's `Masking(mask_value)`: a step of `x` `[batch, time, features]` is padding when
    /// every one of its features equals `value`.
    ///
    /// # Panics
    /// If `x` is not three-dimensional.
    pub fn from_values<T: Float>(x: &Tensor<T>, value: T) -> Self {
        let [batch, steps, features] = *x.dims() else {
            panic!(
                "SequenceMask::from_values: input {}: expected [batch, time, features]",
                x.shape()
            );
        };
        let valid = match features {
            0 => vec![false; batch * steps].into(),
            _ => (x.data().chunks_exact(features))
                .map(|step| step.iter().any(|&v| v != value))
                .collect(),
        };
        SequenceMask {
            batch,
            steps,
            valid,
        }
    }

    /// `[batch, time]`.
    pub fn dims(&self) -> [usize; 2] {
        [self.batch, self.steps]
    }

    /// Whether step `t` of row `b` is real.
    pub fn is_valid(&self, b: usize, t: usize) -> bool {
        self.valid[b * self.steps + t]
    }

    /// The number of real steps of each row.
    pub fn lengths(&self) -> Vec<usize> {
        self.valid
            .chunks(self.steps.max(1))
            .map(|row| row.iter().filter(|&&v| v).count())
            .take(self.batch)
            .collect()
    }
}
