//! Stochastic gradient descent, Keras's formula (defaults: momentum 0, no Nesterov):
//!
//! ```text
//! momentum = 0:   w ← w − lr·g
//! otherwise:      m ← μ·m − lr·g
//!                 w ← w + m              (classical)
//!                 w ← w + μ·m − lr·g     (Nesterov)
//! ```

use autodiff_core::Float;

use super::Rule;

/// SGD with optional (Nesterov) momentum.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Sgd {
    /// μ, in [0, 1]; 0 disables momentum.
    pub momentum: f64,
    /// Nesterov's look-ahead form.
    pub nesterov: bool,
}

impl<T: Float> Rule<T> for Sgd {
    fn slots(&self) -> usize {
        usize::from(self.momentum != 0.0)
    }

    fn update(&self, w: &mut [T], g: &[T], slots: &mut [Vec<T>], lr: T, _step: u64) {
        let Some(m) = slots.first_mut() else {
            w.iter_mut().zip(g).for_each(|(w, &g)| *w -= lr * g);
            return;
        };
        let mu = T::lit(self.momentum);
        for ((w, &g), m) in w.iter_mut().zip(g).zip(m.iter_mut()) {
            *m = mu * *m - lr * g;
            *w += if self.nesterov { mu * *m - lr * g } else { *m };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::Optimizer;
    use crate::optim::tests::steps;

    #[test]
    fn momentum_and_nesterov_by_hand() {
        // g = 2 twice, lr 0.1, μ 0.9: m₁ = −0.2, w₁ = 0.8; m₂ = −0.18 − 0.2 = −0.38, w₂ = 0.42.
        let mut opt = Optimizer::new(
            Sgd {
                momentum: 0.9,
                nesterov: false,
            },
            0.1,
        );
        let w = steps(&mut opt, &[1.0], &[&[2.0], &[2.0]]);
        assert!((w[0] - 0.42).abs() < 1e-12, "{w:?}");
        // Nesterov: w₁ = 1 + 0.9·(−0.2) − 0.2 = 0.62; w₂ = 0.62 + 0.9·(−0.38) − 0.2 = 0.078.
        let mut opt = Optimizer::new(
            Sgd {
                momentum: 0.9,
                nesterov: true,
            },
            0.1,
        );
        let w = steps(&mut opt, &[1.0], &[&[2.0], &[2.0]]);
        assert!((w[0] - 0.078).abs() < 1e-12, "{w:?}");
    }
}
