//! Weight penalties added to the loss, with Keras's formulas (no ½ in L2):
//! - `l1(λ)`: λ·Σ|w|;
//! - `l2(λ)`: λ·Σw²;
//! - `l1_l2(λ₁, λ₂)`: λ₁·Σ|w| + λ₂·Σw².
//!
//! Like Keras, the penalty is part of the reported `loss` and `val_loss`.
//!
//! ```
//! use autodiff_core::{Tape, Tensor};
//! use nn::Regularizer;
//! let tape = Tape::new();
//! let w = tape.constant(Tensor::from_vec(vec![1.0_f64, -2.0], [2]));
//! assert_eq!(Regularizer::L2(0.01).penalty(w).item(), 0.01 * 5.0);
//! assert_eq!(Regularizer::L1(0.1).penalty(w).item(), 0.1 * 3.0);
//! ```

use autodiff_core::{Float, Var};

/// A penalty on a weight tensor (Keras's `kernel_regularizer`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Regularizer {
    /// λ·Σ|w|.
    L1(f64),
    /// λ·Σw².
    L2(f64),
    /// λ₁·Σ|w| + λ₂·Σw².
    L1L2 {
        /// λ₁.
        l1: f64,
        /// λ₂.
        l2: f64,
    },
}

impl Regularizer {
    /// The penalty of `w`, a scalar on `w`'s tape.
    pub fn penalty<'t, T: Float>(self, w: Var<'t, T>) -> Var<'t, T> {
        let l1 = |lambda: f64| w.abs().sum().scale(T::lit(lambda));
        let l2 = |lambda: f64| (w * w).sum().scale(T::lit(lambda));
        match self {
            Regularizer::L1(lambda) => l1(lambda),
            Regularizer::L2(lambda) => l2(lambda),
            Regularizer::L1L2 { l1: a, l2: b } => l1(a) + l2(b),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use autodiff_core::{Tensor, gradcheck};

    #[test]
    fn gradcheck_penalties() {
        let w = Tensor::from_vec(vec![0.3, -1.2, 2.0, -0.7], [2, 2]);
        for r in [
            Regularizer::L1(0.1),
            Regularizer::L2(0.2),
            Regularizer::L1L2 { l1: 0.1, l2: 0.3 },
        ] {
            gradcheck(|v| r.penalty(v[0]), std::slice::from_ref(&w)).unwrap();
        }
    }
}
