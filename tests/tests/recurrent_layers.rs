//! The recurrent layers' API: initialisation (Keras's and PyTorch's), PyTorch's parameter
//! names, the coupled LSTM's maths, shape errors, and training through `Sequential` and
//! `Model::fit`.

use autodiff_core::{Module, Tensor};
use nn::losses::Loss;
use nn::optim::Optimizer;
use nn::recurrent::{CoupledLstm, Gru, Lstm, PeepholeLstm, RecurrentInit, SimpleRnn};
use nn::train::{FitOptions, Model};
use nn::{Dense, Layer, Sequential, Tape};

fn names<M: Module<f64>>(m: &M) -> Vec<String> {
    m.named_params().into_iter().map(|(n, _)| n).collect()
}

#[test]
fn parameters_have_pytorch_s_names_and_layout() {
    let lstm = Lstm::<f64>::new(5, 4);
    assert_eq!(
        names(&lstm),
        ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]
    );
    assert_eq!(lstm.weight_ih_l0.value().dims(), [16, 5]);
    assert_eq!(lstm.weight_hh_l0.value().dims(), [16, 4]);
    assert_eq!(Gru::<f64>::new(5, 4).bias_hh_l0.value().dims(), [12]);
    assert_eq!(
        SimpleRnn::<f64>::new(5, 4).weight_hh_l0.value().dims(),
        [4, 4]
    );
    assert_eq!(
        CoupledLstm::<f64>::new(5, 4).weight_ih_l0.value().dims(),
        [12, 5]
    );
    let peephole = PeepholeLstm::<f64>::new(5, 4);
    assert_eq!(names(&peephole).last().unwrap(), "weight_peephole_l0");
    assert_eq!(
        peephole.weight_peephole_l0.as_ref().unwrap().value().dims(),
        [3, 4]
    );
}

#[test]
fn keras_initialization_orthogonal_recurrent_kernel_and_unit_forget_bias() {
    let lstm = Lstm::<f64>::new(5, 4).seed(2);
    let u = lstm.weight_hh_l0.value();
    assert!(u.t().matmul(u).all_close(&Tensor::eye(4), 1e-12, 1e-12));
    let limit = (6.0_f64 / (5.0 + 16.0)).sqrt();
    let w = lstm.weight_ih_l0.value();
    assert!(w.data().iter().all(|v| v.abs() <= limit));
    assert!(w.data().iter().any(|v| v.abs() > 0.8 * limit));
    let forget_only: Vec<f64> = (0..16).map(|k| f64::from(u8::from(k / 4 == 1))).collect();
    assert_eq!(lstm.bias_ih_l0.value().data(), forget_only);
    assert!(lstm.bias_hh_l0.value().data().iter().all(|&v| v == 0.0));
    // The coupled LSTM's forget gate is its first.
    let coupled = CoupledLstm::<f64>::new(5, 4);
    let first_only: Vec<f64> = (0..12).map(|k| f64::from(u8::from(k / 4 == 0))).collect();
    assert_eq!(coupled.bias_ih_l0.value().data(), first_only);
    // A GRU has no forget bias.
    assert!(
        Gru::<f64>::new(5, 4)
            .bias_ih_l0
            .value()
            .data()
            .iter()
            .all(|&v| v == 0.0)
    );
}

#[test]
fn pytorch_initialization_draws_everything_from_the_hidden_size_s_bound() {
    let gru = Gru::<f64>::new(5, 16).initialization(RecurrentInit::PyTorch);
    for (name, p) in gru.named_params() {
        let v = p.value();
        assert!(v.data().iter().all(|x| x.abs() <= 0.25), "{name}");
        assert!(v.data().iter().any(|x| x.abs() > 0.2), "{name}");
    }
    let seeded = |s| {
        Gru::<f64>::new(5, 16)
            .initialization(RecurrentInit::PyTorch)
            .seed(s)
    };
    assert_eq!(
        seeded(3).weight_hh_l0.value(),
        seeded(3).weight_hh_l0.value()
    );
    assert_ne!(
        seeded(3).weight_hh_l0.value(),
        seeded(4).weight_hh_l0.value()
    );
}

