//! Image augmentation for training, seeded: [`ImageAugmentation`] draws a random
//! [`ImageTransform`] per image (shift, rotation, zoom, horizontal flip), with the knobs of
//! Keras's `ImageDataGenerator`, and applies it to NCHW batches. Given to
//! [`FitOptions::augment`](crate::train::FitOptions::augment), it changes every training batch
//! inside `fit` and never the validation data.
//!
//! ```
//! use autodiff_core::Tensor;
//! use nn::data::{FillMode, ImageAugmentation};
//! use nn::train::BatchTransform;
//! let augment = ImageAugmentation {
//!     width_shift_range: 0.1,
//!     height_shift_range: 0.1,
//!     rotation_range: 10.0,
//!     zoom_range: 0.1,
//!     horizontal_flip: true,
//!     fill_mode: FillMode::Nearest,
//!     seed: 7,
//! };
//! let batch = Tensor::<f32>::normal([4, 1, 8, 8], 0.0, 1.0, 1);
//! let once = augment.transform(batch.clone(), 0, 0); // epoch 0, step 0
//! assert_eq!(once.dims(), [4, 1, 8, 8]);
//! assert_eq!(once, augment.transform(batch.clone(), 0, 0)); // seeded
//! assert_ne!(once, augment.transform(batch, 0, 1)); // another batch, other draws
//! ```

mod transform;

pub use transform::{FillMode, ImageTransform};

use autodiff_core::{Float, Tensor};
use rand::rngs::StdRng;
use rand::{Rng, RngExt, SeedableRng};

use crate::train::BatchTransform;

/// Random transforms of training images, Keras's `ImageDataGenerator` knobs. Every range is
/// symmetric and drawn uniformly per image; all zero (the default) leaves images unchanged.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ImageAugmentation {
    /// Shifts right or left by up to this fraction of the width.
    pub width_shift_range: f64,
    /// Shifts down or up by up to this fraction of the height.
    pub height_shift_range: f64,
    /// Mirrors left to right half of the images.
    pub horizontal_flip: bool,
    /// Rotates by up to this many degrees either way.
    pub rotation_range: f64,
    /// Zooms each axis by a factor in `[1 − zoom_range, 1 + zoom_range]`, as Keras does
    /// (below 1 magnifies, see [`ImageTransform::zoom`]).
    pub zoom_range: f64,
    /// What fills the pixels that come from outside the image.
    pub fill_mode: FillMode,
    /// The seed: a batch's draws depend on it, the epoch and the batch's step only.
    pub seed: u64,
}

impl ImageAugmentation {
    /// One random transform with these ranges.
    pub fn random_transform(
        &self,
        [height, width]: [usize; 2],
        rng: &mut impl Rng,
    ) -> ImageTransform {
        let mut symmetric = |range: f64| {
            if range == 0.0 {
                0.0
            } else {
                rng.random_range(-range..=range)
            }
        };
        let shift = [
            symmetric(self.height_shift_range) * height as f64,
            symmetric(self.width_shift_range) * width as f64,
        ];
        let rotation = symmetric(self.rotation_range);
        let zoom = [
            1.0 + symmetric(self.zoom_range),
            1.0 + symmetric(self.zoom_range),
        ];
        let flip = self.horizontal_flip && rng.random::<bool>();
        ImageTransform {
            shift,
            rotation,
            zoom,
            flip,
        }
    }

    /// `images` (`[N, C, H, W]`) with one random transform per image, the same on all its
    /// channels.
    ///
    /// # Panics
    /// If `images` is not 4-D, naming its shape.
    pub fn augment<T: Float>(&self, images: &Tensor<T>, rng: &mut impl Rng) -> Tensor<T> {
        let dims = images.dims().to_vec();
        let [n, c, h, w] = dims[..] else {
            panic!("ImageAugmentation: images {dims:?} must be [N, C, H, W]");
        };
        let mut out = Tensor::zeros(dims.clone());
        let plane = c * h * w;
        if plane == 0 {
            return out;
        }
        let pairs = images
            .data()
            .chunks(plane)
            .zip(out.data_mut().chunks_mut(plane));
        for (src, dst) in pairs.take(n) {
            self.random_transform([h, w], rng)
                .apply_to_image(src, dst, [c, h, w], self.fill_mode);
        }
        out
    }

    /// The generator of the batch at `step` of `epoch`: a seed of its own per batch, so a
    /// batch's draws do not depend on how many were drawn before.
    fn rng(&self, epoch: usize, step: usize) -> StdRng {
        let mix = |a: u64, b: u64| (a ^ b).wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(31);
        StdRng::seed_from_u64(mix(mix(self.seed, epoch as u64), step as u64 + 1))
    }
}

impl<T: Float> BatchTransform<Tensor<T>> for ImageAugmentation {
    fn transform(&self, batch: Tensor<T>, epoch: usize, step: usize) -> Tensor<T> {
        self.augment(&batch, &mut self.rng(epoch, step))
    }
}
