//! `Embedding` end to end: its gradient against central differences (repeated ids included)
//! and against PyTorch's `nn.Embedding` (`tests/fixtures/torch_embedding.txt`, written by
//! `tests/fixtures/make_torch_embedding.py`), and a token-id classifier trained by `Model::fit`.

use std::sync::Arc;

use autodiff_core::{Module, Tape, Tensor, gradcheck};
use nn::data::TokenIds;
use nn::layers::{Embedding, GlobalAveragePooling1d, TokenInput};
use nn::losses::Loss;
use nn::metrics::Metric;
use nn::optim::Optimizer;
use nn::recurrent::Lstm;
use nn::train::{FitOptions, Model, Validation};
use nn::{Activation, Dense, Layer, Sequential};

const FIXTURE: &str = include_str!("../fixtures/torch_embedding.txt");

/// The fixture's values for `name`.
fn reference(name: &str) -> Vec<f64> {
    tests::fixture_values(FIXTURE, name)
}

/// The script's ids: 1 and 4 repeat, 2 never occurs.
fn fixture_ids() -> TokenIds {
    TokenIds::new(vec![1, 3, 1, 4, 0, 1, 4, 4], &[2, 4])
}

#[test]
fn lookup_gradient_with_repeated_ids() {
    let table = Tensor::<f64>::normal([5, 3], 0.0, 1.0, 4);
    let weights = Tensor::<f64>::normal([2, 4, 3], 0.0, 1.0, 5);
    let ids = Arc::new(fixture_ids());
    gradcheck(
        |v| {
            let y = nn::fused::embedding_lookup(v[0], &ids);
            (y.tanh() * v[0].tape().constant(weights.clone())).sum()
        },
        std::slice::from_ref(&table),
    )
    .unwrap();
    // One id per sample, every sample the same id.
    let same = Arc::new(TokenIds::new(vec![2, 2, 2], &[3]));
    gradcheck(
        |v| nn::fused::embedding_lookup(v[0], &same).powi(3),
        &[table],
    )
    .unwrap();
}

#[test]
fn weight_gradient_matches_pytorch() {
    let mut layer = Embedding::<f64>::new(5, 3);
    layer
        .weight
        .set(Tensor::from_fn([5, 3], |i| 0.1 * i as f64 - 0.7));
    let tape = Tape::new();
    let y = layer.forward(TokenInput::new(&tape, fixture_ids()));
    assert_eq!(y.dims(), [2, 4, 3]);
    let n = y.shape().numel();
    let w = tape.constant(Tensor::from_fn(y.shape(), |i| (i + 1) as f64 / n as f64));
    let grads = (y.tanh() * w).sum().backward();
    let cases = [
        ("output", y.value().into_vec()),
        (
            "weight.grad",
            grads.param(&layer.weight).unwrap().data().to_vec(),
        ),
    ];
    for (name, got) in cases {
        let want = reference(name);
        assert_eq!(got.len(), want.len(), "{name}: length");
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            assert!((g - w).abs() <= 1e-12, "{name}[{i}]: ours {g}, PyTorch {w}");
        }
    }
}

/// Sequences of 7 ids below 20, labelled 1 when most ids are below 10.
fn majority_data(n: usize, seed: u64) -> (TokenIds, Tensor<f32>) {
    let draws = Tensor::<f32>::uniform([n, 7], 0.0, 20.0, seed);
    let ids: Vec<u32> = draws.data().iter().map(|&v| (v as u32).min(19)).collect();
    let labels = Tensor::from_fn([n, 1], |i| {
        let low = ids[i * 7..(i + 1) * 7]
            .iter()
            .filter(|&&id| id < 10)
            .count();
        f32::from(u8::from(low > 3))
    });
    (TokenIds::new(ids, &[n, 7]), labels)
}

#[test]
fn embedding_mean_dense_trains_through_fit_on_token_ids() {
    let (x, y) = majority_data(256, 1);
    let (vx, vy) = majority_data(64, 2);
    let net = Sequential::starting_with(Embedding::new(20, 8).seed(3))
        .add(GlobalAveragePooling1d)
        .add(Dense::new(8, 1).activation(Activation::Sigmoid).seed(4));
    let names: Vec<String> = net.named_params().into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        ["layers.0.weight", "layers.2.kernel", "layers.2.bias"]
    );
    let loss = Loss::BinaryCrossentropy { from_logits: false };
    let metrics = vec![Metric::binary_accuracy("acc")];
    let mut model = Model::new(net, loss, Optimizer::adam(0.05), metrics);
    let options = FitOptions {
        epochs: 15,
        validation: Validation::Data(&vx, &vy),
        verbose: false,
        ..FitOptions::default()
    };
    let history = model.fit(&x, &y, &options, &mut []).unwrap();
    let losses = history.get("loss").unwrap();
    assert!(losses[14] < losses[0] * 0.5, "{losses:?}");
    assert!(history.get("val_acc").unwrap()[14] > 0.85, "{history:?}");
    let predictions = model.predict(&vx, 10).unwrap();
    assert_eq!(predictions.dims(), [64, 1]);
    let logs = model.evaluate(&vx, &vy, 16).unwrap();
    assert_eq!(logs[1].0, "acc");
    // The table learned: ids below 10 push towards 1, the others towards 0.
    let table: &Embedding<f32> = model.net.layer(0).unwrap();
    let dense: &Dense<f32> = model.net.layer(2).unwrap();
    let score = |id: usize| -> f32 {
        (0..8)
            .map(|j| table.weight.value().get(&[id, j]) * dense.kernel.value().get(&[j, 0]))
            .sum()
    };
    assert!(score(3) > score(15), "{} vs {}", score(3), score(15));
}

