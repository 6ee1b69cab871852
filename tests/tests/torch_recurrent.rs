//! Our recurrent layers against PyTorch (float64): `tests/fixtures/make_torch_rnn.py` writes
//! nn.LSTM's and nn.GRU's weights (their state dicts, loaded here through `checkpoint::load`),
//! a hand-written reset-before GRU and peephole LSTM, and for each the outputs, final states and
//! the gradients of a fixed loss with respect to the input, the initial states and every weight.

use autodiff_core::{Module, Tensor, Var, checkpoint};
use nn::Tape;
use nn::recurrent::{Cell, Gru, Lstm, PeepholeLstm, Recurrent, SimpleRnn};

const FIXTURE: &str = include_str!("../fixtures/torch_rnn.txt");
const B: usize = 3;
const T: usize = 5;
const I: usize = 4;
const H: usize = 6;
const TOLERANCE: f64 = 1e-12;

/// The fixture's values for `name`.
fn reference(name: &str) -> Vec<f64> {
    tests::fixture_values(FIXTURE, name)
}

fn assert_close(name: &str, got: &Tensor<f64>) {
    tests::assert_matches_fixture(FIXTURE, name, got, TOLERANCE);
}

/// `layer` (built with `return_sequences`) loaded from the case's state dict, run from the
/// fixture's input and initial states, compared with PyTorch in values and gradients.
fn check<C: Cell>(case: &str, mut layer: Recurrent<f64, C>) {
    let file = tests::fixture_path(&format!("torch_rnn_{case}.safetensors"));
    checkpoint::load(&mut layer, &file).unwrap();
    let tape = Tape::new();
    let x = tape.var(Tensor::from_vec(reference(&format!("{case}.x")), [B, T, I]));
    let states = ["h0", "c0"];
    let initial: Vec<Var<f64>> = states[..C::STATES]
        .iter()
        .map(|s| tape.var(Tensor::from_vec(reference(&format!("{case}.{s}")), [B, H])))
        .collect();
    let out = layer.forward_from(x, &initial);
    let results: Vec<(&str, Var<f64>)> = [("output", out.output), ("h_n", out.h)]
        .into_iter()
        .chain(out.c.map(|c| ("c_n", c)))
        .collect();
    let mut loss = None;
    for (s, (name, r)) in results.iter().enumerate() {
        assert_close(&format!("{case}.{name}"), &r.value());
        let w = Tensor::from_fn(r.shape(), |k| (0.7 * k as f64 + s as f64).cos());
        let term = (*r * tape.constant(w)).sum();
        loss = Some(loss.map_or(term, |l| l + term));
    }
    let grads = loss.unwrap().backward();
    assert_close(&format!("{case}.grad.x"), grads.wrt(x).unwrap());
    for (s, v) in states.iter().zip(&initial) {
        assert_close(&format!("{case}.grad.{s}"), grads.wrt(*v).unwrap());
    }
    for (name, param) in layer.named_params() {
        assert_close(&format!("{case}.grad.{name}"), grads.param(param).unwrap());
    }
}

#[test]
fn lstm_matches_torch_nn_lstm() {
    check("lstm", Lstm::new(I, H).return_sequences(true));
}

#[test]
fn gru_matches_torch_nn_gru() {
    check("gru", Gru::new(I, H).return_sequences(true));
}

#[test]
fn reset_before_gru_matches_a_hand_written_torch_cell() {
    check(
        "gru_reset_before",
        Gru::new(I, H).reset_after(false).return_sequences(true),
    );
}

#[test]
fn peephole_lstm_matches_the_bench_s_hand_written_torch_cell() {
    check("peephole", PeepholeLstm::new(I, H).return_sequences(true));
}

#[test]
fn simple_rnn_matches_torch_nn_rnn() {
    check("rnn", SimpleRnn::new(I, H).return_sequences(true));
}

#[test]
fn lstm_without_sequences_returns_the_last_step() {
    let mut layer = Lstm::<f64>::new(I, H);
    checkpoint::load(
        &mut layer,
        tests::fixture_path("torch_rnn_lstm.safetensors"),
    )
    .unwrap();
    let tape = Tape::new();
    let x = tape.constant(Tensor::from_vec(reference("lstm.x"), [B, T, I]));
    let state = |s: &str| tape.constant(Tensor::from_vec(reference(&format!("lstm.{s}")), [B, H]));
    let out = layer.forward_from(x, &[state("h0"), state("c0")]);
    assert_eq!(out.output.dims(), [B, H]);
    assert_close("lstm.h_n", &out.output.value());
}
