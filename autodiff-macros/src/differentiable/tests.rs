//! The shape of the generated code: shared subexpressions, liveness, names and errors.

use super::expand;

fn expanded(item: syn::ItemFn) -> String {
    expand(&item).expect("supported").to_string()
}

/// The text of the generated item whose signature starts with `fn NAME`.
fn item<'a>(all: &'a str, name: &str) -> &'a str {
    let start = all.find(&format!("fn {name} ")).expect("item present");
    let rest = &all[start..];
    let end = rest[3..].find(" fn ").map_or(rest.len(), |e| e + 3);
    &rest[..end]
}

#[test]
fn repeated_subexpressions_are_computed_once() {
    let all = expanded(syn::parse_quote! {
        fn f<T: Float>(x: T) -> T { exp(x * 2.0) * exp(x * 2.0) + x.exp() }
    });
    let kept = item(&all, "f");
    assert_eq!(kept.matches("scalar :: exp (").count(), 2, "{kept}");
    assert_eq!(kept.matches("lit (2.0_f64)").count(), 1, "{kept}");
    let vjp = item(&all, "f_vjp");
    assert_eq!(vjp.matches("scalar :: exp (").count(), 2, "{vjp}");
}

#[test]
fn unused_inputs_and_seeds_are_marked() {
    let all = expanded(syn::parse_quote! {
        fn add<T: Float>(x: T, y: T) -> T { x + y }
    });
    let vjp = item(&all, "add_vjp");
    assert!(vjp.contains("_x : T , _y : T , d_out : T"), "{vjp}");
    let all = expanded(syn::parse_quote! {
        fn constant<T: Float>(x: T) -> T { 1.0 + 0.0 * 2.0 }
    });
    assert!(item(&all, "constant_vjp").contains("_d_out"), "{all}");
}

#[test]
fn shadowed_names_are_numbered_and_adjoints_named_after_values() {
    let all = expanded(syn::parse_quote! {
        fn g<T: Float>(x: T) -> T { let x = x * x; let s = sigmoid(x); s * x }
    });
    let vjp = item(&all, "g_vjp");
    assert!(vjp.contains("let x_2 : T = x * x"), "{vjp}");
    assert!(vjp.contains("let d_s : T"), "{vjp}");
}

#[test]
fn unsupported_syntax_is_an_error_listing_what_is_supported() {
    let cases: [(syn::ItemFn, &str); 4] = [
        (
            syn::parse_quote!(
                fn a(x: f64) -> f64 {
                    loop {}
                }
            ),
            "loops are",
        ),
        (
            syn::parse_quote!(
                fn b(x: f64) -> f64 {
                    x.floor()
                }
            ),
            "`.floor()`",
        ),
        (
            syn::parse_quote!(
                fn c(x: f64) -> f64 {
                    x as f64
                }
            ),
            "a cast",
        ),
        (
            syn::parse_quote!(
                fn d(x: f64) -> f64 {
                    if x > 0.0 {
                        x
                    }
                }
            ),
            "without `else`",
        ),
    ];
    for (item, what) in cases {
        let message = expand(&item).unwrap_err().to_string();
        assert!(message.contains(what), "{message}");
        assert!(message.contains("supported: "), "{message}");
    }
}

#[test]
fn a_single_intrinsic_backward_reads_the_saved_output() {
    let all = expanded(syn::parse_quote! {
        fn s<T: Float>(x: T) -> T { sigmoid(x) }
    });
    let op = item(&all, "s_op");
    assert!(op.contains("backward_from_outputs"), "{op}");
    assert!(op.contains("[t1] : [T ; 1]"), "{op}");
    assert!(op.contains("sigmoid_grad (x , t1)"), "{op}");
    assert!(!op.contains("scalar :: sigmoid ("), "recomputed: {op}");
    // The public VJP has no saved output: it recomputes.
    assert!(item(&all, "s_vjp").contains("scalar :: sigmoid ("), "{all}");
}

#[test]
fn a_linear_body_reads_no_output() {
    let all = expanded(syn::parse_quote! {
        fn add<T: Float>(x: T, y: T) -> T { x + 2.0 * y }
    });
    let op = item(&all, "add_op");
    assert!(op.contains("elementwise :: backward (\"add\""), "{op}");
    assert!(!op.contains("backward_from_outputs"), "{op}");
}

#[test]
fn a_tuple_is_one_multi_output_record_reading_only_the_outputs_it_needs() {
    let all = expanded(syn::parse_quote! {
        fn step<T: Float>(a: T, b: T) -> (T, T, T) {
            let c = tanh(a * b);
            (c, c * b, a)
        }
    });
    let op = item(&all, "step_op");
    assert!(
        op.contains("let [y0 , y1 , y2] = a . tape () . record_many (values"),
        "{op}"
    );
    assert!(!op.contains("unstack"), "{op}");
    // `c` is read (by tanh's derivative and c·b's); `c·b` is not; the input `a` is no output.
    assert!(op.contains("[c , _ , _] : [T ; 3]"), "{op}");
    assert!(!op.contains("scalar :: tanh ("), "recomputed: {op}");
}
