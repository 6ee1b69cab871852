//! Runnable examples live in `examples/`; run one with `cargo run --release --example NAME`.
