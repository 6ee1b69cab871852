//! Batch normalisation over every axis but the channel axis 1 of `[N, C, …]` (`[N, C]`,
//! `[N, C, L]`, `[N, C, H, W]`), as one tape node each way.
//!
//! Training ([`batch_norm_train`]) normalises with the batch's own statistics. Per channel, over
//! its M = N·L values (L the product of the axes after C):
//!
//! - μ = Σx / M, σ² = Σ(x − μ)² / M (biased), s = 1 / √(σ² + ε), x̂ = (x − μ)·s,
//!   y = γ·x̂ + β.
//!
//! Its backward is the closed form, not a chain of small ops. With g the gradient of y:
//!
//! - dβ = Σg, dγ = Σg·x̂, dx = γ·s/M · (M·g − Σg − x̂·Σg·x̂);
//! - and from the statistics, which are outputs too: dx += g_μ / M − g_s·s²·x̂ / M (dμ/dx = 1/M,
//!   ds/dx = −s³(x − μ)/M).
//!
//! Evaluation ([`batch_norm_eval`]) uses given running statistics, constants of the tape:
//! y = γ·(x − μ_run)·s_run + β with s_run = 1 / √(σ²_run + ε); dx = g·γ·s_run,
//! dγ = Σg·(x − μ_run)·s_run, dβ = Σg.

use autodiff_core::{BackwardCx, Float, Tensor, Var, pool};

/// What [`batch_norm_train`] gives: the output and the batch statistics it used.
pub struct BatchNormTrain<'t, T: Float> {
    /// The normalised, scaled and shifted input, the shape of the input.
    pub y: Var<'t, T>,
    /// The batch mean μ of each channel, `[C]`: an output of the op, differentiable.
    pub mean: Var<'t, T>,
    /// The inverse standard deviation s = 1 / √(σ² + ε) of each channel, `[C]`: an output of
    /// the op, differentiable.
    pub inv_std: Var<'t, T>,
    /// The biased batch variance σ² of each channel, `[C]`, off the tape: for updating running
    /// statistics without recovering it from `inv_std` (which would lose precision).
    pub variance: Tensor<T>,
}

/// `[N, C, L]` of an input to `op`, checking γ and β are `[C]`.
fn channels(op: &str, x: &[usize], gamma: &[usize], beta: &[usize]) -> [usize; 3] {
    let [n, c] = match *x {
        [n, c, ..] => [n, c],
        _ => panic!("{op}: input {x:?}, weight {gamma:?}: the input must be [N, C, …]"),
    };
    if gamma != [c] || beta != [c] {
        panic!("{op}: input {x:?}, weight {gamma:?}, bias {beta:?}: weight and bias must be [{c}]");
    }
    [n, c, x[2..].iter().product()]
}

