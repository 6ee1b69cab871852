//! The backward pass: one reverse sweep over the nodes, which are in topological order.

use crate::{Float, Tensor, pool};

use super::Nodes;
use super::anomaly;
use super::backward::BackwardCx;
use super::builtin::{self, Op};

/// Gradients of every node up to `root` that keeps one (leaves, retained values), from the
/// root's gradient `seed`.
pub(super) fn run<T: Float>(
    nodes: &Nodes<T>,
    root: u32,
    seed: Tensor<T>,
) -> Vec<Option<Tensor<T>>> {
    // A root that is an output of a multi-output op: the sweep starts at the op's last output.
    let mut n = root as usize + 1;
    while nodes.nodes[n - 1].outputs == 0 {
        n += 1;
    }
    let mut grads = pool::gradient_list();
    grads.resize_with(n, || None);
    grads[root as usize] = Some(seed);
    for k in (0..n).rev() {
        let node = &nodes.nodes[k];
        let Some(op) = &node.backward else {
            // A leaf, or an output of a multi-output op whose backward has run already.
            if !node.keep_grad {
                grads[k] = None;
            }
            continue;
        };
        // The op's outputs are the nodes `first..=k`; every input comes before `first`.
        let first = k + 1 - node.outputs as usize;
        let (before, rest) = grads.split_at_mut(first);
        let outputs = &mut rest[..=k - first];
        if outputs.iter().all(Option::is_none) {
            continue;
        }
        let inputs = &nodes.edges[node.inputs.start as usize..node.inputs.end as usize];
        match op {
            Op::Custom(op) => {
                let pass = {
                    let mut cx = BackwardCx::new(nodes, inputs, first, outputs, before);
                    op.backward(&mut cx);
                    cx.into_pass_through()
                };
                pass_through(
                    nodes,
                    inputs,
                    first,
                    &mut outputs[0],
                    before,
                    pass.targets(),
                );
            }
            _ => builtin::run(op, nodes, inputs, first, &mut outputs[0], before),
        }
        if nodes.detect_anomaly {
            anomaly::check_backward(nodes, k, inputs, before);
        }
        for (j, slot) in outputs.iter_mut().enumerate() {
            if !nodes.keeps_grad((first + j) as u32) {
                *slot = None;
            }
        }
    }
    grads
}

/// Sends the output gradient itself (times a factor) to the inputs an op passed it through to,
/// moving it into the last one instead of copying when nothing else needs it.
pub(super) fn pass_through<T: Float>(
    nodes: &Nodes<T>,
    inputs: &[u32],
    output: usize,
    grad: &mut Option<Tensor<T>>,
    grads: &mut [Option<Tensor<T>>],
    targets: &[(usize, T)],
) {
    for (n, &(i, factor)) in targets.iter().enumerate() {
        let id = inputs[i];
        let input = nodes.value(id);
        let movable = n + 1 == targets.len() && !nodes.keeps_grad(output as u32);
        let g = grad
            .as_ref()
            .expect("a pass-through op has its output's gradient");
        // Compared here, in place: once the gradient is moved to the stack, reading its shape
        // back stalled on store forwarding (measured).
        let same_shape = g.same_shape(input);
        let slot = &mut grads[id as usize];
        match slot {
            Some(existing) if same_shape => existing.add_scaled(g, factor),
            None if same_shape => {
                let owned = builtin::move_or_copy(grad, slot, movable);
                if factor != T::one() {
                    owned.data_mut().iter_mut().for_each(|v| *v *= factor);
                }
            }
            _ => {
                let mut owned = if movable {
                    grad.take().expect("checked above")
                } else {
                    g.clone()
                };
                if factor != T::one() {
                    owned.data_mut().iter_mut().for_each(|v| *v *= factor);
                }
                if !same_shape {
                    owned = owned.sum_to_shape(input.shape());
                }
                match slot {
                    Some(existing) => existing.add_assign(&owned),
                    None => *slot = Some(owned),
                }
            }
        }
    }
}
