//! The backward operations of the commonest elementwise ops, stored as data on their node and
//! run by the sweep itself: no boxed closure, no dynamic call through a [`BackwardCx`], and the
//! output's gradient reused in place as its input's gradient when nothing else keeps it.
//!
//! [`BackwardCx`]: super::BackwardCx

use crate::{Float, Tensor, pool};

use super::Nodes;
use super::backward::Backward;

/// How a node's op sends its output's gradient back to its inputs.
pub(crate) enum Op<T: Float> {
    /// `dxᵢ = factorᵢ · g` for each input (`+`, `−`, a scale, a scalar added); inputs of any
    /// shapes (a broadcast input's gradient is summed back to its shape).
    Linear([T; 2]),
    /// `dx = g ⊙ f′(x, y)` for a function applied elementwise (input and output of one shape).
    Unary(Box<dyn UnaryVjp<T>>),
    /// `d(a ⊙ b)`: `da = g ⊙ b`, `db = g ⊙ a`, for two inputs of the output's shape.
    Product,
    /// Any other op: its [`Backward`], run with a [`BackwardCx`](super::BackwardCx).
    Custom(Box<dyn Backward<T>>),
}

/// The vector-Jacobian product of an elementwise function of one input, `g ⊙ f′(x, y)`.
pub(crate) trait UnaryVjp<T>: 'static {
    /// `g ← g ⊙ f′(x, y)`.
    fn scale_in_place(&self, g: &mut [T], x: &[T], y: &[T]);
    /// `acc ← acc + g ⊙ f′(x, y)`.
    fn add_into(&self, acc: &mut [T], g: &[T], x: &[T], y: &[T]);
}

/// Runs the backward of a single-output built-in op (not [`Op::Custom`]) whose output, node
/// `output`, has gradient `grad`; `grads` are the gradients of the nodes before it. The gradient
/// is taken, not copied, by the last input it goes to when `movable`.
pub(super) fn run<T: Float>(
    op: &Op<T>,
    nodes: &Nodes<T>,
    inputs: &[u32],
    output: usize,
    grad: &mut Option<Tensor<T>>,
    grads: &mut [Option<Tensor<T>>],
) {
    let movable = !nodes.keeps_grad(output as u32);
    match op {
        Op::Linear(factors) => {
            let mut targets = [(0, T::zero()); 2];
            let mut len = 0;
            for (i, &id) in inputs.iter().enumerate() {
                if nodes.requires_grad(id) {
                    targets[len] = (i, factors[i]);
                    len += 1;
                }
            }
            super::sweep::pass_through(nodes, inputs, output, grad, grads, &targets[..len]);
        }
        Op::Unary(vjp) => {
            let id = inputs[0];
            let (x, y) = (nodes.value(id).data(), nodes.value(output as u32).data());
            let g = grad.as_mut().expect("a built-in op runs with its gradient");
            match &mut grads[id as usize] {
                Some(existing) => vjp.add_into(existing.data_mut(), g.data(), x, y),
                slot @ None => {
                    let owned = move_or_copy(grad, slot, movable);
                    vjp.scale_in_place(owned.data_mut(), x, y);
                }
            }
        }
        Op::Product => {
            // db = g ⊙ a first, then da = g ⊙ b, which may take g's buffer.
            let (a, b) = (inputs[0], inputs[1]);
            let targets = [(b, a), (a, b)].map(|(to, other)| (to, nodes.requires_grad(to), other));
            let last = targets.iter().rposition(|&(_, needs, _)| needs);
            for (n, &(to, needs, other)) in targets.iter().enumerate() {
                if !needs {
                    continue;
                }
                let other = nodes.value(other).data();
                let g = grad.as_ref().expect("a built-in op runs with its gradient");
                match &mut grads[to as usize] {
                    Some(existing) => {
                        for ((acc, &g), &o) in
                            existing.data_mut().iter_mut().zip(g.data()).zip(other)
                        {
                            *acc += g * o;
                        }
                    }
                    slot @ None => {
                        let owned = move_or_copy(grad, slot, movable && Some(n) == last);
                        for (g, &o) in owned.data_mut().iter_mut().zip(other) {
                            *g *= o;
                        }
                    }
                }
            }
        }
        Op::Custom(_) => unreachable!("a custom op runs through its BackwardCx"),
    }
}

/// Puts the gradient itself into the empty `slot` when it may be moved, else a copy of it, and
/// returns it there. Swapped, not taken: a tensor taken out onto the stack and stored again was
/// read back while its stores were in flight, stalling on store forwarding (measured).
pub(super) fn move_or_copy<'s, T: Float>(
    grad: &mut Option<Tensor<T>>,
    slot: &'s mut Option<Tensor<T>>,
    movable: bool,
) -> &'s mut Tensor<T> {
    debug_assert!(slot.is_none() && grad.is_some());
    if movable {
        std::mem::swap(grad, slot);
        return slot.as_mut().expect("a built-in op runs with its gradient");
    }
    let g = grad.as_ref().expect("a built-in op runs with its gradient");
    // The copy's parts are stored into a placeholder in the slot (as `Tape::record_with` does):
    // a clone assembled on the stack, its 56-byte shape written as two overlapping 32-byte
    // moves with AVX, stalled on store forwarding when read back to be stored in the slot
    // (measured: 40 % of this function's time with `target-cpu=native`).
    let copy = slot.insert(Tensor::placeholder());
    copy.set_parts(g.shape(), pool::copy_of(g.data()));
    copy
}

#[cfg(test)]
mod tests {
    use crate::{Tape, Tensor, gradcheck};

    #[test]
    fn a_retained_gradient_is_not_reused_in_place() {
        let tape = Tape::new();
        let x = tape.var(Tensor::from_vec(vec![0.5_f64, -1.0], [2]));
        let t = x.tanh().retain_grad();
        let p = (t * x).retain_grad();
        let grads = (p.sin() * 2.0).sum().backward();
        let (xs, ts) = ([0.5_f64, -1.0], [0.5_f64.tanh(), (-1.0_f64).tanh()]);
        for i in 0..2 {
            let dp = 2.0 * (ts[i] * xs[i]).cos();
            assert!((grads.wrt(p).unwrap().data()[i] - dp).abs() < 1e-15);
            assert!((grads.wrt(t).unwrap().data()[i] - dp * xs[i]).abs() < 1e-15);
            let dx = dp * (ts[i] + xs[i] * (1.0 - ts[i] * ts[i]));
            assert!((grads.wrt(x).unwrap().data()[i] - dx).abs() < 1e-15);
        }
    }

    #[test]
    fn built_in_ops_sharing_inputs_pass_gradcheck() {
        let x = Tensor::from_vec(vec![0.3_f64, -0.7, 1.1], [3]);
        let c = Tensor::from_vec(vec![2.0_f64, -1.0, 0.5], [3]);
        gradcheck(
            |v| {
                let c = v[0].tape().constant(c.clone());
                let mut z = v[0];
                for _ in 0..3 {
                    z = (z * 1.01 + 0.1).tanh() * z + z * c - z.sigmoid() * z.exp();
                }
                (z * z + z - z.scale(3.0)).sum()
            },
            &[x],
        )
        .unwrap();
    }
}
