//! A figure: title, axis labels and a list of series, built fluently and saved by file extension.

use std::path::Path;

use super::error::PlotError;
use super::render;

/// One thing drawn on a figure.
#[derive(Debug, Clone)]
pub enum Series {
    /// A named polyline, shown in the legend.
    Line {
        /// Legend text.
        name: String,
        /// Points in drawing order.
        points: Vec<(f64, f64)>,
    },
    /// Named dots, shown in the legend (training curves: one dot per epoch).
    Dots {
        /// Legend text.
        name: String,
        /// The dots.
        points: Vec<(f64, f64)>,
    },
    /// Unlabelled grey line segments `(from, to)`, e.g. joining related points.
    Segments {
        /// The segments' end points.
        segments: Vec<((f64, f64), (f64, f64))>,
    },
    /// Dots, each with a text label beside it.
    Labelled {
        /// `(x, y, label)` per dot.
        points: Vec<(f64, f64, String)>,
    },
}

/// A 2-D figure: build it, then [`Figure::save`] it as PNG or SVG.
#[derive(Debug, Clone)]
pub struct Figure {
    pub(super) title: String,
    pub(super) x_label: String,
    pub(super) y_label: String,
    pub(super) size: (u32, u32),
    pub(super) series: Vec<Series>,
}

impl Figure {
    /// An empty 900 × 700 figure with a title.
    pub fn new(title: impl Into<String>) -> Self {
        Figure {
            title: title.into(),
            x_label: String::new(),
            y_label: String::new(),
            size: (900, 700),
            series: Vec::new(),
        }
    }

    /// Sets the axis labels.
    pub fn labels(mut self, x: impl Into<String>, y: impl Into<String>) -> Self {
        self.x_label = x.into();
        self.y_label = y.into();
        self
    }

    /// Sets the size in pixels.
    pub fn size(mut self, width: u32, height: u32) -> Self {
        self.size = (width.max(100), height.max(100));
        self
    }

    /// Adds a named line.
    pub fn line(mut self, name: impl Into<String>, points: Vec<(f64, f64)>) -> Self {
        self.series.push(Series::Line {
            name: name.into(),
            points,
        });
        self
    }

    /// Adds named dots.
    pub fn dots(mut self, name: impl Into<String>, points: Vec<(f64, f64)>) -> Self {
        self.series.push(Series::Dots {
            name: name.into(),
            points,
        });
        self
    }

    /// Adds grey segments joining pairs of points (not shown in the legend).
    pub fn segments(mut self, segments: Vec<((f64, f64), (f64, f64))>) -> Self {
        self.series.push(Series::Segments { segments });
        self
    }

    /// Adds labelled dots.
    pub fn labelled_points(mut self, points: Vec<(f64, f64, String)>) -> Self {
        self.series.push(Series::Labelled { points });
        self
    }

    /// The series added so far.
    pub fn series(&self) -> &[Series] {
        &self.series
    }

    /// Saves as PNG or SVG according to the extension of `path`, atomically (a temporary file in
    /// the same directory, renamed when complete).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), PlotError> {
        let path = path.as_ref();
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
        {
            Some(e) if e == "png" => render::png(self, path),
            Some(e) if e == "svg" => render::svg(self, path),
            _ => Err(PlotError::UnknownFormat(path.to_path_buf())),
        }
    }

    /// The range of all points, widened by a margin, as `(x_min, x_max, y_min, y_max)`.
    pub(super) fn bounds(&self) -> (f64, f64, f64, f64) {
        let pts = self.series.iter().flat_map(|s| -> Vec<(f64, f64)> {
            match s {
                Series::Line { points, .. } | Series::Dots { points, .. } => points.clone(),
                Series::Segments { segments } => {
                    segments.iter().flat_map(|&(a, b)| [a, b]).collect()
                }
                Series::Labelled { points } => points.iter().map(|p| (p.0, p.1)).collect(),
            }
        });
        let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for (x, y) in pts.filter(|(x, y)| x.is_finite() && y.is_finite()) {
            (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
        }
        if x0 > x1 {
            return (0.0, 1.0, 0.0, 1.0);
        }
        let pad = |a: f64, b: f64| {
            let m = ((b - a) * 0.08).max(1e-9);
            (a - m, b + m)
        };
        let ((x0, x1), (y0, y1)) = (pad(x0, x1), pad(y0, y1));
        (x0, x1, y0, y1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saves_png_and_svg_and_rejects_other_extensions() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        let fig = Figure::new("test")
            .labels("x", "y")
            .size(300, 200)
            .line("l", vec![(0.0, 0.0), (1.0, 2.0)])
            .segments(vec![((0.0, 1.0), (0.5, 1.0))])
            .labelled_points(vec![(0.5, 1.0, "paris".into())]);
        fig.save(d.join("f.png")).unwrap();
        fig.save(d.join("f.svg")).unwrap();
        let png = std::fs::read(d.join("f.png")).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        let svg = std::fs::read_to_string(d.join("f.svg")).unwrap();
        assert!(svg.contains("paris"));
        assert!(matches!(
            fig.save(d.join("f.gif")),
            Err(PlotError::UnknownFormat(_))
        ));
        let leftovers = std::fs::read_dir(d).unwrap().count();
        assert_eq!(leftovers, 2);
    }
}
