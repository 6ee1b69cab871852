//! Recurrent layers over variable-length sequences against PyTorch (float64):
//! `tests/fixtures/make_torch_rnn_packed.py` runs nn.LSTM and nn.GRU (one layer, bidirectional,
//! and a two-layer bidirectional LSTM) over `pack_padded_sequence`, and writes their state dicts
//! (loaded here through `checkpoint::load`), the padded output, the final states and the
//! gradients of a fixed loss with respect to the input, the initial states and every weight.
//! Our layers read the same padded batch with a `SequenceMask` of the same lengths.

use autodiff_core::{Module, Tensor, Var, checkpoint};
use nn::Tape;
use nn::recurrent::{Bidirectional, Gru, GruCell, Lstm, LstmCell, SequenceMask, Stacked};
use tests::TorchRun;

const FIXTURE: &str = include_str!("../fixtures/torch_rnn_packed.txt");
const B: usize = 4;
const T: usize = 6;
const I: usize = 3;
const H: usize = 5;
const TOLERANCE: f64 = 1e-10;

fn reference(name: &str) -> Vec<f64> {
    tests::fixture_values(FIXTURE, name)
}

fn assert_close(name: &str, got: &Tensor<f64>) {
    tests::assert_matches_fixture(FIXTURE, name, got, TOLERANCE);
}

/// `model` loaded from the case's state dict, run by `run` over the fixture's padded input with
/// the mask of its lengths, from its initial states (one entry per layer and direction),
/// compared with PyTorch in values and in every gradient.
fn check<M: Module<f64>>(
    case: &str,
    mut model: M,
    states: usize,
    run: impl for<'t> Fn(&M, Var<'t, f64>, &SequenceMask, &[Vec<Var<'t, f64>>]) -> TorchRun<'t>,
) {
    let file = tests::fixture_path(&format!("torch_rnn_packed_{case}.safetensors"));
    checkpoint::load(&mut model, &file).unwrap();
    let lengths: Vec<usize> = reference(&format!("{case}.lengths"))
        .into_iter()
        .map(|l| l as usize)
        .collect();
    let mask = SequenceMask::from_lengths(&lengths, T);
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
    let out = run(&model, x, &mask, &initial);
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
fn masked_lstm_matches_torch_packed_sequences() {
    let lstm = Lstm::<f64>::new(I, H).return_sequences(true);
    check("lstm", lstm, 2, |m, x, mask, s| {
        m.forward_masked_from(x, mask, &s[0]).into()
    });
}

#[test]
fn masked_gru_matches_torch_packed_sequences() {
    let gru = Gru::<f64>::new(I, H).return_sequences(true);
    check("gru", gru, 1, |m, x, mask, s| {
        m.forward_masked_from(x, mask, &s[0]).into()
    });
}

#[test]
fn masked_bidirectional_lstm_matches_torch_packed_sequences() {
    let bi = Bidirectional::<f64, LstmCell>::new(I, H).return_sequences(true);
    check("bilstm", bi, 2, |m, x, mask, s| {
        m.forward_masked_from(x, mask, &s[0], &s[1]).into()
    });
}

#[test]
fn masked_bidirectional_gru_matches_torch_packed_sequences() {
    let bi = Bidirectional::<f64, GruCell>::new(I, H).return_sequences(true);
    check("bigru", bi, 1, |m, x, mask, s| {
        m.forward_masked_from(x, mask, &s[0], &s[1]).into()
    });
}

#[test]
fn masked_two_layer_bidirectional_lstm_matches_torch_packed_sequences() {
    let deep = Stacked::with_cell(LstmCell, I, H, 2, true).return_sequences(true);
    check("bilstm2", deep, 2, |m, x, mask, s| {
        m.forward_masked_from(x, mask, s).into()
    });
}
