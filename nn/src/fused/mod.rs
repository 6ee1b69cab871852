//! Fused primitive ops: one tape node each, with a hand-written backward.
//!
//! - [`linear`]: `x·W + b` for a dense input;
//! - [`linear_sparse`]: the same for a [`SparseRows`](crate::data::SparseRows) input (multi-hot
//!   text), touching only the non-zeros.

mod linear;
mod linear_sparse;

pub use linear::linear;
pub use linear_sparse::linear_sparse;
