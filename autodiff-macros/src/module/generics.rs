//! The element type of the derived `Module<T>` and the bounds the impl needs.

use proc_macro2::{TokenStream, TokenTree};
use quote::quote;
use syn::spanned::Spanned;

use super::fields::Field;

/// The `T` of `Module<T>`: the `#[module(float = ...)]` type if given, else the struct's one
/// type parameter bounded by `Float` (inline or in the where-clause).
pub(crate) fn element_type(
    input: &syn::DeriveInput,
    explicit: Option<syn::Type>,
) -> syn::Result<syn::Type> {
    if let Some(ty) = explicit {
        return Ok(ty);
    }
    let bounded: Vec<&syn::Ident> = input
        .generics
        .type_params()
        .filter(|p| bounds_float(&p.bounds) || where_bounds_float(input, &p.ident))
        .map(|p| &p.ident)
        .collect();
    match bounded[..] {
        [ident] => Ok(syn::parse_quote!(#ident)),
        [] => Err(syn::Error::new(
            input.ident.span(),
            format!(
                "#[derive(Module)] cannot tell which element type `{}` holds: give it a type \
                 parameter bounded by `Float` (`struct {0}<T: Float>`) or write \
                 #[module(float = f32)] on the struct",
                input.ident
            ),
        )),
        _ => Err(syn::Error::new(
            input.generics.span(),
            "#[derive(Module)] found several type parameters bounded by `Float`: choose the \
             element type with #[module(float = T)] on the struct",
        )),
    }
}

/// Whether a bound list names a trait called `Float` (`Float`, `autodiff_core::Float`, ...).
fn bounds_float<'a>(bounds: impl IntoIterator<Item = &'a syn::TypeParamBound>) -> bool {
    bounds.into_iter().any(|b| match b {
        syn::TypeParamBound::Trait(t) => t.path.segments.last().is_some_and(|s| s.ident == "Float"),
        _ => false,
    })
}

fn where_bounds_float(input: &syn::DeriveInput, param: &syn::Ident) -> bool {
    let Some(where_clause) = &input.generics.where_clause else {
        return false;
    };
    where_clause.predicates.iter().any(|p| match p {
        syn::WherePredicate::Type(t) => {
            matches!(&t.bounded_ty, syn::Type::Path(path) if path.path.is_ident(param))
                && bounds_float(&t.bounds)
        }
        _ => false,
    })
}

/// The struct's generics plus `T: Float` (when the element type came from the attribute) and
/// `FieldType: Module<T>` for every visited field whose type involves another type parameter
/// (a field involving none is checked at its own span instead).
pub(crate) fn with_bounds(
    input: &syn::DeriveInput,
    float: &syn::Type,
    explicit: bool,
    fields: &[Field],
    core: &TokenStream,
) -> syn::Generics {
    let mut generics = input.generics.clone();
    let others: Vec<String> = generics
        .type_params()
        .map(|p| p.ident.to_string())
        .filter(|name| quote!(#float).to_string() != *name)
        .collect();
    let predicates = &mut generics.make_where_clause().predicates;
    if explicit {
        predicates.push(syn::parse_quote!(#float: #core::Float));
    }
    for field in fields {
        let ty = &field.ty;
        if mentions_any(quote!(#ty), &others) {
            predicates.push(syn::parse_quote!(#ty: #core::Module<#float>));
        }
    }
    generics
}

/// Whether `tokens` contain an identifier named in `names`.
fn mentions_any(tokens: TokenStream, names: &[String]) -> bool {
    tokens.into_iter().any(|tree| match tree {
        TokenTree::Ident(ident) => names.iter().any(|n| ident == n.as_str()),
        TokenTree::Group(group) => mentions_any(group.stream(), names),
        _ => false,
    })
}
