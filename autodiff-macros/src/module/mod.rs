//! `#[derive(Module)]`: one function per generated method, the generic-bound handling in
//! [`generics`].

mod attrs;
mod fields;
mod generics;
mod training;
mod visit;

use proc_macro2::TokenStream;
use quote::quote;
use syn::spanned::Spanned;

use crate::paths::core_path;

/// The `impl Module<T> for Struct` of a derive input.
pub(crate) fn derive(input: &syn::DeriveInput) -> syn::Result<TokenStream> {
    let data = match &input.data {
        syn::Data::Struct(data) => data,
        syn::Data::Enum(e) => return Err(not_a_struct(e.enum_token.span(), "an enum")),
        syn::Data::Union(u) => return Err(not_a_struct(u.union_token.span(), "a union")),
    };
    let core = core_path();
    let options = attrs::StructOptions::parse(&input.attrs)?;
    let fields = fields::visited(&data.fields)?;
    let explicit = options.float.is_some();
    let float = generics::element_type(input, options.float)?;
    let generics = generics::with_bounds(input, &float, explicit, &fields, &core);
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    let name = &input.ident;
    let visit = visit::visit(&fields, &float, &core);
    let visit_mut = visit::visit_mut(&fields, &float, &core);
    let visit_buffers = visit::visit_buffers(&fields, &float, &core);
    let set_training = training::set_training(&fields, &float, &core);
    Ok(quote! {
        #[automatically_derived]
        impl #impl_generics #core::Module<#float> for #name #ty_generics #where_clause {
            #visit
            #visit_mut
            #visit_buffers
            #set_training
        }
    })
}

fn not_a_struct(span: proc_macro2::Span, what: &str) -> syn::Error {
    syn::Error::new(
        span,
        format!(
            "#[derive(Module)] works on structs only, not on {what}: a module is a struct whose \
             fields are parameters, buffers, sub-modules or #[module(skip)] configuration"
        ),
    )
}
