//! The reverse-mode tape: an append-only list of nodes (a Wengert list).
//!
//! Creation order is a topological order, so the backward pass is one reverse sweep over the
//! nodes: no sorting, no hashing, no reference counting.

mod anomaly;
mod backward;
mod builtin;
mod gradients;
mod sweep;
mod var;

pub use anomaly::{AnomalyGuard, detect_anomaly, is_anomaly_detection_enabled};
pub use backward::{Backward, BackwardCx};
pub use gradients::Gradients;
pub use var::Var;

pub(crate) use builtin::{Op, UnaryVjp};

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Range;
use std::panic::Location;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::{Float, Param, ParamId, Tensor, pool};

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
    /// Unique to this tape and this computation on it (renewed by [`Tape::clear`]), so that
    /// [`Gradients`] can refuse a [`Var`] of another tape or of a later computation.
    stamp: u64,
}

/// The nodes of a tape, stored as parallel arrays.
struct Nodes<T: Float> {
    values: Vec<Value<T>>,
    nodes: Vec<Node<T>>,
    /// Input node ids of every node, concatenated; a node's inputs are a range of it.
    edges: Vec<u32>,
    /// Which node holds each parameter put on this tape.
    params: HashMap<ParamId, u32>,
    /// Whether every op's output and gradients are checked for NaN and infinity ([`detect_anomaly`]).
    detect_anomaly: bool,
    /// The op and source location behind each node, kept only while detecting anomalies.
    provenance: Vec<anomaly::Provenance>,
}

struct Node<T: Float> {
    /// The op's backward, on the last of its output nodes (an op with several outputs records
    /// them as consecutive nodes; the others hold no backward).
    backward: Option<Op<T>>,
    inputs: Range<u32>,
    /// How many output nodes the op behind this node's backward has (this one and the ones
    /// just before it); 0 on those other outputs, whose op's backward is on a later node.
    outputs: u32,
    requires_grad: bool,
    /// Keep this node's gradient after the sweep (leaves, and values asked for).
    keep_grad: bool,
}

/// A node's value: computed on the tape, shared with a [`Param`] without copying, or the value
/// of an earlier node ([`Var::detach`]).
enum Value<T: Float> {
    Owned(Tensor<T>),
    Shared(Arc<Tensor<T>>),
    Alias(u32),
}

impl<T: Float> Nodes<T> {
    /// The value of node `id`.
    pub(crate) fn value(&self, id: u32) -> &Tensor<T> {
        match &self.values[id as usize] {
            Value::Owned(t) => t,
            Value::Shared(t) => t,
            // An alias names an owned or shared value, never another alias (`Tape::detach`).
            Value::Alias(of) => self.value(*of),
        }
    }

    pub(crate) fn requires_grad(&self, id: u32) -> bool {
        self.nodes[id as usize].requires_grad
    }

    pub(crate) fn keeps_grad(&self, id: u32) -> bool {
        self.nodes[id as usize].keep_grad
    }
}

