//! Neural-network building blocks on top of `autodiff-core`.

pub mod atomic_file;
pub mod plot;
pub mod word2vec;