#[test]
fn coupled_lstm_is_an_lstm_whose_input_gate_is_the_negated_forget_gate() {
    // 1 − σ(a) = σ(−a): an LSTM with W_i = −W_f and b_i = −b_f computes the coupled cell.
    let coupled = CoupledLstm::<f64>::new(3, 4)
        .initialization(RecurrentInit::PyTorch)
        .return_sequences(true);
    let mut lstm = Lstm::<f64>::new(3, 4).return_sequences(true);
    let widen = |w: &Tensor<f64>| {
        let rows = w.dims()[0] / 3;
        let f = w.narrow(0, 0, rows);
        Tensor::concat(&[&f.map(|v| -v), w], 0)
    };
    lstm.weight_ih_l0.set(widen(coupled.weight_ih_l0.value()));
    lstm.weight_hh_l0.set(widen(coupled.weight_hh_l0.value()));
    lstm.bias_ih_l0.set(widen(coupled.bias_ih_l0.value()));
    lstm.bias_hh_l0.set(widen(coupled.bias_hh_l0.value()));
    let tape = Tape::new();
    let x = tape.constant(Tensor::normal([2, 5, 3], 0.0, 1.0, 3));
    let (a, b) = (coupled.forward(x), lstm.forward(x));
    assert!(a.output.value().all_close(&b.output.value(), 1e-14, 1e-14));
    assert!(
        a.c.unwrap()
            .value()
            .all_close(&b.c.unwrap().value(), 1e-14, 1e-14)
    );
}

#[test]
#[should_panic(expected = "lstm: input [2, 3, 5], weight_ih [16, 4]: expected weight_ih [16, 5]")]
fn a_wrong_feature_count_names_both_shapes() {
    let tape = Tape::new();
    Lstm::<f64>::new(4, 4).forward(tape.constant(Tensor::zeros([2, 3, 5])));
}

#[test]
#[should_panic(expected = "gru: 2 initial states given, the cell has 1")]
fn a_wrong_number_of_initial_states_is_refused() {
    let tape = Tape::new();
    let s = tape.constant(Tensor::zeros([2, 4]));
    Gru::<f64>::new(4, 4).forward_from(tape.constant(Tensor::zeros([2, 3, 4])), &[s, s]);
}

/// Sequences of 6 steps of one feature; the target is their sum.
fn sums(n: usize) -> (Tensor<f32>, Tensor<f32>) {
    let x = Tensor::<f32>::uniform([n, 6, 1], -1.0, 1.0, 5);
    let y = Tensor::from_fn([n, 1], |i| (0..6).map(|t| x.get(&[i, t, 0])).sum());
    (x, y)
}

#[test]
fn an_lstm_stacks_in_sequential_and_fit_trains_it() {
    let net = Sequential::new()
        .add(Lstm::new(1, 8).seed(1).output_only())
        .add(Dense::new(8, 1).seed(2));
    assert_eq!(net.named_params()[0].0, "layers.0.weight_ih_l0");
    let (x, y) = sums(128);
    let mut model = Model::new(net, Loss::MeanSquaredError, Optimizer::adam(0.02), vec![]);
    let options = FitOptions {
        epochs: 30,
        verbose: false,
        ..FitOptions::default()
    };
    let loss = model
        .fit(&x, &y, &options, &mut [])
        .unwrap()
        .get("loss")
        .unwrap()
        .to_vec();
    assert!(loss[29] < loss[0] / 5.0, "{loss:?}");
}

#[test]
fn fit_scores_a_recurrent_layer_s_output() {
    // The layer alone: its RecurrentOutput is a Prediction (the last h, one unit).
    let (x, y) = sums(64);
    let y = y.map(|v| (v / 6.0).tanh());
    let gru = Gru::new(1, 1).seed(4);
    let mut model = Model::new(gru, Loss::MeanSquaredError, Optimizer::adam(0.05), vec![]);
    let options = FitOptions {
        epochs: 30,
        verbose: false,
        ..FitOptions::default()
    };
    let loss = model
        .fit(&x, &y, &options, &mut [])
        .unwrap()
        .get("loss")
        .unwrap()
        .to_vec();
    assert!(loss[29] < loss[0] / 2.0, "{loss:?}");
}

#[test]
#[should_panic(expected = "gru: an initial state for a state the cell does not have")]
fn the_op_refuses_a_cell_state_the_cell_does_not_have() {
    use nn::recurrent::GruCell;
    use nn::recurrent::op::{RunInputs, RunOptions, run};
    let tape = Tape::new();
    let s = tape.constant(Tensor::zeros([2, 4]));
    let inputs = RunInputs {
        x: tape.constant(Tensor::zeros([2, 3, 4])),
        weight_ih: tape.constant(Tensor::zeros([12, 4])),
        weight_hh: tape.constant(Tensor::zeros([12, 4])),
        bias_ih: None,
        bias_hh: None,
        diagonal: None,
        initial: [Some(s), Some(s)],
        mask: None,
    };
    let options = RunOptions {
        return_sequences: false,
        reverse: false,
    };
    run::<f64, GruCell, 2>(&GruCell::default(), inputs, options);
}
