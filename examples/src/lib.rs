//! Shared code of the runnable examples, and the benchmark workloads the workspace's bench
//! example calls.

pub mod workloads;
