//! The forward pass: every live intermediate bound once, in evaluation order.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::quote;

use super::context::Cx;
use super::intrinsics;
use super::ir::{Block, Op, Stmt};

/// The statements of `block` that compute the variables in `live` but not in `given` (values
/// bound already, such as saved outputs), in order; `live` grows by every variable they read
/// (so the caller learns what the block needs from outside).
pub(crate) fn forward(
    cx: &Cx,
    block: &Block,
    live: &mut BTreeSet<usize>,
    given: &BTreeSet<usize>,
) -> TokenStream {
    let mut stmts = Vec::new();
    for stmt in block.stmts.iter().rev() {
        if stmt
            .outputs
            .iter()
            .any(|o| live.contains(o) && !given.contains(o))
        {
            stmts.push(statement(cx, stmt, live, given));
        }
    }
    stmts.reverse();
    quote!(#(#stmts)*)
}

/// The value of a block: its result, or the tuple of its results.
pub(crate) fn results(cx: &Cx, block: &Block) -> TokenStream {
    let names = block.results.iter().map(|&r| cx.var(r));
    if block.results.len() == 1 {
        quote!(#(#names)*)
    } else {
        quote!((#(#names),*))
    }
}

fn statement(
    cx: &Cx,
    stmt: &Stmt,
    live: &mut BTreeSet<usize>,
    given: &BTreeSet<usize>,
) -> TokenStream {
    let (core, ty) = (&cx.core, &cx.ty);
    live.extend(stmt.op.operands());
    let out = cx.var(stmt.outputs[0]);
    let args = |ids: &[usize]| ids.iter().map(|&a| cx.var(a).clone()).collect::<Vec<_>>();
    match &stmt.op {
        Op::Const(value) => quote!(let #out: #ty = #core::scalar::lit(#value);),
        Op::Bool(b) => quote!(let #out: bool = #b;),
        Op::Prim(prim, ids) => {
            let value = intrinsics::forward(*prim, &args(ids), core);
            quote!(let #out: #ty = #value;)
        }
        Op::Powi(a, n) => {
            let a = cx.var(*a);
            quote!(let #out: #ty = #core::scalar::powi(#a, #n);)
        }
        Op::Call(path, ids) => {
            let pattern = pattern(cx, stmt, live, given);
            let args = args(ids);
            quote!(let #pattern = #path(#(#args),*);)
        }
        Op::Compare(op, a, b) | Op::Logic(op, a, b) => {
            let (a, b) = (cx.var(*a), cx.var(*b));
            quote!(let #out: bool = #a #op #b;)
        }
        Op::Not(a) => {
            let a = cx.var(*a);
            quote!(let #out: bool = !#a;)
        }
        Op::If(cond, then, other) => {
            let pattern = pattern(cx, stmt, live, given);
            let cond = cx.var(*cond);
            let then = branch(cx, then, live, given);
            let other = branch(cx, other, live, given);
            quote!(let #pattern = if #cond { #then } else { #other };)
        }
    }
}

/// A branch computing its full result, adding what it reads to `live`.
fn branch(
    cx: &Cx,
    block: &Block,
    live: &mut BTreeSet<usize>,
    given: &BTreeSet<usize>,
) -> TokenStream {
    let mut inner: BTreeSet<usize> = block.results.iter().copied().collect();
    let stmts = forward(cx, block, &mut inner, given);
    live.extend(inner);
    let value = results(cx, block);
    quote!(#stmts #value)
}

/// `name: T` for one output, `(a, _, c)` for several (`_` where an output is not live or is
/// given).
fn pattern(cx: &Cx, stmt: &Stmt, live: &BTreeSet<usize>, given: &BTreeSet<usize>) -> TokenStream {
    let ty = &cx.ty;
    if let [only] = stmt.outputs[..] {
        let name = cx.var(only);
        return quote!(#name: #ty);
    }
    let names = stmt.outputs.iter().map(|o| {
        if live.contains(o) && !given.contains(o) {
            let name = cx.var(*o);
            quote!(#name)
        } else {
            quote!(_)
        }
    });
    quote!((#(#names),*))
}
