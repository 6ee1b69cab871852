//! Gradient checks (f64, central differences) of every recurrent cell's layer op: with respect
//! to the input, the initial states and every weight, with `return_sequences` on and off, run
//! forwards and reversed, and with only a final state used (the output's gradient absent).

use autodiff_core::{Tensor, Var, gradcheck};
use nn::recurrent::op::{RunInputs, RunOptions, run};
use nn::recurrent::{
    Cell, CoupledLstmCell, GruCell, Lstm, LstmCell, PeepholeLstmCell, SimpleRnnCell,
};
use nn::{Layer, Tape};

const BATCH: usize = 2;
const STEPS: usize = 3;
const INPUT: usize = 2;
const HIDDEN: usize = 3;

/// Which outputs the scalar loss reads.
#[derive(Clone, Copy, Debug)]
enum Used {
    /// The output and every final state, each with its own weights.
    Everything,
    /// Final state `k` only.
    FinalState(usize),
    /// Everything, plus Σ v² of every input recorded after the op, so each input already holds
    /// a gradient when the op's backward runs (which must then add, not write).
    EverythingAndSquares,
}

/// The inputs: x, W_ih, W_hh, b_ih, b_hh, the diagonal weights if the cell has them, and one
/// initial state per state.
fn inputs<C: Cell>() -> Vec<Tensor<f64>> {
    let width = C::GATES * HIDDEN;
    let mut all = vec![
        Tensor::normal([BATCH, STEPS, INPUT], 0.0, 1.0, 1),
        Tensor::normal([width, INPUT], 0.0, 0.6, 2),
        Tensor::normal([width, HIDDEN], 0.0, 0.6, 3),
        Tensor::normal([width], 0.0, 0.3, 4),
        Tensor::normal([width], 0.0, 0.3, 5),
    ];
    if C::DIAGONALS > 0 {
        all.push(Tensor::normal([C::DIAGONALS, HIDDEN], 0.0, 0.5, 6));
    }
    for k in 0..C::STATES {
        all.push(Tensor::normal([BATCH, HIDDEN], 0.0, 0.5, 7 + k as u64));
    }
    all
}

/// Σ weights · output over the outputs `used` reads (fixed weights, so every entry matters).
fn loss<'t>(outputs: &[Var<'t, f64>], used: Used) -> Var<'t, f64> {
    let weighted = |k: usize| {
        let o = outputs[k];
        let w = Tensor::from_fn(o.shape(), |n| 0.3 + 0.1 * ((n * 7 + k) % 5) as f64);
        (o * o.tape().constant(w)).sum()
    };
    match used {
        Used::Everything => (1..outputs.len()).fold(weighted(0), |acc, k| acc + weighted(k)),
        Used::FinalState(k) => weighted(1 + k),
        Used::EverythingAndSquares => loss(outputs, Used::Everything),
    }
}

fn check<C: Cell, const M: usize>(cell: C) {
    let all = inputs::<C>();
    let mut cases = vec![];
    for return_sequences in [true, false] {
        for reverse in [false, true] {
            cases.push((return_sequences, reverse, Used::Everything));
        }
    }
    for k in 0..C::STATES {
        cases.push((true, false, Used::FinalState(k)));
    }
    cases.push((true, false, Used::EverythingAndSquares));
    for (return_sequences, reverse, used) in cases {
        let options = RunOptions {
            return_sequences,
            reverse,
        };
        gradcheck(
            |v| {
                let diagonal = (C::DIAGONALS > 0).then(|| v[5]);
                let first_state = 5 + usize::from(C::DIAGONALS > 0);
                let inputs = RunInputs {
                    x: v[0],
                    weight_ih: v[1],
                    weight_hh: v[2],
                    bias_ih: Some(v[3]),
                    bias_hh: Some(v[4]),
                    diagonal,
                    initial: [v.get(first_state).copied(), v.get(first_state + 1).copied()],
                    mask: None,
                };
                let outputs = run::<f64, C, M>(&cell, inputs, options);
                let squares = v
                    .iter()
                    .map(|&x| (x * x).sum())
                    .reduce(|a, b| a + b)
                    .unwrap();
                match used {
                    Used::EverythingAndSquares => loss(&outputs, used) + squares,
                    _ => loss(&outputs, used),
                }
            },
            &all,
        )
        .unwrap_or_else(|e| panic!("{} {options:?} {used:?}: {e}", C::NAME));
    }
}

#[test]
fn lstm() {
    check::<_, 3>(LstmCell);
}

#[test]
fn simple_rnn() {
    check::<_, 2>(SimpleRnnCell);
}

#[test]
fn peephole_lstm() {
    check::<_, 3>(PeepholeLstmCell);
}

#[test]
fn coupled_lstm() {
    check::<_, 3>(CoupledLstmCell);
}

#[test]
fn gru_reset_after() {
    check::<_, 2>(GruCell::default());
}

#[test]
fn gru_reset_before() {
    check::<_, 2>(GruCell::reset_before());
}

#[test]
fn lstm_layer_through_its_input_and_initial_states() {
    let layer = Lstm::<f64>::new(INPUT, HIDDEN)
        .return_sequences(true)
        .seed(3);
    let all = inputs::<LstmCell>();
    let (x, h0, c0) = (all[0].clone(), all[5].clone(), all[6].clone());
    gradcheck(
        |v| {
            let out = layer.forward_from(v[0], &[v[1], v[2]]);
            loss(&[out.output, out.h, out.c.unwrap()], Used::Everything)
        },
        &[x.clone(), h0, c0],
    )
    .unwrap();
    let last = Lstm::<f64>::new(INPUT, HIDDEN).seed(3);
    gradcheck(|v| last.forward(v[0]).output.sum(), &[x]).unwrap();
}

#[test]
fn the_layer_is_one_op_without_biases_too() {
    // Without biases or initial states the op takes only x and the two kernels.
    let tape = Tape::new();
    let all = inputs::<LstmCell>();
    let [output, h, c] = run::<f64, LstmCell, 3>(
        &LstmCell,
        RunInputs {
            x: tape.var(all[0].clone()),
            weight_ih: tape.var(all[1].clone()),
            weight_hh: tape.var(all[2].clone()),
            bias_ih: None,
            bias_hh: None,
            diagonal: None,
            initial: [None, None],
            mask: None,
        },
        RunOptions {
            return_sequences: false,
            reverse: false,
        },
    );
    assert_eq!(tape.len(), 3 + 3);
    assert_eq!(output.value(), h.value());
    assert_eq!(c.dims(), [BATCH, HIDDEN]);
    gradcheck(
        |v| {
            let inputs = RunInputs {
                x: v[0],
                weight_ih: v[1],
                weight_hh: v[2],
                bias_ih: None,
                bias_hh: None,
                diagonal: None,
                initial: [None, None],
                mask: None,
            };
            let options = RunOptions {
                return_sequences: true,
                reverse: false,
            };
            loss(
                &run::<f64, LstmCell, 3>(&LstmCell, inputs, options),
                Used::Everything,
            )
        },
        &all[..3],
    )
    .unwrap();
}
