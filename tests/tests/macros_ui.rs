//! Compile-fail tests of both macros: each misuse is an error at the user's span with a message
//! that says what to do. The expected compiler output is in `ui/*.stderr`.

#[test]
fn misuse_is_a_compile_error_at_the_users_span() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
