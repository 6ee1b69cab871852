//! The absolute path of `autodiff-core` in the crate that uses a macro.

use proc_macro_crate::{FoundCrate, crate_name};
use proc_macro2::{Span, TokenStream};
use quote::quote;

/// `::autodiff_core`, or whatever name the user's `Cargo.toml` gives it.
///
/// `proc_macro_crate` reads the using crate's manifest, so a renamed dependency
/// (`ad = { package = "autodiff-core" }`) works; a crate that depends only on `nn` reaches the
/// core through nn's re-export `nn::autodiff_core`. Generated code never relies on what the user
/// imported, so it works in any module of any crate.
pub(crate) fn core_path() -> TokenStream {
    match crate_name("autodiff-core") {
        Ok(FoundCrate::Name(name)) => ident_path(&name),
        // The core's own tests and doc tests see the core as an extern crate.
        Ok(FoundCrate::Itself) => quote!(::autodiff_core),
        Err(_) => match crate_name("nn") {
            Ok(FoundCrate::Name(name)) => {
                let nn = ident_path(&name);
                quote!(#nn::autodiff_core)
            }
            Ok(FoundCrate::Itself) => quote!(crate::autodiff_core),
            Err(_) => quote!(::autodiff_core),
        },
    }
}

fn ident_path(name: &str) -> TokenStream {
    let ident = syn::Ident::new(name, Span::call_site());
    quote!(::#ident)
}
