//! Recurrent layers over variable-length sequences (`SequenceMask`): f64 gradchecks of every
//! cell's masked op (row and unit paths, `ModulatedLast`, forwards and reversed, sequences on
//! and off, padding at the end and in the middle), of masked bidirectional and stacked layers;
//! padded steps get no gradient and a padded row ends as its unpadded run; Keras's `Masking`
//! (`mask_value`) and `Embedding::mask_zero` through `Sequential` and `fit`; `output_only` of
//! `Bidirectional` and `Stacked` through `fit`.

use autodiff_core::{Module, Tensor, Var, gradcheck};
use nn::data::TokenIds;
use nn::layers::Embedding;
use nn::losses::Loss;
use nn::metrics::Metric;
use nn::optim::Optimizer;
use nn::recurrent::op::{RunInputs, RunOptions, run};
use nn::recurrent::{
    Bidirectional, Cell, CoupledLstmCell, Gru, GruCell, Lstm, LstmCell, Merge, PeepholeLstmCell,
    SequenceMask, SimpleRnn, SimpleRnnCell, Stacked,
};
use nn::train::{FitOptions, Model, Validation};
use nn::{Activation, Dense, Layer, Sequential, Tape};

const BATCH: usize = 3;
const STEPS: usize = 4;
const INPUT: usize = 2;
const HIDDEN: usize = 3;

/// Padding at the end (lengths 4, 2, 1) and, Keras-style, in the middle and at the start.
fn masks() -> [SequenceMask; 2] {
    let holes = [
        true, false, true, true, //
        false, false, true, true, //
        true, true, true, false,
    ];
    [
        SequenceMask::from_lengths(&[4, 2, 1], STEPS),
        SequenceMask::from_flags(holes.to_vec(), BATCH, STEPS),
    ]
}

/// x, W_ih, W_hh, b_ih, b_hh, the diagonal weights if any, one initial state per state.
fn inputs<C: Cell>() -> Vec<Tensor<f64>> {
    let width = C::GATES * HIDDEN;
    let mut all = vec![
        Tensor::normal([BATCH, STEPS, INPUT], 0.0, 1.0, 11),
        Tensor::normal([width, INPUT], 0.0, 0.6, 12),
        Tensor::normal([width, HIDDEN], 0.0, 0.6, 13),
        Tensor::normal([width], 0.0, 0.3, 14),
        Tensor::normal([width], 0.0, 0.3, 15),
    ];
    if C::DIAGONALS > 0 {
        all.push(Tensor::normal([C::DIAGONALS, HIDDEN], 0.0, 0.5, 16));
    }
    for k in 0..C::STATES {
        all.push(Tensor::normal([BATCH, HIDDEN], 0.0, 0.5, 17 + k as u64));
    }
    all
}

/// Σ fixed weights · output over every output.
fn weighted_sum<'t>(outputs: &[Var<'t, f64>]) -> Var<'t, f64> {
    let weighted = |k: usize| {
        let o = outputs[k];
        let w = Tensor::from_fn(o.shape(), |n| 0.3 + 0.1 * ((n * 7 + k) % 5) as f64);
        (o * o.tape().constant(w)).sum()
    };
    (1..outputs.len()).fold(weighted(0), |acc, k| acc + weighted(k))
}

fn check<C: Cell, const M: usize>(cell: C) {
    let all = inputs::<C>();
    for mask in masks() {
        for return_sequences in [true, false] {
            for reverse in [false, true] {
                let options = RunOptions {
                    return_sequences,
                    reverse,
                };
                gradcheck(
                    |v| {
                        let first_state = 5 + usize::from(C::DIAGONALS > 0);
                        let inputs = RunInputs {
                            x: v[0],
                            weight_ih: v[1],
                            weight_hh: v[2],
                            bias_ih: Some(v[3]),
                            bias_hh: Some(v[4]),
                            diagonal: (C::DIAGONALS > 0).then(|| v[5]),
                            initial: [v.get(first_state).copied(), v.get(first_state + 1).copied()],
                            mask: Some(mask.clone()),
                        };
                        weighted_sum(&run::<f64, C, M>(&cell, inputs, options))
                    },
                    &all,
                )
                .unwrap_or_else(|e| panic!("{} {options:?} {mask:?}: {e}", C::NAME));
            }
        }
    }
}

