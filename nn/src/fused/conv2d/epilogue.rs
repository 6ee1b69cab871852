//! What the forward pass does to each image's output after its product: add the bias and apply
//! the fused ReLU, while the image is still in cache and on the thread that computed it (one
//! pass over the output instead of a separate, single-threaded one).

use autodiff_core::Float;

/// The bias (if any) and the fused ReLU (if `relu`) applied to an output image `[o, positions]`.
#[derive(Clone, Copy)]
pub(super) struct Epilogue<'a, T> {
    /// The bias, one value per output channel.
    pub(super) bias: Option<&'a [T]>,
    /// Whether a ReLU follows.
    pub(super) relu: bool,
}

impl<T: Float> Epilogue<'_, T> {
    /// y += bias per channel, then y = max(y, 0) if the ReLU is fused, on one image `[o, p]`
    /// (`p` > 0).
    pub(super) fn apply(&self, p: usize, image: &mut [T]) {
        match (self.bias, self.relu) {
            (Some(bias), relu) => {
                for (channel, &b) in image.chunks_exact_mut(p).zip(bias) {
                    if relu {
                        channel
                            .iter_mut()
                            .for_each(|v| *v = (*v + b).max(T::zero()));
                    } else {
                        channel.iter_mut().for_each(|v| *v += b);
                    }
                }
            }
            (None, true) => image.iter_mut().for_each(|v| *v = v.max(T::zero())),
            (None, false) => {}
        }
    }
}
