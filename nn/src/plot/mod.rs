//! Simple 2-D figures saved as PNG or SVG: labelled scatter plots (words after PCA) and line plots
//! (training curves), drawn with `plotters`; grids of small images ([`save_image_grid`]:
//! filters, feature maps).
//!
//! Text is drawn with DejaVu Sans, shipped in `nn/assets/fonts` (its licence beside it) and
//! compiled into the library, so plots render the same on a machine without any system fonts.
//!
//! ```no_run
//! use nn::plot::Figure;
//!
//! # fn main() -> Result<(), nn::plot::PlotError> {
//! Figure::new("loss")
//!     .labels("epoch", "loss")
//!     .line("train", vec![(1.0, 0.9), (2.0, 0.5), (3.0, 0.4)])
//!     .line("validation", vec![(1.0, 1.0), (2.0, 0.7), (3.0, 0.65)])
//!     .save("loss.png")?;
//! # Ok(())
//! # }
//! ```

mod error;
mod figure;
mod font;
mod image_grid;
mod render;

pub use error::PlotError;
pub use figure::{Figure, Series};
pub use image_grid::save_image_grid;
