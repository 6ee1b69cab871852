//! [`PiecewiseConstant`]: Keras's `PiecewiseConstantDecay`, checked when it is built so that
//! an optimizer never meets a schedule it cannot evaluate.

/// Why a [`PiecewiseConstant`] schedule could not be built.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    /// `values` must hold exactly one more rate than `boundaries` (Keras's rule).
    #[error(
        "piecewise constant schedule: {values} values for {boundaries} boundaries \
         (it needs one value more than boundaries)"
    )]
    Lengths {
        /// How many boundaries were given.
        boundaries: usize,
        /// How many values were given.
        values: usize,
    },
    /// A boundary is not above the one before it.
    #[error(
        "piecewise constant schedule: boundary {index} ({boundary}) is not above the one \
         before it ({previous}); boundaries must increase"
    )]
    NotIncreasing {
        /// The 0-based position of the offending boundary.
        index: usize,
        /// The boundary before it.
        previous: u64,
        /// The offending boundary.
        boundary: u64,
    },
}

/// `values[i]` up to and including iteration `boundaries[i]`, then the last value.
///
/// ```
/// use nn::optim::{PiecewiseConstant, Schedule};
/// let s = Schedule::from(PiecewiseConstant::new(vec![100], vec![0.1, 0.01]).unwrap());
/// assert_eq!((s.at(100), s.at(101)), (0.1, 0.01));
/// assert!(PiecewiseConstant::new(vec![100], vec![]).is_err());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct PiecewiseConstant {
    boundaries: Vec<u64>,
    values: Vec<f64>,
}

impl PiecewiseConstant {
    /// The schedule with these strictly increasing `boundaries` and one more value than
    /// boundaries, or the error saying which rule the arguments break.
    pub fn new(boundaries: Vec<u64>, values: Vec<f64>) -> Result<Self, ScheduleError> {
        if values.len() != boundaries.len() + 1 {
            return Err(ScheduleError::Lengths {
                boundaries: boundaries.len(),
                values: values.len(),
            });
        }
        if let Some(i) = boundaries.windows(2).position(|w| w[1] <= w[0]) {
            return Err(ScheduleError::NotIncreasing {
                index: i + 1,
                previous: boundaries[i],
                boundary: boundaries[i + 1],
            });
        }
        Ok(PiecewiseConstant { boundaries, values })
    }

    /// Iterations where the rate changes.
    pub fn boundaries(&self) -> &[u64] {
        &self.boundaries
    }

    /// The rates, one more than boundaries.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// The rate at 0-based iteration `step`.
    pub fn at(&self, step: u64) -> f64 {
        self.values[self.boundaries.partition_point(|&b| step > b)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_boundary_is_a_constant_rate() {
        let s = PiecewiseConstant::new(vec![], vec![0.3]).unwrap();
        assert_eq!((s.at(0), s.at(u64::MAX)), (0.3, 0.3));
    }

    #[test]
    fn invalid_schedules_are_typed_errors() {
        let lengths = |b: usize, v: usize| ScheduleError::Lengths {
            boundaries: b,
            values: v,
        };
        assert_eq!(PiecewiseConstant::new(vec![], vec![]), Err(lengths(0, 0)));
        assert_eq!(
            PiecewiseConstant::new(vec![10, 20], vec![1.0, 0.5]),
            Err(lengths(2, 2))
        );
        let err = PiecewiseConstant::new(vec![10, 20, 20], vec![1.0; 4]).unwrap_err();
        assert_eq!(
            err,
            ScheduleError::NotIncreasing {
                index: 2,
                previous: 20,
                boundary: 20
            }
        );
        assert!(err.to_string().contains("boundary 2 (20)"), "{err}");
    }
}
