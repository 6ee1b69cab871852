//! A run large enough to be split over two threads by batch rows (B·T·G·H ≥ 2¹⁶, with two
//! threads allowed) gives what the rows give run one at a time (never split): outputs, final
//! states, the input's gradient row by row, and the weights' gradients as sums over the rows.
//! With 16 inputs, ∂X and ∂W_ih take the blocked products, their rows in halves too.

use autodiff_core::{Module, Tensor};
use nn::recurrent::{Cell, GruCell, LstmCell, PeepholeLstmCell, Recurrent, SequenceMask};
use nn::{Layer, Tape};

const BATCH: usize = 8;
const STEPS: usize = 64;
const INPUT: usize = 16;
const HIDDEN: usize = 48;

/// The output and the gradients of Σ output·w (w fixed) w.r.t. the input and every parameter,
/// each row run for its length in `lengths` if given (the rest padding).
fn run<C: Cell>(
    layer: &Recurrent<f64, C>,
    (x, lengths): (&Tensor<f64>, Option<&[usize]>),
    w: &Tensor<f64>,
) -> (Tensor<f64>, Tensor<f64>, Vec<Vec<f64>>) {
    let tape = Tape::new();
    let xv = tape.var(x.clone());
    let out = match lengths {
        Some(lengths) => layer.forward_masked(xv, &SequenceMask::from_lengths(lengths, STEPS)),
        None => layer.forward(xv),
    }
    .output;
    let w = tape.constant(w.clone());
    let grads = (out * w).sum().backward();
    let params = layer
        .named_params()
        .into_iter()
        .map(|(_, p)| grads.param(p).expect("a gradient").data().to_vec())
        .collect();
    (
        out.value(),
        grads.wrt(xv).expect("a gradient").clone(),
        params,
    )
}

fn split_matches_row_by_row<C: Cell>(cell: C, lengths: Option<&[usize; BATCH]>) {
    let lengths = lengths.map(|l| &l[..]);
    let layer = Recurrent::<f64, C>::with_cell(cell, INPUT, HIDDEN)
        .return_sequences(true)
        .seed(1);
    let x = Tensor::normal([BATCH, STEPS, INPUT], 0.0, 1.0, 2);
    let w = Tensor::normal([BATCH, STEPS, HIDDEN], 0.0, 1.0, 9);
    let (out, dx, dparams) = run(&layer, (&x, lengths), &w);
    let mut summed: Vec<Vec<f64>> = dparams.iter().map(|p| vec![0.0; p.len()]).collect();
    for b in 0..BATCH {
        let row = |t: &Tensor<f64>| t.narrow(0, b, 1);
        let row_lengths = lengths.map(|l| &l[b..=b]);
        let (row_out, row_dx, row_dparams) = run(&layer, (&row(&x), row_lengths), &row(&w));
        assert!(
            row_out.all_close(&row(&out), 1e-12, 1e-12),
            "{}: output row {b}",
            C::NAME
        );
        assert!(
            row_dx.all_close(&row(&dx), 1e-12, 1e-12),
            "{}: ∂x row {b}",
            C::NAME
        );
        for (s, d) in summed.iter_mut().zip(row_dparams) {
            s.iter_mut().zip(d).for_each(|(s, d)| *s += d);
        }
    }
    for (s, d) in summed.iter().zip(&dparams) {
        let close = s
            .iter()
            .zip(d)
            .all(|(s, d)| (s - d).abs() <= 1e-10 * (1.0 + d.abs()));
        assert!(close, "{}: a weight gradient", C::NAME);
    }
}

#[test]
fn a_split_run_equals_its_rows_run_alone() {
    split_matches_row_by_row(LstmCell, None);
    split_matches_row_by_row(PeepholeLstmCell, None);
    split_matches_row_by_row(GruCell::default(), None);
    split_matches_row_by_row(GruCell::reset_before(), None);
}

/// Masked, each thread's rows must read their own rows' lengths (the second half's too).
#[test]
fn a_masked_split_run_equals_its_rows_run_alone() {
    let lengths = [64, 3, 40, 64, 1, 17, 64, 50];
    split_matches_row_by_row(LstmCell, Some(&lengths));
    split_matches_row_by_row(GruCell::default(), Some(&lengths));
}
