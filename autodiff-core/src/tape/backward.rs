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

/// What a [`Backward`] operation sees: its inputs' and outputs' values, the outputs' gradients,
/// and its inputs' gradient buffers.
pub struct BackwardCx<'a, T: Float> {
    nodes: &'a Nodes<T>,
    inputs: &'a [u32],
    /// The node of the first output; the others follow it.
    first_output: usize,
    /// The gradient of each output, `None` for an output the loss does not depend on.
    grad_outputs: &'a [Option<Tensor<T>>],
    /// Gradients of the nodes before the outputs (every input comes before its outputs).
    grads: &'a mut [Option<Tensor<T>>],
    pass: PassThrough<T>,
}

/// The inputs an op sends its output gradient to unchanged but for a factor, applied after its
/// backward returns (when the gradient can be moved rather than copied).
pub(super) struct PassThrough<T> {
    targets: [(usize, T); PASS_THROUGH_CAPACITY],
    len: usize,
}

/// How many inputs one op can pass its gradient through to lazily; more are sent at once.
const PASS_THROUGH_CAPACITY: usize = 4;

impl<T: Float> PassThrough<T> {
    pub(super) fn targets(&self) -> &[(usize, T)] {
        &self.targets[..self.len]
    }
}

impl<'a, T: Float> BackwardCx<'a, T> {
    pub(super) fn new(
        nodes: &'a Nodes<T>,
        inputs: &'a [u32],
        first_output: usize,
        grad_outputs: &'a [Option<Tensor<T>>],
        grads: &'a mut [Option<Tensor<T>>],
    ) -> Self {
        BackwardCx {
            nodes,
            inputs,
            first_output,
            grad_outputs,
            grads,
            pass: PassThrough {
                targets: [(0, T::zero()); PASS_THROUGH_CAPACITY],
                len: 0,
            },
        }
    }

    pub(super) fn into_pass_through(self) -> PassThrough<T> {
        self.pass
    }

    /// How many inputs the operation has.
    pub fn num_inputs(&self) -> usize {
        self.inputs.len()
    }

    /// How many outputs the operation has (1 unless recorded with
    /// [`Tape::record_many`](crate::Tape::record_many)).
    pub fn num_outputs(&self) -> usize {
        self.grad_outputs.len()
    }

    /// The value of input `i`.
    #[inline]
    pub fn input(&self, i: usize) -> &'a Tensor<T> {
        self.nodes.value(self.inputs[i])
    }

    /// The operation's output value.
    ///
    /// # Panics
    /// If the operation has several outputs: use [`BackwardCx::output_of`].
    #[track_caller]
    pub fn output(&self) -> &'a Tensor<T> {
        self.assert_single("output");
        self.output_of(0)
    }

    /// The value of output `k`.
    pub fn output_of(&self, k: usize) -> &'a Tensor<T> {
        assert!(
            k < self.num_outputs(),
            "output_of: the op has {} outputs",
            self.num_outputs()
        );
        self.nodes.value((self.first_output + k) as u32)
    }

    /// The gradient of the loss with respect to the output.
    ///
    /// # Panics
    /// If the operation has several outputs: use [`BackwardCx::grad_output_of`].
    #[track_caller]
    pub fn grad_output(&self) -> &'a Tensor<T> {
        self.assert_single("grad_output");
        self.grad_outputs[0]
            .as_ref()
            .expect("a single-output op's backward runs only with its gradient")
    }

    /// The gradient of the loss with respect to output `k`, or `None` if the loss does not
    /// depend on that output (then it costs nothing).
    pub fn grad_output_of(&self, k: usize) -> Option<&'a Tensor<T>> {
        assert!(
            k < self.num_outputs(),
            "grad_output_of: the op has {} outputs",
            self.num_outputs()
        );
        self.grad_outputs[k].as_ref()
    }

    #[track_caller]
    fn assert_single(&self, what: &str) {
        assert!(
            self.num_outputs() == 1,
            "{what}: the op has {} outputs; ask for one by index ({what}_of)",
            self.num_outputs()
        );
    }

    /// Whether input `i` needs a gradient; work for the others can be skipped.
    pub fn needs_grad(&self, i: usize) -> bool {
        self.nodes.requires_grad(self.inputs[i])
    }

    /// Adds `grad` into input `i`'s gradient. A gradient with the shape the output broadcast the
    /// input to is summed back to the input's shape first.
    ///
    /// # Panics
    /// If `grad`'s shape is neither the input's shape nor a broadcast of it.
    #[inline]
    pub fn accumulate(&mut self, i: usize, grad: Tensor<T>) {
        if !self.needs_grad(i) {
            return;
        }
        let input = self.input(i);
        let grad = if grad.same_shape(input) {
            grad
        } else {
            grad.sum_to_shape(input.shape())
        };
        match &mut self.grads[self.inputs[i] as usize] {
            Some(existing) => existing.add_assign(&grad),
            slot @ None => *slot = Some(grad),
        }
    }

    /// Adds `factor ×` the output's gradient into input `i`'s gradient (summed back over
    /// broadcast axes), for ops whose Jacobian is the identity times a factor (`+`, `−`, a
    /// scale). The gradient is moved, not copied, into the last input it is passed to when
    /// nothing else keeps it; into an existing gradient it is added in place.
    ///
    /// # Panics
    /// If the operation has several outputs.
    #[track_caller]
    pub fn accumulate_grad_output(&mut self, i: usize, factor: T) {
        self.assert_single("accumulate_grad_output");
        if !self.needs_grad(i) {
            return;
        }
        if self.pass.len == PASS_THROUGH_CAPACITY {
            let g = self.grad_output().scale(factor);
            self.accumulate(i, g);
            return;
        }
        self.pass.targets[self.pass.len] = (i, factor);
        self.pass.len += 1;
    }

    /// Input `i`'s gradient buffer, zero-filled on first use, for ops that add into it in place
    /// (a scatter-add, a matrix product with β = 1).
    pub fn grad_mut(&mut self, i: usize) -> &mut Tensor<T> {
        let shape: Shape = self.input(i).shape();
        self.grads[self.inputs[i] as usize].get_or_insert_with(|| Tensor::zeros(shape))
    }

    /// Calls `write(gradient, beta)` on input `i`'s gradient buffer, for kernels that write
    /// `gradient ← contribution + β·gradient` (a product with gemm's β): with β = 0 on a new
    /// buffer of unspecified values ([`Tensor::empty`]) when the input has no gradient yet, so
    /// nothing is zero-filled first, or with β = 1 on the gradient it holds. `write` must set
    /// every element when β is 0.
    pub fn write_grad(&mut self, i: usize, write: impl FnOnce(&mut [T], T)) {
        if !self.needs_grad(i) {
            return;
        }
        let shape = self.input(i).shape();
        match &mut self.grads[self.inputs[i] as usize] {
            Some(existing) => write(existing.data_mut(), T::one()),
            slot @ None => {
                let mut grad = Tensor::empty(shape);
                write(grad.data_mut(), T::zero());
                *slot = Some(grad);
            }
        }
    }

    /// Whether input `i` has no gradient yet: then [`BackwardCx::accumulate`] moves a tensor in
    /// without adding, and an op may choose to write instead of add.
    pub fn grad_is_empty(&self, i: usize) -> bool {
        self.grads[self.inputs[i] as usize].is_none()
    }
}
