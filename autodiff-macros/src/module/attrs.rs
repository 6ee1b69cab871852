//! The `#[module(...)]` attributes: `float = TYPE` on the struct, `skip` or `flatten` on a
//! field.

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

/// What `#[module(...)]` says of a field.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum FieldMode {
    /// No attribute: visited under its own path segment.
    Nested,
    /// `#[module(skip)]`: configuration, not visited.
    Skip,
    /// `#[module(flatten)]`: visited without a segment of its own, so its parts' paths sit
    /// beside the struct's other fields (as serde's `flatten` does).
    Flatten,
}

/// Reads every `#[module(...)]` on a field.
pub(crate) fn field_mode(attrs: &[syn::Attribute]) -> syn::Result<FieldMode> {
    let mut mode = FieldMode::Nested;
    for attr in attrs.iter().filter(|a| a.path().is_ident("module")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("skip") {
                mode = FieldMode::Skip;
                Ok(())
            } else if meta.path.is_ident("flatten") {
                mode = FieldMode::Flatten;
                Ok(())
            } else {
                Err(syn::Error::new(
                    meta.path.span(),
                    "on a field, #[module(...)] takes `skip` or `flatten`",
                ))
            }
        })?;
    }
    Ok(mode)
}
