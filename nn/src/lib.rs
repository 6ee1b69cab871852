//! Neural-network building blocks on top of `autodiff-core`: the dense half of the Keras course,
//! and word2vec.
//!
//! - layers: [`Dense`], [`Dropout`], [`Sequential`], [`Activation`]s, [`Regularizer`]s,
//!   [`Initializer`]s; fused ops in [`fused`];
//! - [`losses`] and [`metrics`];
//! - [`optim`]: SGD, RMSprop, Adam, AdamW with Keras's defaults, schedules and clipping;
//! - [`train`]: `fit` / `evaluate` / `predict` with [`train::History`], callbacks and K-fold;
//! - [`data`]: CSV loading, vectorization, normalization, imputation, splits and batches;
//! - [`history_plot`]: training curves to PNG and SVG (on [`plot`]); [`LastLayer`]: the
//!   course's table of last activation and loss per task;
//! - [`word2vec`]: skip-gram and CBOW embeddings.
//!
//! Runnable examples live in `examples/`; run one with `cargo run --release --example NAME`.

pub mod activations;
pub mod atomic_file;
pub mod data;
pub mod fused;
pub mod history_plot;
mod init;
mod last_layer;
pub mod layers;
pub mod losses;
pub mod metrics;
pub mod optim;
pub mod plot;
mod regularizers;
pub mod train;
pub mod word2vec;

pub use activations::Activation;
pub use init::Initializer;
pub use last_layer::LastLayer;
pub use layers::{Dense, Dropout, Layer, Sequential};
pub use regularizers::Regularizer;
