//! The `#[module(...)]` attributes: `float = TYPE` on the struct, `skip` on a field.

use syn::spanned::Spanned;

/// Options given on the struct.
#[derive(Default)]
pub(crate) struct StructOptions {
    /// `#[module(float = f32)]`: the element type, when it is not the struct's type parameter
    /// bounded by `Float`.
    pub float: Option<syn::Type>,
}

impl StructOptions {
    /// Reads every `#[module(...)]` on the struct.
    pub fn parse(attrs: &[syn::Attribute]) -> syn::Result<Self> {
        let mut options = StructOptions::default();
        for attr in attrs.iter().filter(|a| a.path().is_ident("module")) {
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("float") {
                    options.float = Some(meta.value()?.parse()?);
                    Ok(())
                } else {
                    Err(meta.error("on a struct, #[module(...)] takes `float = TYPE`"))
                }
            })?;
        }
        Ok(options)
    }
}

/// Whether a field carries `#[module(skip)]`.
pub(crate) fn is_skipped(attrs: &[syn::Attribute]) -> syn::Result<bool> {
    let mut skip = false;
    for attr in attrs.iter().filter(|a| a.path().is_ident("module")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("skip") {
                skip = true;
                Ok(())
            } else {
                Err(syn::Error::new(
                    meta.path.span(),
                    "on a field, #[module(...)] takes `skip`",
                ))
            }
        })?;
    }
    Ok(skip)
}