#[test]
fn masked_lstm_gradients() {
    check::<_, 3>(LstmCell);
}

#[test]
fn masked_simple_rnn_gradients() {
    check::<_, 2>(SimpleRnnCell);
}

#[test]
fn masked_peephole_lstm_gradients() {
    check::<_, 3>(PeepholeLstmCell);
}

#[test]
fn masked_coupled_lstm_gradients() {
    check::<_, 3>(CoupledLstmCell);
}

#[test]
fn masked_gru_gradients_in_both_forms() {
    check::<_, 2>(GruCell::default());
    check::<_, 2>(GruCell::reset_before());
}

#[test]
fn masked_bidirectional_gradients() {
    let x = inputs::<LstmCell>()[0].clone();
    for mask in masks() {
        for merge in [Merge::Concat, Merge::Mul] {
            let lstm = Bidirectional::<f64, LstmCell>::new(INPUT, HIDDEN)
                .return_sequences(true)
                .merge(merge)
                .seed(2);
            gradcheck(
                |v| weighted_sum(&[lstm.forward_masked(v[0], &mask).output]),
                std::slice::from_ref(&x),
            )
            .unwrap_or_else(|e| panic!("lstm {merge:?} {mask:?}: {e}"));
        }
        let gru = Bidirectional::<f64, GruCell>::new(INPUT, HIDDEN).seed(3);
        gradcheck(
            |v| {
                let out = gru.forward_masked(v[0], &mask);
                weighted_sum(&[out.output, out.forward.h, out.backward.h])
            },
            std::slice::from_ref(&x),
        )
        .unwrap_or_else(|e| panic!("gru {mask:?}: {e}"));
    }
}

#[test]
fn masked_two_layer_stack_gradients() {
    let x = inputs::<LstmCell>()[0].clone();
    let deep = Stacked::<f64, GruCell>::with_cell(GruCell::default(), INPUT, HIDDEN, 2, true)
        .return_sequences(true)
        .seed(4);
    for mask in masks() {
        gradcheck(
            |v| {
                let out = deep.forward_masked(v[0], &mask);
                weighted_sum(&[&[out.output][..], &out.h].concat())
            },
            std::slice::from_ref(&x),
        )
        .unwrap_or_else(|e| panic!("{mask:?}: {e}"));
    }
}

/// Row `row` of `t`, `[B, …]`, as a batch of one.
fn row(t: &Tensor<f64>, row: usize) -> Tensor<f64> {
    t.narrow(0, row, 1)
}

#[test]
fn a_padded_row_ends_as_its_unpadded_run_and_its_padding_gets_no_gradient() {
    let x = Tensor::<f64>::normal([BATCH, STEPS, INPUT], 0.0, 1.0, 21);
    let lengths = [4, 2, 3];
    let mask = SequenceMask::from_lengths(&lengths, STEPS);
    for reverse in [false, true] {
        let lstm = Lstm::<f64>::new(INPUT, HIDDEN)
            .return_sequences(true)
            .reverse(reverse)
            .seed(5);
        let tape = Tape::new();
        let xv = tape.var(x.clone());
        let padded = lstm.forward_masked(xv, &mask);
        let grads = weighted_sum(&[padded.output, padded.h, padded.c.unwrap()]).backward();
        let dx = grads.wrt(xv).unwrap();
        for (b, &len) in lengths.iter().enumerate() {
            // The row alone, cut to its length, without a mask.
            let alone_tape = Tape::new();
            let alone_x = alone_tape.var(row(&x, b).narrow(1, 0, len));
            let alone = lstm.forward(alone_x);
            let same = |ours: Tensor<f64>, want: Tensor<f64>, what: &str| {
                for (g, w) in ours.data().iter().zip(want.data()) {
                    assert!(
                        (g - w).abs() < 1e-14,
                        "reverse {reverse} row {b} {what}: {g} vs {w}"
                    );
                }
            };
            same(row(&padded.h.value(), b), alone.h.value(), "h");
            same(
                row(&padded.c.unwrap().value(), b),
                alone.c.unwrap().value(),
                "c",
            );
            let seq = row(&padded.output.value(), b);
            same(seq.narrow(1, 0, len), alone.output.value(), "output");
            assert!(
                seq.narrow(1, len, STEPS - len)
                    .data()
                    .iter()
                    .all(|&v| v == 0.0),
                "reverse {reverse} row {b}: padded outputs are zeros"
            );
            let padding = row(dx, b).narrow(1, len, STEPS - len);
            assert!(
                padding.data().iter().all(|&g| g == 0.0),
                "reverse {reverse} row {b}: padding's gradient {padding:?}"
            );
            assert!(
                row(dx, b)
                    .narrow(1, 0, len)
                    .data()
                    .iter()
                    .all(|&g| g != 0.0)
            );
        }
    }
}

