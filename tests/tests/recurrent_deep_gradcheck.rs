//! Gradient checks (f64, central differences) of the layers built from recurrent layers:
//! `Bidirectional` in every merge mode with `return_sequences` on and off, and a two-layer
//! stack (dropout 0), with respect to the input and every initial state.

use autodiff_core::{Tensor, Var, gradcheck};
use nn::recurrent::{Bidirectional, GruCell, LstmCell, Merge, Stacked};
use nn::{Layer, Tape};

const BATCH: usize = 2;
const STEPS: usize = 3;
const INPUT: usize = 2;
const HIDDEN: usize = 3;

/// Σ weights · v over `outputs`, with fixed weights per output so every entry matters.
fn weighted_sum<'t>(outputs: &[Var<'t, f64>]) -> Var<'t, f64> {
    let term = |k: usize| {
        let o = outputs[k];
        let w = Tensor::from_fn(o.shape(), |n| 0.3 + 0.1 * ((n * 7 + k) % 5) as f64);
        (o * o.tape().constant(w)).sum()
    };
    (1..outputs.len()).fold(term(0), |acc, k| acc + term(k))
}

fn state(seed: u64) -> Tensor<f64> {
    Tensor::normal([BATCH, HIDDEN], 0.0, 0.5, seed)
}

fn input() -> Tensor<f64> {
    Tensor::normal([BATCH, STEPS, INPUT], 0.0, 1.0, 1)
}

#[test]
fn bidirectional_lstm_gradients_in_every_merge_mode() {
    for merge in [Merge::Concat, Merge::Sum, Merge::Mul, Merge::Ave] {
        for sequences in [false, true] {
            let bi = Bidirectional::<f64, LstmCell>::new(INPUT, HIDDEN)
                .return_sequences(sequences)
                .merge(merge)
                .seed(3);
            let inputs = [input(), state(2), state(3), state(4), state(5)];
            gradcheck(
                |v| {
                    let out = bi.forward_from(v[0], &[v[1], v[2]], &[v[3], v[4]]);
                    let (f, b) = (out.forward, out.backward);
                    weighted_sum(&[out.output, f.h, f.c.unwrap(), b.h, b.c.unwrap()])
                },
                &inputs,
            )
            .unwrap_or_else(|e| panic!("{merge:?}, sequences {sequences}: {e}"));
        }
    }
}

#[test]
fn bidirectional_gru_gradients_through_the_output_only() {
    for merge in [Merge::Concat, Merge::Sum, Merge::Mul, Merge::Ave] {
        for sequences in [false, true] {
            let bi = Bidirectional::<f64, GruCell>::new(INPUT, HIDDEN)
                .return_sequences(sequences)
                .merge(merge)
                .seed(4);
            gradcheck(
                |v| weighted_sum(&[bi.forward_from(v[0], &[v[1]], &[v[2]]).output]),
                &[input(), state(6), state(7)],
            )
            .unwrap_or_else(|e| panic!("{merge:?}, sequences {sequences}: {e}"));
        }
    }
}

#[test]
fn bidirectional_merges_as_keras() {
    let tape = Tape::new();
    let x = tape.constant(input());
    for merge in [Merge::Concat, Merge::Sum, Merge::Mul, Merge::Ave] {
        let bi = Bidirectional::<f64, LstmCell>::new(INPUT, HIDDEN)
            .return_sequences(true)
            .merge(merge)
            .seed(5);
        let out = bi.forward(tape.constant(input()));
        let (f, b) = (out.forward.output.value(), out.backward.output.value());
        let want = match merge {
            Merge::Concat => Tensor::concat(&[&f, &b], 2),
            Merge::Sum => f.add(&b),
            Merge::Mul => f.mul(&b),
            Merge::Ave => f.add(&b).scale(0.5),
        };
        assert_eq!(out.output.value(), want, "{merge:?}");
        assert_eq!(out.output.dims()[2], bi.output_width());
        // The backward direction reads the sequence reversed: the forward layer with the same
        // weights over the time-reversed input gives its outputs, time-reversed.
        let reversed = |t: &Tensor<f64>| {
            let steps: Vec<Tensor<f64>> = (0..STEPS).rev().map(|s| t.narrow(1, s, 1)).collect();
            Tensor::concat(&steps.iter().collect::<Vec<_>>(), 1)
        };
        let mut twin = nn::recurrent::Lstm::<f64>::new(INPUT, HIDDEN).return_sequences(true);
        twin.weight_ih_l0
            .set(bi.backward_layer.weight_ih_l0.value().clone());
        twin.weight_hh_l0
            .set(bi.backward_layer.weight_hh_l0.value().clone());
        twin.bias_ih_l0
            .set(bi.backward_layer.bias_ih_l0.value().clone());
        twin.bias_hh_l0
            .set(bi.backward_layer.bias_hh_l0.value().clone());
        let x_rev = tape.constant(reversed(&x.value()));
        let twin_out = twin.forward(x_rev).output.value();
        assert_eq!(reversed(&twin_out), b);
    }
}

#[test]
fn two_layer_stack_gradients() {
    for bidirectional in [false, true] {
        for sequences in [false, true] {
            let deep = Stacked::with_cell(LstmCell, INPUT, HIDDEN, 2, bidirectional)
                .return_sequences(sequences)
                .seed(6);
            let entries = if bidirectional { 4 } else { 2 };
            let mut inputs = vec![input()];
            inputs.extend((0..2 * entries as u64).map(|k| state(10 + k)));
            gradcheck(
                |v| {
                    let initial: Vec<[Var<f64>; 2]> =
                        (0..entries).map(|k| [v[1 + 2 * k], v[2 + 2 * k]]).collect();
                    let out = deep.forward_from(v[0], &initial);
                    let mut all = vec![out.output];
                    all.extend(out.h);
                    all.extend(out.c.unwrap());
                    weighted_sum(&all)
                },
                &inputs,
            )
            .unwrap_or_else(|e| {
                panic!("bidirectional {bidirectional}, sequences {sequences}: {e}")
            });
        }
    }
}

#[test]
fn two_layer_gru_stack_gradients_through_the_output() {
    let deep = Stacked::<f64, GruCell>::new(INPUT, HIDDEN, 2).seed(7);
    gradcheck(|v| weighted_sum(&[deep.forward(v[0]).output]), &[input()]).unwrap();
}

#[test]
fn dropout_between_layers_only_while_training() {
    use autodiff_core::Module;
    let mut deep = Stacked::<f64, LstmCell>::new(INPUT, HIDDEN, 2)
        .return_sequences(true)
        .dropout(0.5, 1)
        .seed(8);
    let plain = Stacked::<f64, LstmCell>::new(INPUT, HIDDEN, 2)
        .return_sequences(true)
        .seed(8);
    let tape = Tape::new();
    let run = |m: &Stacked<f64, LstmCell>| m.forward(tape.constant(input())).output.value();
    assert_eq!(run(&deep), run(&plain), "inference mode is dropout-free");
    Module::<f64>::set_training(&mut deep, true);
    assert_ne!(
        run(&deep),
        run(&plain),
        "training drops the lower layer's outputs"
    );
    // A one-layer stack has nothing between layers to drop.
    let mut single = Stacked::<f64, LstmCell>::new(INPUT, HIDDEN, 1)
        .dropout(0.5, 1)
        .seed(8);
    let reference = run(&single);
    Module::<f64>::set_training(&mut single, true);
    assert_eq!(run(&single), reference);
}
