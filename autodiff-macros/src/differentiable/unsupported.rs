//! The error for syntax outside the language `#[differentiable]` understands.

use proc_macro2::Span;

/// What a `#[differentiable]` function may contain; every error message ends with it.
pub(crate) const SUPPORTED: &str = "supported: a #[differentiable] function takes scalar inputs of one \
type (`T: Float`, `f32` or `f64`) and returns one or a tuple of them; its body may contain \
`let` bindings of a name or a tuple of names, `+ - * /` and unary `-`, float and integer \
literals, named `f64` constants, parentheses, tuples, `if`/`else` whose condition compares \
values (`< <= > >= == !=`, `&&`, `||`, `!`), the intrinsics exp, ln, sqrt, powi, powf, tanh, \
sigmoid, relu, abs, max, min, sin, cos, softplus, erf (as `exp(x)` or `x.exp()`), and calls of \
other #[differentiable] functions";

/// "`what` is not supported", at `span`, with the list of what is.
pub(crate) fn unsupported(span: Span, what: &str) -> syn::Error {
    syn::Error::new(
        span,
        format!("{what} not supported in a #[differentiable] function\n{SUPPORTED}"),
    )
}
