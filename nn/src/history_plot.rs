//! The course's two figures from a [`History`]: training vs validation loss, and training vs
//! validation accuracy (or any metric) — dots for training, a line for validation, a title,
//! axis labels and a legend — written as PNG and SVG.
//!
//! Text is drawn with DejaVu Sans embedded in the crate (`assets/`, Bitstream Vera licence), so
//! no system font is needed. Files are written under a temporary name and renamed, so a failed
//! plot never leaves half a file.
//!
//! ```no_run
//! use nn::history_plot::plot_metric;
//! # let history = nn::train::History::default();
//! plot_metric(&history, "loss", "Training and validation loss", "target/plots/loss").unwrap();
//! // writes target/plots/loss.png and target/plots/loss.svg
//! ```

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};

use crate::train::History;

static FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");
static REGISTER: Once = Once::new();

/// Why a plot could not be written.
#[derive(Debug)]
pub enum PlotError {
    /// The history has no values under the key.
    MissingKey(String),
    /// Drawing or writing the file failed.
    Draw {
        /// The file being written.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

impl fmt::Display for PlotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlotError::MissingKey(k) => write!(f, "the history has no `{k}`"),
            PlotError::Draw { path, message } => write!(f, "{}: {message}", path.display()),
        }
    }
}

impl std::error::Error for PlotError {}

/// Plots `key` (dots) and `val_<key>` (line, when present) per epoch into `<stem>.png` and
/// `<stem>.svg`, creating the directory if needed.
pub fn plot_metric(
    history: &History,
    key: &str,
    title: &str,
    stem: impl AsRef<Path>,
) -> Result<(), PlotError> {
    REGISTER.call_once(|| {
        // The embedded font is valid; should it not be, text is skipped, nothing else.
        let _ = register_font("sans-serif", FontStyle::Normal, FONT);
    });
    let train = history
        .get(key)
        .ok_or_else(|| PlotError::MissingKey(key.to_string()))?;
    let val = history.get(&format!("val_{key}"));
    let stem = stem.as_ref();
    let fail = |path: &Path, e: &dyn fmt::Display| PlotError::Draw {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    if let Some(dir) = stem.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| fail(dir, &e))?;
    }
    let with_ext = |suffix: &str| {
        let mut name = stem.file_name().unwrap_or_default().to_os_string();
        name.push(suffix);
        stem.with_file_name(name)
    };
    let (png, png_tmp) = (with_ext(".png"), with_ext(".partial.png"));
    {
        let root = BitMapBackend::new(&png_tmp, (800, 560)).into_drawing_area();
        draw(&root, key, title, train, val).map_err(|e| fail(&png, &e))?;
        root.present().map_err(|e| fail(&png, &e))?;
    }
    std::fs::rename(&png_tmp, &png).map_err(|e| fail(&png, &e))?;
    let mut svg_text = String::new();
    {
        let root = SVGBackend::with_string(&mut svg_text, (800, 560)).into_drawing_area();
        draw(&root, key, title, train, val).map_err(|e| fail(stem, &e))?;
        root.present().map_err(|e| fail(stem, &e))?;
    }
    let (svg, svg_tmp) = (with_ext(".svg"), with_ext(".partial.svg"));
    std::fs::write(&svg_tmp, svg_text).map_err(|e| fail(&svg, &e))?;
    std::fs::rename(&svg_tmp, &svg).map_err(|e| fail(&svg, &e))
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    key: &str,
    title: &str,
    train: &[f64],
    val: Option<&[f64]>,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let all = train
        .iter()
        .chain(val.into_iter().flatten())
        .copied()
        .filter(|v| v.is_finite());
    let (lo, hi) = all.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    let (lo, hi) = if lo < hi {
        (lo, hi)
    } else {
        (lo - 1.0, lo + 1.0)
    };
    let pad = 0.05 * (hi - lo);
    let epochs = train.len().max(val.map_or(0, <[f64]>::len)).max(2);
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 26))
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(72)
        .build_cartesian_2d(0.5..epochs as f64 + 0.5, (lo - pad)..(hi + pad))?;
    chart
        .configure_mesh()
        .x_desc("Epochs")
        .y_desc(key)
        .label_style(("sans-serif", 15))
        .axis_desc_style(("sans-serif", 18))
        .draw()?;
    let points = |v: &[f64]| {
        v.iter()
            .enumerate()
            .map(|(e, &y)| (e as f64 + 1.0, y))
            .collect::<Vec<_>>()
    };
    chart
        .draw_series(
            points(train)
                .into_iter()
                .map(|p| Circle::new(p, 4, BLUE.filled())),
        )?
        .label(format!("Training {key}"))
        .legend(|(x, y)| Circle::new((x + 10, y), 4, BLUE.filled()));
    if let Some(val) = val {
        chart
            .draw_series(LineSeries::new(points(val), RED.stroke_width(2)))?
            .label(format!("Validation {key}"))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], RED.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .label_font(("sans-serif", 16))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
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
        let dir = std::env::temp_dir().join(format!("nn_plot_test_{}", std::process::id()));
        let stem = dir.join("loss");
        plot_metric(&h, "loss", "Training and validation loss", &stem).unwrap();
        let png = std::fs::read(dir.join("loss.png")).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        let svg = std::fs::read_to_string(dir.join("loss.svg")).unwrap();
        assert!(svg.contains("Validation loss") && svg.contains("<circle"));
        assert!(!dir.join("loss.partial.png").exists());
        assert!(matches!(
            plot_metric(&h, "acc", "t", &stem),
            Err(PlotError::MissingKey(_))
        ));
    }
}
