//! Gradient clipping, as Keras's optimizer arguments:
//! - `value`: each element clipped to [−v, v] (`clipvalue`);
//! - `norm`: each variable's gradient scaled to an L2 norm of at most n (`clipnorm`);
//! - `global_norm`: all gradients scaled together so their joint norm is at most n
//!   (`global_clipnorm`).
//!
//! They apply in that order: value, then per-variable norm, then the global scale.

use std::borrow::Cow;

use autodiff_core::{Float, Gradients, Module, ParamPath, Tensor};

/// Which clipping to apply to gradients before the update.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Clipping {
    /// Clip each element to [−value, value].
    pub value: Option<f64>,
    /// Clip each variable's gradient norm.
    pub norm: Option<f64>,
    /// Clip the norm of all gradients together.
    pub global_norm: Option<f64>,
}

impl Clipping {
    /// The factor every gradient is multiplied by for `global_norm` (1 without it). The global
    /// norm is taken of the gradients as they reach it (after value and per-variable clipping).
    pub(super) fn global_scale<T: Float, M: Module<T> + ?Sized>(
        &self,
        model: &M,
        grads: &Gradients<T>,
    ) -> f64 {
        let Some(limit) = self.global_norm else {
            return 1.0;
        };
        let mut total = 0.0;
        model.visit(&mut ParamPath::new(), &mut |_, p| {
            if let Some(g) = grads.by_id(p.id()).filter(|_| p.is_trainable()) {
                let g = self.clip(g, 1.0);
                total += g
                    .data()
                    .iter()
                    .map(|v| v.to_f64().unwrap().powi(2))
                    .sum::<f64>();
            }
        });
        let norm = total.sqrt();
        if norm > limit { limit / norm } else { 1.0 }
    }

    /// One variable's clipped gradient, times `global_scale` (borrowed when nothing changes).
    pub(super) fn clip<'g, T: Float>(
        &self,
        g: &'g Tensor<T>,
        global_scale: f64,
    ) -> Cow<'g, Tensor<T>> {
        if self.value.is_none() && self.norm.is_none() && global_scale == 1.0 {
            return Cow::Borrowed(g);
        }
        let mut g = match self.value {
            Some(v) => g.clamp(T::lit(-v), T::lit(v)),
            None => g.clone(),
        };
        let mut scale = global_scale;
        if let Some(limit) = self.norm {
            let norm = g
                .data()
                .iter()
                .map(|v| v.to_f64().unwrap().powi(2))
                .sum::<f64>()
                .sqrt();
            if norm > limit {
                scale *= limit / norm;
            }
        }
        if scale != 1.0 {
            let s = T::lit(scale);
            g.data_mut().iter_mut().for_each(|v| *v *= s);
        }
        Cow::Owned(g)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::Optimizer;
    use crate::optim::tests::steps;

    #[test]
    fn by_value_by_norm_and_globally() {
        let by_value = Clipping {
            value: Some(0.5),
            ..Clipping::default()
        };
        let w = steps(
            &mut Optimizer::sgd(1.0).clipping(by_value),
            &[0.0, 0.0],
            &[&[3.0, -0.1]],
        );
        assert_eq!(w, [-0.5, 0.1]);
        let by_norm = Clipping {
            norm: Some(1.0),
            ..Clipping::default()
        };
        let w = steps(
            &mut Optimizer::sgd(1.0).clipping(by_norm),
            &[0.0, 0.0],
            &[&[3.0, 4.0]],
        );
        assert!(
            (w[0] + 0.6).abs() < 1e-12 && (w[1] + 0.8).abs() < 1e-12,
            "{w:?}"
        );
        let global = Clipping {
            global_norm: Some(2.5),
            ..Clipping::default()
        };
        let w = steps(
            &mut Optimizer::sgd(1.0).clipping(global),
            &[0.0, 0.0],
            &[&[3.0, 4.0]],
        );
        assert!(
            (w[0] + 1.5).abs() < 1e-12 && (w[1] + 2.0).abs() < 1e-12,
            "{w:?}"
        );
    }
}
