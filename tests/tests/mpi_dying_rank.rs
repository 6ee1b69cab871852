//! A rank that dies or hangs in the middle of a data-parallel `fit`: `tests/mpi.sh` starts this
//! under mpirun and checks from outside that the whole job ends within the stated time, with a
//! non-zero status and a message saying what happened (feature `mpi`; no test harness).
//!
//! The first argument is the scenario; in both, rank 1 leaves at batch 1 of epoch 1 while the
//! others go on to the gradients' all-reduce (collectives time out after 2 s):
//! - `kill`: rank 1 kills itself with SIGKILL;
//! - `hang`: rank 1 sleeps for an hour.
//!
//! Rank 1 prints when it leaves (Unix time in milliseconds), so that the driver can tell how
//! long the job took to end after it.
//!
//! Finishing `fit` is a failure: the process prints so and exits 0, which the driver refuses.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use autodiff_core::Tensor;
use nn::distributed::Distributed;
use nn::losses::Loss;
use nn::optim::Optimizer;
use nn::train::{BatchTransform, DataParallel, FitOptions, Model};
use nn::{Dense, Sequential};

/// What rank 1 does at batch 1 of epoch 1.
#[derive(Debug, Clone, Copy)]
enum Scenario {
    Kill,
    Hang,
}

#[derive(Debug)]
struct Leave {
    scenario: Scenario,
    rank: usize,
}

impl BatchTransform<Tensor<f64>> for Leave {
    fn transform(&self, batch: Tensor<f64>, epoch: usize, step: usize) -> Tensor<f64> {
        if self.rank == 1 && (epoch, step) == (1, 1) {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default();
            eprintln!(
                "rank 1: leaving ({:?}) at {} ms",
                self.scenario,
                now.as_millis()
            );
            if let Scenario::Kill = self.scenario {
                let pid = std::process::id().to_string();
                let _ = std::process::Command::new("kill")
                    .args(["-KILL", &pid])
                    .status();
            }
            std::thread::sleep(Duration::from_secs(3600));
        }
        batch
    }
}

fn main() {
    let scenario = match std::env::args().nth(1).as_deref() {
        Some("kill") => Scenario::Kill,
        Some("hang") => Scenario::Hang,
        other => {
            eprintln!("mpi_dying_rank: the scenario is `kill` or `hang`, not {other:?}");
            std::process::exit(2);
        }
    };
    let dist = Distributed::init()
        .expect("MPI initialises once")
        .timeout(Duration::from_secs(2));
    let x = Tensor::<f64>::normal([64, 3], 0.0, 1.0, 1);
    let y = Tensor::<f64>::normal([64, 1], 0.0, 1.0, 3);
    let mut model = Model::new(
        Sequential::new().add(Dense::new(3, 1).seed(1)),
        Loss::MeanSquaredError,
        Optimizer::adam(0.01),
        vec![],
    );
    let leave = Leave {
        scenario,
        rank: dist.rank(),
    };
    let options = FitOptions {
        epochs: 3,
        batch_size: 4,
        verbose: false,
        augment: Some(&leave),
        data_parallel: Some(&dist as &dyn DataParallel<f64>),
        ..FitOptions::default()
    };
    let result = model.fit(&x, &y, &options, &mut []);
    println!(
        "rank {}: fit returned ({}); it should not have",
        dist.rank(),
        if result.is_ok() { "Ok" } else { "an error" }
    );
}
