//! The row paths against the definitions: every cell's `forward_rows`/`backward_rows` against
//! its `#[differentiable]` step and derived VJP (`forward`/`backward`) unit by unit, over many
//! random points including large |pre-activations| (saturated gates), in f64 (to rounding) and
//! in f32 with the fast activations (against the f64 definition); and the default row methods
//! (the unit loop) the same way and through a gradcheck of a layer that uses them.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use crate::recurrent::cell::{
    BackwardRows, Cell, ForwardRows, MAX_DIAGONALS, MAX_GATES, MAX_STATES, Recurrence, UnitGrads,
    UnitInputs,
};
use crate::recurrent::{
    CoupledLstmCell, GruCell, LstmCell, PeepholeLstmCell, Recurrent, SequenceMask, SimpleRnnCell,
};
use crate::{Layer, Tensor, gradcheck};

/// Units per row: not a multiple of any vector width, so the loops' tails run too.
const UNITS: usize = 37;
const ROWS: usize = 400;

/// A pre-activation: mostly moderate, one in eight far out (|x| up to 100).
fn pre_activation(rng: &mut StdRng) -> f64 {
    let x: f64 = rng.random_range(-4.0..4.0);
    if rng.random_range(0..8) == 0 {
        25.0 * x
    } else {
        x
    }
}

/// One row's random inputs in f64: gates, recurrent row, states, diagonal, state gradients.
struct Row {
    gates: Vec<f64>,
    rec: Vec<f64>,
    states: [Vec<f64>; MAX_STATES],
    diag: Vec<f64>,
    d_next: [Vec<f64>; MAX_STATES],
}

fn random_row<C: Cell>(cell: &C, rng: &mut StdRng) -> Row {
    let n = |len: usize, rng: &mut StdRng| -> Vec<f64> {
        (0..len).map(|_| pre_activation(rng)).collect()
    };
    let separate = cell.recurrence() == crate::recurrent::Recurrence::Separate;
    let states = |k: usize, rng: &mut StdRng| {
        let len = if k < C::STATES { UNITS } else { 0 };
        (0..len).map(|_| rng.random_range(-2.0..2.0)).collect()
    };
    Row {
        gates: n(C::GATES * UNITS, rng),
        rec: n(if separate { C::GATES * UNITS } else { 0 }, rng),
        states: [states(0, rng), states(1, rng)],
        diag: (0..C::DIAGONALS * UNITS)
            .map(|_| rng.random_range(-1.0..1.0))
            .collect(),
        d_next: [states(0, rng), states(1, rng)],
    }
}

/// The row path's outputs: new states, then ∂gates, ∂rec, ∂prev states, ∂diagonal.
fn run_rows<T: crate::Float, C: Cell>(cell: &C, row: &Row) -> Vec<Vec<f64>> {
    let cast = |v: &[f64]| -> Vec<T> { v.iter().map(|&x| T::lit(x)).collect() };
    let (mut gates, mut rec, diag) = (cast(&row.gates), cast(&row.rec), cast(&row.diag));
    let prev = row.states.each_ref().map(|s| cast(s));
    let mut states = prev.clone();
    let mut saved = vec![T::zero(); C::SAVED * UNITS];
    cell.forward_rows(ForwardRows {
        gates: &mut gates,
        rec: &mut rec,
        states: states.each_mut().map(Vec::as_mut_slice),
        diag: &diag,
        saved: &mut saved,
    });
    let d_next = row.d_next.each_ref().map(|d| cast(d));
    let mut d_gates = vec![T::zero(); gates.len()];
    let mut d_rec = vec![T::zero(); rec.len()];
    let mut d_prev = prev.each_ref().map(|p| vec![T::zero(); p.len()]);
    let mut d_diag = vec![T::zero(); diag.len()];
    cell.backward_rows(BackwardRows {
        gates: &gates,
        rec: &rec,
        prev: prev.each_ref().map(Vec::as_slice),
        saved: &saved,
        diag: &diag,
        d_next: d_next.each_ref().map(Vec::as_slice),
        d_gates: &mut d_gates,
        d_rec: &mut d_rec,
        d_prev: d_prev.each_mut().map(Vec::as_mut_slice),
        d_diag: &mut d_diag,
    });
    let back = |v: &[T]| -> Vec<f64> { v.iter().map(|x| x.to_f64().unwrap()).collect() };
    let [s0, s1] = states;
    let [p0, p1] = d_prev;
    [s0, s1, d_gates, d_rec, p0, p1, d_diag]
        .iter()
        .map(|v| back(v))
        .collect()
}

