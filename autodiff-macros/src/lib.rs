//! Procedural macros of the autodiff framework: `#[derive(Module)]` and `#[differentiable]`.
//!
//! Use them through `nn` (`nn::Module`, `nn::differentiable`), whose documentation has runnable
//! examples; the generated code names `autodiff-core` by the path the using crate gives it.

mod differentiable;
mod module;
mod paths;

use proc_macro::TokenStream;

/// Derives `autodiff_core::Module` for a struct: visiting every parameter and every buffer with
/// its dotted path, mutable visiting, and train/eval propagation; saving and loading
/// (`autodiff_core::checkpoint`) are built on visiting.
///
/// - Each field is visited through the trait system (one `Module` call per field, at the field's
///   span), so `Param`, `Buffer`, `StepCounter`, any `Module`, `Vec`, `Option`, `Box`, arrays,
///   type aliases and re-exports all work: a `Param` reports itself as a parameter, a `Buffer`
///   or `StepCounter` as a buffer. The field name is the path segment (`"0"`, `"1"`, ... in
///   tuple structs).
/// - `#[module(skip)]` on a field marks configuration or other non-parameter data.
/// - `#[module(flatten)]` on a field visits it without a segment of its own: its parts' paths
///   sit beside the struct's other fields (a unit that names its parts itself, such as
///   `nn::blocks::ConvBn`, keeps a parent's state-dict keys flat).
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

/// Keeps a function of scalar inputs and adds, derived at compile time by source
/// transformation, its vector-Jacobian product `NAME_vjp` and its elementwise op `NAME_op`.
///
/// For `fn f<T: Float>(x: T, y: T) -> (T, T)` it generates
/// - `fn f_vjp<T: Float>(x: T, y: T, d_out0: T, d_out1: T) -> (T, T)`: the gradient of
///   `d_out0 · f.0 + d_out1 · f.1` with respect to each input (a single input or output gives a
///   plain `T` and a single seed `d_out`). Its body is the forward pass, binding every
///   intermediate it needs once, then the adjoints in reverse order.
/// - `fn f_op<'t, T: Float>(x: Var<'t, T>, y: Var<'t, T>) -> (Var<'t, T>, Var<'t, T>)`: `f`
///   applied elementwise with NumPy broadcasting, recorded with `Tape::record_many` as one op
///   with one output per value, whose forward and backward are each one fused loop
///   (`autodiff_core::elementwise`). A smaller input is read through strides, never copied to
///   the full shape; an input that needs no gradient gets no buffer; an unused output gets no
///   gradient (seed 0). The backward reads the saved outputs instead of recomputing them where
///   it needs them (`sigmoid(x)`'s derivative is `y (1 − y)` from the saved `y`).
///
/// The kept function has the same signature and a body in the same straight-line form; repeated
/// subexpressions (`exp(x) * exp(x)`, a nested call made twice) are computed once.
///
/// Supported syntax:
/// - a free function whose inputs all have one scalar type (`T: autodiff_core::Float`, `f32`
///   or `f64`) and which returns one of them or a tuple;
/// - `let` bindings of a name, `_` or a tuple of names (with an optional type);
/// - `+ - * /`, unary `-`, parentheses, tuples, blocks;
/// - float and integer literals (`0.5`, `2`), and named `f64` constants (`SELU_ALPHA`,
///   `std::f64::consts::PI`);
/// - the intrinsics `exp ln sqrt powi powf tanh sigmoid relu abs max min sin cos softplus erf`,
///   as `exp(x)` or `x.exp()` (`powi`'s integer exponent is not differentiated; `erf` is
///   computed by `libm` in f64); derivatives at kinks follow PyTorch (0 for `relu` and `abs` at
///   0, half to each side of a `max`/`min` tie);
/// - `if`/`else` (and `else if`) yielding a value or a tuple; the condition compares values
///   (`< <= > >= == !=`, `&&`, `||`, `!`) and is not differentiated; both branches are, and the
///   backward pass recomputes what it needs of the taken branch;
/// - calls of other `#[differentiable]` functions, differentiated through their `_vjp`
///   (`let (c, h) = lstm_step(...)` for a multi-output one).
///
/// Anything else (loops, mutation, references, macros, casts, unknown methods, ...) is a compile
/// error at its span listing what is supported; calling a function that is not
/// `#[differentiable]` fails with "cannot find function `NAME_vjp`" at the call. See `nn`'s
/// documentation for runnable examples.
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
