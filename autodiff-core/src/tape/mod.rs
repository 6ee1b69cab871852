//! The reverse-mode tape: an append-only list of nodes (a Wengert list).
//!
//! Creation order is a topological order, so the backward pass is one reverse sweep over the
//! nodes: no sorting, no hashing, no reference counting.

mod backward;
mod gradients;
mod var;

pub use backward::{Backward, BackwardCx};
pub use gradients::Gradients;
pub use var::Var;

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::{Deref, Range};
use std::sync::Arc;

use crate::{Float, Param, ParamId, Tensor};

/// The recording of one computation, whose [`Var`]s are `Copy` handles into it.
///
/// ```
/// use autodiff_core::{Tape, Tensor};
/// let tape = Tape::new();
/// let x = tape.var(Tensor::from_vec(vec![1.0_f64, 2.0, 3.0], [3]));
/// let y = (x * x + 1.0).sum();       // Σ (x² + 1)
/// let grads = y.backward();
/// assert_eq!(grads.wrt(x).unwrap().data(), &[2.0, 4.0, 6.0]);
/// ```
///
/// A tape built by [`Tape::no_grad`] computes values but records no backward operations, so
/// inference pays nothing for autodiff. [`Tape::clear`] empties a tape and keeps its
/// allocations, so a training loop can reuse one tape for every step.
pub struct Tape<T: Float> {
    inner: RefCell<Nodes<T>>,
    recording: bool,
}

/// The nodes of a tape, stored as parallel arrays.
struct Nodes<T: Float> {
    values: Vec<Value<T>>,
    nodes: Vec<Node<T>>,
    /// Input node ids of every node, concatenated; a node's inputs are a range of it.
    edges: Vec<u32>,
    /// Which node holds each parameter put on this tape.
    params: HashMap<ParamId, u32>,
}

struct Node<T: Float> {
    backward: Option<Box<dyn Backward<T>>>,
    inputs: Range<u32>,
    requires_grad: bool,
    /// Keep this node's gradient after the sweep (leaves, and values asked for).
    keep_grad: bool,
}

/// A node's value: computed on the tape, or shared with a [`Param`] without copying.
pub(crate) enum Value<T> {
    Owned(Tensor<T>),
    Shared(Arc<Tensor<T>>),
}

impl<T> Deref for Value<T> {
    type Target = Tensor<T>;

    fn deref(&self) -> &Tensor<T> {
        match self {
            Value::Owned(t) => t,
            Value::Shared(t) => t,
        }
    }
}

impl<T: Float> Default for Tape<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Float> Tape<T> {
    /// A tape that records every operation for a backward pass.
    pub fn new() -> Self {
        Self::with_recording(true)
    }

    /// A tape that only evaluates: no backward operation is stored, nothing requires a gradient.
    pub fn no_grad() -> Self {
        Self::with_recording(false)
    }

    fn with_recording(recording: bool) -> Self {
        Tape {
            inner: RefCell::new(Nodes {
                values: Vec::new(),
                nodes: Vec::new(),
                edges: Vec::new(),
                params: HashMap::new(),
            }),
            recording,
        }
    }

    /// Whether this tape records operations for a backward pass.
    pub fn is_recording(&self) -> bool {
        self.recording
    }

    /// How many nodes the tape holds.
    pub fn len(&self) -> usize {
        self.inner.borrow().nodes.len()
    }

    /// Whether the tape holds no node.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Removes every node, keeping the allocations for the next computation.
    pub fn clear(&mut self) {
        let inner = self.inner.get_mut();
        inner.values.clear();
        inner.nodes.clear();
        inner.edges.clear();
        inner.params.clear();
    }

