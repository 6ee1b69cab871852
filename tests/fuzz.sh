#!/usr/bin/env bash
# Runs every file-reader fuzzing harness (tests/tests/fuzz_readers.rs) for MINUTES minutes each
# and prints, per harness, the cases tried and the failures. Outside CI; CI runs a few hundred
# fixed-seed cases per harness through the ordinary `cargo test`.
#
#   tests/fuzz.sh MINUTES [PARALLEL]
#
# PARALLEL harnesses run at once (default 2), so the whole run takes about
# MINUTES × 11 / PARALLEL minutes. Exits non-zero if any case failed or panicked.
set -euo pipefail
minutes=${1:?usage: tests/fuzz.sh MINUTES [PARALLEL]}
parallel=${2:-2}
cd "$(dirname "$0")/.."
cargo test -p tests --test fuzz_readers --no-run
FUZZ_SECONDS=$((minutes * 60)) cargo test -p tests --test fuzz_readers -- \
    --test-threads="$parallel" --nocapture 2>&1 | tee target/fuzz.log | grep -E '^fuzz |^test result|FAILED|panicked'
