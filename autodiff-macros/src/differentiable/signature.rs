//! The signature of a `#[differentiable]` function: scalar inputs of one type, returning one of
//! them or a tuple.

use quote::ToTokens;
use syn::spanned::Spanned;

use super::unsupported::unsupported;

/// What the generated items need to know about the function's signature.
pub(crate) struct Signature {
    /// The input names, in order.
    pub inputs: Vec<syn::Ident>,
    /// The scalar type of every input and output.
    pub ty: syn::Type,
    /// How many values it returns.
    pub outputs: usize,
}

/// Checks the signature and reads it.
pub(crate) fn read(sig: &syn::Signature) -> syn::Result<Signature> {
    if let Some(token) = sig
        .constness
        .as_ref()
        .map(|t| t.span())
        .or(sig.asyncness.as_ref().map(|t| t.span()))
        .or(sig.unsafety.as_ref().map(|t| t.span()))
        .or(sig.abi.as_ref().map(|t| t.span()))
        .or(sig.variadic.as_ref().map(|t| t.span()))
    {
        return Err(unsupported(
            token,
            "a `const`, `async`, `unsafe`, `extern` or variadic function is",
        ));
    }
    if let Some(lifetime) = sig.generics.lifetimes().next() {
        return Err(unsupported(lifetime.span(), "a lifetime parameter is"));
    }
    let mut inputs = Vec::new();
    let mut ty: Option<syn::Type> = None;
    for arg in &sig.inputs {
        let syn::FnArg::Typed(arg) = arg else {
            return Err(unsupported(arg.span(), "a `self` parameter is"));
        };
        let syn::Pat::Ident(name) = &*arg.pat else {
            return Err(unsupported(
                arg.pat.span(),
                "a parameter pattern other than a name is",
            ));
        };
        if name.by_ref.is_some() || name.mutability.is_some() || name.subpat.is_some() {
            return Err(unsupported(arg.pat.span(), "a `ref` or `mut` parameter is"));
        }
        check_same(&mut ty, &arg.ty)?;
        inputs.push(name.ident.clone());
    }
    let Some(ty) = ty else {
        return Err(syn::Error::new(
            sig.paren_token.span.join(),
            "a #[differentiable] function needs at least one input",
        ));
    };
    let outputs = match &sig.output {
        syn::ReturnType::Default => {
            return Err(syn::Error::new(
                sig.ident.span(),
                "a #[differentiable] function returns a scalar or a tuple of scalars",
            ));
        }
        syn::ReturnType::Type(_, ret) => match &**ret {
            syn::Type::Tuple(tuple) if !tuple.elems.is_empty() => {
                for elem in &tuple.elems {
                    check_same(&mut Some(ty.clone()), elem)?;
                }
                tuple.elems.len()
            }
            other => {
                check_same(&mut Some(ty.clone()), other)?;
                1
            }
        },
    };
    Ok(Signature {
        inputs,
        ty,
        outputs,
    })
}

/// Records the first scalar type, and requires every later one to be the same.
fn check_same(first: &mut Option<syn::Type>, ty: &syn::Type) -> syn::Result<()> {
    match first {
        None => {
            *first = Some(ty.clone());
            Ok(())
        }
        Some(first) if first.to_token_stream().to_string() == ty.to_token_stream().to_string() => {
            Ok(())
        }
        Some(first) => Err(syn::Error::new(
            ty.span(),
            format!(
                "every input and output of a #[differentiable] function has the same scalar type; \
                 expected `{}`",
                first.to_token_stream()
            ),
        )),
    }
}
