//! [`LearningRateScheduler`]: Keras's callback that sets the optimizer's learning rate at the
//! start of every epoch to `schedule(epoch, current rate)`, `epoch` 0-based. The rate it sets
//! stays for the whole epoch and after training. An optimizer with a non-constant
//! [`Schedule`](crate::optim::Schedule) cannot take it: `fit` fails before the first step (see
//! [`LearningRate`]).

use autodiff_core::{Float, Module};

use super::{Callback, CallbackError, Control, LearningRate, Logs};

/// Sets the learning rate before each epoch from a function of the epoch and the current rate.
///
/// ```
/// use nn::train::LearningRateScheduler;
/// // Keras's documented example: keep the rate for ten epochs, then decay it by e^-0.1 per epoch.
/// let scheduler = LearningRateScheduler::new(|epoch, lr| if epoch < 10 { lr } else { lr * (-0.1_f64).exp() });
/// ```
pub struct LearningRateScheduler {
    schedule: Box<dyn FnMut(usize, f64) -> f64>,
}

impl LearningRateScheduler {
    /// Calls `schedule(epoch, current rate)` before each epoch and sets the rate it returns.
    pub fn new(schedule: impl FnMut(usize, f64) -> f64 + 'static) -> Self {
        LearningRateScheduler {
            schedule: Box::new(schedule),
        }
    }
}

impl<T: Float> Callback<T> for LearningRateScheduler {
    fn on_epoch_begin(
        &mut self,
        epoch: usize,
        learning_rate: &mut dyn LearningRate,
    ) -> Result<(), CallbackError> {
        let error = |message| CallbackError {
            callback: "LearningRateScheduler",
            message,
        };
        let lr = (self.schedule)(epoch, learning_rate.get());
        if !lr.is_finite() {
            return Err(error(format!(
                "the schedule gave the learning rate {lr} for epoch {epoch}"
            )));
        }
        learning_rate.set(lr).map_err(|e| error(e.to_string()))
    }

    fn on_epoch_end(
        &mut self,
        _epoch: usize,
        _logs: &Logs,
        _model: &mut dyn Module<T>,
    ) -> Result<Control, CallbackError> {
        Ok(Control::Continue)
    }
}
