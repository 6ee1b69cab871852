//! `visit`, `visit_mut` and `visit_buffers`: each field under its path segment, through one
//! `Module` call per field written at the field's span, so a field that is not a module is
//! reported there. The trait, not the field's spelling, decides what a field holds: a `Param`
//! reports itself to `visit`, a `Buffer` or `StepCounter` to `visit_buffers`, a sub-module
//! forwards both.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned};

use super::fields::Field;

/// `fn visit`: pushes each field's segment, visits the field, pops the segment.
pub(crate) fn visit(fields: &[Field], float: &syn::Type, core: &TokenStream) -> TokenStream {
    let body = field_calls(fields, float, core, "visit", quote!(&));
    quote! {
        fn visit<'__module>(
            &'__module self,
            path: &mut #core::ParamPath,
            f: &mut dyn FnMut(&#core::ParamPath, &'__module #core::Param<#float>),
        ) {
            #body
        }
    }
}

/// `fn visit_mut`: the same with mutable access.
pub(crate) fn visit_mut(fields: &[Field], float: &syn::Type, core: &TokenStream) -> TokenStream {
    let body = field_calls(fields, float, core, "visit_mut", quote!(&mut));
    quote! {
        fn visit_mut(
            &mut self,
            path: &mut #core::ParamPath,
            f: &mut dyn FnMut(&#core::ParamPath, &mut #core::Param<#float>),
        ) {
            #body
        }
    }
}

/// `fn visit_buffers`: the same for buffers.
pub(crate) fn visit_buffers(
    fields: &[Field],
    float: &syn::Type,
    core: &TokenStream,
) -> TokenStream {
    let body = field_calls(fields, float, core, "visit_buffers", quote!(&));
    quote! {
        fn visit_buffers<'__module>(
            &'__module self,
            path: &mut #core::ParamPath,
            f: &mut dyn FnMut(&#core::ParamPath, #core::BufferRef<'__module, #float>),
        ) {
            #body
        }
    }
}

/// The body every visiting method shares: `Module::METHOD` on each field (borrowed with
/// `borrow`) under the field's path segment (a flattened field under the struct's own path),
/// each call at the field's span.
fn field_calls(
    fields: &[Field],
    float: &syn::Type,
    core: &TokenStream,
    method: &str,
    borrow: TokenStream,
) -> TokenStream {
    let method = Ident::new(method, Span::call_site());
    let calls = fields.iter().map(|field| {
        let Field {
            member,
            segment,
            ty,
            span,
        } = field;
        let call = quote_spanned!(*span=>
            <#ty as #core::Module<#float>>::#method(#borrow self.#member, path, f);
        );
        match segment {
            Some(segment) => quote! {
                path.push(#segment);
                #call
                path.pop();
            },
            None => call,
        }
    });
    let unused = fields.is_empty().then(|| quote!(let _ = (path, f);));
    quote! {
        #(#calls)*
        #unused
    }
}