#[test]
fn embedding_lstm_dense_trains_through_fit_on_token_ids() {
    let (x, y) = majority_data(256, 1);
    let (vx, vy) = majority_data(64, 2);
    let net = Sequential::starting_with(Embedding::new(20, 8).seed(3))
        .add(Lstm::new(8, 8).seed(5).output_only())
        .add(Dense::new(8, 1).activation(Activation::Sigmoid).seed(4));
    let loss = Loss::BinaryCrossentropy { from_logits: false };
    let metrics = vec![Metric::binary_accuracy("acc")];
    let mut model = Model::new(net, loss, Optimizer::adam(0.02), metrics);
    let options = FitOptions {
        epochs: 15,
        validation: Validation::Data(&vx, &vy),
        verbose: false,
        ..FitOptions::default()
    };
    let history = model.fit(&x, &y, &options, &mut []).unwrap();
    let losses = history.get("loss").unwrap();
    assert!(losses[14] < losses[0] * 0.5, "{losses:?}");
    assert!(history.get("val_acc").unwrap()[14] > 0.85, "{history:?}");
}

#[test]
fn padded_lookup_gradient_and_zeros_at_the_padding_id() {
    // fixture_ids holds id 0 once: with mask_zero its position is zeros and row 0 gets nothing.
    let table = Tensor::<f64>::normal([5, 3], 0.0, 1.0, 4);
    let weights = Tensor::<f64>::normal([2, 4, 3], 0.0, 1.0, 5);
    let ids = Arc::new(fixture_ids());
    gradcheck(
        |v| {
            let y = nn::fused::embedding_lookup_padded(v[0], &ids, Some(0));
            (y.tanh() * v[0].tape().constant(weights.clone())).sum()
        },
        std::slice::from_ref(&table),
    )
    .unwrap();
    let layer = Embedding::<f64>::new(5, 3).seed(1).mask_zero(true);
    let tape = Tape::new();
    let y = layer.forward(TokenInput::new(&tape, Arc::clone(&ids)));
    let at_zero = y.value().narrow(0, 1, 1).narrow(1, 0, 1).reshape([3]);
    assert_eq!(at_zero, Tensor::zeros([3]));
    let grads = y.sum().backward();
    let d_table = grads.param(&layer.weight).unwrap();
    assert_eq!(d_table.narrow(0, 0, 1).reshape([3]), Tensor::zeros([3]));
    assert_eq!(d_table.narrow(0, 1, 1).reshape([3]), Tensor::full([3], 3.0));
}

#[test]
fn mean_over_time_gradient() {
    let x = Tensor::<f64>::normal([2, 3, 4], 0.0, 1.0, 6);
    gradcheck(|v| GlobalAveragePooling1d.forward(v[0]).powi(2), &[x]).unwrap();
}

#[test]
#[should_panic(expected = "GlobalAveragePooling1d: input [2, 3] is not [batch, time, features]")]
fn mean_over_time_wants_sequences() {
    let tape = Tape::new();
    GlobalAveragePooling1d.forward(tape.constant(Tensor::<f32>::zeros([2, 3])));
}

#[test]
fn a_table_regularizer_is_a_penalty_fit_adds() {
    let table = Embedding::<f64>::new(4, 2)
        .initializer(nn::Initializer::Ones)
        .regularizer(nn::Regularizer::L2(0.5));
    let tape = Tape::new();
    let penalty = Layer::<f64, TokenInput<'_, f64>>::penalty(&table, &tape).unwrap();
    assert_eq!(penalty.item(), 0.5 * 8.0);
    assert!(Layer::<f64, TokenInput<'_, f64>>::penalty(&Embedding::new(4, 2), &tape).is_none());
    // fit's loss includes it: a zero-error network still reports the penalty.
    let net = Sequential::starting_with(table)
        .add(GlobalAveragePooling1d)
        .add(Dense::new(2, 1).kernel_initializer(nn::Initializer::Zeros));
    let mut model = Model::new(net, Loss::MeanSquaredError, Optimizer::sgd(0.0), vec![]);
    let ids = TokenIds::new(vec![0, 1, 2, 3], &[2, 2]);
    let logs = model.evaluate(&ids, &Tensor::zeros([2, 1]), 2).unwrap();
    assert_eq!(logs[0], ("loss".to_string(), 4.0));
}
