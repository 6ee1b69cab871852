//! The Keras training workflow: [`Model`] (`fit`, `evaluate`, `predict`), [`History`],
//! callbacks ([`EarlyStopping`], [`ModelCheckpoint`], [`CSVLogger`], [`LearningRateScheduler`],
//! [`ReduceLROnPlateau`], [`BackupAndRestore`], a progress bar), and K-fold cross-validation
//! ([`KFold`], iterated with shuffling: [`IteratedKFold`]).
//! Inputs are dense tensors for any [`Layer`](crate::Layer) on `Var`s, or sparse rows for a
//! layer on [`SparseInput`](crate::layers::SparseInput)s (see [`Feed`]).
//!
//! Training a tiny classifier:
//!
//! ```
//! use autodiff_core::Tensor;
//! use nn::losses::Loss;
//! use nn::metrics::Metric;
//! use nn::optim::Optimizer;
//! use nn::train::{FitOptions, Model, Validation};
//! use nn::{Activation, Dense, Sequential};
//!
//! // y = 1 when x₀ + x₁ > 0
//! let x = Tensor::<f32>::normal([200, 2], 0.0, 1.0, 1);
//! let y = Tensor::from_fn([200, 1], |i| f32::from(u8::from(x.get(&[i, 0]) + x.get(&[i, 1]) > 0.0)));
//! let net = Sequential::new()
//!     .add(Dense::new(2, 8).activation(Activation::Relu))
//!     .add(Dense::new(8, 1).activation(Activation::Sigmoid).seed(1));
//! let loss = Loss::BinaryCrossentropy { from_logits: false };
//! let mut model = Model::new(net, loss, Optimizer::rmsprop(0.01), vec![Metric::binary_accuracy("acc")]);
//! let options = FitOptions { epochs: 20, validation: Validation::Split(0.2), ..FitOptions::default() };
//! let history = model.fit(&x, &y, &options, &mut []).unwrap();
//! assert_eq!(history.keys().collect::<Vec<_>>(), ["loss", "acc", "val_loss", "val_acc"]);
//! assert!(history.get("val_acc").unwrap()[19] > 0.9);
//! ```
//!
//! The same step written by hand (what `fit` does per batch):
//!
//! ```
//! use autodiff_core::{Tape, Tensor};
//! use nn::{Dense, Layer, losses, optim::Optimizer};
//! let mut net = Dense::<f32>::new(3, 1);
//! let mut opt = Optimizer::adam(1e-2);
//! let (x, y) = (Tensor::ones([4, 3]), Tensor::ones([4, 1]));
//! let mut tape = Tape::new();
//! for _ in 0..100 {
//!     let grads = {
//!         let pred = net.forward(tape.constant(x.clone()));
//!         losses::mean_squared_error(pred, tape.constant(y.clone())).backward()
//!     };
//!     tape.clear();
//!     opt.step(&mut net, &grads);
//! }
//! let tape = Tape::no_grad();
//! assert!((net.forward(tape.constant(x)).value().data()[0] - 1.0).abs() < 0.05);
//! ```

mod agreement;
mod backup;
mod batchable;
mod callbacks;
mod checkpoint;
mod csv_logger;
mod data_parallel;
mod feed;
mod feed_tokens;
mod history;
mod iterated_kfold;
mod kfold;
mod learning_rate;
mod lr_scheduler;
mod mode;
mod model;
mod progress;
mod reduce_lr;
mod totals;
mod transform;

pub use backup::{BackupAndRestore, ResumeError, SaveFreq};
pub use batchable::Batchable;
pub use callbacks::{
    BatchEnd, Callback, CallbackError, Control, EarlyStopping, TerminateOnNaN, Weights, restore,
    snapshot,
};
pub use checkpoint::ModelCheckpoint;
pub use csv_logger::CSVLogger;
pub use data_parallel::DataParallel;
pub use feed::Feed;
pub use history::{History, Logs, StopReason};
pub use iterated_kfold::IteratedKFold;
pub use kfold::{CrossValidation, Fold, KFold, KFoldError};
pub use learning_rate::{LearningRate, RateNotSettable};
pub use lr_scheduler::LearningRateScheduler;
pub use mode::Mode;
pub use model::{FitError, FitOptions, Model, Validation};
pub use reduce_lr::ReduceLROnPlateau;
pub use transform::BatchTransform;
