//! Compile-fail tests of both macros: each misuse is an error at the user's span with a message
//! that says what to do. The expected compiler output is in `ui/*.stderr`.
//!
//! The cases depend on `autodiff-core` only (this crate's dev-dependencies), so rustc's lists of
//! "other types implementing `Module`" name the core's own impls and never change when a crate
//! such as `nn` adds a layer. Re-bless with `TRYBUILD=overwrite cargo test -p autodiff-macros
//! --test ui`, then read every changed `.stderr`.

#[test]
fn misuse_is_a_compile_error_at_the_users_span() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
