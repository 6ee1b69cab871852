//! `visit`, `visit_mut` and `visit_buffers`: each field under its path segment, through one
//! `Module` call per field written at the field's span, so a field that is not a module is
//! reported there. The trait, not the field's spelling, decides what a field holds: a `Param`
//! reports itself to `visit`, a `Buffer` or `StepCounter` to `visit_buffers`, a sub-module
//! forwards both.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

use super::fields::Field;

/// `fn visit`: pushes each field's segment, visits the field, pops the segment.
pub(crate) fn visit(fields: &[Field], float: &syn::Type, core: &TokenStream) -> TokenStream {
    let calls = fields.iter().map(|field| {
        let Field {
            member,
            segment,
            ty,
            span,
        } = field;
        let call =
            quote_spanned!(*span=> <#ty as #core::Module<#float>>::visit(&self.#member, path, f););
        quote! {
            path.push(#segment);
            #call
            path.pop();
        }
    });
    let unused = fields.is_empty().then(|| quote!(let _ = (path, f);));
    quote! {
        fn visit<'__module>(
            &'__module self,
            path: &mut #core::ParamPath,
            f: &mut dyn FnMut(&#core::ParamPath, &'__module #core::Param<#float>),
        ) {
            #(#calls)*
            #unused
        }
    }
}

/// `fn visit_mut`: the same with mutable access.
pub(crate) fn visit_mut(fields: &[Field], float: &syn::Type, core: &TokenStream) -> TokenStream {
    let calls = fields.iter().map(|field| {
        let Field {
            member,
            segment,
            ty,
            span,
        } = field;
        let call = quote_spanned!(*span=> <#ty as #core::Module<#float>>::visit_mut(&mut self.#member, path, f););
        quote! {
            path.push(#segment);
            #call
            path.pop();
        }
    });
    let unused = fields.is_empty().then(|| quote!(let _ = (path, f);));
    quote! {
        fn visit_mut(
            &mut self,
            path: &mut #core::ParamPath,
            f: &mut dyn FnMut(&#core::ParamPath, &mut #core::Param<#float>),
        ) {
            #(#calls)*
            #unused
        }
    }
}

/// `fn visit_buffers`: the same for buffers.
pub(crate) fn visit_buffers(
    fields: &[Field],
    float: &syn::Type,
    core: &TokenStream,
) -> TokenStream {
    let calls = fields.iter().map(|field| {
        let Field {
            member,
            segment,
            ty,
            span,
        } = field;
        let call = quote_spanned!(*span=> <#ty as #core::Module<#float>>::visit_buffers(&self.#member, path, f););
        quote! {
            path.push(#segment);
            #call
            path.pop();
        }
    });
    let unused = fields.is_empty().then(|| quote!(let _ = (path, f);));
    quote! {
        fn visit_buffers<'__module>(
            &'__module self,
            path: &mut #core::ParamPath,
            f: &mut dyn FnMut(&#core::ParamPath, #core::BufferRef<'__module, #float>),
        ) {
            #(#calls)*
            #unused
        }
    }
}
