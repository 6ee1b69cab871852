//! Regression losses, the mean over every element of a function of e = p − y alone, so
//! ∂/∂y = −∂/∂p (the target's gradient, as PyTorch gives it):
//! - MSE: e²; ∂/∂p = 2e;
//! - MAE: |e|; ∂/∂p = sign(e) (0 at 0);
//! - Huber with threshold δ (Keras's default 1): ½e² for |e| ≤ δ, else δ(|e| − ½δ);
//!   ∂/∂p = e inside, δ·sign(e) outside.

use autodiff_core::{Float, Var};

use super::elementwise::{Term, mean_of};

#[derive(Clone, Copy)]
struct Squared;

impl<T: Float> Term<T> for Squared {
    const NAME: &'static str = "mean_squared_error";
    fn f(&self, p: T, y: T) -> T {
        (p - y) * (p - y)
    }
    fn dp(&self, p: T, y: T) -> T {
        T::lit(2.0) * (p - y)
    }
    fn dy(&self, p: T, y: T) -> T {
        -self.dp(p, y)
    }
}

#[derive(Clone, Copy)]
struct Absolute;

impl<T: Float> Term<T> for Absolute {
    const NAME: &'static str = "mean_absolute_error";
    fn f(&self, p: T, y: T) -> T {
        (p - y).abs()
    }
    fn dp(&self, p: T, y: T) -> T {
        let e = p - y;
        if e > T::zero() {
            T::one()
        } else if e < T::zero() {
            -T::one()
        } else {
            T::zero()
        }
    }
    fn dy(&self, p: T, y: T) -> T {
        -self.dp(p, y)
    }
}

#[derive(Clone, Copy)]
struct Huber(f64);

impl<T: Float> Term<T> for Huber {
    const NAME: &'static str = "huber";
    fn f(&self, p: T, y: T) -> T {
        let (e, d) = ((p - y).abs(), T::lit(self.0));
        if e <= d {
            T::lit(0.5) * e * e
        } else {
            d * (e - T::lit(0.5) * d)
        }
    }
    fn dp(&self, p: T, y: T) -> T {
        let (e, d) = (p - y, T::lit(self.0));
        e.max(-d).min(d)
    }
    fn dy(&self, p: T, y: T) -> T {
        -self.dp(p, y)
    }
}

/// Mean squared error.
///
/// ```
/// use autodiff_core::{Tape, Tensor};
/// let tape = Tape::new();
/// let p = tape.var(Tensor::from_vec(vec![1.0_f64, 3.0], [2, 1]));
/// let y = tape.constant(Tensor::from_vec(vec![2.0, 1.0], [2, 1]));
/// assert_eq!(nn::losses::mean_squared_error(p, y).item(), 2.5);
/// ```
///
/// # Panics
/// With both shapes if they differ.
pub fn mean_squared_error<'t, T: Float>(pred: Var<'t, T>, target: Var<'t, T>) -> Var<'t, T> {
    mean_of(Squared, pred, target)
}

/// Mean absolute error.
///
/// # Panics
/// With both shapes if they differ.
pub fn mean_absolute_error<'t, T: Float>(pred: Var<'t, T>, target: Var<'t, T>) -> Var<'t, T> {
    mean_of(Absolute, pred, target)
}

/// Huber loss with threshold `delta`.
///
/// # Panics
/// With both shapes if they differ.
pub fn huber<'t, T: Float>(pred: Var<'t, T>, target: Var<'t, T>, delta: f64) -> Var<'t, T> {
    mean_of(Huber(delta), pred, target)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::losses::check_loss;
    use autodiff_core::{Tape, Tensor};

    #[test]
    fn gradcheck_all_three_with_the_target_on_the_tape() {
        let p = Tensor::from_vec(vec![0.5, -1.0, 3.0, 0.2], [2, 2]);
        let y = Tensor::from_vec(vec![0.0, 1.0, 1.0, 0.3], [2, 2]);
        check_loss(mean_squared_error, p.clone(), y.clone());
        check_loss(mean_absolute_error, p.clone(), y.clone());
        check_loss(|p, y| huber(p, y, 1.0), p, y);
    }

    #[test]
    #[should_panic(
        expected = "mean_squared_error: prediction [4, 1] and target [4] differ in shape"
    )]
    fn mismatched_shapes_are_named() {
        let tape = Tape::<f32>::new();
        mean_squared_error(
            tape.var(Tensor::zeros([4, 1])),
            tape.constant(Tensor::zeros([4])),
        );
    }

    #[test]
    fn huber_is_quadratic_inside_and_linear_outside() {
        let tape = Tape::new();
        let p = tape.var(Tensor::from_vec(vec![0.5_f64, 3.0], [2]));
        let y = tape.constant(Tensor::zeros([2]));
        assert_eq!(huber(p, y, 1.0).item(), (0.125 + 2.5) / 2.0);
    }
}
