//! Benchmark workloads, each the twin of one in `shared/bench/torch_bench.py`, returning the
//! mean milliseconds per training step.

mod char_rnn;
mod cnn_mnist;
mod mlp_imdb;

pub use char_rnn::{
    gru_char_b32_t64_h128_step_ms, lstm_char_b32_t64_h128_step_ms,
    peephole_lstm_char_b32_t64_h128_step_ms,
};
pub use cnn_mnist::cnn_mnist_b64_step_ms;
pub use mlp_imdb::{mlp_imdb_b512_step_ms, mlp_imdb_dense_b512_step_ms};
