//! Optimizers with Keras's defaults and update formulas (documented on each rule), learning-rate
//! schedules, and gradient clipping.
//!
//! An [`Optimizer`] is a [`Rule`] ([`Sgd`], [`RmsProp`], [`Adam`], [`AdamW`]) plus what every
//! Keras optimizer shares: a learning rate or [`Schedule`], clipping ([`Clipping`]), the
//! iteration count, and per-parameter state.
//!
//! ```
//! use autodiff_core::{Param, Tape, Tensor};
//! use nn::optim::Optimizer;
//! let mut w = Param::new(Tensor::from_vec(vec![1.0_f32], [1]));
//! let mut opt = Optimizer::sgd(0.1);
//! let grads = {
//!     let tape = Tape::new();
//!     (tape.param(&w) * tape.param(&w)).sum().backward() // d(w²)/dw = 2
//! };
//! opt.step(&mut w, &grads);
//! assert!((w.value().item() - 0.8).abs() < 1e-7);
//! ```

mod adam;
mod clip;
mod piecewise;
mod rmsprop;
mod schedule;
mod sgd;
mod state;

pub use adam::{Adam, AdamW};
pub use clip::Clipping;
pub use piecewise::{PiecewiseConstant, ScheduleError};
pub use rmsprop::RmsProp;
pub use schedule::Schedule;
pub use sgd::Sgd;

use std::collections::HashMap;

use autodiff_core::{Float, Gradients, Module, ParamId, ParamPath};

/// How one optimizer updates one variable, given its (clipped) gradient.
pub trait Rule<T: Float> {
    /// How many state buffers (momenta, velocities) each variable needs.
    fn slots(&self) -> usize;

    /// Updates `w` in place. `slots` holds this variable's state buffers (zeros at first),
    /// `lr` the learning rate of this iteration, `step` the 1-based iteration number.
    fn update(&self, w: &mut [T], g: &[T], slots: &mut [Vec<T>], lr: T, step: u64);
}

/// A [`Rule`] with a learning-rate [`Schedule`], gradient [`Clipping`] and per-variable state.
pub struct Optimizer<T: Float> {
    rule: Box<dyn Rule<T>>,
    schedule: Schedule,
    clipping: Clipping,
    iterations: u64,
    state: HashMap<ParamId, Vec<Vec<T>>>,
}

impl<T: Float> Optimizer<T> {
    /// An optimizer applying `rule` with learning rate (or schedule) `schedule`.
    pub fn new(rule: impl Rule<T> + 'static, schedule: impl Into<Schedule>) -> Self {
        Optimizer {
            rule: Box::new(rule),
            schedule: schedule.into(),
            clipping: Clipping::default(),
            iterations: 0,
            state: HashMap::new(),
        }
    }

    /// Plain SGD (Keras's default learning rate is 0.01).
    pub fn sgd(learning_rate: impl Into<Schedule>) -> Self {
        Self::new(Sgd::default(), learning_rate)
    }

    /// RMSprop with Keras's defaults (learning rate 0.001 in Keras).
    pub fn rmsprop(learning_rate: impl Into<Schedule>) -> Self {
        Self::new(RmsProp::default(), learning_rate)
    }

    /// Adam with Keras's defaults (learning rate 0.001 in Keras).
    pub fn adam(learning_rate: impl Into<Schedule>) -> Self {
        Self::new(Adam::default(), learning_rate)
    }

    /// AdamW with Keras's defaults (learning rate 0.001, weight decay 0.004 in Keras).
    pub fn adamw(learning_rate: impl Into<Schedule>) -> Self {
        Self::new(AdamW::default(), learning_rate)
    }

    /// Sets gradient clipping.
    pub fn clipping(mut self, clipping: Clipping) -> Self {
        self.clipping = clipping;
        self
    }

    /// How many steps have been applied (Keras's `optimizer.iterations`).
    pub fn iterations(&self) -> u64 {
        self.iterations
    }

    /// The learning rate the next step will use.
    pub fn learning_rate(&self) -> f64 {
        self.schedule.at(self.iterations)
    }

    /// Sets the learning rate of the steps to come. An optimizer built with a schedule that is
    /// not a constant keeps it and returns it as the error: as in Keras, a scheduled rate is
    /// not settable.
    pub fn set_learning_rate(&mut self, learning_rate: f64) -> Result<(), &Schedule> {
        match self.schedule {
            Schedule::Constant(_) => {
                self.schedule = Schedule::Constant(learning_rate);
                Ok(())
            }
            _ => Err(&self.schedule),
        }
    }

    /// Applies one update to every trainable parameter of `model` that has a gradient.
    pub fn step<M: Module<T> + ?Sized>(&mut self, model: &mut M, grads: &Gradients<T>) {
        let global_scale = self.clipping.global_scale(model, grads);
        let lr = T::lit(self.learning_rate());
        let step = self.iterations + 1;
        let (rule, clipping, state) = (&self.rule, &self.clipping, &mut self.state);
        model.visit_mut(&mut ParamPath::new(), &mut |_, p| {
            let Some(g) = grads.by_id(p.id()).filter(|_| p.is_trainable()) else {
                return;
            };
            let g = clipping.clip(g, global_scale);
            let slots = state
                .entry(p.id())
                .or_insert_with(|| vec![vec![T::zero(); g.numel()]; rule.slots()]);
            p.update(|w| rule.update(w.data_mut(), g.data(), slots, lr, step));
        });
        self.iterations = step;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use autodiff_core::{Param, Tape, Tensor};

    /// One step on loss Σ c·w (gradient c) from w, returning the new w.
    pub(super) fn steps(opt: &mut Optimizer<f64>, w: &[f64], grads: &[&[f64]]) -> Vec<f64> {
        let mut p = Param::new(Tensor::from_vec(w.to_vec(), [w.len()]));
        for c in grads {
            let g = {
                let tape = Tape::new();
                let c = tape.constant(Tensor::from_vec(c.to_vec(), [c.len()]));
                (tape.param(&p) * c).sum().backward()
            };
            opt.step(&mut p, &g);
        }
        p.value().data().to_vec()
    }

    #[test]
    fn frozen_parameters_are_left_alone() {
        let mut p = Param::new(Tensor::from_vec(vec![1.0_f64], [1]));
        p.set_trainable(false);
        let mut q = Param::new(Tensor::from_vec(vec![1.0_f64], [1]));
        let g = {
            let tape = Tape::new();
            (tape.param(&p) * tape.param(&q)).sum().backward()
        };
        let mut opt = Optimizer::sgd(0.5);
        opt.step(&mut p, &g);
        opt.step(&mut q, &g);
        assert_eq!((p.value().item(), q.value().item()), (1.0, 0.5));
        assert_eq!(opt.iterations(), 2);
    }
}
