//! Fused elementwise ops of several inputs and outputs, such as the ones `#[differentiable]`
//! generates: one loop forward ([`forward`]) and one backward ([`backward`],
//! [`backward_from_outputs`]), with NumPy broadcasting.
//!
//! An input of a smaller shape is read through strides (0 along its broadcast axes), never
//! copied to the full shape; its gradient is summed straight into a buffer of its own shape.
//! When every input already has the full shape, both loops are plain contiguous loops.
//!
//! A user-defined fused op with two outputs, `(x·y, x + y)`:
//!
//! ```
//! use autodiff_core::{elementwise, gradcheck, BackwardCx, Tape, Tensor, Var};
//!
//! fn product_and_sum<'t>(x: Var<'t, f64>, y: Var<'t, f64>) -> (Var<'t, f64>, Var<'t, f64>) {
//!     let values = elementwise::with_values("product_and_sum", [x, y], |inputs| {
//!         elementwise::forward("product_and_sum", inputs, |[x, y]| [x * y, x + y])
//!     });
//!     let [p, s] = x.tape().record_many(values, &[x, y], |cx: &mut BackwardCx<f64>| {
//!         // d(x·y) = y dx + x dy, d(x + y) = dx + dy; a missing seed is 0.
//!         elementwise::backward("product_and_sum", cx, |[x, y], [dp, ds]| {
//!             [dp * y + ds, dp * x + ds]
//!         });
//!     });
//!     (p, s)
//! }
//!
//! let tape = Tape::new();
//! let x = tape.var(Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], [2, 2]));
//! let y = tape.var(Tensor::from_vec(vec![10.0, 20.0], [2])); // broadcast over the rows
//! let (p, _unused) = product_and_sum(x, y);
//! assert_eq!(p.value().data(), &[10.0, 40.0, 30.0, 80.0]);
//! let grads = p.sum().backward();
//! assert_eq!(grads.wrt(y).unwrap().data(), &[4.0, 6.0]);
//! gradcheck(|v| product_and_sum(v[0], v[1]).1, &[x.value(), y.value()]).unwrap();
//! ```

mod backward;
mod forward;

pub use backward::{backward, backward_from_outputs};
pub use forward::forward;

use crate::{Float, Shape, Tensor, Var};

/// Runs `f` on the values of several variables of one tape, without copying them; `op` names
/// the operation if they are not all on one tape.
///
/// # Panics
/// If `N` is 0, if the variables are on different tapes, or if `f` records on the tape (the
/// tape is borrowed).
#[track_caller]
pub fn with_values<'t, T: Float, R, const N: usize>(
    op: &str,
    vars: [Var<'t, T>; N],
    f: impl FnOnce([&Tensor<T>; N]) -> R,
) -> R {
    vars[0].tape.with_values(op, vars, f)
}

/// The NumPy broadcast of every input's shape; `op` names the operation in shape errors.
fn broadcast_shape<T: Float, const N: usize>(op: &str, inputs: &[&Tensor<T>; N]) -> Shape {
    inputs
        .iter()
        .map(|t| t.shape())
        .reduce(|a, b| Shape::broadcast(op, &a, &b))
        .unwrap_or_else(|| panic!("{op}: a fused elementwise op needs at least one input"))
}
