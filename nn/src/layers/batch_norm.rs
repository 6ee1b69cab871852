//! Batch normalisation layers: [`BatchNorm1d`] (`[N, C]` or `[N, C, L]`) and [`BatchNorm2d`]
//! (`[N, C, H, W]`), as PyTorch's, normalising each channel over every other axis.
//!
//! In training mode a layer normalises with the batch's mean and biased variance (one fused op,
//! [`crate::fused::batch_norm_train`], whose backward is the closed-form gradient) and updates
//! its running statistics, as PyTorch does:
//!
//! - running_mean ← (1 − momentum)·running_mean + momentum·μ_batch,
//! - running_var ← (1 − momentum)·running_var + momentum·σ²_batch·M/(M − 1) (the unbiased
//!   batch variance, M values per channel), and `num_batches_tracked` += 1.
//!
//! In inference mode it uses the running statistics ([`crate::fused::batch_norm_eval`]) and
//! changes nothing. The mode is the one [`Dropout`](crate::Dropout) follows: inference unless
//! being trained; `Model::fit` switches training on while it trains and off for validation,
//! `evaluate` and `predict`; a hand-written loop calls [`Module::set_training`].
//!
//! Defaults are PyTorch's: momentum 0.1, ε = 1e-5, γ (`weight`) ones, β (`bias`) zeros, running
//! mean zeros, running variance ones. The state has PyTorch's `state_dict` names (`weight`,
//! `bias`, `running_mean`, `running_var`, `num_batches_tracked`), so its checkpoints load
//! PyTorch's.
//!
//! **Keras's momentum is the other way round**: Keras's `BatchNormalization(momentum=0.99)`
//! keeps 0.99 of the old running value, which is PyTorch's (and this layer's) momentum
//! 1 − 0.99 = 0.01. Keras also defaults to ε = 1e-3, works channels-last (axis −1), and
//! updates its moving variance with the biased batch variance.
//!
//! ```
//! use autodiff_core::{Module, Tape, Tensor};
//! use nn::{BatchNorm2d, Layer};
//! let mut bn = BatchNorm2d::<f64>::new(3);
//! let x = Tensor::normal([16, 3, 4, 4], 5.0, 2.0, 1);
//!
//! Module::<f64>::set_training(&mut bn, true);
//! let tape = Tape::new();
//! let y = bn.forward(tape.constant(x.clone())).value();
//! assert!(y.mean_all().item().abs() < 1e-12); // batch statistics: mean 0 per channel
//! assert_eq!(bn.num_batches_tracked.get(), 1);
//! let mean = bn.running_mean.value(); // moved 10 % of the way to the batch mean
//! assert!(mean.data().iter().all(|&m| (m - 0.5).abs() < 0.05));
//!
//! Module::<f64>::set_training(&mut bn, false); // inference: running statistics, no updates
//! let y = bn.forward(tape.constant(x)).value();
//! assert!(y.mean_all().item() > 3.0);
//! assert_eq!(bn.num_batches_tracked.get(), 1);
//! assert_eq!(bn.named_buffers().len(), 3);
//! ```

use autodiff_core::{Buffer, Float, Module, Param, ParamPath, StepCounter, Tape, Tensor, Var};
use autodiff_macros::Module;

use super::Layer;
use crate::fused::{batch_norm_eval, batch_norm_train};

/// Batch normalisation with `D` spatial axes: 1 for [`BatchNorm1d`], 2 for [`BatchNorm2d`].
///
/// Training mode normalises each channel with the batch's mean and biased variance and moves
/// the running statistics towards the batch's (running_var with the unbiased variance), with
/// PyTorch's momentum (0.1; Keras's `momentum=m` is `1 − m` here) and ε (1e-5). Inference
/// mode, the default and what `evaluate` and `predict` use, normalises with the running
/// statistics and changes nothing.
#[derive(Module)]
pub struct BatchNorm<T: Float, const D: usize> {
    /// The scale γ, `[C]`, trained.
    pub weight: Param<T>,
    /// The shift β, `[C]`, trained.
    pub bias: Param<T>,
    /// The running mean of each channel, `[C]`.
    pub running_mean: Buffer<T>,
    /// The running (unbiased) variance of each channel, `[C]`.
    pub running_var: Buffer<T>,
    /// How many training batches updated the running statistics.
    pub num_batches_tracked: StepCounter,
    mode: TrainingMode,
    #[module(skip)]
    momentum: f64,
    #[module(skip)]
    eps: f64,
}

