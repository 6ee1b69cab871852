//! Procedural macros of the autodiff framework: `#[derive(Module)]` and `#[differentiable]`.
//!
//! Use them through `nn` (`nn::Module`, `nn::differentiable`), whose documentation has runnable
//! examples; the generated code names `autodiff-core` by the path the using crate gives it.

mod differentiable;
mod module;
mod paths;

use proc_macro::TokenStream;

/// Derives `autodiff_core::Module` for a struct: visiting every parameter with its dotted path,
/// mutable visiting, and train/eval propagation; saving and loading
/// (`autodiff_core::checkpoint`) are built on visiting.
///
/// - Each field is visited through the trait system (one `Module` call per field, at the field's
///   span), so `Param`, any `Module`, `Vec`, `Option`, `Box`, arrays, type aliases and re-exports
///   all work; the field name is the path segment (`"0"`, `"1"`, ... in tuple structs).
/// - `#[module(skip)]` on a field marks configuration or other non-parameter data.
/// - The element type: `#[module(float = f32)]` on the struct, or else the struct's one type
///   parameter bounded by `Float` (`struct Dense<T: Float>`). Other type parameters used by
///   visited fields get `FieldType: Module<T>` bounds.
///
/// Misuse is a compile error at the user's span: an enum or union, or a field that is neither a
/// module nor skipped. See `nn`'s documentation for a runnable example.
#[proc_macro_derive(Module, attributes(module))]
pub fn derive_module(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    module::derive(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Keeps a function of scalar inputs and adds its vector-Jacobian product `NAME_vjp` and its
/// elementwise op on `Var`s `NAME_op`, both derived at compile time.
///
/// Supported: inputs of one scalar type (`T: Float`, `f32` or `f64`) returning one or a tuple of
/// them; `let` bindings of a name or a tuple of names; `+ - * /` and unary `-`; float and
/// integer literals; named `f64` constants; parentheses and tuples; `if`/`else` whose condition
/// compares values (`< <= > >= == !=`, `&&`, `||`, `!`; not differentiated, both branches are);
/// the intrinsics `exp ln sqrt powi powf tanh sigmoid relu abs max min sin cos softplus erf`, as
/// `exp(x)` or `x.exp()`; calls of other `#[differentiable]` functions (through their `_vjp`).
/// Anything else is a compile error at its span. See `nn`'s documentation for runnable examples.
#[proc_macro_attribute]
pub fn differentiable(attr: TokenStream, item: TokenStream) -> TokenStream {
    let attr = proc_macro2::TokenStream::from(attr);
    if let Some(first) = attr.into_iter().next() {
        return syn::Error::new(first.span(), "#[differentiable] takes no arguments")
            .into_compile_error()
            .into();
    }
    let item = syn::parse_macro_input!(item as syn::ItemFn);
    differentiable::expand_or_stub(item).into()
}