#[test]
fn padded_steps_do_not_change_the_weight_gradients() {
    // The same rows padded with 0 or with 3 extra steps of noise give the same gradients.
    let x = Tensor::<f64>::normal([2, 3, INPUT], 0.0, 1.0, 31);
    let noise = Tensor::<f64>::normal([2, 3, INPUT], 0.0, 5.0, 32);
    let longer = Tensor::concat(&[&x, &noise], 1);
    let gru = Gru::<f64>::new(INPUT, HIDDEN).reset_after(false).seed(6);
    let grads_of = |x: &Tensor<f64>, mask: SequenceMask| {
        let tape = Tape::new();
        let out = gru.forward_masked(tape.constant(x.clone()), &mask);
        let grads = out.h.sum().backward();
        grads.param(&gru.weight_hh_l0).unwrap().clone()
    };
    let short = grads_of(&x, SequenceMask::from_lengths(&[3, 2], 3));
    let long = grads_of(&longer, SequenceMask::from_lengths(&[3, 2], 6));
    for (a, b) in short.data().iter().zip(long.data()) {
        assert!((a - b).abs() < 1e-14, "{a} vs {b}");
    }
}

#[test]
fn mask_value_is_keras_masking() {
    let mut x = Tensor::<f64>::normal([BATCH, STEPS, INPUT], 0.0, 1.0, 41);
    for t in 2..STEPS {
        for f in 0..INPUT {
            x.data_mut()[(STEPS + t) * INPUT + f] = 0.0; // row 1: 2 real steps
        }
    }
    x.data_mut()[2 * STEPS * INPUT] = 0.0; // a zero feature alone does not mask a step
    let mask = SequenceMask::from_values(&x, 0.0);
    assert_eq!(mask.lengths(), [4, 2, 4]);
    let rnn = SimpleRnn::<f64>::new(INPUT, HIDDEN)
        .return_sequences(true)
        .seed(7);
    let masking = SimpleRnn::<f64>::new(INPUT, HIDDEN)
        .return_sequences(true)
        .seed(7)
        .mask_value(Some(0.0));
    let tape = Tape::new();
    let xv = tape.constant(x);
    let want = rnn.forward_masked(xv, &mask).output.value();
    assert_eq!(masking.forward(xv).output.value(), want);
    assert_ne!(rnn.forward(xv).output.value(), want);
}

#[test]
#[should_panic(expected = "lstm: input [3, 4, 2], mask [3, 5]: expected [3, 4]")]
fn a_mask_of_another_shape_panics_naming_both() {
    let tape = Tape::new();
    let x = tape.constant(Tensor::<f64>::zeros([BATCH, STEPS, INPUT]));
    let mask = SequenceMask::from_lengths(&[1, 2, 3], 5);
    Lstm::<f64>::new(INPUT, HIDDEN).forward_masked(x, &mask);
}

/// Token ids padded with 0 after a random length of 2..=8 real tokens (ids 1..20); the label
/// is whether the last real token is below 10.
fn last_token_data(n: usize, seed: u64) -> (TokenIds, Tensor<f32>) {
    let draws = Tensor::<f32>::uniform([n, 9], 0.0, 1.0, seed);
    let mut ids = vec![0u32; n * 8];
    let mut labels = Tensor::zeros([n, 1]);
    for i in 0..n {
        let d = &draws.data()[i * 9..(i + 1) * 9];
        let len = 2 + (d[8] * 7.0) as usize;
        for t in 0..len {
            ids[i * 8 + t] = 1 + (d[t] * 19.0) as u32;
        }
        labels.data_mut()[i] = f32::from(u8::from(ids[i * 8 + len - 1] < 10));
    }
    (TokenIds::new(ids, &[n, 8]), labels)
}

