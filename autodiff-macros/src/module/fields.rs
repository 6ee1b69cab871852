//! The fields a derived `Module` visits, with the path segment of each.

use proc_macro2::Span;
use syn::spanned::Spanned;

use super::attrs::{FieldMode, field_mode};

/// A field that is not `#[module(skip)]`.
pub(crate) struct Field {
    /// `self.name` or `self.0`.
    pub member: syn::Member,
    /// The path segment: the field's name, or its index in a tuple struct; `None` for a
    /// `#[module(flatten)]` field.
    pub segment: Option<String>,
    /// The field's type.
    pub ty: syn::Type,
    /// Where errors about the field point.
    pub span: Span,
}

/// The visited fields, in declaration order.
pub(crate) fn visited(fields: &syn::Fields) -> syn::Result<Vec<Field>> {
    let mut out = Vec::new();
    for (index, field) in fields.iter().enumerate() {
        let mode = field_mode(&field.attrs)?;
        if mode == FieldMode::Skip {
            continue;
        }
        let (member, segment) = match &field.ident {
            Some(ident) => (syn::Member::Named(ident.clone()), ident.to_string()),
            None => (syn::Member::Unnamed(index.into()), index.to_string()),
        };
        out.push(Field {
            member,
            segment: (mode == FieldMode::Nested).then_some(segment),
            ty: field.ty.clone(),
            span: field.ty.span(),
        });
    }
    Ok(out)
}