    /// A leaf whose gradient [`Var::backward`] computes (an input of a gradient check, say).
    pub fn var(&self, value: Tensor<T>) -> Var<'_, T> {
        self.leaf(Value::Owned(value), self.recording)
    }

    /// A leaf that needs no gradient (data, labels, masks).
    pub fn constant(&self, value: Tensor<T>) -> Var<'_, T> {
        self.leaf(Value::Owned(value), false)
    }

    /// A leaf that needs no gradient and shares `value` instead of owning a copy: data used
    /// step after step (a full batch, a benchmark's input) goes on each step's tape for free.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use autodiff_core::{Tape, Tensor};
    /// let data = Arc::new(Tensor::from_vec(vec![1.0_f64, 2.0], [2]));
    /// let tape = Tape::new();
    /// let x = tape.shared_constant(Arc::clone(&data));
    /// assert_eq!(x.sum().item(), 3.0);
    /// assert!(!x.requires_grad());
    /// ```
    pub fn shared_constant(&self, value: Arc<Tensor<T>>) -> Var<'_, T> {
        self.leaf(Value::Shared(value), false)
    }

    /// Puts a parameter on the tape, sharing its tensor without a copy. Using the same parameter
    /// twice returns the same node, so its gradient collects every use.
    pub fn param(&self, param: &Param<T>) -> Var<'_, T> {
        {
            let inner = self.inner.borrow();
            if let Some(&id) = inner.params.get(&param.id()) {
                // The same tensor still: reuse the node. A parameter updated since it was put on
                // this tape gets a new node holding its new value.
                if let Value::Shared(t) = &inner.values[id as usize]
                    && Arc::ptr_eq(t, &param.shared())
                {
                    return Var::new(self, id);
                }
            }
        }
        let var = self.leaf(
            Value::Shared(param.shared()),
            self.recording && param.is_trainable(),
        );
        self.inner.borrow_mut().params.insert(param.id(), var.id);
        var
    }

    fn leaf(&self, value: Value<T>, requires_grad: bool) -> Var<'_, T> {
        let mut inner = self.inner.borrow_mut();
        let start = inner.edges.len() as u32;
        inner.values.push(value);
        inner.nodes.push(Node {
            backward: None,
            inputs: start..start,
            requires_grad,
            keep_grad: true,
        });
        Var::new(self, (inner.nodes.len() - 1) as u32)
    }

    /// Records the result of an operation: its value, its inputs and how to send a gradient back
    /// to them. This is how every built-in op is added, and how a user adds a primitive op of their
    /// own without touching this crate (see [`Backward`]).
    ///
    /// The backward operation is dropped unread when no input needs a gradient.
    pub fn record(
        &self,
        value: Tensor<T>,
        inputs: &[Var<'_, T>],
        backward: impl Backward<T>,
    ) -> Var<'_, T> {
        assert!(
            inputs.iter().all(|v| std::ptr::eq(v.tape, self)),
            "record: an input belongs to another tape"
        );
        let mut inner = self.inner.borrow_mut();
        let requires_grad = self.recording
            && inputs
                .iter()
                .any(|v| inner.nodes[v.id as usize].requires_grad);
        let start = inner.edges.len() as u32;
        if requires_grad {
            inner.edges.extend(inputs.iter().map(|v| v.id));
        }
        let end = inner.edges.len() as u32;
        inner.values.push(Value::Owned(value));
        inner.nodes.push(Node {
            backward: requires_grad.then(|| Box::new(backward) as Box<dyn Backward<T>>),
            inputs: start..end,
            requires_grad,
            keep_grad: false,
        });
        Var::new(self, (inner.nodes.len() - 1) as u32)
    }

    /// Runs `f` on the value of node `id`.
    pub(crate) fn with_value<R>(&self, id: u32, f: impl FnOnce(&Tensor<T>) -> R) -> R {
        f(&self.inner.borrow().values[id as usize])
    }

    /// Runs `f` on the values of several nodes.
    pub(crate) fn with_values<R, const N: usize>(
        &self,
        ids: [u32; N],
        f: impl FnOnce([&Tensor<T>; N]) -> R,
    ) -> R {
        let inner = self.inner.borrow();
        f(ids.map(|id| &*inner.values[id as usize]))
    }

    /// Runs `f` on the values of a list of nodes.
    pub(crate) fn with_value_list<R>(&self, ids: &[u32], f: impl FnOnce(&[&Tensor<T>]) -> R) -> R {
        let inner = self.inner.borrow();
        let values: Vec<&Tensor<T>> = ids.iter().map(|&id| &*inner.values[id as usize]).collect();
        f(&values)
    }

    pub(crate) fn requires_grad(&self, id: u32) -> bool {
        self.inner.borrow().nodes[id as usize].requires_grad
    }

    pub(crate) fn keep_grad(&self, id: u32) {
        self.inner.borrow_mut().nodes[id as usize].keep_grad = true;
    }

    /// The reverse sweep from node `root`, seeded with `seed` (the gradient of the root).
    fn backward_from(&self, root: u32, seed: Tensor<T>) -> Gradients<T> {
        let inner = self.inner.borrow();
        let n = root as usize + 1;
        let mut grads: Vec<Option<Tensor<T>>> = Vec::with_capacity(n);
        grads.resize_with(n, || None);
        grads[root as usize] = Some(seed);
        for k in (0..n).rev() {
            let Some(grad) = grads[k].take() else {
                continue;
            };
            let node = &inner.nodes[k];
            if let Some(op) = &node.backward {
                let inputs = &inner.edges[node.inputs.start as usize..node.inputs.end as usize];
                let mut cx = BackwardCx::new(&inner, inputs, k, &grad, &mut grads[..k]);
                op.backward(&mut cx);
            }
            if node.keep_grad {
                grads[k] = Some(grad);
            }
        }
        let params = inner.params.iter().map(|(&p, &id)| (p, id)).collect();
        Gradients::new(grads, params)
    }
}

