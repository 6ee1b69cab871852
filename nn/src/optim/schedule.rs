//! Learning-rate schedules, Keras's formulas, as functions of the 0-based iteration `s`:
//! - constant: lr;
//! - step (Keras's `PiecewiseConstantDecay`, a [`PiecewiseConstant`] checked when built):
//!   `values[i]` while `s ≤ boundaries[i]`, then the last value;
//! - exponential: lr·rate^(s / steps), with ⌊s / steps⌋ when `staircase`;
//! - cosine: lr·((1 − α)·½(1 + cos(π·min(s, steps)/steps)) + α).
//!
//! ```
//! use nn::optim::Schedule;
//! let s = Schedule::Exponential { initial: 0.1, decay_steps: 10, decay_rate: 0.5, staircase: true };
//! assert_eq!(s.at(9), 0.1);
//! assert_eq!(s.at(10), 0.05);
//! ```

use super::PiecewiseConstant;

/// A learning rate that may change with the iteration count.
#[derive(Clone, Debug, PartialEq)]
pub enum Schedule {
    /// The same rate every step.
    Constant(f64),
    /// Piecewise constant, built (and validated) by [`PiecewiseConstant::new`].
    Step(PiecewiseConstant),
    /// Exponential decay.
    Exponential {
        /// The rate at iteration 0.
        initial: f64,
        /// Iterations per factor of `decay_rate`.
        decay_steps: u64,
        /// The factor.
        decay_rate: f64,
        /// Decay in whole steps.
        staircase: bool,
    },
    /// Cosine decay to `alpha·initial` over `decay_steps`.
    Cosine {
        /// The rate at iteration 0.
        initial: f64,
        /// Iterations of the decay.
        decay_steps: u64,
        /// The final rate as a fraction of `initial`.
        alpha: f64,
    },
}

impl From<f64> for Schedule {
    fn from(lr: f64) -> Self {
        Schedule::Constant(lr)
    }
}

impl From<PiecewiseConstant> for Schedule {
    fn from(steps: PiecewiseConstant) -> Self {
        Schedule::Step(steps)
    }
}

impl Schedule {
    /// The learning rate at 0-based iteration `step`.
    pub fn at(&self, step: u64) -> f64 {
        match self {
            Schedule::Constant(lr) => *lr,
            Schedule::Step(steps) => steps.at(step),
            Schedule::Exponential {
                initial,
                decay_steps,
                decay_rate,
                staircase,
            } => {
                let mut p = step as f64 / (*decay_steps).max(1) as f64;
                if *staircase {
                    p = p.floor();
                }
                initial * decay_rate.powf(p)
            }
            Schedule::Cosine {
                initial,
                decay_steps,
                alpha,
            } => {
                let frac = step.min(*decay_steps) as f64 / (*decay_steps).max(1) as f64;
                let cosine = 0.5 * (1.0 + (std::f64::consts::PI * frac).cos());
                initial * ((1.0 - alpha) * cosine + alpha)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_exponential_and_cosine() {
        let s = Schedule::from(PiecewiseConstant::new(vec![2, 5], vec![1.0, 0.5, 0.1]).unwrap());
        let got: Vec<f64> = (0..8).map(|i| s.at(i)).collect();
        assert_eq!(got, [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.1, 0.1]);
        let e = Schedule::Exponential {
            initial: 1.0,
            decay_steps: 2,
            decay_rate: 0.25,
            staircase: false,
        };
        assert!((e.at(1) - 0.5).abs() < 1e-15);
        let c = Schedule::Cosine {
            initial: 2.0,
            decay_steps: 10,
            alpha: 0.1,
        };
        assert_eq!((c.at(0), c.at(10), c.at(20)), (2.0, 0.2, 0.2));
        assert!((c.at(5) - 2.0 * (0.9 * 0.5 + 0.1)).abs() < 1e-12);
    }
}
