//! Truncated backpropagation through time: a long sequence trained in windows of `k` steps,
//! the recurrent state carried from one window to the next without its gradient.
//!
//! **Why.** Full BPTT over `T` steps keeps every step's activations until the backward pass and
//! makes one update per sequence: memory grows with `T`, and a sequence of a million characters
//! would be one step of the optimizer. Truncation runs `k` steps, backpropagates through those
//! `k` only, updates the weights, and goes on from where it stopped: memory is that of `k`
//! steps and there are `T / k` updates per sequence.
//!
//! **What it cuts.** The forward pass is untouched: the state that ends window `n` starts
//! window `n + 1`, so the network still *reads* the whole past. Only the gradient is cut at the
//! boundary: a loss in window `n + 1` changes nothing before the window's first step (the state
//! enters as a constant, PyTorch's `h.detach()`). So the weights are trained to use the carried
//! state, but never taught to *store* something for more than `k` steps ahead: dependencies
//! longer than `k` can be exploited only if they happen to survive in the state. Choose `k`
//! at least as long as the dependencies you need learned.
//!
//! A PyTorch user writes the loop by hand:
//!
//! ```text
//! state = None
//! for chunk, target in zip(x.split(k, 1), y.split(k, 1)):
//!     out, state = lstm(chunk, state)
//!     loss = loss_fn(head(out), target)
//!     opt.zero_grad(); loss.backward(); opt.step()
//!     state = tuple(s.detach() for s in state)
//! ```
//!
//! [`TruncatedBptt::train`] is that loop: it gives the closure each window ([`Window`]: the
//! window's steps of the input, their range to slice the targets by, and the previous window's
//! state as constants on a fresh tape, which is exactly `detach()`); the closure returns the
//! window's loss and final state ([`WindowResult`]); the helper runs the backward pass, the
//! optimizer step and carries the state on. Each window gets a cleared tape, so the previous
//! window's graph is freed, as PyTorch frees it at `backward()`. The same loop written by hand
//! on one tape carries `h.detach()` instead (see the test `truncated_bptt.rs`).
//!
//! ```
//! use nn::optim::Optimizer;
//! use nn::recurrent::{Lstm, TruncatedBptt, WindowResult};
//! use nn::{Layer, Tensor};
//!
//! // Echo: the target at step t is the input at step t (one unit, so h itself is scored).
//! let x = Tensor::<f64>::normal([4, 40, 1], 0.0, 1.0, 1); // [batch, time, features]
//! let mut lstm = Lstm::<f64>::new(1, 1).return_sequences(true).seed(2);
//! let mut opt = Optimizer::adam(0.05);
//! let tbptt = TruncatedBptt::new(8); // 5 windows of 8 steps, 5 updates per pass
//! let mut means = Vec::new();
//! for _epoch in 0..20 {
//!     let losses = tbptt.train(&mut lstm, &mut opt, &x, |lstm, w| {
//!         let out = match &w.state {
//!             Some(state) => lstm.forward_from(w.input, state),
//!             None => lstm.forward(w.input), // the first window starts from zeros
//!         };
//!         let target = w.tape.constant(x.narrow(1, w.steps.start, w.steps.len()));
//!         let error = out.output - target;
//!         let loss = (error * error).mean();
//!         WindowResult { loss, state: vec![out.h, out.c.unwrap()] }
//!     });
//!     assert_eq!(losses.len(), 5);
//!     means.push(losses.iter().sum::<f64>() / 5.0);
//! }
//! assert!(means[19] < means[0]);
//! ```

use std::ops::Range;

use autodiff_core::{Float, Module, Tape, Tensor, Var};

use crate::optim::Optimizer;

/// Trains over a sequence `[B, T, …]` in windows of `window` steps (see the module docs).
#[derive(Clone, Copy, Debug)]
pub struct TruncatedBptt {
    window: usize,
}

/// One window, as the closure of [`TruncatedBptt::train`] sees it.
pub struct Window<'t, T: Float> {
    /// The window's tape (cleared between windows).
    pub tape: &'t Tape<T>,
    /// The window's steps of the sequence, `[B, k, …]`, a constant.
    pub input: Var<'t, T>,
    /// Which steps of the whole sequence they are (to slice targets by); the last window may be
    /// shorter than `k`.
    pub steps: Range<usize>,
    /// The state the previous window's [`WindowResult::state`] ended with, as constants (no
    /// gradient reaches the previous window); `None` in the first window.
    pub state: Option<Vec<Var<'t, T>>>,
}

/// What the closure of [`TruncatedBptt::train`] returns for a window.
pub struct WindowResult<'t, T: Float> {
    /// The scalar loss of the window, backpropagated through its steps only.
    pub loss: Var<'t, T>,
    /// The state to start the next window from, in the order the closure reads it back
    /// (`[h, c]` for an LSTM layer, a stack's `h` then `c`, …).
    pub state: Vec<Var<'t, T>>,
}

impl TruncatedBptt {
    /// Windows of `window` steps.
    ///
    /// # Panics
    /// If `window` is 0.
    pub fn new(window: usize) -> Self {
        assert!(window > 0, "TruncatedBptt: a window of 0 steps");
        TruncatedBptt { window }
    }

    /// The windows' step ranges over a sequence of `steps` steps: `0..k`, `k..2k`, …, the last
    /// one possibly shorter.
    pub fn windows(&self, steps: usize) -> impl Iterator<Item = Range<usize>> + use<> {
        let window = self.window;
        (0..steps)
            .step_by(window)
            .map(move |start| start..(start + window).min(steps))
    }

    /// One pass over `sequence` (`[B, T, …]`, time on axis 1): for each window, `window_loss`
    /// runs `model` on it and returns its loss and final state, then the gradients of that loss
    /// update `model` through `optimizer` and the state carries on, detached. Returns each
    /// window's loss (before its update).
    ///
    /// # Panics
    /// If `sequence` has fewer than two axes, or if a loss is not a scalar.
    pub fn train<T: Float, M: Module<T>>(
        &self,
        model: &mut M,
        optimizer: &mut Optimizer<T>,
        sequence: &Tensor<T>,
        mut window_loss: impl for<'t> FnMut(&M, Window<'t, T>) -> WindowResult<'t, T>,
    ) -> Vec<T> {
        let dims = sequence.dims();
        assert!(
            dims.len() >= 2,
            "TruncatedBptt: sequence {}: expected [batch, time, …]",
            sequence.shape()
        );
        let mut carried: Option<Vec<Tensor<T>>> = None;
        let mut losses = Vec::new();
        // One tape, cleared per window: its storage is reused rather than reallocated.
        let mut tape = Tape::new();
        for steps in self.windows(dims[1]) {
            tape.clear();
            let window = Window {
                tape: &tape,
                input: tape.constant(sequence.narrow(1, steps.start, steps.len())),
                state: (carried.as_ref())
                    .map(|s| s.iter().map(|t| tape.constant(t.clone())).collect()),
                steps,
            };
            let result = window_loss(model, window);
            carried = Some(result.state.iter().map(|v| v.value()).collect());
            losses.push(result.loss.value().item());
            let grads = result.loss.backward();
            optimizer.step(model, &grads);
        }
        losses
    }
}
