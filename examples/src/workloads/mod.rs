//! Benchmark workloads, each the twin of one in `shared/bench/torch_bench.py`, returning the
//! mean milliseconds per training step.

mod mlp_imdb;

pub use mlp_imdb::{mlp_imdb_b512_step_ms, mlp_imdb_dense_b512_step_ms};
