//! `summary()`: Keras's table for a Dense/Dropout stack, an Embedding stack and a model with
//! frozen parameters, asserted character for character.

use nn::layers::{Embedding, GlobalAveragePooling1d};
use nn::losses::Loss;
use nn::optim::Optimizer;
use nn::train::Model;
use nn::{Activation, Dense, Dropout, Sequential, Summary};

#[test]
fn dense_and_dropout_stack() {
    let net = Sequential::<f32>::new()
        .add(Dense::new(10000, 16).activation(Activation::Relu))
        .add(Dropout::new(0.5, 1))
        .add(Dense::new(16, 16).activation(Activation::Relu))
        .add(Dropout::new(0.5, 2))
        .add(Dense::new(16, 1).activation(Activation::Sigmoid));
    let expected = "\
Model: \"sequential\"
_________________________________________________________________
Layer (type)                 Output Shape              Param #
=================================================================
dense (Dense)                (None, 16)                160016
_________________________________________________________________
dropout (Dropout)            (None, 16)                0
_________________________________________________________________
dense_1 (Dense)              (None, 16)                272
_________________________________________________________________
dropout_1 (Dropout)          (None, 16)                0
_________________________________________________________________
dense_2 (Dense)              (None, 1)                 17
=================================================================
Total params: 160,305
Trainable params: 160,305
Non-trainable params: 0
_________________________________________________________________
";
    let model = Model::new(net, Loss::MeanSquaredError, Optimizer::adam(1e-3), vec![]);
    assert_eq!(model.summary(&[10000]), expected);
}

#[test]
fn embedding_stack_on_sequences() {
    let net = Sequential::<f32>::starting_with(Embedding::new(1000, 8))
        .add(GlobalAveragePooling1d)
        .add(Dense::new(8, 1));
    let expected = "\
Model: \"sequential\"
______________________________________________________________________________________
Layer (type)                                      Output Shape              Param #
======================================================================================
embedding (Embedding)                             (None, 20, 8)             8000
______________________________________________________________________________________
global_average_pooling1d (GlobalAveragePooling1d) (None, 8)                 0
______________________________________________________________________________________
dense (Dense)                                     (None, 1)                 9
======================================================================================
Total params: 8,009
Trainable params: 8,009
Non-trainable params: 0
______________________________________________________________________________________
";
    assert_eq!(net.summary(&[20]), expected);
}

#[test]
fn frozen_parameters_are_non_trainable() {
    let mut net = Sequential::<f32>::new()
        .add(Dense::new(3, 4))
        .add(Dense::new(4, 2));
    net.layer_mut::<Dense<f32>>(0)
        .unwrap()
        .kernel
        .set_trainable(false);
    let table = net.summary(&[3]);
    let totals: Vec<&str> = table.lines().rev().skip(1).take(3).collect();
    assert_eq!(
        totals,
        [
            "Non-trainable params: 12",
            "Trainable params: 14",
            "Total params: 26"
        ]
    );
}
