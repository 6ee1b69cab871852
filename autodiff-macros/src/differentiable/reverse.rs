//! The reverse sweep: adjoints of the statements in reverse order, each the sum of the
//! contributions of its uses, computed once after its last use.

use std::collections::{BTreeSet, HashMap};

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::context::Cx;
use super::forward::forward;
use super::intrinsics;
use super::ir::{Block, Op, Stmt, VarId};

/// Contributions waiting to be summed into each variable's adjoint.
type Contributions = HashMap<VarId, Vec<TokenStream>>;

/// The adjoint statements of `block` seeded with `seeds` (a variable and its adjoint), and the
/// adjoint of each of `targets` (the inputs, or the variables a branch reads from outside).
/// `reads` grows by every variable the statements read.
pub(crate) fn reverse(
    cx: &mut Cx,
    block: &Block,
    seeds: Vec<(VarId, TokenStream)>,
    targets: &[VarId],
    reads: &mut BTreeSet<VarId>,
) -> (TokenStream, Vec<TokenStream>) {
    let mut pending = Contributions::new();
    for (var, seed) in seeds {
        if cx.active(var) {
            pending.entry(var).or_default().push(seed);
        }
    }
    let mut out = Vec::new();
    for stmt in block.stmts.iter().rev() {
        if stmt.outputs.iter().any(|o| pending.contains_key(o)) {
            let tokens = statement(cx, stmt, &mut pending);
            cx.note_reads(&tokens, reads);
            out.push(tokens);
        }
    }
    let adjoints = targets
        .iter()
        .map(|t| {
            let sum = sum(cx, pending.remove(t));
            cx.note_reads(&sum, reads);
            sum
        })
        .collect();
    (quote!(#(#out)*), adjoints)
}

/// `a + b + c`, or zero when nothing contributed.
fn sum(cx: &Cx, contributions: Option<Vec<TokenStream>>) -> TokenStream {
    match contributions {
        Some(terms) => quote!(#(#terms)+*),
        None => cx.zero(),
    }
}

/// Binds the adjoints of the statement's outputs, then sends contributions to its operands.
fn statement(cx: &mut Cx, stmt: &Stmt, pending: &mut Contributions) -> TokenStream {
    let ty = cx.ty.clone();
    let mut tokens = TokenStream::new();
    let mut adjoints = Vec::new();
    for &o in &stmt.outputs {
        let terms = pending.remove(&o);
        adjoints.push(terms.is_some().then(|| cx.adjoint(o)));
        if let (Some(terms), Some(d)) = (terms, adjoints.last().cloned().flatten()) {
            tokens.extend(quote!(let #d: #ty = #(#terms)+*;));
        }
    }
    match &stmt.op {
        Op::Prim(prim, args) => {
            let d = adjoints[0].clone().expect("a pending adjoint");
            let names: Vec<Ident> = args.iter().map(|&a| cx.var(a).clone()).collect();
            let y = cx.var(stmt.outputs[0]).clone();
            let parts = intrinsics::partials(*prim, &names, &y, &d, &cx.core);
            for (&arg, part) in args.iter().zip(parts) {
                send(cx, pending, arg, part);
            }
        }
        Op::Powi(a, n) => {
            let d = adjoints[0].clone().expect("a pending adjoint");
            let (name, core) = (cx.var(*a).clone(), &cx.core);
            let part = quote!(#d * #core::scalar::powi_grad(#name, #n));
            send(cx, pending, *a, part);
        }
        Op::Call(path, args) => tokens.extend(call(cx, path, args, &adjoints, pending)),
        Op::If(cond, then, other) => {
            tokens.extend(if_else(cx, *cond, [then, other], &adjoints, pending))
        }
        Op::Const(_) | Op::Bool(_) | Op::Compare(..) | Op::Logic(..) | Op::Not(_) => {}
    }
    tokens
}

fn send(cx: &Cx, pending: &mut Contributions, to: VarId, part: TokenStream) {
    if cx.active(to) {
        pending.entry(to).or_default().push(part);
    }
}

/// The seeds of a multi-output operation: each output's adjoint, or zero.
fn seeds(cx: &Cx, adjoints: &[Option<Ident>]) -> Vec<TokenStream> {
    adjoints
        .iter()
        .map(|d| match d {
            Some(d) => quote!(#d),
            None => cx.zero(),
        })
        .collect()
}

/// `let (g1, _, g2) = f_vjp(args.., seeds..);` for a call of another differentiable function.
///
/// `f_vjp` is found by name, so calling a function that is not `#[differentiable]` is rustc's
/// "cannot find function `f_vjp`" at the call. A trait-bound check with our own message could
/// only add a second error after that one (a missing name is an error whatever else is
/// generated), and a marker impl that `#[differentiable]` would emit for a core type breaks the
/// orphan rule in user crates.
fn call(
    cx: &mut Cx,
    path: &syn::Path,
    args: &[VarId],
    adjoints: &[Option<Ident>],
    pending: &mut Contributions,
) -> TokenStream {
    let mut vjp = path.clone();
    if let Some(last) = vjp.segments.last_mut() {
        last.ident = Ident::new(&format!("{}_vjp", last.ident), last.ident.span());
    }
    let names: Vec<Ident> = args.iter().map(|&a| cx.var(a).clone()).collect();
    let seeds = seeds(cx, adjoints);
    let grads: Vec<Option<Ident>> = args
        .iter()
        .map(|&a| cx.active(a).then(|| cx.fresh_numbered("g")))
        .collect();
    let pattern = grads.iter().map(|g| match g {
        Some(g) => quote!(#g),
        None => quote!(_),
    });
    let pattern = if args.len() == 1 {
        quote!(#(#pattern)*)
    } else {
        quote!((#(#pattern),*))
    };
    for (&arg, g) in args.iter().zip(&grads) {
        if let Some(g) = g {
            send(cx, pending, arg, quote!(#g));
        }
    }
    quote!(let #pattern = #vjp(#(#names,)* #(#seeds),*);)
}

/// The backward of an `if`: the taken branch's forward pass is recomputed inside its backward
/// block, which yields the adjoints of every active variable the branches read from outside.
fn if_else(
    cx: &mut Cx,
    cond: VarId,
    branches: [&Block; 2],
    adjoints: &[Option<Ident>],
    pending: &mut Contributions,
) -> TokenStream {
    let free: Vec<VarId> = branches
        .iter()
        .flat_map(|b| b.free_vars())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .filter(|&v| cx.active(v))
        .collect();
    if free.is_empty() {
        return TokenStream::new();
    }
    let [then, other] = branches.map(|block| {
        let seeds = block
            .results
            .iter()
            .zip(adjoints)
            .filter_map(|(&r, d)| d.as_ref().map(|d| (r, quote!(#d))))
            .collect();
        let mut reads = BTreeSet::new();
        let (backward, grads) = reverse(cx, block, seeds, &free, &mut reads);
        let recompute = forward(cx, block, &mut reads, &BTreeSet::new());
        let value = if grads.len() == 1 {
            quote!(#(#grads)*)
        } else {
            quote!((#(#grads),*))
        };
        quote!({ #recompute #backward #value })
    });
    let grads: Vec<Ident> = free.iter().map(|_| cx.fresh_numbered("g")).collect();
    for (&v, g) in free.iter().zip(&grads) {
        send(cx, pending, v, quote!(#g));
    }
    let cond = cx.var(cond);
    let ty = &cx.ty;
    let pattern = if grads.len() == 1 {
        quote!(#(#grads)*: #ty)
    } else {
        quote!((#(#grads),*))
    };
    quote!(let #pattern = if #cond #then else #other;)
}
