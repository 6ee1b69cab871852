//! [`ImageTransform`]: one shift, rotation, zoom and flip of an image, applied by sampling each
//! output pixel from the input bilinearly; [`FillMode`]: what lies outside the image.

use autodiff_core::{Float, Tensor};

/// What an output pixel whose source lies outside the image gets (Keras's `fill_mode`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum FillMode {
    /// The nearest edge pixel (Keras's default).
    #[default]
    Nearest,
    /// A constant value (Keras's `"constant"` with `cval`).
    Constant(f64),
}

/// A geometric transform of an image: zoom about the centre, then rotation about the centre,
/// then the shift, then the flip. Pixels are sampled bilinearly, so whole-pixel shifts and
/// flips move values exactly and the identity changes nothing.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ImageTransform {
    /// `[down, right]` in pixels: the content moves by this much.
    pub shift: [f64; 2],
    /// Degrees, counter-clockwise as seen with row 0 on top.
    pub rotation: f64,
    /// `[height, width]` factors of the sampled region, as Keras's: 0.5 shows the middle half
    /// magnified twice, 2 shrinks the image to half its size.
    pub zoom: [f64; 2],
    /// Mirrors left to right.
    pub flip: bool,
}

impl ImageTransform {
    /// The transform that changes nothing.
    pub const IDENTITY: ImageTransform = ImageTransform {
        shift: [0.0, 0.0],
        rotation: 0.0,
        zoom: [1.0, 1.0],
        flip: false,
    };

    /// `images` (`[N, C, H, W]`) each transformed by `self`.
    ///
    /// # Panics
    /// If `images` is not 4-D, naming its shape.
    pub fn apply<T: Float>(&self, images: &Tensor<T>, fill: FillMode) -> Tensor<T> {
        let dims = images.dims().to_vec();
        let [_, c, h, w] = dims[..] else {
            panic!("ImageTransform: images {dims:?} must be [N, C, H, W]");
        };
        let mut out = Tensor::zeros(dims.clone());
        let plane = c * h * w;
        if plane > 0 {
            let pairs = images
                .data()
                .chunks(plane)
                .zip(out.data_mut().chunks_mut(plane));
            for (src, dst) in pairs {
                self.apply_to_image(src, dst, [c, h, w], fill);
            }
        }
        out
    }

    /// Writes the transform of one `[c, h, w]` image `src` into `dst`.
    pub(super) fn apply_to_image<T: Float>(
        &self,
        src: &[T],
        dst: &mut [T],
        [c, h, w]: [usize; 3],
        fill: FillMode,
    ) {
        let (sin, cos) = self.rotation.to_radians().sin_cos();
        let (ci, cj) = ((h as f64 - 1.0) / 2.0, (w as f64 - 1.0) / 2.0);
        for i in 0..h {
            for out_j in 0..w {
                // Undo each step in reverse order: flip, shift, rotation, zoom.
                let j = if self.flip { w - 1 - out_j } else { out_j };
                let u = i as f64 - self.shift[0] - ci;
                let v = j as f64 - self.shift[1] - cj;
                let (u, v) = (u * cos + v * sin, v * cos - u * sin);
                let (y, x) = (ci + u * self.zoom[0], cj + v * self.zoom[1]);
                let at = i * w + out_j;
                for ch in 0..c {
                    let image = &src[ch * h * w..(ch + 1) * h * w];
                    dst[ch * h * w + at] = bilinear(image, [h, w], y, x, fill);
                }
            }
        }
    }
}

/// The value at the fractional position `(y, x)` of an `[h, w]` plane, interpolated between
/// its four neighbours; neighbours outside the plane follow `fill`.
fn bilinear<T: Float>(plane: &[T], [h, w]: [usize; 2], y: f64, x: f64, fill: FillMode) -> T {
    let (y0, x0) = (y.floor(), x.floor());
    let (fy, fx) = (y - y0, x - x0);
    let pixel = |r: f64, c: f64| -> f64 {
        let inside = r >= 0.0 && c >= 0.0 && r < h as f64 && c < w as f64;
        match fill {
            FillMode::Constant(v) if !inside => v,
            _ => {
                let r = r.clamp(0.0, h as f64 - 1.0) as usize;
                let c = c.clamp(0.0, w as f64 - 1.0) as usize;
                plane[r * w + c].to_f64().unwrap_or(0.0)
            }
        }
    };
    // Neighbours with zero weight are skipped, so whole-pixel positions copy values exactly.
    let mut value = 0.0;
    for (dy, wy) in [(0.0, 1.0 - fy), (1.0, fy)] {
        for (dx, wx) in [(0.0, 1.0 - fx), (1.0, fx)] {
            if wy * wx != 0.0 {
                value += wy * wx * pixel(y0 + dy, x0 + dx);
            }
        }
    }
    T::lit(value)
}
