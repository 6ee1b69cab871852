//! Adam and AdamW, Keras's formulas (defaults: β₁ = 0.9, β₂ = 0.999, ε = 1e-7; AdamW's weight
//! decay 0.004):
//!
//! ```text
//! t = iteration (1-based);  α = lr·√(1 − β₂ᵗ) / (1 − β₁ᵗ)
//! m ← m + (g − m)(1 − β₁);  v ← v + (g² − v)(1 − β₂)
//! w ← w − α·m / (√v + ε)          (ε outside the root, not bias-corrected: "ε-hat")
//! AdamW first decays: w ← w − lr·λ·w (decoupled from the gradient)
//! ```

use autodiff_core::Float;

use super::Rule;

/// Adam.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Adam {
    /// β₁, the decay of the first moment.
    pub beta_1: f64,
    /// β₂, the decay of the second moment.
    pub beta_2: f64,
    /// ε, added to √v.
    pub epsilon: f64,
}

impl Default for Adam {
    fn default() -> Self {
        Adam {
            beta_1: 0.9,
            beta_2: 0.999,
            epsilon: 1e-7,
        }
    }
}

impl<T: Float> Rule<T> for Adam {
    fn slots(&self) -> usize {
        2
    }

    fn update(&self, w: &mut [T], g: &[T], slots: &mut [Vec<T>], lr: T, step: u64) {
        let t = step as i32;
        let (b1, b2) = (self.beta_1, self.beta_2);
        let alpha = lr * T::lit((1.0 - b2.powi(t)).sqrt() / (1.0 - b1.powi(t)));
        let (c1, c2, eps) = (T::lit(1.0 - b1), T::lit(1.0 - b2), T::lit(self.epsilon));
        let [m, v] = slots else {
            panic!("Adam keeps two moments")
        };
        for (((w, &g), m), v) in w.iter_mut().zip(g).zip(m.iter_mut()).zip(v.iter_mut()) {
            *m += (g - *m) * c1;
            *v += (g * g - *v) * c2;
            *w -= alpha * *m / (v.sqrt() + eps);
        }
    }
}

/// Adam with decoupled weight decay.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdamW {
    /// The Adam part.
    pub adam: Adam,
    /// λ: each step first shrinks w by lr·λ·w.
    pub weight_decay: f64,
}

impl Default for AdamW {
    fn default() -> Self {
        AdamW {
            adam: Adam::default(),
            weight_decay: 0.004,
        }
    }
}

impl<T: Float> Rule<T> for AdamW {
    fn slots(&self) -> usize {
        2
    }

    fn update(&self, w: &mut [T], g: &[T], slots: &mut [Vec<T>], lr: T, step: u64) {
        let decay = lr * T::lit(self.weight_decay);
        w.iter_mut().for_each(|w| *w -= decay * *w);
        self.adam.update(w, g, slots, lr, step);
    }
}

#[cfg(test)]
mod tests {
    use crate::optim::Optimizer;
    use crate::optim::tests::steps;

    fn adam_by_hand(mut w: f64, grads: &[f64], lr: f64, decay: f64) -> f64 {
        let (mut m, mut v) = (0.0, 0.0);
        for (i, &g) in grads.iter().enumerate() {
            let t = i as i32 + 1;
            w -= lr * decay * w;
            m = 0.9 * m + 0.1 * g;
            v = 0.999 * v + 0.001 * g * g;
            let alpha = lr * (1.0 - 0.999_f64.powi(t)).sqrt() / (1.0 - 0.9_f64.powi(t));
            w -= alpha * m / (v.sqrt() + 1e-7);
        }
        w
    }

    #[test]
    fn adam_and_adamw_by_hand() {
        let mut opt = Optimizer::adam(0.01);
        let w = steps(&mut opt, &[1.0], &[&[2.0], &[-1.0], &[0.5]]);
        assert!((w[0] - adam_by_hand(1.0, &[2.0, -1.0, 0.5], 0.01, 0.0)).abs() < 1e-12);
        // the first Adam step moves by lr whatever the gradient's size
        let w = steps(&mut Optimizer::adam(0.01), &[1.0], &[&[1e3]]);
        assert!((w[0] - 0.99).abs() < 1e-9, "{}", w[0]);
        let mut opt = Optimizer::adamw(0.01);
        let w = steps(&mut opt, &[1.0], &[&[2.0], &[-1.0]]);
        assert!((w[0] - adam_by_hand(1.0, &[2.0, -1.0], 0.01, 0.004)).abs() < 1e-12);
    }
}
