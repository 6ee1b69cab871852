//! `Sequential::starting_with`: a stack whose first layer reads sparse rows or token ids trains
//! through `fit` as the dense stack does, keeps its first layer's penalty, switches every layer's
//! mode, and hands its layers back by index.

use nn::data::SparseRows;
use nn::layers::{Embedding, SequentialFrom, SparseInput};
use nn::losses::Loss;
use nn::optim::Optimizer;
use nn::train::{FitOptions, Model};
use nn::{Activation, Dense, Dropout, Layer, Module, Regularizer, Sequential, Tape, Tensor};

fn first_layer() -> Dense<f32> {
    Dense::new(6, 4)
        .activation(Activation::Tanh)
        .kernel_regularizer(Regularizer::L2(0.01))
        .seed(1)
}

/// The same options for inputs of either type.
fn options<X>() -> FitOptions<'static, f32, X> {
    FitOptions {
        epochs: 5,
        shuffle: false,
        verbose: false,
        ..FitOptions::default()
    }
}

#[test]
fn sparse_rows_train_as_the_dense_stack_does() {
    let dense_x =
        Tensor::<f32>::uniform([40, 6], 0.0, 1.0, 2).map(|v| if v < 0.6 { 0.0 } else { v });
    let y = Tensor::from_fn([40, 1], |i| dense_x.get(&[i, 0]) - dense_x.get(&[i, 3]));
    let sparse_x = SparseRows::from_dense(&dense_x);
    let mut from_sparse = Model::new(
        Sequential::starting_with(first_layer()).add(Dense::new(4, 1).seed(2)),
        Loss::MeanSquaredError,
        Optimizer::sgd(0.1),
        vec![],
    );
    let mut from_dense = Model::new(
        Sequential::new()
            .add(first_layer())
            .add(Dense::new(4, 1).seed(2)),
        Loss::MeanSquaredError,
        Optimizer::sgd(0.1),
        vec![],
    );
    let sparse = from_sparse.fit(&sparse_x, &y, &options(), &mut []).unwrap();
    let dense = from_dense.fit(&dense_x, &y, &options(), &mut []).unwrap();
    let (sparse, dense) = (sparse.get("loss").unwrap(), dense.get("loss").unwrap());
    for (s, d) in sparse.iter().zip(dense) {
        assert!((s - d).abs() < 1e-5, "{sparse:?} vs {dense:?}");
    }
    assert!(sparse[4] < sparse[0], "{sparse:?}");
    // The first layer's L2 penalty is part of the loss.
    let tape = Tape::new();
    let penalty = Layer::<f32, SparseInput<'_, f32>>::penalty(&from_sparse.net, &tape).unwrap();
    assert!(penalty.item() > 0.0);
}

#[test]
fn modes_reach_every_layer_and_layers_come_back_by_index() {
    let mut net: SequentialFrom<f32, Embedding<f32>> =
        Sequential::starting_with(Embedding::new(5, 2)).add(Dropout::new(0.5, 3));
    assert_eq!(net.len(), 2);
    assert!(net.layer::<Embedding<f32>>(0).is_some());
    assert!(net.layer::<Dropout>(1).is_some());
    assert!(net.layer::<Dropout>(0).is_none());
    assert!(net.layer::<Dropout>(2).is_none());
    net.set_training(true);
    let tape = Tape::new();
    let ids = nn::data::TokenIds::new(vec![1; 500], &[500]);
    let y = net.forward(nn::layers::TokenInput::new(&tape, ids)).value();
    assert!(y.data().contains(&0.0), "dropout is not training");
}
