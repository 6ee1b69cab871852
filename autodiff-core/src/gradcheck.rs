//! Gradient checking: every entry of the analytic Jacobian against central differences, in
//! `f64`, with PyTorch's `torch.autograd.gradcheck` defaults.

use std::fmt;

use crate::{Tape, Tensor, Var};

/// Tolerances of [`gradcheck_with`]; the defaults are PyTorch's.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GradcheckOptions {
    /// The finite-difference step.
    pub eps: f64,
    /// Absolute tolerance.
    pub atol: f64,
    /// Relative tolerance (relative to the numeric value).
    pub rtol: f64,
}

impl Default for GradcheckOptions {
    fn default() -> Self {
        GradcheckOptions {
            eps: 1e-6,
            atol: 1e-5,
            rtol: 1e-3,
        }
    }
}

/// The worst Jacobian entry where the analytic and numeric derivatives disagree.
#[derive(Clone, Debug, PartialEq)]
pub struct GradcheckError {
    /// Which input (position in the `inputs` slice).
    pub input: usize,
    /// The multi-index of the input element.
    pub index: Vec<usize>,
    /// The multi-index of the output element.
    pub output_index: Vec<usize>,
    /// d output / d input from the backward pass.
    pub analytic: f64,
    /// The same from central differences.
    pub numeric: f64,
}

impl fmt::Display for GradcheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "gradcheck: d output{:?} / d input {}{:?}: analytic {:e} vs numeric {:e}",
            self.output_index, self.input, self.index, self.analytic, self.numeric
        )
    }
}

impl std::error::Error for GradcheckError {}

/// Checks the gradients of `f` at `inputs` with PyTorch's default tolerances
/// (eps 1e-6, atol 1e-5, rtol 1e-3). See [`gradcheck_with`].
///
/// ```
/// use autodiff_core::{gradcheck, Tensor};
/// let x = Tensor::from_vec(vec![0.3, -1.2, 2.0], [3]);
/// gradcheck(|v| (v[0].tanh() * v[0]).sum(), &[x]).unwrap();
/// ```
pub fn gradcheck<F>(f: F, inputs: &[Tensor<f64>]) -> Result<(), GradcheckError>
where
    F: for<'t> Fn(&[Var<'t, f64>]) -> Var<'t, f64>,
{
    gradcheck_with(GradcheckOptions::default(), f, inputs)
}

/// Compares every entry of the Jacobian of `f` (any output shape) computed by backward passes
/// with central differences `(f(x + eps) − f(x − eps)) / 2eps`, and fails with the worst entry
/// outside `atol + rtol·|numeric|`.
pub fn gradcheck_with<F>(
    options: GradcheckOptions,
    f: F,
    inputs: &[Tensor<f64>],
) -> Result<(), GradcheckError>
where
    F: for<'t> Fn(&[Var<'t, f64>]) -> Var<'t, f64>,
{
    let analytic = analytic_jacobian(&f, inputs);
    let mut worst: Option<(f64, GradcheckError)> = None;
    for (i, input) in inputs.iter().enumerate() {
        for e in 0..input.numel() {
            let column = numeric_column(&f, inputs, i, e, options.eps);
            for (j, &numeric) in column.data().iter().enumerate() {
                let a = analytic[i][j].data()[e];
                let excess = (a - numeric).abs() - (options.atol + options.rtol * numeric.abs());
                if (excess > 0.0 || a.is_nan() != numeric.is_nan())
                    && worst.as_ref().is_none_or(|(w, _)| excess > *w)
                {
                    let error = GradcheckError {
                        input: i,
                        index: unravel(input.dims(), e),
                        output_index: unravel(column.dims(), j),
                        analytic: a,
                        numeric,
                    };
                    worst = Some((excess, error));
                }
            }
        }
    }
    worst.map_or(Ok(()), |(_, e)| Err(e))
}

/// `jacobian[input][output element]`: the gradient of one output element w.r.t. that input.
fn analytic_jacobian<F>(f: &F, inputs: &[Tensor<f64>]) -> Vec<Vec<Tensor<f64>>>
where
    F: for<'t> Fn(&[Var<'t, f64>]) -> Var<'t, f64>,
{
    let tape = Tape::new();
    let vars: Vec<Var<f64>> = inputs.iter().map(|x| tape.var(x.clone())).collect();
    let out = f(&vars);
    let shape = out.shape();
    let mut jacobian = vec![Vec::with_capacity(shape.numel()); inputs.len()];
    for j in 0..shape.numel() {
        let mut seed = Tensor::zeros(shape);
        seed.data_mut()[j] = 1.0;
        let grads = out.backward_with(seed);
        for (i, var) in vars.iter().enumerate() {
            let g = grads
                .wrt(*var)
                .cloned()
                .unwrap_or_else(|| Tensor::zeros(inputs[i].shape()));
            jacobian[i].push(g);
        }
    }
    jacobian
}

/// d output / d (input `i`, element `e`) by central differences.
fn numeric_column<F>(f: &F, inputs: &[Tensor<f64>], i: usize, e: usize, eps: f64) -> Tensor<f64>
where
    F: for<'t> Fn(&[Var<'t, f64>]) -> Var<'t, f64>,
{
    let eval = |delta: f64| {
        let tape = Tape::no_grad();
        let vars: Vec<Var<f64>> = inputs
            .iter()
            .enumerate()
            .map(|(k, x)| {
                let mut x = x.clone();
                if k == i {
                    x.data_mut()[e] += delta;
                }
                tape.var(x)
            })
            .collect();
        f(&vars).value()
    };
    let (plus, minus) = (eval(eps), eval(-eps));
    plus.zip_map(&minus, |p, m| (p - m) / (2.0 * eps))
}

fn unravel(dims: &[usize], mut flat: usize) -> Vec<usize> {
    let mut index = vec![0; dims.len()];
    for axis in (0..dims.len()).rev() {
        index[axis] = flat % dims[axis];
        flat /= dims[axis];
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unravel_is_row_major() {
        assert_eq!(unravel(&[2, 3], 5), vec![1, 2]);
        assert_eq!(unravel(&[], 0), Vec::<usize>::new());
    }
}
