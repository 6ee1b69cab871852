//! `#[differentiable]`: keeps a scalar function and adds its vector-Jacobian product
//! (`NAME_vjp`) and its elementwise op on `Var`s (`NAME_op`).
//!
//! The body is lowered to straight-line form ([`ir`]), where every intermediate is bound once
//! and repeated subexpressions are shared; the kept function is that forward pass, the VJP is
//! the forward pass of what the backward reads followed by the adjoints in reverse order.

mod context;
mod forward;
mod functions;
mod intrinsics;
mod ir;
mod lower;
mod op;
mod reverse;
mod signature;
mod unsupported;

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};

use crate::paths::core_path;

/// Expands `#[differentiable]` on `item`; on an error, the error and the function's signature
/// with an unreachable body, so the error is not buried under errors at every call.
pub(crate) fn expand_or_stub(item: syn::ItemFn) -> TokenStream {
    expand(&item).unwrap_or_else(|error| {
        let error = error.into_compile_error();
        let syn::ItemFn {
            attrs, vis, sig, ..
        } = item;
        quote! {
            #error
            #(#attrs)*
            #[allow(unused_variables)]
            #vis #sig {
                ::core::unreachable!("#[differentiable] rejected this function")
            }
        }
    })
}

fn expand(item: &syn::ItemFn) -> syn::Result<TokenStream> {
    let sig = signature::read(&item.sig)?;
    let function = lower::lower(&sig.inputs, &item.block, sig.outputs)?;
    let core = core_path();
    let mut cx = context::Cx::new(&function, core.clone(), sig.ty.to_token_stream());
    let kept = functions::kept(&cx, item, &sig);
    let (vjp, saved) = functions::vjp(&mut cx, item, &sig);
    let op = op::op(item, &sig, &core, &saved);
    Ok(quote!(#kept #vjp #op))
}

#[cfg(test)]
mod tests;
