//! Bidirectional and stacked recurrent layers against PyTorch (float64):
//! `tests/fixtures/make_torch_rnn_deep.py` writes the state dicts of nn.LSTM and nn.GRU with
//! `bidirectional=True` and with `num_layers=2` (loaded here by name through
//! `checkpoint::load`), and for each the output, the final states and the gradients of a fixed
//! loss with respect to the input, the initial states and every weight.

use autodiff_core::{Module, Tensor, Var, checkpoint};
use nn::Tape;
use nn::recurrent::{Bidirectional, GruCell, LstmCell, Stacked};
use tests::TorchRun;

const FIXTURE: &str = include_str!("../fixtures/torch_rnn_deep.txt");
const B: usize = 3;
const T: usize = 5;
const I: usize = 4;
const H: usize = 6;
const TOLERANCE: f64 = 1e-10;

/// The fixture's values for `name`.
fn reference(name: &str) -> Vec<f64> {
    tests::fixture_values(FIXTURE, name)
}

fn assert_close(name: &str, got: &Tensor<f64>) {
    tests::assert_matches_fixture(FIXTURE, name, got, TOLERANCE);
}

/// `model` loaded from the case's state dict, run by `run` from the fixture's input and initial
/// states (`states` per entry — `[h]` or `[h, c]` — one entry per layer and direction, in
/// PyTorch's order), compared with PyTorch in values and in every gradient.
fn check<M: Module<f64>>(
    case: &str,
    mut model: M,
    states: usize,
    run: impl for<'t> Fn(&M, Var<'t, f64>, &[Vec<Var<'t, f64>>]) -> TorchRun<'t>,
) {
    let file = tests::fixture_path(&format!("torch_rnn_deep_{case}.safetensors"));
    checkpoint::load(&mut model, &file).unwrap();
    let tape = Tape::new();
    let x = tape.var(Tensor::from_vec(reference(&format!("{case}.x")), [B, T, I]));
    let names = ["h0", "c0"];
    let stacked: Vec<Var<f64>> = names[..states]
        .iter()
        .map(|s| {
            let values = reference(&format!("{case}.{s}"));
            let entries = values.len() / (B * H);
            tape.var(Tensor::from_vec(values, [entries, B, H]))
        })
        .collect();
    let entries = stacked[0].dims()[0];
    let initial: Vec<Vec<Var<f64>>> = (0..entries)
        .map(|k| {
            stacked
                .iter()
                .map(|s| s.narrow(0, k, 1).reshape([B, H]))
                .collect()
        })
        .collect();
    let out = run(&model, x, &initial);
    let mut results = vec![("output", out.output), ("h_n", Var::stack(&out.h, 0))];
    if let Some(c) = out.c {
        results.push(("c_n", Var::stack(&c, 0)));
    }
    let mut loss = None;
    for (s, (name, r)) in results.iter().enumerate() {
        assert_close(&format!("{case}.{name}"), &r.value());
        let w = Tensor::from_fn(r.shape(), |k| (0.7 * k as f64 + s as f64).cos());
        let term = (*r * tape.constant(w)).sum();
        loss = Some(loss.map_or(term, |l| l + term));
    }
    let grads = loss.unwrap().backward();
    assert_close(&format!("{case}.grad.x"), grads.wrt(x).unwrap());
    for (s, v) in names.iter().zip(&stacked) {
        assert_close(&format!("{case}.grad.{s}"), grads.wrt(*v).unwrap());
    }
    let params = model.named_params();
    assert!(!params.is_empty());
    for (name, param) in params {
        assert_close(&format!("{case}.grad.{name}"), grads.param(param).unwrap());
    }
}

#[test]
fn bidirectional_lstm_matches_torch() {
    let bi = Bidirectional::<f64, LstmCell>::new(I, H).return_sequences(true);
    check("bilstm", bi, 2, |m, x, s| {
        m.forward_from(x, &s[0], &s[1]).into()
    });
}

#[test]
fn bidirectional_gru_matches_torch() {
    let bi = Bidirectional::<f64, GruCell>::new(I, H).return_sequences(true);
    check("bigru", bi, 1, |m, x, s| {
        m.forward_from(x, &s[0], &s[1]).into()
    });
}

#[test]
fn bidirectional_without_sequences_concatenates_torch_s_final_states() {
    let mut bi = Bidirectional::<f64, GruCell>::new(I, H);
    checkpoint::load(
        &mut bi,
        tests::fixture_path("torch_rnn_deep_bigru.safetensors"),
    )
    .unwrap();
    let tape = Tape::new();
    let x = tape.constant(Tensor::from_vec(reference("bigru.x"), [B, T, I]));
    let h0 = Tensor::from_vec(reference("bigru.h0"), [2, B, H]);
    let state = |k: usize| tape.constant(h0.narrow(0, k, 1).reshape([B, H]));
    let out = bi.forward_from(x, &[state(0)], &[state(1)]);
    assert_eq!(out.output.dims(), [B, 2 * H]);
    // PyTorch's h_n[0] (forward, after x_T) beside h_n[1] (backward, after x_0), per row.
    let h_n = Tensor::from_vec(reference("bigru.h_n"), [2, B, H]);
    let (f, b) = (h_n.narrow(0, 0, 1), h_n.narrow(0, 1, 1));
    let want = Tensor::concat(&[&f.reshape([B, H]), &b.reshape([B, H])], 1);
    for (g, w) in out.output.value().data().iter().zip(want.data()) {
        assert!((g - w).abs() <= TOLERANCE, "ours {g} vs PyTorch {w}");
    }
}

#[test]
fn two_layer_lstm_matches_torch() {
    let deep = Stacked::<f64, LstmCell>::new(I, H, 2).return_sequences(true);
    check("lstm2", deep, 2, |m, x, s| m.forward_from(x, s).into());
}

#[test]
fn two_layer_gru_matches_torch() {
    let deep = Stacked::<f64, GruCell>::new(I, H, 2).return_sequences(true);
    check("gru2", deep, 1, |m, x, s| m.forward_from(x, s).into());
}

#[test]
fn two_layer_bidirectional_lstm_matches_torch() {
    let deep = Stacked::with_cell(LstmCell, I, H, 2, true).return_sequences(true);
    check("bilstm2", deep, 2, |m, x, s| m.forward_from(x, s).into());
}