#[test]
fn embedding_mask_zero_feeds_a_masked_lstm_through_fit() {
    let (x, y) = last_token_data(384, 1);
    let (vx, vy) = last_token_data(128, 2);
    let net = Sequential::starting_with(Embedding::new(20, 8).seed(3).mask_zero(true))
        .add(Lstm::new(8, 12).seed(5).mask_value(Some(0.0)).output_only())
        .add(Dense::new(12, 1).activation(Activation::Sigmoid).seed(4));
    let loss = Loss::BinaryCrossentropy { from_logits: false };
    let metrics = vec![Metric::binary_accuracy("acc")];
    let mut model = Model::new(net, loss, Optimizer::adam(0.02), metrics);
    let options = FitOptions {
        epochs: 20,
        validation: Validation::Data(&vx, &vy),
        verbose: false,
        ..FitOptions::default()
    };
    let history = model.fit(&x, &y, &options, &mut []).unwrap();
    let val_acc = history.get("val_acc").unwrap();
    assert!(val_acc[19] > 0.95, "{val_acc:?}");
    // More padding changes nothing: the same rows padded to 12 steps predict the same.
    let wide: Vec<u32> = (vx.ids().chunks(8))
        .flat_map(|r| r.iter().copied().chain([0; 4]))
        .collect();
    let wide = TokenIds::new(wide, &[128, 12]);
    let a = model.predict(&vx, 32).unwrap();
    let b = model.predict(&wide, 32).unwrap();
    for (a, b) in a.data().iter().zip(b.data()) {
        assert!((a - b).abs() < 1e-6, "{a} vs {b}");
    }
}

/// Sequences of 6 steps of one feature; the target is their sum.
fn sums(n: usize) -> (Tensor<f32>, Tensor<f32>) {
    let x = Tensor::<f32>::uniform([n, 6, 1], -1.0, 1.0, 5);
    let y = Tensor::from_fn([n, 1], |i| (0..6).map(|t| x.get(&[i, t, 0])).sum());
    (x, y)
}

fn fit_loss(net: Sequential<f32>) -> Vec<f64> {
    let (x, y) = sums(128);
    let mut model = Model::new(net, Loss::MeanSquaredError, Optimizer::adam(0.02), vec![]);
    let options = FitOptions {
        epochs: 25,
        verbose: false,
        ..FitOptions::default()
    };
    let history = model.fit(&x, &y, &options, &mut []).unwrap();
    history.get("loss").unwrap().to_vec()
}

#[test]
fn bidirectional_and_stacked_output_only_train_in_sequential() {
    let bi = Sequential::new()
        .add(
            Bidirectional::<f32, LstmCell>::new(1, 6)
                .seed(1)
                .output_only(),
        )
        .add(Dense::new(12, 1).seed(2));
    assert_eq!(bi.named_params()[4].0, "layers.0.weight_ih_l0_reverse");
    let loss = fit_loss(bi);
    assert!(loss[24] < loss[0] / 5.0, "bidirectional {loss:?}");
    let deep = Sequential::new()
        .add(
            Stacked::<f32, GruCell>::new(1, 6, 2)
                .dropout(0.1, 3)
                .seed(1)
                .output_only(),
        )
        .add(Dense::new(6, 1).seed(2));
    assert_eq!(deep.named_params()[4].0, "layers.0.weight_ih_l1");
    let loss = fit_loss(deep);
    assert!(loss[24] < loss[0] / 5.0, "stacked {loss:?}");
}

#[test]
fn training_mode_reaches_a_stack_s_dropout_through_output_only() {
    let mut deep = Stacked::<f64, LstmCell>::new(2, 4, 2)
        .dropout(0.5, 9)
        .seed(1)
        .output_only();
    let x = Tensor::<f64>::normal([3, 5, 2], 0.0, 1.0, 8);
    let run = |deep: &nn::recurrent::OutputOnly<Stacked<f64, LstmCell>>| {
        let tape = Tape::new();
        deep.forward(tape.constant(x.clone())).value()
    };
    let inference = run(&deep);
    deep.set_training(true);
    assert_ne!(run(&deep), inference);
    deep.set_training(false);
    assert_eq!(run(&deep), inference);
}
