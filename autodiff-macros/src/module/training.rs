//! `set_training`: propagated to every visited field.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

use super::fields::Field;

/// `fn set_training`: calls each field's `set_training`.
pub(crate) fn set_training(fields: &[Field], float: &syn::Type, core: &TokenStream) -> TokenStream {
    let calls = fields.iter().map(|Field { member, ty, span, .. }| {
        quote_spanned!(*span=> <#ty as #core::Module<#float>>::set_training(&mut self.#member, training);)
    });
    let unused = fields.is_empty().then(|| quote!(let _ = training;));
    quote! {
        fn set_training(&mut self, training: bool) {
            #(#calls)*
            #unused
        }
    }
}
