//! Running a property over generated inputs, short in CI and for minutes on demand.
//!
//! [`fuzz`] runs a proptest property in one of two modes:
//! - by default, a fixed number of cases (`PROPTEST_CASES`, else the harness's own count) from a
//!   fixed seed, so a CI run is quick and repeatable;
//! - with `FUZZ_SECONDS=N`, fresh random seeds batch after batch until `N` seconds have passed,
//!   then a line `fuzz NAME: C cases in S s, F failures` on standard error (`tests/fuzz.sh` sets
//!   it for every harness). A failure is shrunk, printed with its seed, and the run goes on; the
//!   test fails at the end if any case failed.
//!
//! A panic inside the property counts as a failure (proptest catches it), so "never panics"
//! is checked by every case.
//!
//! Mutations of valid files, shared by the reader harnesses, are in [`mangled`].

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};

/// Cases per batch in timed mode.
const BATCH: u32 = 2_000;

/// Runs `property` on values of `strategy`: `default_cases` cases in CI, or for
/// `FUZZ_SECONDS` seconds (see the module documentation).
///
/// # Panics
/// If any case fails or panics, with the smallest failing input proptest found.
pub fn fuzz<S: Strategy>(
    name: &str,
    default_cases: u32,
    strategy: S,
    property: impl Fn(S::Value) -> Result<(), TestCaseError>,
) where
    S::Value: std::fmt::Debug,
{
    let tried = AtomicU64::new(0);
    let counted = |value: S::Value| {
        tried.fetch_add(1, Ordering::Relaxed);
        property(value)
    };
    let seconds = std::env::var("FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok());
    let Some(seconds) = seconds else {
        let cases = std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(default_cases);
        let rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
        let mut runner = TestRunner::new_with_rng(config(cases), rng);
        if let Err(e) = runner.run(&strategy, counted) {
            panic!("{name}: {}", describe(e));
        }
        return;
    };
    let start = Instant::now();
    let deadline = start + Duration::from_secs(seconds);
    let mut failures = 0;
    while Instant::now() < deadline {
        let seed = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        let mut bytes = [0u8; 32];
        bytes[..8].copy_from_slice(&seed.to_le_bytes());
        let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &bytes);
        let mut runner = TestRunner::new_with_rng(config(BATCH), rng);
        if let Err(e) = runner.run(&strategy, counted) {
            failures += 1;
            eprintln!("fuzz {name}: seed {seed}: {}", describe(e));
        }
    }
    eprintln!(
        "fuzz {name}: {} cases in {:.0} s, {failures} failures",
        tried.load(Ordering::Relaxed),
        start.elapsed().as_secs_f64()
    );
    assert_eq!(failures, 0, "{name}: {failures} failing seeds");
}

/// A runner configuration for `cases` cases, without failure files (the harnesses are run by
/// name, and a failure prints its input).
fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 2_000,
        ..Config::default()
    }
}

fn describe<V: std::fmt::Debug>(e: TestError<V>) -> String {
    match e {
        TestError::Abort(why) => format!("aborted: {why}"),
        TestError::Fail(why, input) => format!("{why}; minimal input: {input:?}"),
    }
}

/// One change to a file's bytes; positions are taken modulo the length at the time.
#[derive(Clone, Debug)]
pub enum Mutation {
    /// Cut the file at a position.
    Truncate(usize),
    /// Flip one bit.
    FlipBit(usize, u8),
    /// Overwrite a byte.
    SetByte(usize, u8),
    /// Insert bytes.
    Insert(usize, Vec<u8>),
    /// Repeat a stretch of the file in place (duplicated records, lengths that no longer add up).
    Duplicate(usize, usize),
}

impl Mutation {
    fn apply(&self, bytes: &mut Vec<u8>) {
        let at = |i: usize, len: usize| if len == 0 { 0 } else { i % len };
        match self {
            Mutation::Truncate(i) => bytes.truncate(at(*i, bytes.len() + 1)),
            Mutation::FlipBit(i, bit) if !bytes.is_empty() => {
                let i = at(*i, bytes.len());
                bytes[i] ^= 1 << (bit % 8);
            }
            Mutation::SetByte(i, b) if !bytes.is_empty() => {
                let i = at(*i, bytes.len());
                bytes[i] = *b;
            }
            Mutation::Insert(i, new) => {
                let i = at(*i, bytes.len() + 1);
                bytes.splice(i..i, new.iter().copied());
            }
            Mutation::Duplicate(i, n) if !bytes.is_empty() => {
                let i = at(*i, bytes.len());
                let end = (i + n % 64 + 1).min(bytes.len());
                let copy = bytes[i..end].to_vec();
                bytes.splice(i..i, copy);
            }
            _ => {}
        }
    }
}

/// Any one [`Mutation`].
pub fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::FlipBit(i, b)),
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::SetByte(i, b)),
        (
            any::<usize>(),
            proptest::collection::vec(any::<u8>(), 1..16)
        )
            .prop_map(|(i, v)| Mutation::Insert(i, v)),
        (any::<usize>(), any::<usize>()).prop_map(|(i, n)| Mutation::Duplicate(i, n)),
    ]
}

/// Files from `valid`, most of them then changed by up to four [`Mutation`]s, and now and then
/// plain random bytes instead.
pub fn mangled(valid: impl Strategy<Value = Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    let changed =
        (valid, proptest::collection::vec(mutation(), 0..5)).prop_map(|(mut bytes, mutations)| {
            for m in &mutations {
                m.apply(&mut bytes);
            }
            bytes
        });
    prop_oneof![
        9 => changed,
        1 => proptest::collection::vec(any::<u8>(), 0..256),
    ]
}

/// The most a reader may allocate at once for an input of `len` bytes: 1 MiB plus 32 bytes per
/// input byte. Parsed values may take a few times the text that holds them (an `f64` or a
/// `String` per one- or two-byte field, in a vector that doubles as it grows), but a reader that
/// sizes a buffer from a forged length field (a 2⁶⁰-element header) breaks this at once.
pub fn allocation_cap(len: usize) -> usize {
    (1 << 20) + 32 * len
}
