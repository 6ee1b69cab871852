//! Fused primitive ops: one tape node each, with a hand-written backward.
//!
//! - [`linear`]: `x·W + b` for a dense input;
//! - [`linear_sparse`]: the same for a [`SparseRows`](crate::data::SparseRows) input (multi-hot
//!   text), touching only the non-zeros;
//! - [`embedding_lookup`]: rows of a weight table picked by token ids, scatter-added back.

mod embedding_lookup;
mod linear;
mod linear_sparse;

pub use embedding_lookup::embedding_lookup;
pub use linear::linear;
pub use linear_sparse::linear_sparse;
