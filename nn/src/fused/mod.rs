//! Fused primitive ops: one tape node each, with a hand-written backward.
//!
//! - [`linear`]: `x·W + b` for a dense input;
//! - [`linear_sparse`]: the same for a [`SparseRows`](crate::data::SparseRows) input (multi-hot
//!   text), touching only the non-zeros;
//! - [`conv2d`]: the 2-D convolution as column matrix + gemm ([`Conv2dOptions`]), and
//!   [`conv2d_relu`] with its ReLU fused in;
//! - [`zero_pad2d`]: zeros around an NCHW batch's height and width;
//! - [`embedding_lookup`] (and [`embedding_lookup_padded`]): rows of a weight table picked by
//!   token ids, scatter-added back;
//! - [`max_pool2d`], [`avg_pool2d`] over a [`PoolWindow`], and [`global_avg_pool2d`], on NCHW
//!   images;
//! - [`batch_norm_train`] (batch statistics, closed-form backward) and [`batch_norm_eval`]
//!   (running statistics).
//!
//! Each is `#[track_caller]`: anomaly detection and shape errors name the line that called it,
//! not a line inside `nn`.

mod avg_pool;
mod batch_norm;
pub(crate) mod conv2d;
mod embedding_lookup;
mod linear;
mod linear_sparse;
mod max_pool;
mod pool_window;
mod zero_pad2d;

pub use avg_pool::{avg_pool2d, global_avg_pool2d};
pub use batch_norm::{BatchNormTrain, batch_norm_eval, batch_norm_train};
pub use conv2d::{Conv2dOptions, conv2d, conv2d_relu};
pub use embedding_lookup::{embedding_lookup, embedding_lookup_padded};
pub use linear::linear;
pub use linear_sparse::linear_sparse;
pub use max_pool::max_pool2d;
pub use pool_window::{PoolWindow, Size2d};
pub use zero_pad2d::zero_pad2d;
