//! [`save_image_grid`]: small grey-scale images (a convolution's filters, its feature maps)
//! side by side in one PNG, the course's "what the convnet learned" pictures.

use std::path::Path;

use autodiff_core::{Float, Tensor};
use plotters::prelude::*;

use super::error::PlotError;
use crate::atomic_file::temp_path;

/// Saves `images` (`[n, h, w]`, or `[n, 1, h, w]`) as a grid of `columns` columns in a PNG,
/// each image pixel a `scale`×`scale` square, images one square apart. Each image is stretched
/// to its own range: its smallest value black, its largest white (a constant image is grey).
/// The file is written through a temporary file, so a failure leaves no half-written image.
///
/// ```no_run
/// use autodiff_core::Tensor;
/// # fn main() -> Result<(), nn::plot::PlotError> {
/// let filters = Tensor::<f32>::normal([16, 1, 3, 3], 0.0, 1.0, 1);
/// nn::plot::save_image_grid("filters.png", &filters, 8, 16)?;
/// # Ok(())
/// # }
/// ```
///
/// # Panics
/// If `images` is not `[n, h, w]` or `[n, 1, h, w]`, naming its shape, or if `columns` or
/// `scale` is 0.
pub fn save_image_grid<T: Float>(
    path: impl AsRef<Path>,
    images: &Tensor<T>,
    columns: usize,
    scale: u32,
) -> Result<(), PlotError> {
    let path = path.as_ref();
    let dims = images.dims().to_vec();
    let (n, h, w) = match dims[..] {
        [n, h, w] | [n, 1, h, w] => (n, h, w),
        _ => panic!("save_image_grid: images {dims:?} must be [n, h, w] or [n, 1, h, w]"),
    };
    assert!(
        columns > 0 && scale > 0,
        "save_image_grid: columns and scale must be positive"
    );
    if path.extension().and_then(|e| e.to_str()) != Some("png") {
        return Err(PlotError::UnknownFormat(path.to_path_buf()));
    }
    let rows = n.div_ceil(columns).max(1);
    let cell = |count: usize, side: usize| ((count * (side + 1) + 1) as u32) * scale;
    let tmp = temp_path(path);
    let drawn = {
        let root = BitMapBackend::new(&tmp, (cell(columns, w), cell(rows, h))).into_drawing_area();
        draw(&root, images.data(), [n, h, w], columns, scale)
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

fn draw<T: Float, DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    data: &[T],
    [n, h, w]: [usize; 3],
    columns: usize,
    scale: u32,
) -> Result<(), String> {
    let e = |err: DrawingAreaErrorKind<DB::ErrorType>| err.to_string();
    root.fill(&RGBColor(200, 200, 210)).map_err(e)?;
    let s = scale as i32;
    for (k, image) in data.chunks(h * w).take(n).enumerate() {
        let values: Vec<f64> = image.iter().map(|v| v.to_f64().unwrap_or(0.0)).collect();
        let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let (left, top) = (
            (k % columns * (w + 1) + 1) as i32,
            (k / columns * (h + 1) + 1) as i32,
        );
        for (p, &v) in values.iter().enumerate() {
            let grey = if hi > lo { (v - lo) / (hi - lo) } else { 0.5 };
            let level = (grey * 255.0).round() as u8;
            let (x, y) = ((left + (p % w) as i32) * s, (top + (p / w) as i32) * s);
            let square = Rectangle::new(
                [(x, y), (x + s, y + s)],
                RGBColor(level, level, level).filled(),
            );
            root.draw(&square).map_err(e)?;
        }
    }
    root.present().map_err(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The width and height a PNG's header declares.
    fn png_size(bytes: &[u8]) -> (u32, u32) {
        assert_eq!(&bytes[1..4], b"PNG");
        let be = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
        (be(16), be(20))
    }

    #[test]
    fn grids_have_one_square_between_images_and_other_formats_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let five = Tensor::<f32>::normal([5, 1, 3, 2], 0.0, 1.0, 1);
        save_image_grid(dir.path().join("g.png"), &five, 2, 4).unwrap();
        let png = std::fs::read(dir.path().join("g.png")).unwrap();
        // 2 columns of 2 + 1 squares plus 1, 3 rows of 3 + 1 plus 1, 4 pixels a square
        assert_eq!(png_size(&png), ((2 * 3 + 1) * 4, (3 * 4 + 1) * 4));

        let flat = Tensor::<f64>::zeros([1, 2, 2]);
        let svg = dir.path().join("g.svg");
        assert!(matches!(
            save_image_grid(&svg, &flat, 1, 1),
            Err(PlotError::UnknownFormat(p)) if p == svg
        ));
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["g.png"]);
    }

    #[test]
    #[should_panic(
        expected = "save_image_grid: images [2, 3, 4, 4] must be [n, h, w] or [n, 1, h, w]"
    )]
    fn colour_images_are_refused_naming_their_shape() {
        let _ = save_image_grid("never.png", &Tensor::<f32>::zeros([2, 3, 4, 4]), 1, 1);
    }
}
