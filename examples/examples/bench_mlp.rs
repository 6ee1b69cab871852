//! Times the `mlp_imdb_b512` workload alone and prints `NAME MS_PER_STEP`, like the
//! workspace's bench example: `cargo run --release --example bench_mlp`.
//! Threads for the matrix products come from `MATMUL_NUM_THREADS` (matrixmultiply).

fn main() {
    let ms = examples::workloads::mlp_imdb_b512_step_ms();
    println!("mlp_imdb_b512 {ms:.3}");
}