/// Batch normalisation of `[N, C]` or `[N, C, L]` (PyTorch's `nn.BatchNorm1d`): statistics per
/// feature C over the batch (and the length L).
pub type BatchNorm1d<T> = BatchNorm<T, 1>;

/// Batch normalisation of `[N, C, H, W]` (PyTorch's `nn.BatchNorm2d`): statistics per channel
/// over the batch and the plane.
pub type BatchNorm2d<T> = BatchNorm<T, 2>;

/// Whether a layer is training: a module leaf so that `#[derive(Module)]` passes
/// `set_training` to it.
#[derive(Clone, Copy, Debug, Default)]
struct TrainingMode(bool);

impl<T: Float> Module<T> for TrainingMode {
    fn visit<'a>(&'a self, _: &mut ParamPath, _: &mut dyn FnMut(&ParamPath, &'a Param<T>)) {}

    fn visit_mut(&mut self, _: &mut ParamPath, _: &mut dyn FnMut(&ParamPath, &mut Param<T>)) {}

    fn set_training(&mut self, training: bool) {
        self.0 = training;
    }
}

impl<T: Float> BatchNorm<T, 1> {
    /// A layer over `features` channels with PyTorch's defaults, in inference mode.
    pub fn new(features: usize) -> Self {
        Self::with_channels(features)
    }
}

impl<T: Float> BatchNorm<T, 2> {
    /// A layer over `channels` channels with PyTorch's defaults, in inference mode.
    pub fn new(channels: usize) -> Self {
        Self::with_channels(channels)
    }
}

impl<T: Float, const D: usize> BatchNorm<T, D> {
    fn with_channels(c: usize) -> Self {
        BatchNorm {
            weight: Param::new(Tensor::ones([c])),
            bias: Param::new(Tensor::zeros([c])),
            running_mean: Buffer::new(Tensor::zeros([c])),
            running_var: Buffer::new(Tensor::ones([c])),
            num_batches_tracked: StepCounter::new(),
            mode: TrainingMode(false),
            momentum: 0.1,
            eps: 1e-5,
        }
    }

    /// Sets PyTorch's momentum, the weight of each new batch in the running statistics (Keras's
    /// `momentum=m` is this one's `1 − m`).
    ///
    /// # Panics
    /// If `momentum` is outside `[0, 1]`.
    pub fn momentum(mut self, momentum: f64) -> Self {
        assert!(
            (0.0..=1.0).contains(&momentum),
            "{}: momentum {momentum} is not in [0, 1]",
            Self::NAME
        );
        self.momentum = momentum;
        self
    }

    /// Sets ε, added to the variance before the square root.
    pub fn eps(mut self, eps: f64) -> Self {
        self.eps = eps;
        self
    }

    const NAME: &str = if D == 1 { "BatchNorm1d" } else { "BatchNorm2d" };

    /// Panics, naming the layer and both shapes, unless `dims` is an input it normalises.
    fn check_input(&self, dims: &[usize]) {
        let c = self.weight.value().numel();
        let fits = match (D, dims) {
            (1, [_, ch]) | (1, [_, ch, _]) | (2, [_, ch, _, _]) => *ch == c,
            _ => false,
        };
        if !fits {
            let want = if D == 1 {
                format!("[N, {c}] or [N, {c}, L]")
            } else {
                format!("[N, {c}, H, W]")
            };
            panic!(
                "{}: input {dims:?}, weight [{c}]: the input must be {want}",
                Self::NAME
            );
        }
    }

    /// Moves the running statistics towards the batch's (mean, biased variance over `m`
    /// values per channel) and counts the batch.
    fn track(&self, mean: &Tensor<T>, variance: &Tensor<T>, m: usize) {
        let keep = T::lit(1.0 - self.momentum);
        let take = T::lit(self.momentum);
        let unbias = T::lit(m as f64 / (m - 1) as f64);
        self.running_mean.update(|r| {
            for (r, &b) in r.data_mut().iter_mut().zip(mean.data()) {
                *r = keep * *r + take * b;
            }
        });
        self.running_var.update(|r| {
            for (r, &b) in r.data_mut().iter_mut().zip(variance.data()) {
                *r = keep * *r + take * b * unbias;
            }
        });
        self.num_batches_tracked.increment();
    }
}

impl<'t, T: Float, const D: usize> Layer<'t, T> for BatchNorm<T, D> {
    type Output = Var<'t, T>;