/// A fresh stamp for a tape or for a computation on it.
fn fresh_stamp() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
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
                detect_anomaly: is_anomaly_detection_enabled(),
                provenance: Vec::new(),
            }),
            recording,
            stamp: fresh_stamp(),
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

    /// Removes every node, keeping the allocations for the next computation. [`Gradients`]
    /// from before refuse the new computation's [`Var`]s. The tape takes up this thread's
    /// [anomaly detection](detect_anomaly) mode again, as a new tape would.
    pub fn clear(&mut self) {
        let inner = self.inner.get_mut();
        // The owned buffers go back to the pool in one call, not one pool look-up per value;
        // the emptied tensors and the shared values are dropped after it.
        pool::give_back_all(inner.values.iter_mut().filter_map(|value| match value {
            Value::Owned(t) => Some(t.take_buffer()),
            Value::Shared(_) | Value::Alias(_) => None,
        }));
        inner.values.clear();
        inner.nodes.clear();
        inner.edges.clear();
        inner.params.clear();
        inner.provenance.clear();
        inner.detect_anomaly = is_anomaly_detection_enabled();
        self.stamp = fresh_stamp();
    }

    pub(crate) fn stamp(&self) -> u64 {
        self.stamp
    }

    /// A leaf whose gradient [`Var::backward`] computes (an input of a gradient check, say).
    #[track_caller]
    pub fn var(&self, value: Tensor<T>) -> Var<'_, T> {
        self.leaf("var", Value::Owned(value), self.recording)
    }

    /// A leaf that needs no gradient (data, labels, masks).
    #[track_caller]
    pub fn constant(&self, value: Tensor<T>) -> Var<'_, T> {
        self.leaf("constant", Value::Owned(value), false)
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
    #[track_caller]
    pub fn shared_constant(&self, value: Arc<Tensor<T>>) -> Var<'_, T> {
        self.leaf("shared_constant", Value::Shared(value), false)
    }

    /// Puts a parameter on the tape, sharing its tensor without a copy. Using the same parameter
    /// twice returns the same node, so its gradient collects every use.
    #[track_caller]
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
            "param",
            Value::Shared(param.shared()),
            self.recording && param.is_trainable(),
        );
        self.inner.borrow_mut().params.insert(param.id(), var.id);
        var
    }

    /// A leaf holding `var`'s value without a copy and needing no gradient.
    #[track_caller]
    pub(crate) fn detach(&self, var: Var<'_, T>) -> Var<'_, T> {
        self.check_owns("detach", &[var]);
        let target = match self.inner.borrow().values[var.id as usize] {
            Value::Alias(of) => of,
            _ => var.id,
        };
        self.leaf("detach", Value::Alias(target), false)
    }

    #[track_caller]
    fn leaf(&self, name: &'static str, value: Value<T>, requires_grad: bool) -> Var<'_, T> {
        let mut inner = self.inner.borrow_mut();
        if inner.detect_anomaly {
            inner.provenance.push(anomaly::Provenance {
                op: name,
                location: Location::caller(),
            });
        }
        let start = inner.edges.len() as u32;
        inner.values.push(value);
        inner.nodes.push(Node {
            backward: None,
            inputs: start..start,
            outputs: 1,
            requires_grad,
            keep_grad: true,
        });
        Var::new(self, (inner.nodes.len() - 1) as u32)
    }

    /// Panics, naming `op`, unless every variable in `vars` is on this tape.
    #[track_caller]
    pub(crate) fn check_owns(&self, op: &str, vars: &[Var<'_, T>]) {
        if let Some(at) = vars.iter().position(|v| !std::ptr::eq(v.tape, self)) {
            panic!(
                "{op}: input {at} (counting from 0) belongs to another tape; every input of an \
                 op must be on one tape"
            );
        }
    }

    /// Records the result of an operation: its value, its inputs and how to send a gradient back
    /// to them. This is how every built-in op is added, and how a user adds a primitive op of their
    /// own without touching this crate (see [`Backward`]).
    ///
    /// The backward operation is dropped unread when no input needs a gradient.
    ///
    /// # Panics
    /// If an input belongs to another tape.
    #[track_caller]
    pub fn record<B: Backward<T>>(
        &self,
        value: Tensor<T>,
        inputs: &[Var<'_, T>],
        backward: B,
    ) -> Var<'_, T> {
        self.record_op(anomaly::op_name_of::<B>, value, inputs, || {
            Op::Custom(Box::new(backward))
        })
    }

    /// [`Tape::record`] for a built-in op, whose backward `op` makes (called only when an input
    /// needs a gradient); `op_name` names it in anomaly reports (called only when detecting them).
    #[track_caller]
    #[inline]
    pub(crate) fn record_op(
        &self,
        op_name: impl FnOnce() -> &'static str,
        value: Tensor<T>,
        inputs: &[Var<'_, T>],
        op: impl FnOnce() -> Op<T>,
    ) -> Var<'_, T> {
        // The one-output case of `record_many`, without its arrays: the hot path of every op.
        self.check_owns("record", inputs);
        let mut inner = self.inner.borrow_mut();
        let (requires_grad, edges) = self.add_edges(&mut inner, inputs);
        inner.values.push(Value::Owned(value));
        inner.nodes.push(Node {
            backward: requires_grad.then(op),
            inputs: edges,
            outputs: 1,
            requires_grad,
            keep_grad: false,
        });
        let id = (inner.nodes.len() - 1) as u32;
        if inner.detect_anomaly {
            self.note_recorded(&mut inner, op_name, inputs, id);
        }
        Var::new(self, id)
    }

    /// For anomaly detection: notes which op made node `id` and where, then checks its value.
    #[track_caller]
    #[cold]
    fn note_recorded(
        &self,
        inner: &mut Nodes<T>,
        op_name: impl FnOnce() -> &'static str,
        inputs: &[Var<'_, T>],
        id: u32,
    ) {
        let provenance = anomaly::Provenance {
            op: op_name(),
            location: Location::caller(),
        };
        inner.provenance.push(provenance);
        let inputs: Vec<u32> = inputs.iter().map(|v| v.id).collect();
        anomaly::check_forward(inner, provenance, &inputs, id);
    }

    /// [`Tape::record_op`] for an elementwise op whose value has the shape of its first input
    /// and whose data `compute` makes from `inputs`' values. `compute` runs once room for the
    /// node is reserved, so the new tensor and node are written straight into the tape's lists.
    /// Measured: `Vec::push` of a value computed earlier kept tensor and node on the stack across
    /// its growth path, and reading those copies back stalled on store forwarding (5 of a small
    /// op's 35 ns forward).
    #[track_caller]
    #[inline(always)]
    pub(crate) fn record_with<const N: usize>(
        &self,
        op_name: &'static str,
        inputs: [Var<'_, T>; N],
        compute: impl FnOnce([&Tensor<T>; N]) -> Vec<T>,
        op: impl FnOnce() -> Op<T>,
    ) -> Var<'_, T> {
        self.check_owns(op_name, &inputs);
        let mut inner = self.inner.borrow_mut();
        let inner = &mut *inner;
        let (requires_grad, edges) = self.add_edges(inner, &inputs);
        inner.values.reserve(1);
        inner.nodes.reserve(1);
        let data = compute(inputs.map(|v| inner.value(v.id)));
        // The shape is read from the input only now, straight before it is stored: a shape
        // handed back by `compute` went through the stack, where a 56-byte copy is two
        // overlapping 32-byte moves with AVX, and reading the first back stalled on store
        // forwarding (measured with `target-cpu=native`: the plain x86-64 build, whose 16-byte
        // moves do not overlap, was 10 % faster).
        let shape = inner.value(inputs[0].id).shape();
        let len = inner.values.len();
        // The new tensor's parts are stored into a placeholder already in place: a tensor
        // assembled on the stack and copied in was read back while its stores were in flight
        // (a store-forwarding stall, measured at 3 ns an op).
        let value = inner.values.spare_capacity_mut()[0].write(Value::Owned(Tensor::placeholder()));
        if let Value::Owned(t) = value {
            t.set_parts(shape, data);
        }
        inner.nodes.spare_capacity_mut()[0].write(Node {
            backward: requires_grad.then(op),
            inputs: edges,
            outputs: 1,
            requires_grad,
            keep_grad: false,
        });
        // SAFETY: both elements at `len` were just initialised, within the capacity reserved.
        unsafe {
            inner.values.set_len(len + 1);
            inner.nodes.set_len(len + 1);
        }
        if inner.detect_anomaly {
            self.note_recorded(inner, || op_name, &inputs, len as u32);
        }
        Var::new(self, len as u32)
    }

    /// Records an operation with several outputs of any shapes (an LSTM step's `h` and `c`, batch
    /// norm's output and saved statistics): one backward for all of them, which sees one
    /// optional gradient per output ([`BackwardCx::grad_output_of`]); an output nobody used gets
    /// none and costs nothing. PyTorch's `autograd.Function` with several outputs.
    ///
    /// ```
    /// use autodiff_core::{gradcheck, BackwardCx, Tape, Tensor, Var};
    ///
    /// /// (Σx, x²): two outputs of different shapes, one backward.
    /// fn sum_and_square<'t>(x: Var<'t, f64>) -> (Var<'t, f64>, Var<'t, f64>) {
    ///     let (sum, square) = x.with_value(|v| (v.sum_all(), v.map(|a| a * a)));
    ///     let [sum, square] = x.tape().record_many([sum, square], &[x], |cx: &mut BackwardCx<f64>| {
    ///         let x = cx.input(0);
    ///         let mut dx = Tensor::zeros(x.shape());
    ///         if let Some(g) = cx.grad_output_of(0) {
    ///             dx = dx.add(g); // d(Σx)/dx = 1, the scalar broadcast
    ///         }
    ///         if let Some(g) = cx.grad_output_of(1) {
    ///             dx = dx.add(&g.zip_map(x, |g, a| 2.0 * a * g)); // d(x²)/dx = 2x
    ///         }
    ///         cx.accumulate(0, dx);
    ///     });
    ///     (sum, square)
    /// }
    ///
    /// let tape = Tape::new();
    /// let x = tape.var(Tensor::from_vec(vec![1.0, -2.0, 3.0], [3]));
    /// let (s, _unused) = sum_and_square(x);
    /// assert_eq!(s.backward().wrt(x).unwrap().data(), &[1.0, 1.0, 1.0]);
    /// gradcheck(|v| { let (s, q) = sum_and_square(v[0]); s * 3.0 + q.sum() }, &[x.value()]).unwrap();
    /// ```
    ///
    /// # Panics
    /// If an input belongs to another tape, or if `M` is 0.
    #[track_caller]
    pub fn record_many<B: Backward<T>, const M: usize>(
        &self,
        values: [Tensor<T>; M],
        inputs: &[Var<'_, T>],
        backward: B,
    ) -> [Var<'_, T>; M] {
        assert!(M > 0, "record_many: an op needs at least one output");
        self.check_owns("record", inputs);
        let mut inner = self.inner.borrow_mut();
        let (requires_grad, edges) = self.add_edges(&mut inner, inputs);
        let first = inner.nodes.len() as u32;
        let mut backward = requires_grad.then(|| Op::Custom(Box::new(backward)));
        for (k, value) in values.into_iter().enumerate() {
            let last = k + 1 == M;
            inner.values.push(Value::Owned(value));
            inner.nodes.push(Node {
                backward: if last { backward.take() } else { None },
                inputs: if last {
                    edges.clone()
                } else {
                    edges.start..edges.start
                },
                outputs: if last { M as u32 } else { 0 },
                requires_grad,
                keep_grad: false,
            });
        }
        if inner.detect_anomaly {
            for k in 0..M as u32 {
                self.note_recorded(&mut inner, anomaly::op_name_of::<B>, inputs, first + k);
            }
        }
        std::array::from_fn(|k| Var::new(self, first + k as u32))
    }

    /// Whether an op on `inputs` needs a gradient, and if so its inputs' edges, added.
    fn add_edges(&self, inner: &mut Nodes<T>, inputs: &[Var<'_, T>]) -> (bool, Range<u32>) {
        let requires_grad = self.recording && inputs.iter().any(|v| inner.requires_grad(v.id));
        let start = inner.edges.len() as u32;
        if requires_grad {
            inner.edges.extend(inputs.iter().map(|v| v.id));
        }
        (requires_grad, start..inner.edges.len() as u32)
    }

    /// Runs `f` on the value of node `id`.
    pub(crate) fn with_value<R>(&self, id: u32, f: impl FnOnce(&Tensor<T>) -> R) -> R {
        f(self.inner.borrow().value(id))
    }

    /// Runs `f` on the values of several variables; `op` names the operation if one of them
    /// belongs to another tape.
    #[track_caller]
    pub(crate) fn with_values<R, const N: usize>(
        &self,
        op: &str,
        vars: [Var<'_, T>; N],
        f: impl FnOnce([&Tensor<T>; N]) -> R,
    ) -> R {
        self.check_owns(op, &vars);
        let inner = self.inner.borrow();
        f(vars.map(|v| inner.value(v.id)))
    }

    /// Runs `f` on the values of a list of variables; `op` names the operation if one of them
    /// belongs to another tape.
    #[track_caller]
    pub(crate) fn with_value_list<R>(
        &self,
        op: &str,
        vars: &[Var<'_, T>],
        f: impl FnOnce(&[&Tensor<T>]) -> R,
    ) -> R {
        self.check_owns(op, vars);
        let inner = self.inner.borrow();
        let values: Vec<&Tensor<T>> = vars.iter().map(|v| inner.value(v.id)).collect();
        f(&values)
    }

    pub(crate) fn requires_grad(&self, id: u32) -> bool {
        self.inner.borrow().requires_grad(id)
    }

    pub(crate) fn keep_grad(&self, id: u32) {
        self.inner.borrow_mut().nodes[id as usize].keep_grad = true;
    }

    /// The reverse sweep from node `root`, seeded with `seed` (the gradient of the root).
    fn backward_from(&self, root: u32, seed: Tensor<T>) -> Gradients<T> {
        let inner = self.inner.borrow();
        let grads = sweep::run(&inner, root, seed);
        let params = inner.params.iter().map(|(&p, &id)| (p, id)).collect();
        Gradients::new(grads, params, self.stamp)
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
    #[should_panic(expected = "add: input 1 (counting from 0) belongs to another tape")]
    fn mixing_tapes_panics_at_the_op() {
        let (a, b) = (Tape::new(), Tape::new());
        let x = a.var(Tensor::from_vec(vec![1.0_f64], [1]));
        let y = b.var(Tensor::from_vec(vec![2.0_f64], [1]));
        let _ = x.exp() + y.exp();
    }

    #[test]
    #[should_panic(expected = "matmul: input 1 (counting from 0) belongs to another tape")]
    fn a_foreign_var_is_refused_before_its_id_is_read() {
        // Node #2 does not exist on `a`: reading it there would fail with an index error.
        let (a, b) = (Tape::new(), Tape::new());
        let x = a.var(Tensor::<f64>::ones([2, 2]));
        let _ = (b.var(Tensor::ones([1])), b.var(Tensor::ones([1])));
        let y = b.var(Tensor::ones([2, 2]));
        let _ = x.matmul(y);
    }

    #[test]
    #[should_panic(expected = "Gradients::wrt: Var #0 is not from the computation")]
    fn gradients_refuse_a_var_of_another_tape() {
        let (a, b) = (Tape::new(), Tape::new());
        let x = a.var(Tensor::from_vec(vec![1.0_f64], [1]));
        let other = b.var(Tensor::from_vec(vec![1.0_f64], [1]));
        let _ = x.sum().backward().wrt(other);
    }

    #[test]
    #[should_panic(expected = "is not from the computation these gradients come from")]
    fn gradients_refuse_a_var_of_a_later_computation() {
        let mut tape = Tape::new();
        let grads = {
            let x = tape.var(Tensor::from_vec(vec![1.0_f64], [1]));
            x.sum().backward()
        };
        tape.clear();
        let y = tape.var(Tensor::from_vec(vec![5.0_f64], [1]));
        let _ = grads.wrt(y);
    }

    #[test]
    fn detach_shares_the_value_and_stops_the_gradient() {
        let tape = Tape::new();
        let x = tape.var(Tensor::from_vec(vec![2.0_f64, 3.0], [2]));
        let y = x * x;
        let cut = y.detach().detach();
        assert_eq!(cut.value().data(), &[4.0, 9.0]);
        assert!(!cut.requires_grad());
        let g = (cut * x + y).sum().backward();
        // d/dx (c·x + x²) with c held constant: c + 2x.
        assert_eq!(g.wrt(x).unwrap().data(), &[4.0 + 4.0, 9.0 + 6.0]);
        assert!(g.wrt(cut).is_none());
    }

    #[test]
    fn pass_through_gradients_add_up_and_retained_ones_stay() {
        let tape = Tape::new();
        let x = tape.var(Tensor::from_vec(vec![1.0_f64, 2.0], [2]));
        let y = (x * 3.0).retain_grad();
        // `+ 1.0` passes z's gradient on to the subtraction: kept, since z is retained.
        let z = ((y + y) - x + 1.0).retain_grad(); // 2y − x + 1
        let g = (z * 2.0).sum().backward();
        assert_eq!(g.wrt(z).unwrap().data(), &[2.0, 2.0]);
        assert_eq!(g.wrt(y).unwrap().data(), &[4.0, 4.0]);
        assert_eq!(g.wrt(x).unwrap().data(), &[10.0, 10.0]);
    }

    #[test]
    fn an_output_nobody_uses_gets_no_gradient_and_no_work() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static SEEN: [AtomicUsize; 2] = [AtomicUsize::new(0), AtomicUsize::new(0)];
        let tape = Tape::new();
        let x = tape.var(Tensor::from_vec(vec![1.0_f64, 2.0], [2]));
        let [a, b] = tape.record_many(
            [x.value(), Tensor::scalar(7.0)],
            &[x],
            |cx: &mut crate::BackwardCx<f64>| {
                assert_eq!(cx.num_outputs(), 2);
                for (k, seen) in SEEN.iter().enumerate() {
                    if cx.grad_output_of(k).is_some() {
                        seen.fetch_add(1, Ordering::Relaxed);
                    }
                }
                cx.accumulate(0, cx.grad_output_of(0).unwrap().scale(2.0));
            },
        );
        assert_eq!(b.item(), 7.0);
        let g = a.sum().backward();
        assert_eq!(g.wrt(x).unwrap().data(), &[2.0, 2.0]);
        assert_eq!(SEEN[0].load(Ordering::Relaxed), 1);
        assert_eq!(
            SEEN[1].load(Ordering::Relaxed),
            0,
            "the unused output had a gradient"
        );
        // Neither output on the loss's path: the op's backward does not run at all.
        let _ = (x * 2.0).sum().backward();
        assert_eq!(
            SEEN[0].load(Ordering::Relaxed),
            1,
            "the backward ran without gradients"
        );
    }
}