/// Training-mode batch normalisation of `x` `[N, C, …]` with scale `gamma` and shift `beta`
/// (both `[C]`): one op with three outputs (y, μ, s), whose backward is the closed-form
/// gradient above.
///
/// ```
/// use autodiff_core::{Tape, Tensor};
/// use nn::fused::batch_norm_train;
/// let tape = Tape::new();
/// let x = tape.var(Tensor::from_vec(vec![1.0_f64, 10.0, 3.0, 30.0], [2, 2]));
/// let (gamma, beta) = (tape.var(Tensor::ones([2])), tape.var(Tensor::zeros([2])));
/// let bn = batch_norm_train(x, gamma, beta, 1e-5);
/// assert_eq!(bn.mean.value().data(), &[2.0, 20.0]);
/// assert_eq!(bn.variance.data(), &[1.0, 100.0]);
/// let y = bn.y.value();
/// assert!((y.data()[0] + 1.0).abs() < 1e-4 && (y.data()[3] - 1.0).abs() < 1e-4);
/// ```
///
/// # Panics
/// Naming the op and the shapes, if `x` has rank below 2, `gamma` or `beta` is not `[C]`, or a
/// channel has no values (N·L = 0).
#[track_caller]
pub fn batch_norm_train<'t, T: Float>(
    x: Var<'t, T>,
    gamma: Var<'t, T>,
    beta: Var<'t, T>,
    eps: f64,
) -> BatchNormTrain<'t, T> {
    let op = "batch_norm_train";
    let dims = x.dims();
    let [n, c, l] = channels(op, &dims, &gamma.dims(), &beta.dims());
    let m = n * l;
    assert!(m > 0, "{op}: input {dims:?}: no values per channel");
    let count = T::lit(m as f64);
    let mut mean = vec![T::zero(); c];
    let mut variance = vec![T::zero(); c];
    let mut out = pool::unspecified(n * c * l);
    x.with_value(|xv| {
        // Two passes (mean, then squared deviations): stable where Σx² − Mμ² is not.
        for (k, block) in xv.data().chunks_exact(l).enumerate() {
            mean[k % c] += block.iter().fold(T::zero(), |a, &v| a + v);
        }
        mean.iter_mut().for_each(|mu| *mu /= count);
        for (k, block) in xv.data().chunks_exact(l).enumerate() {
            let mu = mean[k % c];
            variance[k % c] += block
                .iter()
                .fold(T::zero(), |a, &v| a + (v - mu) * (v - mu));
        }
        variance.iter_mut().for_each(|var| *var /= count);
    });
    let inv_std: Vec<T> = variance
        .iter()
        .map(|&v| T::one() / (v + T::lit(eps)).sqrt())
        .collect();
    gamma.with_value(|gv| {
        beta.with_value(|bv| {
            x.with_value(|xv| {
                let blocks = xv.data().chunks_exact(l).zip(out.chunks_exact_mut(l));
                for (k, (x, y)) in blocks.enumerate() {
                    let ch = k % c;
                    let (mu, scale, shift) = (mean[ch], inv_std[ch] * gv.data()[ch], bv.data()[ch]);
                    for (y, &x) in y.iter_mut().zip(x) {
                        *y = (x - mu) * scale + shift;
                    }
                }
            })
        })
    });
    let values = [
        Tensor::from_vec(out, dims.as_slice()),
        Tensor::from_vec(mean, [c]),
        Tensor::from_vec(inv_std, [c]),
    ];
    let [y, mean, inv_std] =
        x.tape()
            .record_many(values, &[x, gamma, beta], move |cx: &mut BackwardCx<T>| {
                train_backward(cx, [c, l], count)
            });
    BatchNormTrain {
        y,
        mean,
        inv_std,
        variance: Tensor::from_vec(variance, [c]),
    }
}

/// The closed-form backward of [`batch_norm_train`] (see the module docs).
fn train_backward<T: Float>(cx: &mut BackwardCx<T>, [c, l]: [usize; 2], count: T) {
    let (x, gamma) = (cx.input(0).data(), cx.input(1).data());
    let (mean, inv_std) = (cx.output_of(1).data(), cx.output_of(2).data());
    let normalised = |k: usize, v: T| (v - mean[k % c]) * inv_std[k % c];
    let gy = cx.grad_output_of(0).map(Tensor::data);
    // Σg and Σg·x̂ per channel: dβ and dγ, and the terms of dx.
    let (mut sum_g, mut sum_gx) = (vec![T::zero(); c], vec![T::zero(); c]);
    if let Some(gy) = gy {
        for (k, (x, g)) in x.chunks_exact(l).zip(gy.chunks_exact(l)).enumerate() {
            let (sg, sgx) = x
                .iter()
                .zip(g)
                .fold((T::zero(), T::zero()), |(a, b), (&x, &g)| {
                    (a + g, b + g * normalised(k, x))
                });
            sum_g[k % c] += sg;
            sum_gx[k % c] += sgx;
        }
    }
    if cx.needs_grad(0) {
        // dx = a·g + b·x̂ + d per channel.
        let grad_of = |k: usize| cx.grad_output_of(k).map(|g| g.data().to_vec());
        let (g_mean, g_inv_std) = (grad_of(1), grad_of(2));
        let coefficients: Vec<[T; 3]> = (0..c)
            .map(|ch| {
                let gs = inv_std[ch] * gamma[ch];
                let from_mean = g_mean.as_ref().map_or(T::zero(), |g| g[ch] / count);
                let from_inv_std = g_inv_std
                    .as_ref()
                    .map_or(T::zero(), |g| g[ch] * inv_std[ch] * inv_std[ch] / count);
                [
                    gs,
                    -(gs * sum_gx[ch]) / count - from_inv_std,
                    -(gs * sum_g[ch]) / count + from_mean,
                ]
            })
            .collect();
        cx.write_grad(0, |dx, beta| {
            for (k, (dx, x)) in dx.chunks_exact_mut(l).zip(x.chunks_exact(l)).enumerate() {
                let [a, b, d] = coefficients[k % c];
                let g = gy.map(|g| &g[k * l..(k + 1) * l]);
                for (i, (dx, &x)) in dx.iter_mut().zip(x).enumerate() {
                    let from_y = g.map_or(T::zero(), |g| a * g[i]);
                    let v = from_y + b * normalised(k, x) + d;
                    *dx = if beta.is_zero() { v } else { *dx + v };
                }
            }
        });
    }
    write_channel_sums(cx, 1, &sum_gx);
    write_channel_sums(cx, 2, &sum_g);
}