/// The same outputs from the definition, unit by unit, in f64.
fn run_definition<C: Cell>(cell: &C, row: &Row) -> Vec<Vec<f64>> {
    let mut out: Vec<Vec<f64>> = vec![
        vec![0.0; row.states[0].len()],
        vec![0.0; row.states[1].len()],
        vec![0.0; row.gates.len()],
        vec![0.0; row.rec.len()],
        vec![0.0; row.states[0].len()],
        vec![0.0; row.states[1].len()],
        vec![0.0; row.diag.len()],
    ];
    for j in 0..UNITS {
        let mut unit = UnitInputs {
            pre: [0.0; MAX_GATES],
            rec: [0.0; MAX_GATES],
            prev: [0.0; MAX_STATES],
            diag: [0.0; MAX_DIAGONALS],
        };
        for g in 0..C::GATES {
            unit.pre[g] = row.gates[g * UNITS + j];
            if !row.rec.is_empty() {
                unit.rec[g] = row.rec[g * UNITS + j];
            }
        }
        for k in 0..C::STATES {
            unit.prev[k] = row.states[k][j];
        }
        for p in 0..C::DIAGONALS {
            unit.diag[p] = row.diag[p * UNITS + j];
        }
        let next = cell.forward(&unit);
        let d_next = std::array::from_fn(|k| row.d_next[k].get(j).copied().unwrap_or(0.0));
        let grads = cell.backward(&unit, d_next);
        for k in 0..C::STATES {
            out[k][j] = next[k];
            out[4 + k][j] = grads.prev[k];
        }
        for g in 0..C::GATES {
            out[2][g * UNITS + j] = grads.pre[g];
            if !row.rec.is_empty() {
                out[3][g * UNITS + j] = grads.rec[g];
            }
        }
        for p in 0..C::DIAGONALS {
            out[6][p * UNITS + j] = grads.diag[p];
        }
    }
    out
}

/// The largest of |got − want| / (atol + |want|) over every output of many random rows.
fn worst_error<T: crate::Float, C: Cell>(cell: C, atol: f64) -> f64 {
    let mut rng = StdRng::seed_from_u64(3);
    let mut worst: f64 = 0.0;
    for _ in 0..ROWS {
        let row = random_row(&cell, &mut rng);
        let (got, want) = (run_rows::<T, C>(&cell, &row), run_definition(&cell, &row));
        for (g, w) in got.iter().zip(&want) {
            assert_eq!(g.len(), w.len());
            for (g, w) in g.iter().zip(w) {
                worst = worst.max((g - w).abs() / (atol + w.abs()));
            }
        }
    }
    worst
}

#[test]
fn row_paths_match_the_definitions_in_f64() {
    let errors = [
        worst_error::<f64, _>(LstmCell, 1e-300),
        worst_error::<f64, _>(PeepholeLstmCell, 1e-300),
        worst_error::<f64, _>(GruCell::default(), 1e-300),
        worst_error::<f64, _>(SimpleRnnCell, 1e-300),
        worst_error::<f64, _>(CoupledLstmCell, 1e-300),
        worst_error::<f64, _>(GruCell::reset_before(), 1e-300),
    ];
    assert!(errors.iter().all(|&e| e < 1e-9), "{errors:?}");
}

