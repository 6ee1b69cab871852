//! How an operation sends gradients back to its inputs.

use crate::{Float, Shape, Tensor};

use super::Nodes;

/// The backward half of an operation recorded with [`Tape::record`](crate::Tape::record):
/// given the gradient of the output, add the gradient of each input.
///
/// Closures `Fn(&mut BackwardCx<T>)` implement it, which is enough for most ops. A user-defined
/// primitive op is the forward computation on [`Tensor`]s plus one `record` call:
///
/// ```
/// use autodiff_core::{BackwardCx, Tape, Tensor, Var};
///
/// /// y = x³, a primitive op with its own backward: dy/dx = 3x².
/// fn cube<'t>(x: Var<'t, f64>) -> Var<'t, f64> {
///     let y = x.with_value(|v| v.map(|a| a * a * a));
///     x.tape().record(y, &[x], |cx: &mut BackwardCx<f64>| {
///         let g = cx.grad_output().zip_map(cx.input(0), |g, a| g * 3.0 * a * a);
///         cx.accumulate(0, g);
///     })
/// }
///
/// let tape = Tape::new();
/// let x = tape.var(Tensor::from_vec(vec![2.0], [1]));
/// assert_eq!(cube(x).sum().backward().wrt(x).unwrap().data(), &[12.0]);
/// ```
pub trait Backward<T: Float>: 'static {
    /// Adds the gradient of every input that needs one (see [`BackwardCx::needs_grad`]).
    fn backward(&self, cx: &mut BackwardCx<'_, T>);
}

impl<T: Float, F: Fn(&mut BackwardCx<'_, T>) + 'static> Backward<T> for F {
    fn backward(&self, cx: &mut BackwardCx<'_, T>) {
        self(cx)
    }
}

/// What a [`Backward`] operation sees: its inputs' and output's values, the output's gradient,
/// and its inputs' gradient buffers.
pub struct BackwardCx<'a, T: Float> {
    nodes: &'a Nodes<T>,
    inputs: &'a [u32],
    output: usize,
    grad_output: &'a Tensor<T>,
    /// Gradients of the nodes before the output (every input comes before its output).
    grads: &'a mut [Option<Tensor<T>>],
}

impl<'a, T: Float> BackwardCx<'a, T> {
    pub(super) fn new(
        nodes: &'a Nodes<T>,
        inputs: &'a [u32],
        output: usize,
        grad_output: &'a Tensor<T>,
        grads: &'a mut [Option<Tensor<T>>],
    ) -> Self {
        BackwardCx {
            nodes,
            inputs,
            output,
            grad_output,
            grads,
        }
    }

    /// How many inputs the operation has.
    pub fn num_inputs(&self) -> usize {
        self.inputs.len()
    }

    /// The value of input `i`.
    pub fn input(&self, i: usize) -> &'a Tensor<T> {
        &self.nodes.values[self.inputs[i] as usize]
    }

    /// The operation's output value.
    pub fn output(&self) -> &'a Tensor<T> {
        &self.nodes.values[self.output]
    }

    /// The gradient of the loss with respect to the output.
    pub fn grad_output(&self) -> &'a Tensor<T> {
        self.grad_output
    }

    /// Whether input `i` needs a gradient; work for the others can be skipped.
    pub fn needs_grad(&self, i: usize) -> bool {
        self.nodes.nodes[self.inputs[i] as usize].requires_grad
    }

    /// Adds `grad` into input `i`'s gradient. A gradient with the shape the output broadcast the
    /// input to is summed back to the input's shape first.
    ///
    /// # Panics
    /// If `grad`'s shape is neither the input's shape nor a broadcast of it.
    pub fn accumulate(&mut self, i: usize, grad: Tensor<T>) {
        if !self.needs_grad(i) {
            return;
        }
        let shape = self.input(i).shape();
        let grad = if grad.shape() == shape {
            grad
        } else {
            grad.sum_to_shape(shape)
        };
        match &mut self.grads[self.inputs[i] as usize] {
            Some(existing) => existing.add_assign(&grad),
            slot @ None => *slot = Some(grad),
        }
    }

    /// Input `i`'s gradient buffer, zero-filled on first use, for ops that add into it in place
    /// (a scatter-add, a matrix product with β = 1).
    pub fn grad_mut(&mut self, i: usize) -> &mut Tensor<T> {
        let shape: Shape = self.input(i).shape();
        self.grads[self.inputs[i] as usize].get_or_insert_with(|| Tensor::zeros(shape))
    }

    /// Whether input `i` has no gradient yet: then [`BackwardCx::accumulate`] moves a tensor in
    /// without adding, and an op may choose to write instead of add.
    pub fn grad_is_empty(&self, i: usize) -> bool {
        self.grads[self.inputs[i] as usize].is_none()
    }
}