#[cfg(test)]
mod tests {
    use crate::{Param, Tape, Tensor};

    #[test]
    fn no_grad_tape_records_no_backward() {
        let tape = Tape::no_grad();
        let x = tape.var(Tensor::from_vec(vec![1.0_f64, 2.0], [2]));
        let y = (x * x).sum();
        assert!(!y.requires_grad());
        assert_eq!(y.item(), 5.0);
        assert!(y.backward().wrt(x).is_none());
    }

    #[test]
    fn cleared_tape_is_reused() {
        let mut tape = Tape::new();
        let w = Param::new(Tensor::from_vec(vec![2.0_f64], [1]));
        for _ in 0..2 {
            let g = (tape.param(&w) * tape.param(&w)).sum().backward();
            assert_eq!(g.param(&w).unwrap().data(), &[4.0]);
            assert_eq!(tape.len(), 3, "the parameter is put on the tape once");
            tape.clear();
            assert!(tape.is_empty());
        }
    }

    #[test]
    fn intermediate_gradients_on_request_only() {
        let tape = Tape::new();
        let x = tape.var(Tensor::from_vec(vec![3.0_f64], [1]));
        let hidden = (x * 2.0).retain_grad();
        let dropped = hidden.exp();
        let g = (dropped + hidden).sum().backward();
        assert_eq!(g.wrt(hidden).unwrap().data(), &[6.0_f64.exp() + 1.0]);
        assert!(g.wrt(dropped).is_none());
    }

    #[test]
    fn frozen_params_and_constants_get_no_gradient() {
        let tape = Tape::new();
        let mut w = Param::new(Tensor::from_vec(vec![2.0_f64], [1]));
        w.set_trainable(false);
        let c = tape.constant(Tensor::from_vec(vec![5.0], [1]));
        let y = (tape.param(&w) * c).sum();
        assert!(!y.requires_grad());
        assert!(y.backward().param(&w).is_none());
    }

    #[test]
    fn a_param_updated_without_clearing_gets_its_new_value() {
        let tape = Tape::new();
        let mut w = Param::new(Tensor::from_vec(vec![1.0_f64], [1]));
        assert_eq!(tape.param(&w).item(), 1.0);
        w.update(|v| v.data_mut()[0] = 5.0);
        assert_eq!(tape.param(&w).item(), 5.0);
    }

    #[test]
    #[should_panic(expected = "record: an input belongs to another tape")]
    fn mixing_tapes_panics() {
        let (a, b) = (Tape::new(), Tape::new());
        let x = a.var(Tensor::from_vec(vec![1.0_f64], [1]));
        let y = b.var(Tensor::from_vec(vec![2.0_f64], [1]));
        let _ = x.exp() + y.exp();
    }
}
