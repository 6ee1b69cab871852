//! The benchmark twin of `../shared/bench/torch_bench.py`: one training step per workload,
//! printed as `NAME MS_PER_STEP`, so `compare.sh` can pair each line with PyTorch's.
//!
//! `cargo run --release --example bench -- [--threads N] [NAME...]`

use std::process::ExitCode;
use std::time::Instant;

use autodiff_core::{Tape, Tensor};
use examples::cli::{Arg, parse_or_exit};

/// Runs `step` `warm` times untimed, then returns the mean milliseconds of `reps` runs
/// (the same protocol as the PyTorch twin).
fn time_ms(warm: usize, reps: usize, mut step: impl FnMut()) -> f64 {
    for _ in 0..warm {
        step();
    }
    let start = Instant::now();
    for _ in 0..reps {
        step();
    }
    start.elapsed().as_secs_f64() * 1e3 / reps as f64
}

/// 250 × (z = tanh(z·1.01 + 0.1)·z) on 4 elements, then sum and backward: 1000 recorded ops,
/// so this measures the tape's own cost. The tape is cleared and reused between steps.
fn tiny_ops_1000() -> f64 {
    let a = Tensor::<f32>::normal([4], 0.0, 1.0, 0);
    let mut tape = Tape::new();
    time_ms(3, 20, || {
        {
            let x = tape.var(a.clone());
            let mut z = x;
            for _ in 0..250 {
                z = (z * 1.01 + 0.1).tanh() * z;
            }
            let grads = z.sum().backward();
            std::hint::black_box(grads.wrt(x));
        }
        tape.clear();
    })
}

/// GFLOP/s of one f32 512×512×512 matrix product.
fn matmul_512_gflops() -> f64 {
    let a = Tensor::<f32>::normal([512, 512], 0.0, 1.0, 1);
    let b = Tensor::<f32>::normal([512, 512], 0.0, 1.0, 2);
    let ms = time_ms(3, 20, || {
        std::hint::black_box(a.matmul(&b));
    });
    2.0 * 512f64.powi(3) / (ms * 1e-3) / 1e9
}

/// A workload's name (shared with the PyTorch twin) and its timing function.
type Workload = (&'static str, fn() -> f64);

const USAGE: &str = "usage: bench [--threads N] [NAME...]
  --threads N  threads for the matrix products (default 1)
  NAME         the workloads to run (default: all), printed as `NAME MS_PER_STEP`";

const WORKLOADS: &[Workload] = &[
    ("tiny_ops_1000", tiny_ops_1000),
    ("matmul_512_gflops", matmul_512_gflops),
    ("mlp_imdb_b512", examples::workloads::mlp_imdb_b512_step_ms),
    (
        "mlp_imdb_dense_b512",
        examples::workloads::mlp_imdb_dense_b512_step_ms,
    ),
    ("cnn_mnist_b64", examples::workloads::cnn_mnist_b64_step_ms),
    (
        "lstm_char_b32_t64_h128",
        examples::workloads::lstm_char_b32_t64_h128_step_ms,
    ),
    (
        "gru_char_b32_t64_h128",
        examples::workloads::gru_char_b32_t64_h128_step_ms,
    ),
    (
        "peephole_lstm_char_b32_t64_h128",
        examples::workloads::peephole_lstm_char_b32_t64_h128_step_ms,
    ),
];

fn main() -> ExitCode {
    let (threads, names) = parse_or_exit(USAGE, |flags| {
        let (mut threads, mut names) = (1, Vec::new());
        while let Some(arg) = flags.next_arg()? {
            match arg {
                Arg::Flag(name) if name == "threads" => threads = flags.positive()?,
                Arg::Positional(name) => names.push(name),
                Arg::Flag(_) => return Err(flags.unexpected()),
            }
        }
        Ok((threads, names))
    });
    // SAFETY: no other thread exists yet; matrixmultiply reads this once, at its first product.
    unsafe { std::env::set_var("MATMUL_NUM_THREADS", threads.to_string()) };
    for name in &names {
        if !WORKLOADS.iter().any(|(n, _)| n == name) {
            eprintln!("bench: no workload named {name}");
            return ExitCode::from(2);
        }
    }
    for (name, run) in WORKLOADS {
        if names.is_empty() || names.iter().any(|n| n == name) {
            println!("{name} {:.4}", run());
        }
    }
    ExitCode::SUCCESS
}
