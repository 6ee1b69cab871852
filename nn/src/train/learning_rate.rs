//! [`LearningRate`]: the optimizer's learning rate as callbacks see it, for
//! [`LearningRateScheduler`](super::LearningRateScheduler) and
//! [`ReduceLROnPlateau`](super::ReduceLROnPlateau).
//!
//! Callbacks get it through two hooks of [`Callback`](super::Callback) with default no-op
//! bodies, so callbacks that never touch the rate are unchanged: `on_epoch_begin` (where Keras's
//! LearningRateScheduler sets the rate) and `adjust_learning_rate`, which `fit` calls right after
//! the same callback's `on_epoch_end` (where Keras's ReduceLROnPlateau lowers it). A narrow
//! handle rather than the whole [`Optimizer`] keeps callbacks from stepping or resetting it.
//!
//! An optimizer built with a learning-rate [`Schedule`](crate::optim::Schedule) other than a
//! constant owns its rate: setting it is a [`RateNotSettable`] error, which the callback returns
//! and `fit` reports, as Keras raises a `TypeError` there. The schedule is never silently
//! replaced.

use autodiff_core::Float;

use crate::optim::{Optimizer, Schedule};

/// Why the learning rate could not be set: the optimizer follows a schedule.
#[derive(Clone, Debug, PartialEq)]
pub struct RateNotSettable {
    /// The optimizer's schedule.
    pub schedule: Schedule,
}

impl std::fmt::Display for RateNotSettable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the optimizer's learning rate follows the schedule {:?} and cannot be set; build \
             the optimizer with a constant rate",
            self.schedule
        )
    }
}

impl std::error::Error for RateNotSettable {}

/// Reads and sets the learning rate of the optimizer's next steps.
pub trait LearningRate {
    /// The rate the next step will use.
    fn get(&self) -> f64;

    /// Sets the rate of the steps to come.
    fn set(&mut self, learning_rate: f64) -> Result<(), RateNotSettable>;
}

impl<T: Float> LearningRate for Optimizer<T> {
    fn get(&self) -> f64 {
        self.learning_rate()
    }

    fn set(&mut self, learning_rate: f64) -> Result<(), RateNotSettable> {
        self.set_learning_rate(learning_rate)
            .map_err(|schedule| RateNotSettable {
                schedule: schedule.clone(),
            })
    }
}
