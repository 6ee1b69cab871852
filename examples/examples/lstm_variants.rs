//! The adding problem (Hochreiter & Schmidhuber 1997) at T = 50: the course's memory problem
//! made visible. Each sequence has 50 steps of two inputs, a random number in [0, 1) and a
//! marker that is 1 at exactly two steps (one in each half) and 0 elsewhere; the target is the
//! sum of the two marked numbers. Always answering 1 scores an MSE of 1/6 ≈ 0.167 (the variance
//! of a sum of two uniforms): a network beats it only if it remembers the first marked number
//! across up to 49 steps.
//!
//! Every recurrent layer of the crate gets the same data, size (32 units), optimizer and
//! budget; the table shows the final validation MSE against the 0.167 baseline and the seconds
//! per epoch.
//!
//! `cargo run --release --example lstm_variants [-- --epochs N]`

use std::error::Error;
use std::time::Instant;

use autodiff_core::Tensor;
use nn::losses::Loss;
use nn::optim::Optimizer;
use nn::recurrent::SimpleRnnCell;
use nn::recurrent::{Cell, CoupledLstmCell, GruCell, LstmCell, PeepholeLstmCell, Recurrent};
use nn::train::{FitOptions, Model, Validation};
use nn::{Dense, Sequential};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

/// Steps per sequence.
const STEPS: usize = 50;
/// Units in every recurrent layer.
const UNITS: usize = 32;

/// `count` adding-problem sequences `[count, STEPS, 2]` and their targets `[count, 1]`.
fn adding_problem(count: usize, seed: u64) -> (Tensor<f32>, Tensor<f32>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut x = vec![0.0_f32; count * STEPS * 2];
    let mut y = vec![0.0_f32; count];
    for (seq, target) in x.chunks_exact_mut(STEPS * 2).zip(&mut y) {
        for step in seq.chunks_exact_mut(2) {
            step[0] = rng.random::<f32>();
        }
        let first = rng.random_range(0..STEPS / 2);
        let second = rng.random_range(STEPS / 2..STEPS);
        for at in [first, second] {
            seq[at * 2 + 1] = 1.0;
            *target += seq[at * 2];
        }
    }
    (
        Tensor::from_vec(x, [count, STEPS, 2]),
        Tensor::from_vec(y, [count, 1]),
    )
}

/// One row of the table: final validation MSE and seconds per epoch.
struct Row {
    name: &'static str,
    val_mse: f64,
    seconds_per_epoch: f64,
}

/// Trains `cell` → Dense 1 on the adding problem.
fn train<C: Cell>(
    name: &'static str,
    cell: C,
    epochs: usize,
    data: &Data,
) -> Result<Row, Box<dyn Error>> {
    let net = Sequential::new()
        .add(
            Recurrent::<f32, C>::with_cell(cell, 2, UNITS)
                .seed(1)
                .output_only(),
        )
        .add(Dense::new(UNITS, 1).seed(2));
    let mut model = Model::new(net, Loss::MeanSquaredError, Optimizer::adam(3e-3), vec![]);
    let options = FitOptions {
        epochs,
        batch_size: 50,
        validation: Validation::Data(&data.val_x, &data.val_y),
        verbose: false,
        ..FitOptions::default()
    };
    let start = Instant::now();
    let history = model.fit(&data.train_x, &data.train_y, &options, &mut [])?;
    let seconds_per_epoch = start.elapsed().as_secs_f64() / epochs as f64;
    let val = history.get("val_loss").ok_or("no val_loss in History")?;
    let val_mse = *val.last().ok_or("no epoch ran")?;
    println!("{name:<22} val MSE {val_mse:.4}  ({seconds_per_epoch:.2} s/epoch)");
    let tag = name.replace(|c: char| !c.is_ascii_alphanumeric(), "_");
    examples::Digest::new()
        .history(&format!("{tag}.history"), &history)
        .model(&format!("{tag}.weights"), &model)
        .tensor(
            &format!("{tag}.predictions"),
            &model.predict(&data.val_x, 500)?,
        )
        .print();
    Ok(Row {
        name,
        val_mse,
        seconds_per_epoch,
    })
}

/// Training and validation sets.
struct Data {
    train_x: Tensor<f32>,
    train_y: Tensor<f32>,
    val_x: Tensor<f32>,
    val_y: Tensor<f32>,
}

fn main() -> Result<(), Box<dyn Error>> {
    let epochs =
        examples::cli::epochs_or_exit("usage: lstm_variants [--epochs N]   (default 20)", 20);
    let (train_x, train_y) = adding_problem(5000, 0);
    let (val_x, val_y) = adding_problem(1000, 1);
    let data = Data {
        train_x,
        train_y,
        val_x,
        val_y,
    };
    println!(
        "adding problem, T = {STEPS}: 5000 training and 1000 validation sequences, {epochs} epochs"
    );
    let rows = vec![
        train("SimpleRNN", SimpleRnnCell, epochs, &data)?,
        train("LSTM", LstmCell, epochs, &data)?,
        train("peephole LSTM", PeepholeLstmCell, epochs, &data)?,
        train("coupled LSTM (CIFG)", CoupledLstmCell, epochs, &data)?,
        train("GRU (reset after)", GruCell::default(), epochs, &data)?,
        train("GRU (reset before)", GruCell::reset_before(), epochs, &data)?,
    ];
    println!("\n| layer | val MSE (baseline 0.167) | s/epoch |\n|---|---|---|");
    for row in rows {
        println!(
            "| {} | {:.4} | {:.2} |",
            row.name, row.val_mse, row.seconds_per_epoch
        );
    }
    Ok(())
}
