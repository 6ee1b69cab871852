//! The primitive operations of a `#[differentiable]` body: each one's forward expression beside
//! the contributions it sends back to its operands (`d` is the adjoint of its value `y`).

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

/// The scalar functions of one argument, called as `exp(x)` or `x.exp()`; each has a
/// `scalar::NAME` and a `scalar::NAME_grad(x, y)` in autodiff-core.
pub(crate) const UNARY: [&str; 11] = [
    "exp", "ln", "sqrt", "tanh", "sigmoid", "relu", "abs", "sin", "cos", "softplus", "erf",
];

/// An arithmetic operator or intrinsic function.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Prim {
    /// `-a`.
    Neg,
    /// `a + b`.
    Add,
    /// `a - b`.
    Sub,
    /// `a * b`.
    Mul,
    /// `a / b`.
    Div,
    /// One of [`UNARY`].
    Unary(&'static str),
    /// `a.powf(b)`.
    Powf,
    /// `a.max(b)`.
    Max,
    /// `a.min(b)`.
    Min,
}

/// What a function or method name means inside a `#[differentiable]` body.
pub(crate) enum Intrinsic {
    /// A primitive of this many arguments.
    Prim(Prim, usize),
    /// `powi(x, n)` / `x.powi(n)`.
    Powi,
}

/// The intrinsic called `name`, if any.
pub(crate) fn lookup(name: &str) -> Option<Intrinsic> {
    if let Some(&unary) = UNARY.iter().find(|&&u| u == name) {
        return Some(Intrinsic::Prim(Prim::Unary(unary), 1));
    }
    match name {
        "powf" => Some(Intrinsic::Prim(Prim::Powf, 2)),
        "max" => Some(Intrinsic::Prim(Prim::Max, 2)),
        "min" => Some(Intrinsic::Prim(Prim::Min, 2)),
        "powi" => Some(Intrinsic::Powi),
        _ => None,
    }
}

fn scalar_fn(core: &TokenStream, name: &str) -> TokenStream {
    let f = Ident::new(name, Span::call_site());
    quote!(#core::scalar::#f)
}

/// The expression computing the primitive's value from its operands.
pub(crate) fn forward(prim: Prim, args: &[Ident], core: &TokenStream) -> TokenStream {
    match (prim, args) {
        (Prim::Neg, [a]) => quote!(-#a),
        (Prim::Add, [a, b]) => quote!(#a + #b),
        (Prim::Sub, [a, b]) => quote!(#a - #b),
        (Prim::Mul, [a, b]) => quote!(#a * #b),
        (Prim::Div, [a, b]) => quote!(#a / #b),
        (Prim::Unary(name), [a]) => {
            let f = scalar_fn(core, name);
            quote!(#f(#a))
        }
        (Prim::Powf, [a, b]) => quote!(#core::scalar::powf(#a, #b)),
        (Prim::Max, [a, b]) => quote!(#core::scalar::max(#a, #b)),
        (Prim::Min, [a, b]) => quote!(#core::scalar::min(#a, #b)),
        _ => unreachable!("lowering checks the arity of {prim:?}"),
    }
}

/// The adjoint contribution to each operand, given the value `y` and its adjoint `d`.
pub(crate) fn partials(
    prim: Prim,
    args: &[Ident],
    y: &Ident,
    d: &Ident,
    core: &TokenStream,
) -> Vec<TokenStream> {
    match (prim, args) {
        (Prim::Neg, [_]) => vec![quote!(-#d)],
        (Prim::Add, [_, _]) => vec![quote!(#d), quote!(#d)],
        (Prim::Sub, [_, _]) => vec![quote!(#d), quote!(-#d)],
        (Prim::Mul, [a, b]) => vec![quote!(#d * #b), quote!(#d * #a)],
        (Prim::Div, [_, b]) => vec![quote!(#d / #b), quote!(-#d * #y / #b)],
        (Prim::Unary(name), [a]) => {
            let df = scalar_fn(core, &format!("{name}_grad"));
            vec![quote!(#d * #df(#a, #y))]
        }
        (Prim::Powf, [a, b]) => vec![
            quote!(#d * #core::scalar::powf_grad_base(#a, #b)),
            quote!(#d * #core::scalar::powf_grad_exponent(#a, #y)),
        ],
        (Prim::Max, [a, b]) => vec![
            quote!(#d * #core::scalar::max_grad(#a, #b)),
            quote!(#d * #core::scalar::max_grad(#b, #a)),
        ],
        (Prim::Min, [a, b]) => vec![
            quote!(#d * #core::scalar::min_grad(#a, #b)),
            quote!(#d * #core::scalar::min_grad(#b, #a)),
        ],
        _ => unreachable!("lowering checks the arity of {prim:?}"),
    }
}
