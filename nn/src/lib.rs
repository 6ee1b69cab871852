//! Neural-network building blocks on top of `autodiff-core`: the dense half of the Keras course,
//! and word2vec.
//!
//! - layers: the [`Layer`] trait (one forward pass from any input type, one penalty), [`Dense`],
//!   [`Dropout`], pooling ([`MaxPool2d`], [`AvgPool2d`], [`GlobalAveragePooling2d`]), batch
//!   normalisation ([`BatchNorm1d`], [`BatchNorm2d`]), [`Sequential`], [`Activation`]s, [`Regularizer`]s, [`Initializer`]s; fused ops
//!   in [`fused`];
//! - [`blocks`]: ResNet's basic and bottleneck blocks, the Inception module, an AlexNet stack;
//! - [`losses`] and [`metrics`];
//! - [`optim`]: SGD, RMSprop, Adam, AdamW with Keras's defaults, schedules and clipping;
//! - [`train`]: `fit` / `evaluate` / `predict` with [`train::History`], callbacks and K-fold;
//!   [`summary`]: Keras's `model.summary()` table;
//! - [`data`]: CSV loading, vectorization, normalization, imputation, splits and batches;
//! - [`history_plot`]: training curves to PNG and SVG (on [`plot`]); [`LastLayer`]: the
//!   course's table of last activation and loss per task;
//! - [`recurrent`]: LSTM, GRU and simple RNN layers over sequences, one recorded op each;
//! - [`tensorboard`]: TensorBoard event files (the `fit` callback, a writer) and projector export;
//! - [`word2vec`]: skip-gram and CBOW embeddings;
//! - `distributed` (cargo feature `mpi`): data-parallel training over MPI.
//!
//! Runnable examples live in `examples/`; run one with `cargo run --release --example NAME`.
//!
//! # Layers of your own: `#[derive(Module)]`
//!
//! A layer is a struct whose fields are parameters, sub-modules (`Vec`, `Option`, `Box` and
//! arrays of them too) or `#[module(skip)]` configuration. The derive visits each parameter
//! under its dotted path, which is what optimizers, [`checkpoint`] saving and loading and
//! [`Module::num_params`] build on.
//!
//! ```
//! use nn::{Float, Module, Param, Tensor};
//!
//! #[derive(Module)]
//! struct Dense<T: Float> {
//!     weight: Param<T>,
//!     bias: Option<Param<T>>,
//!     #[module(skip)]
//!     activation: &'static str,
//! }
//!
//! #[derive(Module)]
//! #[module(float = f32)] // no type parameter: the element type is named
//! struct Encoder {
//!     layers: Vec<Dense<f32>>,
//! }
//!
//! let dense = |n| Dense {
//!     weight: Param::new(Tensor::zeros([n, n])),
//!     bias: Some(Param::new(Tensor::zeros([n]))),
//!     activation: "relu",
//! };
//! let encoder = Encoder { layers: vec![dense(2), dense(3)] };
//! let names: Vec<String> = encoder.named_params().into_iter().map(|(n, _)| n).collect();
//! assert_eq!(names, ["layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"]);
//! assert_eq!(encoder.num_params(), 2 * 2 + 2 + 3 * 3 + 3);
//! assert_eq!(encoder.layers[0].activation, "relu");
//! ```
//!
//! # Ops of your own: `#[differentiable]`
//!
//! A function of scalars written as its formula becomes a fused op on `Var`s whose backward is
//! derived at compile time: `NAME_vjp` is its vector-Jacobian product, `NAME_op` applies it
//! elementwise with broadcasting, as one tape node.
//!
//! ```
//! use nn::{differentiable, gradcheck, Float, Tape, Tensor};
//!
//! /// Swish: x · σ(x).
//! #[differentiable]
//! fn swish<T: Float>(x: T) -> T {
//!     x * sigmoid(x)
//! }
//!
//! // The derivative σ(x) (1 + x (1 − σ(x))), derived at compile time:
//! let s = 1.0 / (1.0 + (-0.5_f64).exp());
//! assert!((swish_vjp(0.5, 1.0) - s * (1.0 + 0.5 * (1.0 - s))).abs() < 1e-15);
//!
//! let tape = Tape::new();
//! let x = tape.var(Tensor::from_vec(vec![-1.0_f64, 0.0, 2.0], [3]));
//! let y = swish_op(x);
//! assert_eq!(tape.len(), 2); // the input and one node for the fused op
//! assert!((y.value().data()[2] - 2.0 * (1.0 / (1.0 + (-2.0_f64).exp()))).abs() < 1e-15);
//! gradcheck(|v| swish_op(v[0]).sum(), &[x.value()]).unwrap();
//! ```
//!
//! Several inputs broadcast against each other (a smaller one is read through strides, not
//! copied); several outputs come back as a tuple of `Var`s, all computed by one op:
//!
//! ```
//! use nn::{differentiable, Float, Tape, Tensor};
//!
//! /// The pointwise step of an LSTM cell: gates in, new cell and hidden state out.
//! #[differentiable]
//! fn lstm_step<T: Float>(i: T, f: T, g: T, o: T, c: T) -> (T, T) {
//!     let c_next = sigmoid(f) * c + sigmoid(i) * tanh(g);
//!     let h = sigmoid(o) * tanh(c_next);
//!     (c_next, h)
//! }
//!
//! let tape = Tape::new();
//! let gates = |v: f64| tape.var(Tensor::full([2, 3], v));
//! let c_prev = tape.var(Tensor::zeros([3])); // broadcast over the batch
//! let (c, h) = lstm_step_op(gates(0.1), gates(0.2), gates(0.3), gates(0.4), c_prev);
//! assert_eq!(c.dims(), [2, 3]);
//! let grads = (c.sum() + h.sum()).backward();
//! assert_eq!(grads.wrt(c_prev).unwrap().dims(), [3]);
//! ```

pub mod activations;
pub mod blocks;
pub mod data;
#[cfg(feature = "mpi")]
pub mod distributed;
pub mod fused;
pub mod history_plot;
mod init;
mod last_layer;
pub mod layers;
pub mod losses;
pub mod metrics;
pub mod optim;
pub mod plot;
pub mod recurrent;
mod regularizers;
pub mod summary;
pub mod tensorboard;
pub mod train;
pub mod word2vec;

pub use activations::Activation;
pub use init::Initializer;
pub use last_layer::LastLayer;
pub use layers::{
    AvgPool2d, BatchNorm1d, BatchNorm2d, Dense, Dropout, GlobalAveragePooling2d, Layer, MaxPool2d,
    Prediction, Sequential,
};
pub use layers::{Conv1d, Conv2d, Flatten, ZeroPadding2d};
pub use regularizers::Regularizer;
pub use summary::Summary;

pub use autodiff_core;
pub use autodiff_core::{
    Buffer, BufferRef, Float, Module, Param, ParamPath, StepCounter, Tape, Tensor, Var, gradcheck,
};
pub use autodiff_core::{atomic_file, checkpoint};
pub use autodiff_macros::{Module, differentiable};