/// Writes (or adds) the per-channel `sums` as input `i`'s gradient.
fn write_channel_sums<T: Float>(cx: &mut BackwardCx<T>, i: usize, sums: &[T]) {
    cx.write_grad(i, |d, beta| {
        for (d, &s) in d.iter_mut().zip(sums) {
            *d = if beta.is_zero() { s } else { *d + s };
        }
    });
}

/// Evaluation-mode batch normalisation of `x` `[N, C, …]` with the given running statistics
/// (`[C]` each, constants: no gradient flows to them) and scale `gamma` and shift `beta`
/// (`[C]`), as one tape node.
///
/// ```
/// use autodiff_core::{Tape, Tensor};
/// use nn::fused::batch_norm_eval;
/// let tape = Tape::new();
/// let x = tape.constant(Tensor::from_vec(vec![3.0_f64, 3.0], [1, 2]));
/// let (gamma, beta) = (tape.constant(Tensor::ones([2])), tape.constant(Tensor::zeros([2])));
/// let (mean, var) = (Tensor::from_vec(vec![1.0, 2.0], [2]), Tensor::from_vec(vec![4.0, 1.0], [2]));
/// let y = batch_norm_eval(x, gamma, beta, &mean, &var, 0.0);
/// assert_eq!(y.value().data(), &[1.0, 1.0]);
/// ```
///
/// # Panics
/// Naming the op and the shapes, if `x` has rank below 2, or `gamma`, `beta`, `running_mean` or
/// `running_var` is not `[C]`.
#[track_caller]
pub fn batch_norm_eval<'t, T: Float>(
    x: Var<'t, T>,
    gamma: Var<'t, T>,
    beta: Var<'t, T>,
    running_mean: &Tensor<T>,
    running_var: &Tensor<T>,
    eps: f64,
) -> Var<'t, T> {
    let op = "batch_norm_eval";
    let dims = x.dims();
    let [n, c, l] = channels(op, &dims, &gamma.dims(), &beta.dims());
    if running_mean.dims() != [c] || running_var.dims() != [c] {
        panic!(
            "{op}: input {dims:?}, running mean {:?}, running variance {:?}: both must be [{c}]",
            running_mean.dims(),
            running_var.dims()
        );
    }
    let mean = running_mean.data().to_vec();
    let inv_std: Vec<T> = running_var
        .data()
        .iter()
        .map(|&v| T::one() / (v + T::lit(eps)).sqrt())
        .collect();
    let mut out = pool::unspecified(n * c * l);
    gamma.with_value(|gv| {
        beta.with_value(|bv| {
            x.with_value(|xv| {
                let blocks = xv.data().chunks_exact(l).zip(out.chunks_exact_mut(l));
                for (k, (x, y)) in blocks.enumerate() {
                    let ch = k % c;
                    let (mu, scale, shift) = (mean[ch], inv_std[ch] * gv.data()[ch], bv.data()[ch]);
                    for (y, &x) in y.iter_mut().zip(x) {
                        *y = (x - mu) * scale + shift;
                    }
                }
            })
        })
    });
    let value = Tensor::from_vec(out, dims.as_slice());
    x.tape()
        .record(value, &[x, gamma, beta], move |cx: &mut BackwardCx<T>| {
            let (x, gamma, g) = (
                cx.input(0).data(),
                cx.input(1).data(),
                cx.grad_output().data(),
            );
            if cx.needs_grad(0) {
                cx.write_grad(0, |dx, beta| {
                    for (k, (dx, g)) in dx.chunks_exact_mut(l).zip(g.chunks_exact(l)).enumerate() {
                        let scale = gamma[k % c] * inv_std[k % c];
                        for (dx, &g) in dx.iter_mut().zip(g) {
                            *dx = if beta.is_zero() {
                                g * scale
                            } else {
                                *dx + g * scale
                            };
                        }
                    }
                });
            }
            let (mut sum_g, mut sum_gx) = (vec![T::zero(); c], vec![T::zero(); c]);
            for (k, (x, g)) in x.chunks_exact(l).zip(g.chunks_exact(l)).enumerate() {
                let (mu, s) = (mean[k % c], inv_std[k % c]);
                for (&x, &g) in x.iter().zip(g) {
                    sum_g[k % c] += g;
                    sum_gx[k % c] += g * (x - mu) * s;
                }
            }
            write_channel_sums(cx, 1, &sum_gx);
            write_channel_sums(cx, 2, &sum_g);
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use autodiff_core::{Correction, Tape, gradcheck};

    fn train_y<'t>(v: &[Var<'t, f64>]) -> Var<'t, f64> {
        batch_norm_train(v[0], v[1], v[2], 1e-5).y
    }

    fn affine(c: usize) -> [Tensor<f64>; 2] {
        [
            Tensor::normal([c], 1.0, 0.5, 11),
            Tensor::normal([c], 0.0, 0.5, 12),
        ]
    }

    #[test]
    fn gradcheck_training_1d_input_gamma_and_beta() {
        let [gamma, beta] = affine(3);
        for dims in [vec![5, 3], vec![2, 3, 4]] {
            let x = Tensor::normal(dims.as_slice(), 0.5, 2.0, 1);
            gradcheck(train_y, &[x, gamma.clone(), beta.clone()]).unwrap();
        }
    }

    #[test]
    fn gradcheck_training_2d_input_gamma_and_beta() {
        let [gamma, beta] = affine(2);
        let x = Tensor::normal([3, 2, 2, 3], -1.0, 1.5, 2);
        gradcheck(train_y, &[x, gamma, beta]).unwrap();
    }

    #[test]
    fn gradcheck_through_the_statistics_and_an_existing_gradient() {
        // A loss on y, μ and s together, with x, γ and β used again after the op.
        let [gamma, beta] = affine(2);
        let x = Tensor::normal([4, 2, 3], 0.0, 1.0, 3);
        gradcheck(
            |v| {
                let bn = batch_norm_train(v[0], v[1], v[2], 1e-3);
                (bn.y * bn.y).sum()
                    + bn.mean.sum() * 2.0
                    + (bn.inv_std * 0.5).sum()
                    + v[0].sum()
                    + (v[1] * v[2]).sum()
            },
            &[x, gamma, beta],
        )
        .unwrap();
    }

    #[test]
    fn gradcheck_eval_mode() {
        let [gamma, beta] = affine(2);
        let mean = Tensor::from_vec(vec![0.3, -0.2], [2]);
        let var = Tensor::from_vec(vec![1.5, 0.4], [2]);
        let x = Tensor::normal([3, 2, 2, 2], 0.0, 1.0, 4);
        gradcheck(
            |v| batch_norm_eval(v[0], v[1], v[2], &mean, &var, 1e-5) + v[0] * 0.5,
            &[x, gamma, beta],
        )
        .unwrap();
    }

    #[test]
    fn training_statistics_are_the_batch_mean_and_biased_variance() {
        let tape = Tape::new();
        let x = Tensor::<f64>::normal([6, 3, 5], 2.0, 3.0, 5);
        let bn = batch_norm_train(
            tape.constant(x.clone()),
            tape.constant(Tensor::ones([3])),
            tape.constant(Tensor::zeros([3])),
            1e-5,
        );
        let per_channel = x.permute(&[1, 0, 2]).reshape([3, 30]);
        let want_mean = per_channel.mean_axis(1, false);
        let want_var = per_channel.var_axis(1, false, Correction::Population);
        assert!(bn.mean.value().all_close(&want_mean, 1e-12, 1e-12));
        assert!(bn.variance.all_close(&want_var, 1e-12, 1e-12));
        let want_inv_std = want_var.map(|v| 1.0 / (v + 1e-5).sqrt());
        assert!(bn.inv_std.value().all_close(&want_inv_std, 1e-12, 1e-12));
        // y has mean 0 and variance 1 − ε/(σ² + ε) per channel.
        let y = bn.y.value().permute(&[1, 0, 2]).reshape([3, 30]);
        assert!(y.mean_axis(1, false).data().iter().all(|m| m.abs() < 1e-12));
    }

    #[test]
    #[should_panic(expected = "batch_norm_train: input [4, 3], weight [2], bias [3]")]
    fn a_weight_of_the_wrong_size_names_the_shapes() {
        let tape = Tape::<f32>::new();
        batch_norm_train(
            tape.constant(Tensor::zeros([4, 3])),
            tape.constant(Tensor::zeros([2])),
            tape.constant(Tensor::zeros([3])),
            1e-5,
        );
    }
}