    /// Normalises `x` with the batch's statistics (training) or the running ones (inference).
    ///
    /// # Panics
    /// Naming the layer and both shapes, if `x` is not `[N, C, …]` of the layer's rank and
    /// channels; in training, as PyTorch, if a channel has a single value (N·L = 1).
    fn forward(&self, x: Var<'t, T>) -> Var<'t, T> {
        let dims = x.dims();
        self.check_input(&dims);
        let tape = x.tape();
        let (gamma, beta) = (tape.param(&self.weight), tape.param(&self.bias));
        if !self.mode.0 {
            let (mean, var) = (self.running_mean.value(), self.running_var.value());
            return batch_norm_eval(x, gamma, beta, &mean, &var, self.eps);
        }
        let m = dims.iter().product::<usize>() / dims[1].max(1);
        assert!(
            m > 1,
            "{}: input {dims:?}, weight [{}]: training needs more than one value per channel",
            Self::NAME,
            dims[1]
        );
        let bn = batch_norm_train(x, gamma, beta, self.eps);
        self.track(&bn.mean.value(), &bn.variance, m);
        bn.y
    }

    fn penalty(&self, _: &'t Tape<T>) -> Option<Var<'t, T>> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use autodiff_core::Correction;

    fn training<const D: usize>(mut bn: BatchNorm<f64, D>) -> BatchNorm<f64, D> {
        Module::<f64>::set_training(&mut bn, true);
        bn
    }

    #[test]
    fn momentum_weighs_the_new_batch_and_the_variance_is_unbiased() {
        // With momentum 1 the running statistics are the last batch's own.
        let bn = training(BatchNorm1d::<f64>::new(2).momentum(1.0));
        let x = Tensor::normal([6, 2, 3], 1.0, 2.0, 1);
        bn.forward(Tape::new().constant(x.clone()));
        let per_channel = x.permute(&[1, 0, 2]).reshape([2, 18]);
        let unbiased = per_channel.var_axis(1, false, Correction::Sample);
        assert!(bn.running_var.value().all_close(&unbiased, 1e-12, 1e-12));
        let mean = per_channel.mean_axis(1, false);
        assert!(bn.running_mean.value().all_close(&mean, 1e-12, 1e-12));
        // With PyTorch's 0.1, one batch moves the running mean from 0 a tenth of the way.
        let bn = training(BatchNorm1d::<f64>::new(2));
        bn.forward(Tape::new().constant(x));
        assert!(
            bn.running_mean
                .value()
                .all_close(&mean.map(|m| 0.1 * m), 1e-12, 1e-12)
        );
    }

    #[test]
    fn a_1d_layer_reads_rows_and_sequences() {
        let bn = BatchNorm1d::<f64>::new(3);
        let tape = Tape::new();
        assert_eq!(
            bn.forward(tape.constant(Tensor::ones([4, 3]))).dims(),
            [4, 3]
        );
        assert_eq!(
            bn.forward(tape.constant(Tensor::ones([4, 3, 5]))).dims(),
            [4, 3, 5]
        );
    }

    #[test]
    #[should_panic(
        expected = "BatchNorm2d: input [8, 3], weight [3]: the input must be [N, 3, H, W]"
    )]
    fn a_2d_layer_refuses_rows_naming_both_shapes() {
        BatchNorm2d::<f32>::new(3).forward(Tape::new().constant(Tensor::zeros([8, 3])));
    }

    #[test]
    #[should_panic(
        expected = "BatchNorm1d: input [8, 4, 2], weight [3]: the input must be [N, 3] or [N, 3, L]"
    )]
    fn a_1d_layer_refuses_other_channels_naming_both_shapes() {
        BatchNorm1d::<f32>::new(3).forward(Tape::new().constant(Tensor::zeros([8, 4, 2])));
    }

    #[test]
    #[should_panic(
        expected = "BatchNorm1d: input [1, 3], weight [3]: training needs more than one value"
    )]
    fn training_on_one_value_per_channel_is_refused_as_in_pytorch() {
        training(BatchNorm1d::<f64>::new(3)).forward(Tape::new().constant(Tensor::zeros([1, 3])));
    }
}