/// f32 with the fast activations, against the f64 definition: within 2e-6 of it relative to
/// max(1, |value|). The terms of every output are O(1) here, so an output that is small by
/// cancellation (`z·h + (1 − z)·n`) carries their f32 rounding, as in any f32 implementation;
/// a wrong formula would be off by far more.
#[test]
fn row_paths_match_the_definitions_in_f32() {
    let errors = [
        worst_error::<f32, _>(LstmCell, 1.0),
        worst_error::<f32, _>(PeepholeLstmCell, 1.0),
        worst_error::<f32, _>(GruCell::default(), 1.0),
        worst_error::<f32, _>(SimpleRnnCell, 1.0),
        worst_error::<f32, _>(CoupledLstmCell, 1.0),
        worst_error::<f32, _>(GruCell::reset_before(), 1.0),
    ];
    eprintln!(
        "worst f32 errors (lstm, peephole, gru, simple, coupled, gru reset-before): {errors:?}"
    );
    assert!(errors.iter().all(|&e| e < 2e-6), "{errors:?}");
}

/// A cell `C` that keeps the default row methods (the unit loop) but asks the op to use them.
#[derive(Clone, Copy, Default)]
struct UnitLoop<C>(C);

impl<C: Cell> Cell for UnitLoop<C> {
    const GATES: usize = C::GATES;
    const STATES: usize = C::STATES;
    const DIAGONALS: usize = C::DIAGONALS;
    const NAME: &'static str = C::NAME;

    fn recurrence(&self) -> Recurrence {
        self.0.recurrence()
    }

    fn modulate<T: crate::Float>(&self, unit: &UnitInputs<T>) -> T {
        self.0.modulate(unit)
    }

    fn modulate_backward<T: crate::Float>(&self, unit: &UnitInputs<T>, d_m: T) -> UnitGrads<T> {
        self.0.modulate_backward(unit, d_m)
    }

    fn forward<T: crate::Float>(&self, unit: &UnitInputs<T>) -> [T; MAX_STATES] {
        self.0.forward(unit)
    }

    fn backward<T: crate::Float>(&self, unit: &UnitInputs<T>, d: [T; MAX_STATES]) -> UnitGrads<T> {
        self.0.backward(unit, d)
    }

    fn has_rows(&self) -> bool {
        true
    }
}

#[test]
fn the_default_row_methods_are_the_definition() {
    let errors = [
        worst_error::<f64, _>(UnitLoop(PeepholeLstmCell), 1e-300),
        worst_error::<f64, _>(UnitLoop(GruCell::default()), 1e-300),
        worst_error::<f64, _>(UnitLoop(GruCell::reset_before()), 1e-300),
    ];
    assert!(errors.iter().all(|&e| e < 1e-12), "{errors:?}");
}

#[test]
fn layers_on_the_default_row_methods_pass_gradchecks() {
    let x = Tensor::<f64>::normal([2, 4, 3], 0.0, 1.0, 9);
    let mask = SequenceMask::from_lengths(&[4, 2], 4);
    let mut peephole = Recurrent::with_cell(UnitLoop(PeepholeLstmCell), 3, 4)
        .return_sequences(true)
        .seed(2);
    // Nonzero peepholes, so the diagonal terms count.
    let p = peephole.weight_peephole_l0.as_mut().unwrap();
    p.set(Tensor::normal([3, 4], 0.0, 0.5, 3));
    gradcheck(
        |v| peephole.forward(v[0]).output.sum(),
        std::slice::from_ref(&x),
    )
    .unwrap();
    let gru = Recurrent::with_cell(UnitLoop(GruCell::reset_before()), 3, 4)
        .return_sequences(true)
        .seed(4);
    gradcheck(
        |v| gru.forward_masked(v[0], &mask).output.sum(),
        std::slice::from_ref(&x),
    )
    .unwrap();
    let gru = Recurrent::with_cell(UnitLoop(GruCell::default()), 3, 4)
        .return_sequences(true)
        .seed(5);
    gradcheck(|v| gru.forward(v[0]).output.sum(), &[x]).unwrap();
}
