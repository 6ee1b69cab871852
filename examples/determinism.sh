#!/usr/bin/env bash
# Same seeds, same results: runs every example twice on one thread with its shortest settings
# and `--digest`, and fails unless both runs print the same hashes of the History, the final
# weights and the predictions (see examples/src/digest.rs).
#
#   examples/determinism.sh            # all examples
#   examples/determinism.sh imdb ...   # only these (by name)
#
# MATMUL_NUM_THREADS=1 keeps matrixmultiply and the kernels that follow it (conv2d's copies, the
# recurrent layers' batch halves) on the calling thread; word2vec gets -threads 1.
# `bench` is left out: it times workloads and trains no model to compare.
set -euo pipefail
cd "$(dirname "$0")/.."

sample=examples/data/text/enwiki_sample.txt
runs=(
  "digits_mlp --epochs 1"
  "digits_cnn --epochs 1"
  "mnist_cnn --epochs 1"
  "resnet_mini --epochs 1"
  "inception_mini --epochs 1"
  "alexnet_mini --epochs 1"
  "sequence_classification --epochs 1"
  "lstm_variants --epochs 1"
  "char_rnn --steps 5"
  "char_rnn --steps 5 --cell gru"
  "breast_cancer"
  "boston_housing --epochs 2 --iterations 2"
  "imdb"
  "custom_layer"
  "word2vec -train $sample -iter 1 -threads 1 -debug 0"
)

cargo build --release --quiet -p examples --examples
bin="${CARGO_TARGET_DIR:-target}/release/examples"
export MATMUL_NUM_THREADS=1
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

failed=0
for run in "${runs[@]}"; do
  read -r name args <<<"$run"
  if [ $# -gt 0 ] && [[ ! " $* " =~ " $name " ]]; then
    continue
  fi
  for attempt in 1 2; do
    # shellcheck disable=SC2086 # the arguments are meant to split
    "$bin/$name" $args --digest >"$scratch/out$attempt" 2>"$scratch/err$attempt" || {
      echo "FAIL $run: exit status $? (stderr follows)"
      cat "$scratch/err$attempt"
      failed=1
      continue 2
    }
    grep '^digest ' "$scratch/out$attempt" >"$scratch/digest$attempt" || true
  done
  lines=$(wc -l <"$scratch/digest1")
  if [ "$lines" -eq 0 ]; then
    echo "FAIL $run: printed no digest"
    failed=1
  elif ! diff -u "$scratch/digest1" "$scratch/digest2" >"$scratch/diff"; then
    echo "FAIL $run: the two runs differ"
    cat "$scratch/diff"
    failed=1
  else
    echo "ok   $run ($lines hashes equal)"
  fi
done
exit "$failed"
