#!/usr/bin/env bash
# Side-by-side word2vec benchmark: ours and gensim back to back, same corpus, flags and threads.
#   bash examples/bench/word2vec_bench.sh PYTHON [REPEAT] [RUNS] [THREADS] [ITER]
# PYTHON has gensim; REPEAT > 1 times the corpus by concatenating the sample REPEAT times into a
# temporary file (not committed). Prints each run's training time, words/s and scores
# (EVAL=0 skips the scores). OURS_FLAGS and GENSIM_FLAGS are appended to each side's command line,
# e.g. OURS_FLAGS="-alpha-decay per-thread" (gensim's corpus_file schedule) or
# GENSIM_FLAGS=--iterable (gensim's standard mode, whose schedule is the original's).
set -euo pipefail
PY=${1:?python with gensim}
REPEAT=${2:-1}
RUNS=${3:-2}
THREADS=${4:-2}
ITER=${5:-5}
EVAL=${EVAL:-1}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SAMPLE=$ROOT/examples/data/text/enwiki_sample.txt
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
CORPUS=$SAMPLE
if [ "$REPEAT" -gt 1 ]; then
    CORPUS=$TMP/corpus.txt
    for _ in $(seq "$REPEAT"); do cat "$SAMPLE"; done > "$CORPUS"
fi
cargo build --release --example word2vec -q
BIN=$ROOT/target/release/examples/word2vec
FLAGS="-cbow 0 -size 100 -window 5 -negative 5 -hs 0 -sample 1e-4 -threads $THREADS -iter $ITER -min-count 5"
for run in $(seq "$RUNS"); do
    echo "== ours, run $run (corpus x$REPEAT, $THREADS threads, seed $run)"
    "$BIN" -train "$CORPUS" -output "$TMP/ours.bin" -binary 1 $FLAGS -seed "$run" ${OURS_FLAGS:-} | grep -E "vocabulary|trained|CPU"
    if [ "$EVAL" = 1 ]; then "$BIN" eval -vectors "$TMP/ours.bin" | grep -E "^\| (total|[0-9])"; fi
    echo "== gensim, run $run (corpus x$REPEAT, $THREADS threads, seed $run)"
    "$PY" "$ROOT/examples/bench/word2vec_gensim.py" --corpus "$CORPUS" --threads "$THREADS" --iter "$ITER" \
        --seed "$run" --save "$TMP/gensim.bin" --no-eval ${GENSIM_FLAGS:-} | grep -E "vocabulary|trained|CPU"
    if [ "$EVAL" = 1 ]; then "$BIN" eval -vectors "$TMP/gensim.bin" | grep -E "^\| (total|[0-9])"; fi
done
