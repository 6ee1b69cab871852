//! Blocks of the classic convolutional networks, built from [`crate::layers`] as user-defined
//! layers (`#[derive(Module)]` structs implementing [`Layer`](crate::Layer)), on NCHW batches:
//!
//! - [`ConvBn`]: a convolution with batch normalisation (and a relu on request), the unit of
//!   both ResNet blocks and their projection shortcut;
//! - [`BasicBlock`]: ResNet's two-conv residual block (He et al. 2015, Fig. 2), with an
//!   identity or 1×1-projection shortcut;
//! - [`Bottleneck`]: ResNet's 1×1 → 3×3 → 1×1 block with expansion 4 (He et al. 2015, Fig. 5);
//! - [`InceptionModule`]: four branches concatenated on the channels (Szegedy et al. 2014,
//!   Fig. 2b);
//! - [`AlexNet`]: the five-conv, three-dense stack of Krizhevsky et al. 2012, sized by an
//!   [`AlexNetConfig`] to fit small images.
//!
//! Each passes its parts' weight penalties on, so a regularizer set on one of its convolutions
//! reaches the loss.

mod alexnet;
mod bottleneck;
mod conv_bn;
mod inception;
mod residual;

pub use alexnet::{AlexNet, AlexNetConfig};
pub use bottleneck::Bottleneck;
pub use conv_bn::ConvBn;
pub use inception::InceptionModule;
pub use residual::BasicBlock;

use autodiff_core::{Float, Var};

/// The sum of the penalties that are there, or `None` when none is.
fn sum_penalties<'t, T: Float>(
    parts: impl IntoIterator<Item = Option<Var<'t, T>>>,
) -> Option<Var<'t, T>> {
    parts.into_iter().flatten().reduce(|a, b| a + b)
}
