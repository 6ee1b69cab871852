//! Truncated backpropagation through time: the gradient of a window's loss stops at the
//! window's first step (it equals the gradient of that window alone, started from the detached
//! state), `TruncatedBptt::train` is the hand-written detach loop, and training a tiny model
//! with it lowers the loss.

use autodiff_core::{Tensor, Var};
use nn::optim::Optimizer;
use nn::recurrent::{Lstm, TruncatedBptt, Window, WindowResult};
use nn::{Dense, Float, Layer, Module, Tape};

const BATCH: usize = 2;
const STEPS: usize = 6;
const WINDOW: usize = 3;

fn weighted_sum<'t>(v: Var<'t, f64>) -> Var<'t, f64> {
    let w = Tensor::from_fn(v.shape(), |n| 0.3 + 0.1 * (n % 5) as f64);
    (v * v.tape().constant(w)).sum()
}

#[test]
fn the_gradient_stops_at_the_window_boundary() {
    let lstm = Lstm::<f64>::new(2, 3).return_sequences(true).seed(1);
    let x_value = Tensor::normal([BATCH, STEPS, 2], 0.0, 1.0, 2);
    let grads_of_second_window = |detach: bool| {
        let tape = Tape::new();
        let x = tape.var(x_value.clone());
        let first = lstm.forward(x.narrow(1, 0, WINDOW));
        let mut state = [first.h, first.c.unwrap()];
        if detach {
            state = state.map(Var::detach);
        }
        let second = lstm.forward_from(x.narrow(1, WINDOW, WINDOW), &state);
        let grads = weighted_sum(second.output).backward();
        let params: Vec<Tensor<f64>> = (lstm.named_params().iter())
            .map(|(_, p)| grads.param(p).unwrap().clone())
            .collect();
        (
            grads.wrt(x).unwrap().clone(),
            params,
            state.map(|s| s.value()),
        )
    };
    let (dx, dparams, state) = grads_of_second_window(true);
    assert!(
        dx.narrow(1, 0, WINDOW).data().iter().all(|&g| g == 0.0),
        "no gradient reaches the first window"
    );
    // The second window alone, on its own tape, from the first window's final state.
    let tape = Tape::new();
    let x2 = tape.var(x_value.narrow(1, WINDOW, WINDOW));
    let start = state.map(|s| tape.constant(s));
    let alone = weighted_sum(lstm.forward_from(x2, &start).output).backward();
    assert_eq!(dx.narrow(1, WINDOW, WINDOW), *alone.wrt(x2).unwrap());
    for ((_, p), g) in lstm.named_params().iter().zip(&dparams) {
        assert_eq!(g, alone.param(p).unwrap());
    }
    // Without the cut the first window does receive a gradient (and the weights another one).
    let (dx_full, dparams_full, _) = grads_of_second_window(false);
    assert!(
        dx_full
            .narrow(1, 0, WINDOW)
            .data()
            .iter()
            .any(|&g| g != 0.0)
    );
    assert_ne!(dparams_full, dparams);
}

/// The window's loss and state for an LSTM read by `lstm`, scored by `weighted_sum`.
fn lstm_window<'t>(lstm: &Lstm<f64>, w: Window<'t, f64>) -> WindowResult<'t, f64> {
    let out = match &w.state {
        Some(state) => lstm.forward_from(w.input, state),
        None => lstm.forward(w.input),
    };
    WindowResult {
        loss: weighted_sum(out.output),
        state: vec![out.h, out.c.unwrap()],
    }
}

#[test]
fn train_is_the_hand_written_detach_loop() {
    let x = Tensor::normal([BATCH, 7, 2], 0.0, 1.0, 3);
    let new = || Lstm::<f64>::new(2, 3).return_sequences(true).seed(4);
    let (mut helped, mut by_hand) = (new(), new());
    let tbptt = TruncatedBptt::new(WINDOW);
    let windows: Vec<_> = tbptt.windows(7).collect();
    assert_eq!(windows, [0..3, 3..6, 6..7]);
    let mut opt = Optimizer::sgd(0.1);
    let losses = tbptt.train(&mut helped, &mut opt, &x, lstm_window);

    // The loop a PyTorch user writes: one backward and one step per window, the state detached.
    let mut opt = Optimizer::sgd(0.1);
    let mut state: Option<[Tensor<f64>; 2]> = None;
    for (steps, helped_loss) in windows.into_iter().zip(losses) {
        let tape = Tape::new();
        let input = tape.var(x.narrow(1, steps.start, steps.len()));
        let out = match &state {
            Some([h, c]) => {
                let (h, c) = (tape.var(h.clone()).detach(), tape.var(c.clone()).detach());
                by_hand.forward_from(input, &[h, c])
            }
            None => by_hand.forward(input),
        };
        let loss = weighted_sum(out.output);
        assert_eq!(loss.value().item(), helped_loss);
        state = Some([out.h.value(), out.c.unwrap().value()]);
        opt.step(&mut by_hand, &loss.backward());
    }
    for ((name, a), (_, b)) in helped.named_params().iter().zip(by_hand.named_params()) {
        assert_eq!(a.value(), b.value(), "{name}");
    }
}

/// An LSTM read out per step by a dense layer.
#[derive(Module)]
struct Readout<T: Float> {
    lstm: Lstm<T>,
    head: Dense<T>,
}

#[test]
fn training_with_truncation_lowers_the_loss() {
    // Each target is the previous step's input: the state must carry it, across window
    // boundaries too (the first step of a window reads the state the previous window left).
    let (batch, steps, hidden) = (4, 48, 8);
    let x = Tensor::normal([batch, steps, 1], 0.0, 1.0, 5);
    let target = Tensor::from_fn([batch, steps, 1], |k| {
        if k % steps == 0 { 0.0 } else { x.data()[k - 1] }
    });
    let mut model = Readout {
        lstm: Lstm::new(1, hidden).return_sequences(true).seed(6),
        head: Dense::new(hidden, 1).seed(7),
    };
    let mut opt = Optimizer::adam(0.02);
    let tbptt = TruncatedBptt::new(8);
    let mut epoch = |model: &mut Readout<f64>| -> f64 {
        let losses = tbptt.train(model, &mut opt, &x, |m, w| {
            let out = match &w.state {
                Some(state) => m.lstm.forward_from(w.input, state),
                None => m.lstm.forward(w.input),
            };
            let k = w.steps.len();
            let y = m.head.forward(out.output.reshape([batch * k, hidden]));
            let t = w
                .tape
                .constant(target.narrow(1, w.steps.start, k).reshape([batch * k, 1]));
            let error = y - t;
            WindowResult {
                loss: (error * error).mean(),
                state: vec![out.h, out.c.unwrap()],
            }
        });
        losses.iter().sum::<f64>() / losses.len() as f64
    };
    let first = epoch(&mut model);
    let mut last = first;
    for _ in 0..40 {
        last = epoch(&mut model);
    }
    assert!(last < 0.3 * first, "loss {first} → {last}");
}
