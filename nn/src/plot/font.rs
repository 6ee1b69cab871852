//! The shipped font, registered once with plotters' `ab_glyph` renderer.

use std::sync::OnceLock;

use plotters::style::FontStyle;

use super::error::PlotError;

/// DejaVu Sans (Bitstream Vera licence, see `nn/assets/fonts/DejaVuSans-LICENSE.txt`).
static DEJAVU_SANS: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// The family name figures use.
pub(super) const FAMILY: &str = "sans-serif";

/// Registers the font under [`FAMILY`] on first use.
pub(super) fn ensure_font() -> Result<(), PlotError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        plotters::style::register_font(FAMILY, FontStyle::Normal, DEJAVU_SANS).is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(PlotError::Draw(
            "the shipped font could not be parsed".into(),
        ))
    }
}
