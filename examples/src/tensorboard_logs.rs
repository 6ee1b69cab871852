//! `fit` with the examples' `--tensorboard DIR`: the TensorBoard callback (histograms every 5
//! epochs, batch scalars every 10 steps), the History and the parameter sizes beside the logs as
//! `history.csv` and `parameters.csv` (what `examples/tensorboard/check_logs.py` compares the
//! logs with), and the command that opens them.

use std::error::Error;
use std::io::Write;
use std::path::Path;

use nn::atomic_file::write_atomically;
use nn::tensorboard::{TensorBoard, UpdateFreq};
use nn::train::{Callback, Feed, FitOptions, History, Model};
use nn::{Module, Tensor};

/// `model.fit(x, y, options)`, logged for TensorBoard under `tensorboard` when it is given.
pub fn fit_logged<N: Module<f32>>(
    model: &mut Model<f32, N>,
    x: &Tensor<f32>,
    y: &Tensor<f32>,
    options: &FitOptions<'_, f32>,
    tensorboard: Option<&Path>,
) -> Result<History, Box<dyn Error>>
where
    Tensor<f32>: Feed<f32, N>,
{
    let Some(dir) = tensorboard else {
        return Ok(model.fit(x, y, options, &mut [])?);
    };
    let mut board = TensorBoard::new(dir)
        .histogram_freq(5)
        .update_freq(UpdateFreq::Batches(10));
    let history = model.fit(x, y, options, &mut [&mut board as &mut dyn Callback<f32>])?;
    write_history_csv(&dir.join("history.csv"), &history)?;
    write_atomically(&dir.join("parameters.csv"), |out| {
        writeln!(out, "path,size")?;
        for (path, p) in model.net.named_params() {
            writeln!(out, "{path},{}", p.value().numel())?;
        }
        Ok(())
    })?;
    println!(
        "TensorBoard logs in {0} (with history.csv, parameters.csv); see them with: tensorboard --logdir {0}",
        dir.display()
    );
    Ok(history)
}

/// One row per epoch, one column per History key, every value written so that it reads back
/// exactly.
fn write_history_csv(path: &Path, history: &History) -> std::io::Result<()> {
    write_atomically(path, |out| {
        let keys: Vec<&str> = history.keys().collect();
        writeln!(out, "epoch,{}", keys.join(","))?;
        for epoch in 0..history.epochs() {
            write!(out, "{epoch}")?;
            for key in &keys {
                let value = history.get(key).and_then(|v| v.get(epoch));
                write!(out, ",{}", value.map_or(String::new(), f64::to_string))?;
            }
            writeln!(out)?;
        }
        Ok(())
    })
}
