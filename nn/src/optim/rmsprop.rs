//! RMSprop, Keras 3's formula (defaults: ρ = 0.9, ε = 1e-7, momentum 0, not centred):
//!
//! ```text
//! v ← ρ·v + (1 − ρ)·g²
//! centred:   a ← ρ·a + (1 − ρ)·g;   d = v − a² + ε
//! otherwise: d = v + ε
//! Δ = lr·g / √d
//! momentum = 0: w ← w − Δ;   otherwise: m ← μ·m + Δ, w ← w − m
//! ```
//!
//! Keras 3 puts ε *inside* the square root (`keras/src/optimizers/rmsprop.py`), unlike PyTorch
//! (`√v + ε`) and Keras's own Adam; with ε = 1e-7 the two differ only while v ≲ 1e-12.

use autodiff_core::Float;

use super::Rule;

/// RMSprop.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RmsProp {
    /// ρ, the decay of the squared-gradient average.
    pub rho: f64,
    /// μ; 0 disables momentum.
    pub momentum: f64,
    /// ε, added to the average under the square root.
    pub epsilon: f64,
    /// Divide by the estimated variance instead of the second moment.
    pub centered: bool,
}

impl Default for RmsProp {
    fn default() -> Self {
        RmsProp {
            rho: 0.9,
            momentum: 0.0,
            epsilon: 1e-7,
            centered: false,
        }
    }
}

impl<T: Float> Rule<T> for RmsProp {
    fn slots(&self) -> usize {
        1 + usize::from(self.centered) + usize::from(self.momentum != 0.0)
    }

    fn update(&self, w: &mut [T], g: &[T], slots: &mut [Vec<T>], lr: T, _step: u64) {
        let (rho, eps, mu) = (
            T::lit(self.rho),
            T::lit(self.epsilon),
            T::lit(self.momentum),
        );
        let one_minus = T::one() - rho;
        let (v, rest) = slots.split_first_mut().expect("RMSprop keeps a velocity");
        if rest.is_empty() {
            // The default (plain) form as one branch-free loop the compiler can vectorize.
            for ((w, &g), v) in w.iter_mut().zip(g).zip(v.iter_mut()) {
                *v = rho * *v + one_minus * g * g;
                *w -= lr * g / (*v + eps).sqrt();
            }
            return;
        }
        let (mut avg, rest) = if self.centered {
            let (a, r) = rest
                .split_first_mut()
                .expect("centred RMSprop keeps an average");
            (Some(a), r)
        } else {
            (None, rest)
        };
        let mut momentum = rest.first_mut();
        for k in 0..w.len() {
            let gk = g[k];
            v[k] = rho * v[k] + one_minus * gk * gk;
            let d = match &mut avg {
                Some(a) => {
                    a[k] = rho * a[k] + one_minus * gk;
                    v[k] - a[k] * a[k] + eps
                }
                None => v[k] + eps,
            };
            let delta = lr * gk / d.sqrt();
            match &mut momentum {
                Some(m) => {
                    m[k] = mu * m[k] + delta;
                    w[k] -= m[k];
                }
                None => w[k] -= delta,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::Optimizer;
    use crate::optim::tests::steps;

    #[test]
    fn two_steps_by_hand() {
        // g = 2 then 1, lr 0.01: v₁ = 0.4, w₁ = 1 − 0.02/√(0.4 + 1e-7);
        // v₂ = 0.36 + 0.1 = 0.46, w₂ = w₁ − 0.01/√(0.46 + 1e-7).
        let mut opt = Optimizer::new(RmsProp::default(), 0.01);
        let w = steps(&mut opt, &[1.0], &[&[2.0], &[1.0]]);
        let want = 1.0 - 0.02 / (0.4_f64 + 1e-7).sqrt() - 0.01 / (0.46_f64 + 1e-7).sqrt();
        assert!((w[0] - want).abs() < 1e-12, "{w:?} vs {want}");
    }

    #[test]
    fn centred_with_momentum_by_hand() {
        // g = 2, lr 0.1, μ 0.5: v = 0.4, a = 0.2, d = 0.36 + ε, Δ = 0.2/√d; m = Δ; w = 1 − Δ.
        let rule = RmsProp {
            momentum: 0.5,
            centered: true,
            ..RmsProp::default()
        };
        let mut opt = Optimizer::new(rule, 0.1);
        let w = steps(&mut opt, &[1.0], &[&[2.0]]);
        assert!((w[0] - (1.0 - 0.2 / (0.36_f64 + 1e-7).sqrt())).abs() < 1e-12);
    }
}
