//! Cross-crate tests live in `tests/tests/`: gradient checks, reference fixtures, end-to-end runs.
//! This library holds what they share: seeded inputs, a gradcheck that names the failing case,
//! a counting allocator and the fuzzing harness of the file readers.

mod counting;
pub mod fuzz;
mod torch_run;

pub use counting::{CountingAllocator, allocations_by, largest_allocation_by, live_bytes};
pub use fuzz::{allocation_cap, fuzz, mangled};
pub use torch_run::TorchRun;

use autodiff_core::{Tensor, Var, gradcheck};

/// Standard-normal `f64` values of the given shape, seeded.
pub fn randn(dims: &[usize], seed: u64) -> Tensor<f64> {
    Tensor::normal(dims, 0.0, 1.0, seed)
}

/// Values in `[0.5, 2)`, for functions defined only for positive inputs (ln, sqrt, powf, ÷).
pub fn positive(dims: &[usize], seed: u64) -> Tensor<f64> {
    Tensor::uniform(dims, 0.5, 2.0, seed)
}

/// Runs [`gradcheck`] and panics with `what` and the worst entry if it fails.
pub fn check<F>(what: &str, f: F, inputs: impl IntoIterator<Item = Tensor<f64>>)
where
    F: for<'t> Fn(&[Var<'t, f64>]) -> Var<'t, f64>,
{
    let inputs: Vec<Tensor<f64>> = inputs.into_iter().collect();
    if let Err(e) = gradcheck(f, &inputs) {
        panic!("{what}: {e}");
    }
}

/// The path of `file` in `tests/fixtures/` (the weights and state dicts the
/// `tests/fixtures/make_*.py` scripts write beside their text fixtures).
pub fn fixture_path(file: &str) -> std::path::PathBuf {
    [env!("CARGO_MANIFEST_DIR"), "fixtures", file]
        .iter()
        .collect()
}

/// The values on the line of a fixture file (`NAME v0 v1 …`, as the `tests/fixtures/make_*.py`
/// scripts write them) that starts with `name`.
///
/// # Panics
/// If no line starts with `name` or a value is not a number: a broken fixture is a failed test.
pub fn fixture_values(fixture: &str, name: &str) -> Vec<f64> {
    let line = fixture
        .lines()
        .find(|l| l.split(' ').next() == Some(name))
        .unwrap_or_else(|| panic!("no `{name}` in the fixture"));
    line.split(' ')
        .skip(1)
        .map(|v| {
            v.parse()
                .unwrap_or_else(|_| panic!("`{name}`: {v:?} is not a number"))
        })
        .collect()
}

/// Asserts that `got` holds the fixture's values for `name`, each within `tolerance`
/// (absolute), naming the first element that is not.
///
/// # Panics
/// On a length mismatch or the first value out of tolerance, and as [`fixture_values`] does.
pub fn assert_matches_fixture(fixture: &str, name: &str, got: &Tensor<f64>, tolerance: f64) {
    let want = fixture_values(fixture, name);
    assert_eq!(got.numel(), want.len(), "{name}: length");
    for (k, (g, w)) in got.data().iter().zip(&want).enumerate() {
        assert!(
            (g - w).abs() <= tolerance,
            "{name}[{k}]: ours {g} vs the fixture's {w}"
        );
    }
}

/// The README's Rust code blocks, compiled and run as doc tests so the README cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
