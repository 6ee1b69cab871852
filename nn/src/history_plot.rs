//! The course's two figures from a [`History`]: training vs validation loss, and training vs
//! validation accuracy (or any metric) — dots for training, a line for validation, a title,
//! axis labels and a legend — saved as PNG and SVG through [`crate::plot`] (embedded font,
//! atomic writes).
//!
//! ```no_run
//! use nn::history_plot::plot_metric;
//! # let history = nn::train::History::default();
//! plot_metric(&history, "loss", "Training and validation loss", "target/plots/loss").unwrap();
//! // writes target/plots/loss.png and target/plots/loss.svg
//! ```

use std::path::Path;

use crate::plot::{Figure, PlotError};
use crate::train::History;

/// Plots `key` (dots) and `val_<key>` (a line, when present) per epoch into `<stem>.png` and
/// `<stem>.svg`, creating the directory if needed.
///
/// # Errors
/// [`PlotError::Draw`] if the history has no `key`; [`PlotError::Io`] if a file cannot be
/// written.
pub fn plot_metric(
    history: &History,
    key: &str,
    title: &str,
    stem: impl AsRef<Path>,
) -> Result<(), PlotError> {
    let train = history
        .get(key)
        .ok_or_else(|| PlotError::Draw(format!("the history has no `{key}`")))?;
    let points = |v: &[f64]| {
        v.iter()
            .enumerate()
            .map(|(e, &y)| (e as f64 + 1.0, y))
            .collect()
    };
    let mut figure = Figure::new(title)
        .labels("Epochs", key)
        .size(800, 560)
        .dots(format!("Training {key}"), points(train));
    if let Some(val) = history.get(&format!("val_{key}")) {
        figure = figure.line(format!("Validation {key}"), points(val));
    }
    let stem = stem.as_ref();
    if let Some(dir) = stem.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| PlotError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    for ext in ["png", "svg"] {
        let mut name = stem.file_name().unwrap_or_default().to_os_string();
        name.push(format!(".{ext}"));
        figure.save(stem.with_file_name(name))?;
    }
    Ok(())
}

/// The course's two figures in `dir`: `loss.png`/`.svg` ("Training and validation loss") and
/// `METRIC.png`/`.svg` ("Training and validation METRIC").
///
/// # Errors
/// As [`plot_metric`].
pub fn plot_loss_and_metric(
    history: &History,
    metric: &str,
    dir: impl AsRef<Path>,
) -> Result<(), PlotError> {
    let dir = dir.as_ref();
    plot_metric(
        history,
        "loss",
        "Training and validation loss",
        dir.join("loss"),
    )?;
    let title = format!("Training and validation {metric}");
    plot_metric(history, metric, &title, dir.join(metric))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_png_and_svg_and_reports_missing_keys() {
        let mut h = History::default();
        for e in 0..5 {
            let e = e as f64;
            h.push(&[
                ("loss".into(), 1.0 / (1.0 + e)),
                ("val_loss".into(), 1.2 / (1.0 + e) + 0.05 * e),
            ]);
        }
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("plots");
        let stem = dir.join("loss");
        plot_metric(&h, "loss", "Training and validation loss", &stem).unwrap();
        let png = std::fs::read(dir.join("loss.png")).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        let svg = std::fs::read_to_string(dir.join("loss.svg")).unwrap();
        assert!(
            svg.contains("Validation loss")
                && svg.contains("Training loss")
                && svg.contains("<circle")
        );
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2);
        let missing = plot_metric(&h, "acc", "t", &stem).unwrap_err();
        assert!(missing.to_string().contains("no `acc`"), "{missing}");
    }
}
