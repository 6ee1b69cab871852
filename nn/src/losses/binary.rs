//! Binary cross-entropy, on probabilities (Keras's default) and on logits.
//!
//! - probabilities: p is clipped to [ε, 1 − ε] with ε = 1e-7 as Keras does, then
//!   −[y·ln p + (1 − y)·ln(1 − p)]; ∂/∂p = (p − y) / (p(1 − p)) inside the clip, 0 outside;
//!   ∂/∂y = ln((1 − p) / p) with the clipped p, finite everywhere.
//! - logits z: max(z, 0) − z·y + ln(1 + e^−|z|), which never overflows; ∂/∂z = σ(z) − y;
//!   ∂/∂y = −z.
//!
//! Both are linear in the target, so soft targets (label smoothing, distillation) get the
//! gradient PyTorch gives them when the target is on the tape with a gradient.
//!
//! Both are the mean over every element (Keras: mean over the last axis, then over the batch).

use autodiff_core::{Float, Var};

use super::elementwise::{Term, mean_of};

/// Keras's `epsilon()`: the clip applied to probabilities.
pub const EPSILON: f64 = 1e-7;

#[derive(Clone, Copy)]
struct OnProbabilities;

impl<T: Float> Term<T> for OnProbabilities {
    const NAME: &'static str = "binary_crossentropy";
    fn f(&self, p: T, y: T) -> T {
        let p = p.max(T::lit(EPSILON)).min(T::lit(1.0 - EPSILON));
        -(y * p.ln() + (T::one() - y) * (T::one() - p).ln())
    }
    fn dp(&self, p: T, y: T) -> T {
        if p < T::lit(EPSILON) || p > T::lit(1.0 - EPSILON) {
            T::zero()
        } else {
            (p - y) / (p * (T::one() - p))
        }
    }
    fn dy(&self, p: T, _y: T) -> T {
        let p = p.max(T::lit(EPSILON)).min(T::lit(1.0 - EPSILON));
        (T::one() - p).ln() - p.ln()
    }
}

#[derive(Clone, Copy)]
struct OnLogits;

impl<T: Float> Term<T> for OnLogits {
    const NAME: &'static str = "binary_crossentropy_from_logits";
    fn f(&self, z: T, y: T) -> T {
        z.max(T::zero()) - z * y + (-z.abs()).exp().ln_1p()
    }
    fn dp(&self, z: T, y: T) -> T {
        let s = if z >= T::zero() {
            T::one() / (T::one() + (-z).exp())
        } else {
            let e = z.exp();
            e / (T::one() + e)
        };
        s - y
    }
    fn dy(&self, z: T, _y: T) -> T {
        -z
    }
}

/// Binary cross-entropy of probabilities (a sigmoid output) against 0/1 targets.
///
/// ```
/// use autodiff_core::{Tape, Tensor};
/// let tape = Tape::new();
/// let p = tape.var(Tensor::from_vec(vec![0.9_f64, 0.2], [2, 1]));
/// let y = tape.constant(Tensor::from_vec(vec![1.0, 0.0], [2, 1]));
/// let loss = nn::losses::binary_crossentropy(p, y).item();
/// assert!((loss - (-(0.9_f64.ln() + 0.8_f64.ln()) / 2.0)).abs() < 1e-12);
/// ```
///
/// # Panics
/// With both shapes if they differ.
pub fn binary_crossentropy<'t, T: Float>(pred: Var<'t, T>, target: Var<'t, T>) -> Var<'t, T> {
    mean_of(OnProbabilities, pred, target)
}

/// Binary cross-entropy of logits (no sigmoid on the last layer), stable for any |z|.
///
/// # Panics
/// With both shapes if they differ.
pub fn binary_crossentropy_from_logits<'t, T: Float>(
    logits: Var<'t, T>,
    target: Var<'t, T>,
) -> Var<'t, T> {
    mean_of(OnLogits, logits, target)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::losses::check_loss;
    use autodiff_core::{Tape, Tensor};

    /// Hard and soft (label-smoothed) targets.
    fn targets() -> Tensor<f64> {
        Tensor::from_vec(vec![1.0, 0.0, 0.9, 0.1, 0.7, 0.4], [3, 2])
    }

    #[test]
    fn gradcheck_both_forms_with_the_target_on_the_tape() {
        let p = Tensor::from_vec(vec![0.9, 0.2, 0.4, 0.7, 0.05, 0.5], [3, 2]);
        check_loss(binary_crossentropy, p, targets());
        let z = Tensor::from_vec(vec![2.0, -1.0, 0.3, 4.0, -3.0, 0.0], [3, 2]);
        check_loss(binary_crossentropy_from_logits, z, targets());
    }

    #[test]
    fn logits_are_stable_at_extremes_and_probabilities_are_clipped() {
        let tape = Tape::new();
        let z = tape.var(Tensor::from_vec(vec![1000.0_f32, -1000.0], [2]));
        let y = tape.constant(Tensor::from_vec(vec![0.0, 1.0], [2]));
        let loss = binary_crossentropy_from_logits(z, y);
        assert_eq!(loss.item(), 1000.0);
        assert_eq!(loss.backward().wrt(z).unwrap().data(), &[0.5, -0.5]);
        let tape = Tape::new();
        let p = tape.var(Tensor::from_vec(vec![1.0_f64, 0.0], [2]));
        let y = tape.constant(Tensor::from_vec(vec![0.0, 1.0], [2]));
        let clipped = binary_crossentropy(p, y);
        assert!(
            (clipped.item() + 1e-7_f64.ln()).abs() < 1e-6,
            "{}",
            clipped.item()
        );
        assert_eq!(clipped.backward().wrt(p).unwrap().data(), &[0.0, 0.0]);
    }
}
