//! Fused primitive ops: one tape node each, with a hand-written backward.
//!
//! - [`linear`]: `x·W + b` for a dense input;
//! - [`linear_sparse`]: the same for a [`SparseRows`] input (multi-hot text), touching only the
//!   non-zeros.

mod linear;
mod sparse;

pub use linear::linear;
pub use sparse::{SparseRows, linear_sparse};
