//! Our recurrent layers against Keras 3 (float64): `tests/fixtures/make_keras_rnn.py` writes
//! Keras's LSTM, GRU (both forms) and SimpleRNN weights under Keras's names and layout, loaded
//! here through `checkpoint::load` into `KerasWeights` and then into our layers, and their
//! outputs and final states from random initial states.

use autodiff_core::{Tensor, Var, checkpoint};
use nn::Tape;
use nn::recurrent::{Cell, Gru, Lstm, Recurrent, SimpleRnn};

const FIXTURE: &str = include_str!("../fixtures/keras_rnn.txt");
const B: usize = 3;
const T: usize = 5;
const I: usize = 4;
const H: usize = 6;
/// Keras 3.15 (torch backend) computes its SimpleRNN and reset-before GRU less exactly than f64:
/// its outputs differ from the same formulas in NumPy float64 by up to 2e-7. A layout error
/// shows as errors of order 0.1.
const KERAS_INEXACT: f64 = 1e-6;

fn reference(name: &str) -> Vec<f64> {
    tests::fixture_values(FIXTURE, name)
}

/// `layer` loaded from the case's Keras weights, run from the fixture's input and states, within
/// `tolerance` of Keras.
fn check<C: Cell>(case: &str, mut layer: Recurrent<f64, C>, tolerance: f64) {
    let mut weights = layer.keras_weights();
    let file = tests::fixture_path(&format!("keras_rnn_{case}.safetensors"));
    checkpoint::load(&mut weights, &file).unwrap();
    layer.set_keras_weights(&weights);
    let tape = Tape::new();
    let x = tape.constant(Tensor::from_vec(reference(&format!("{case}.x")), [B, T, I]));
    let initial: Vec<Var<f64>> = ["h0", "c0"][..C::STATES]
        .iter()
        .map(|s| tape.constant(Tensor::from_vec(reference(&format!("{case}.{s}")), [B, H])))
        .collect();
    let out = layer.forward_from(x, &initial);
    let results = [
        ("output", Some(out.output)),
        ("h_n", Some(out.h)),
        ("c_n", out.c),
    ];
    for (name, r) in results {
        let Some(r) = r else { continue };
        tests::assert_matches_fixture(FIXTURE, &format!("{case}.{name}"), &r.value(), tolerance);
    }
    // And back: the layer's weights in Keras's layout are the file's.
    let back = layer.keras_weights();
    assert_eq!(back.kernel.value(), weights.kernel.value());
    assert_eq!(
        back.recurrent_kernel.value(),
        weights.recurrent_kernel.value()
    );
    assert_eq!(back.bias.value(), weights.bias.value());
}

#[test]
fn lstm_matches_keras_lstm() {
    check("lstm", Lstm::new(I, H).return_sequences(true), 1e-12);
}

#[test]
fn gru_matches_keras_gru_reset_after() {
    check("gru", Gru::new(I, H).return_sequences(true), 1e-12);
}

#[test]
fn reset_before_gru_matches_keras_gru_reset_after_false() {
    check(
        "gru_reset_before",
        Gru::new(I, H).reset_after(false).return_sequences(true),
        KERAS_INEXACT,
    );
}

#[test]
fn simple_rnn_matches_keras_simple_rnn() {
    check(
        "simple_rnn",
        SimpleRnn::new(I, H).return_sequences(true),
        KERAS_INEXACT,
    );
}

#[test]
#[should_panic(expected = "gru: Keras bias [18], expected [2, 18]")]
fn a_single_bias_for_a_reset_after_gru_is_refused() {
    let mut gru = Gru::<f64>::new(I, H);
    let weights = Gru::<f64>::new(I, H).reset_after(false).keras_weights();
    gru.set_keras_weights(&weights);
}
