//! Drawing a [`Figure`] with plotters, on a bitmap (PNG) or SVG backend.

use std::io::Write;
use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::error::PlotError;
use super::figure::{Figure, Series};
use super::font::{FAMILY, ensure_font};
use crate::atomic_file::{temp_path, write_atomically};

const PALETTE: [RGBColor; 6] = [BLUE, RED, GREEN, MAGENTA, CYAN, BLACK];

/// Renders to a PNG file through a temporary file in the same directory.
pub(super) fn png(fig: &Figure, path: &Path) -> Result<(), PlotError> {
    ensure_font()?;
    let tmp = temp_path(path);
    let drawn = {
        let root = BitMapBackend::new(&tmp, fig.size).into_drawing_area();
        draw(fig, &root)
    };
    let result = drawn.map_err(PlotError::Draw).and_then(|()| {
        std::fs::rename(&tmp, path).map_err(|source| PlotError::Io {
            path: path.to_path_buf(),
            source,
        })
    });
    if result.is_err() {
        // Best effort: the temporary may never have been created.
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Renders to an SVG file, written atomically.
pub(super) fn svg(fig: &Figure, path: &Path) -> Result<(), PlotError> {
    ensure_font()?;
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, fig.size).into_drawing_area();
        draw(fig, &root).map_err(PlotError::Draw)?;
    }
    write_atomically(path, |w| w.write_all(text.as_bytes())).map_err(|source| PlotError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn draw<DB: DrawingBackend>(fig: &Figure, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
    let e = |err: DrawingAreaErrorKind<DB::ErrorType>| err.to_string();
    root.fill(&WHITE).map_err(e)?;
    let (x0, x1, y0, y1) = fig.bounds();
    let mut chart = ChartBuilder::on(root)
        .caption(&fig.title, (FAMILY, 26))
        .margin(20)
        .x_label_area_size(45)
        .y_label_area_size(60)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(e)?;
    chart
        .configure_mesh()
        .x_desc(fig.x_label.as_str())
        .y_desc(fig.y_label.as_str())
        .label_style((FAMILY, 15))
        .axis_desc_style((FAMILY, 17))
        .draw()
        .map_err(e)?;
    let mut legend = false;
    for (k, series) in fig.series.iter().enumerate() {
        let color = PALETTE[k % PALETTE.len()];
        match series {
            Series::Line { name, points } => {
                chart
                    .draw_series(LineSeries::new(
                        points.iter().copied(),
                        color.stroke_width(2),
                    ))
                    .map_err(e)?
                    .label(name.as_str())
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
                    });
                legend = true;
            }
            Series::Dots { name, points } => {
                chart
                    .draw_series(points.iter().map(|&p| Circle::new(p, 4, color.filled())))
                    .map_err(e)?
                    .label(name.as_str())
                    .legend(move |(x, y)| Circle::new((x + 10, y), 4, color.filled()));
                legend = true;
            }
            Series::Segments { segments } => {
                let grey = RGBColor(150, 150, 150);
                chart
                    .draw_series(
                        segments
                            .iter()
                            .map(|&(a, b)| PathElement::new(vec![a, b], grey.stroke_width(1))),
                    )
                    .map_err(e)?;
            }
            Series::Labelled { points } => {
                chart
                    .draw_series(points.iter().map(|(x, y, label)| {
                        EmptyElement::at((*x, *y))
                            + Circle::new((0, 0), 4, color.filled())
                            + Text::new(label.clone(), (7, -8), (FAMILY, 16).into_font())
                    }))
                    .map_err(e)?;
            }
        }
    }
    if legend {
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .label_font((FAMILY, 15))
            .draw()
            .map_err(e)?;
    }
    root.present().map_err(e)
}
