//! [`KernelConfig`]: what the layers with a kernel and a bias ([`crate::Dense`],
//! [`super::Conv1d`], [`super::Conv2d`]) configure alike — the activation after the affine map,
//! the kernel's initializer, its seed and its regularizer — and `kernel_layer_builders!`, the
//! builder methods over it that each of them offers.

use std::sync::atomic::{AtomicU64, Ordering};

use autodiff_core::{Float, Tensor, Var};

use crate::{Activation, Initializer, Regularizer};

/// The configuration a kernel layer shares with the others: Keras's `activation`,
/// `kernel_initializer` (with the seed it draws from) and `kernel_regularizer`.
pub(crate) struct KernelConfig {
    /// Applied after the affine map.
    pub(crate) activation: Activation,
    /// The penalty on the kernel added to the loss, if any.
    pub(crate) regularizer: Option<Regularizer>,
    /// What the kernel is drawn with.
    pub(crate) initializer: Initializer,
    /// The seed the kernel is drawn with.
    pub(crate) seed: u64,
}

impl KernelConfig {
    /// Keras's defaults (no activation, glorot_uniform, no regularizer), with the next seed of
    /// the layer type's process-wide `counter` (0, 1, 2, … in construction order), so unseeded
    /// layers never start with the same weights and a program that builds its layers on one
    /// thread in the same order gets the same weights every run.
    pub(crate) fn next(counter: &AtomicU64) -> Self {
        KernelConfig {
            activation: Activation::Linear,
            regularizer: None,
            initializer: Initializer::GlorotUniform,
            seed: counter.fetch_add(1, Ordering::Relaxed),
        }
    }

    /// A kernel of shape `dims` with the given fans, drawn with the initializer and seed.
    pub(crate) fn draw<T: Float>(
        &self,
        dims: &[usize],
        fan_in: usize,
        fan_out: usize,
    ) -> Tensor<T> {
        self.initializer
            .init_with_fans(dims, fan_in, fan_out, self.seed)
    }

    /// The regularizer's penalty on `kernel` (the kernel as recorded on the tape), if any.
    pub(crate) fn penalty<'t, T: Float>(&self, kernel: Var<'t, T>) -> Option<Var<'t, T>> {
        self.regularizer.map(|r| r.penalty(kernel))
    }
}

/// The builder methods every kernel layer offers, inside its `impl<T: Float>` block: the layer
/// has fields `kernel: Param<T>`, `bias: Option<Param<T>>` and `config: KernelConfig`, and a
/// `fn reinit(self) -> Self` that redraws the kernel through [`KernelConfig::draw`].
macro_rules! kernel_layer_builders {
    () => {
        /// Sets the activation applied after the affine map (Keras's `activation`).
        pub fn activation(mut self, activation: $crate::Activation) -> Self {
            self.config.activation = activation;
            self
        }

        /// Redraws the kernel with another initializer (Keras's `kernel_initializer`;
        /// [`Initializer::TORCH_DEFAULT`](crate::Initializer::TORCH_DEFAULT) for PyTorch's).
        pub fn kernel_initializer(mut self, init: $crate::Initializer) -> Self {
            self.config.initializer = init;
            self.reinit()
        }

        /// Redraws the kernel with another seed.
        pub fn seed(mut self, seed: u64) -> Self {
            self.config.seed = seed;
            self.reinit()
        }

        /// Drops the bias (Keras's `use_bias=False`).
        pub fn without_bias(mut self) -> Self {
            self.bias = None;
            self
        }

        /// Adds a penalty on the kernel to the loss (Keras's `kernel_regularizer`).
        pub fn kernel_regularizer(mut self, regularizer: $crate::Regularizer) -> Self {
            self.config.regularizer = Some(regularizer);
            self
        }

        /// The kernel's penalty on `tape`, if the layer has a regularizer: what
        /// [`Layer::penalty`](crate::Layer::penalty) returns for every input type, callable
        /// without naming one.
        pub fn penalty<'t>(
            &self,
            tape: &'t autodiff_core::Tape<T>,
        ) -> Option<autodiff_core::Var<'t, T>> {
            self.config.penalty(tape.param(&self.kernel))
        }
    };
}

pub(crate) use kernel_layer_builders;
