//! Gradient checking: every entry of the analytic Jacobian against central differences, in
//! `f64`, with PyTorch's `torch.autograd.gradcheck` defaults; and, with several inputs, each
//! input's gradient again with the other inputs on the tape as constants, so that every op's
//! "this input needs no gradient" paths are checked too.

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
    /// Whether the backward pass had the other inputs on the tape as constants (the ops'
    /// "this input needs no gradient" paths) rather than every input as a variable.
    pub other_inputs_constant: bool,
}

impl fmt::Display for GradcheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pass = if self.other_inputs_constant {
            " (other inputs constant)"
        } else {
            ""
        };
        write!(
            f,
            "gradcheck: d output{:?} / d input {}{:?}: analytic{pass} {:e} vs numeric {:e}",
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
/// outside `atol + rtol·|numeric|`. With more than one input, each input's Jacobian is also
/// computed with the other inputs as constants ([`Tape::constant`]) and checked against the same
/// differences ([`GradcheckError::other_inputs_constant`]).
pub fn gradcheck_with<F>(
    options: GradcheckOptions,
    f: F,
    inputs: &[Tensor<f64>],
) -> Result<(), GradcheckError>
where
    F: for<'t> Fn(&[Var<'t, f64>]) -> Var<'t, f64>,
{
    let all = vec![true; inputs.len()];
    let all_variables = analytic_jacobian(&f, inputs, &all);
    let mut worst = Worst::default();
    for (i, input) in inputs.iter().enumerate() {
        let mut passes = vec![(false, &all_variables[i])];
        let alone;
        if inputs.len() > 1 {
            let only_i: Vec<bool> = (0..inputs.len()).map(|k| k == i).collect();
            alone = analytic_jacobian(&f, inputs, &only_i);
            passes.push((true, &alone[i]));
        }
        for e in 0..input.numel() {
            let column = numeric_column(&f, inputs, i, e, options.eps);
            for (j, &numeric) in column.data().iter().enumerate() {
                for &(other_inputs_constant, jacobian) in &passes {
                    let analytic = jacobian[j].data()[e];
                    worst.consider(analytic, numeric, &options, || GradcheckError {
                        input: i,
                        index: unravel(input.dims(), e),
                        output_index: unravel(column.dims(), j),
                        analytic,
                        numeric,
                        other_inputs_constant,
                    });
                }
            }
        }
    }
    worst.error.map_or(Ok(()), |(_, e)| Err(e))
}

/// The disagreement furthest outside the tolerance so far.
#[derive(Default)]
struct Worst {
    error: Option<(f64, GradcheckError)>,
}

impl Worst {
    /// Keeps the entry `describe` builds if analytic `a` against numeric `b` is the worst yet.
    fn consider(
        &mut self,
        a: f64,
        b: f64,
        options: &GradcheckOptions,
        describe: impl FnOnce() -> GradcheckError,
    ) {
        // A NaN on either side fails, even on both (PyTorch's allclose has equal_nan=False);
        // equal infinities pass. Such entries rank as the worst.
        let excess = match (a - b).abs() - (options.atol + options.rtol * b.abs()) {
            e if e.is_nan() && a == b => 0.0,
            e if e.is_nan() => f64::INFINITY,
            e => e,
        };
        if excess > 0.0 && self.error.as_ref().is_none_or(|(w, _)| excess > *w) {
            self.error = Some((excess, describe()));
        }
    }
}

/// `jacobian[input][output element]`: the gradient of one output element w.r.t. that input,
/// with input `k` on the tape as a variable if `variable[k]`, else as a constant (whose Jacobian
/// is then left as zeros).
fn analytic_jacobian<F>(f: &F, inputs: &[Tensor<f64>], variable: &[bool]) -> Vec<Vec<Tensor<f64>>>
where
    F: for<'t> Fn(&[Var<'t, f64>]) -> Var<'t, f64>,
{
    let tape = Tape::new();
    let vars: Vec<Var<f64>> = inputs
        .iter()
        .zip(variable)
        .map(|(x, &v)| {
            if v {
                tape.var(x.clone())
            } else {
                tape.constant(x.clone())
            }
        })
        .collect();
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
                .filter(|_| variable[i])
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
