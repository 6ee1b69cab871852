//! Cross-crate tests live in `tests/tests/`: gradient checks, reference fixtures, end-to-end runs.
