//! Anomaly detection (PyTorch's `detect_anomaly`): while it is on, a tape checks every op's
//! output in the forward pass and every gradient an op's backward writes, and panics at the
//! first NaN or infinity, naming the op, its shapes and the source line that recorded it.
//!
//! Off by default. A tape reads the mode when it is made and when it is cleared; when off,
//! recording an op pays one test of a flag the tape already holds, and the sweep one more per op.

use std::cell::Cell;
use std::fmt::Write;
use std::panic::Location;

use crate::{Float, Tensor};

use super::Nodes;

thread_local!(static ENABLED: Cell<bool> = const { Cell::new(false) });

/// Turns anomaly detection on for the tapes this thread makes or clears until the returned guard
/// is dropped (then the previous mode comes back), PyTorch's `with torch.autograd.detect_anomaly()`.
///
/// While it is on, an op whose output holds a NaN or an infinity panics with the op's name, the
/// shapes of its inputs and output, and the file and line that recorded it; a backward that
/// writes a non-finite gradient panics naming the op whose backward it was and where that op
/// was recorded. Slower (every value is scanned): for finding a bug, not for training.
///
/// ```
/// use autodiff_core::{detect_anomaly, Tape, Tensor};
/// let _on = detect_anomaly();
/// let tape = Tape::new();
/// let x = tape.var(Tensor::from_vec(vec![-1.0_f64], [1]));
/// let ln = std::panic::AssertUnwindSafe(|| x.ln().item());
/// let found = std::panic::catch_unwind(ln).unwrap_err();
/// let message = found.downcast_ref::<String>().unwrap();
/// assert!(message.contains("forward of `ln`") && message.contains("NaN"), "{message}");
/// ```
#[must_use = "anomaly detection is on only while the guard lives"]
pub fn detect_anomaly() -> AnomalyGuard {
    AnomalyGuard {
        previous: ENABLED.replace(true),
    }
}

/// Whether tapes made now on this thread detect anomalies (see [`detect_anomaly`]).
pub fn is_anomaly_detection_enabled() -> bool {
    ENABLED.get()
}

/// Keeps anomaly detection on while it lives ([`detect_anomaly`]).
pub struct AnomalyGuard {
    previous: bool,
}

impl Drop for AnomalyGuard {
    fn drop(&mut self) {
        ENABLED.set(self.previous);
    }
}

/// What an anomaly report says about a node: the op that made it and where it was recorded.
#[derive(Clone, Copy)]
pub(super) struct Provenance {
    pub(super) op: &'static str,
    pub(super) location: &'static Location<'static>,
}

/// A readable op name from the type of its backward: a closure's enclosing function
/// (`…::Var<T>>::sum::{{closure}}` → `sum`), or a type's own name (`my::Cube<f32>` → `Cube`).
pub(super) fn op_name_of<B>() -> &'static str {
    let mut name = std::any::type_name::<B>();
    while let Some(outer) = name.strip_suffix("::{{closure}}") {
        name = outer;
    }
    if name.ends_with('>') {
        // Drop the type's generic arguments: the last balanced `<…>`.
        let mut depth = 0;
        for (i, c) in name.char_indices().rev() {
            match c {
                '>' => depth += 1,
                '<' => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                name = &name[..i];
                break;
            }
        }
    }
    name.rsplit("::").next().unwrap_or(name)
}

/// The first element of `t` that is NaN or infinite, with its index.
fn first_non_finite<T: Float>(t: &Tensor<T>) -> Option<(usize, T)> {
    t.data()
        .iter()
        .position(|v| !v.is_finite())
        .map(|i| (i, t.data()[i]))
}

fn describe<T: Float>(v: T) -> &'static str {
    if v.is_nan() { "NaN" } else { "an infinity" }
}

/// The shapes of an op's inputs, `[2, 3], [3]`.
fn input_shapes<T: Float>(nodes: &Nodes<T>, inputs: &[u32]) -> String {
    let mut s = String::new();
    for (k, &id) in inputs.iter().enumerate() {
        let sep = if k == 0 { "" } else { ", " };
        let _ = write!(s, "{sep}{}", nodes.value(id).shape());
    }
    s
}

/// Panics if the value just recorded as node `output`, by the op `p`, is not finite.
#[cold]
#[inline(never)]
pub(super) fn check_forward<T: Float>(
    nodes: &Nodes<T>,
    p: Provenance,
    inputs: &[u32],
    output: u32,
) {
    let value = nodes.value(output);
    let Some((at, bad)) = first_non_finite(value) else {
        return;
    };
    let already = inputs
        .iter()
        .position(|&id| first_non_finite(nodes.value(id)).is_some())
        .map_or(String::from("every input is finite"), |k| {
            format!("input {k} already holds a non-finite value")
        });
    panic!(
        "anomaly detected: the forward of `{}` recorded at {} produced {} at element {at} of its \
         output (output shape {}; input shapes {}; {already})",
        p.op,
        p.location,
        describe(bad),
        value.shape(),
        input_shapes(nodes, inputs),
    );
}

/// Panics if the backward of the op whose last output is node `op_node` left a non-finite
/// gradient in one of its inputs. Run after every backward, so the first op to make one is named.
#[cold]
#[inline(never)]
pub(super) fn check_backward<T: Float>(
    nodes: &Nodes<T>,
    op_node: usize,
    inputs: &[u32],
    grads: &[Option<Tensor<T>>],
) {
    for (k, &id) in inputs.iter().enumerate() {
        let Some(grad) = &grads[id as usize] else {
            continue;
        };
        let Some((at, bad)) = first_non_finite(grad) else {
            continue;
        };
        let p = nodes.provenance[op_node];
        panic!(
            "anomaly detected: the backward of `{}` recorded at {} produced {} at element {at} \
             of the gradient of its input {k} (output shape {}; input shapes {})",
            p.op,
            p.location,
            describe(bad),
            nodes.value(op_node as u32).shape(),
            input_shapes(nodes, inputs),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::op_name_of;

    struct Cube<T>(T);

    #[test]
    fn op_names_come_from_the_backward_type() {
        fn sum_like() -> &'static str {
            let c = |x: f32| x;
            fn name<F>(_: &F) -> &'static str {
                op_name_of::<F>()
            }
            name(&c)
        }
        assert_eq!(sum_like(), "sum_like");
        assert_eq!(op_name_of::<Cube<Vec<f32>>>(), "Cube");
        let _ = Cube(1);
    }
}
