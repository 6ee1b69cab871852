//! [`BatchTransform`]: a change `fit` makes to each training batch's inputs before the forward
//! pass, such as image augmentation ([`crate::data::ImageAugmentation`]).

use std::fmt::Debug;

/// Changes the inputs of each training batch (augmentation). `fit` calls it on every training
/// batch, after shuffling and before the forward pass, and never on validation data, nor in
/// `evaluate` or `predict`. The targets are left as they are.
///
/// ```
/// use autodiff_core::Tensor;
/// use nn::train::BatchTransform;
///
/// /// Adds a little noise, different for each batch but the same on every run.
/// #[derive(Debug)]
/// struct Jitter(f32);
///
/// impl BatchTransform<Tensor<f32>> for Jitter {
///     fn transform(&self, batch: Tensor<f32>, epoch: usize, step: usize) -> Tensor<f32> {
///         let seed = (epoch * 1_000_003 + step) as u64;
///         let noise = Tensor::normal(batch.dims().to_vec(), 0.0, self.0, seed);
///         batch.add(&noise)
///     }
/// }
///
/// let x = Tensor::zeros([2, 3]);
/// assert_ne!(Jitter(0.1).transform(x.clone(), 0, 0), x);
/// ```
pub trait BatchTransform<X>: Debug {
    /// The inputs to train on instead of `batch`, the `step`-th batch (from 0) of `epoch`.
    fn transform(&self, batch: X, epoch: usize, step: usize) -> X;
}
