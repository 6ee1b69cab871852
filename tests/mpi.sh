#!/bin/sh
# Builds the data-parallel tests with the `mpi` feature and runs them under mpirun on 2 and on
# 3 processes (3 leaves an uneven tail); then makes a rank die and a rank hang in the middle of
# a fit and checks that the whole job ends in time, with a non-zero status and a message saying
# what happened. Needs Open MPI and libclang:
#   apt-get install -y openmpi-bin libopenmpi-dev libclang-dev
set -eu
cd "$(dirname "$0")/.."
built=$(cargo test --release -p tests --features mpi --no-run \
    --test mpi_data_parallel --test mpi_fit_recovery --test mpi_dying_rank 2>&1) || {
    printf '%s\n' "$built" >&2
    exit 1
}
# The executable of test $1.
binary() {
    path=$(printf '%s\n' "$built" | sed -n "s/^ *Executable tests\/$1\.rs (\(.*\))$/\1/p")
    if [ -z "$path" ]; then
        echo "mpi.sh: the test binary $1 was not built" >&2
        exit 1
    fi
    echo "$path"
}
# Root in CI containers; several processes per core on a small machine.
flags="--allow-run-as-root --oversubscribe"
for processes in 2 3; do
    for test in mpi_data_parallel mpi_fit_recovery; do
        echo "mpi.sh: $test on $processes processes"
        timeout 600 mpirun $flags -np "$processes" "$(binary "$test")"
    done
done

# Starts mpi_dying_rank's scenario $1 on 3 processes (mpirun flags $4 besides) and checks that
# the job ends within $3 seconds of rank 1 leaving, with output matching the pattern $2 and a
# non-zero status (not timeout's 124) unless $5 is "any status".
expect_ended() {
    log=$(mktemp)
    status=0
    timeout 120 mpirun $flags $4 -np 3 "$(binary mpi_dying_rank)" "$1" >"$log" 2>&1 || status=$?
    ended=$(date +%s%3N)
    left=$(sed -n 's/^rank 1: leaving .* at \([0-9]*\) ms$/\1/p' "$log")
    after=$((ended - ${left:-0}))
    if [ -z "$left" ] || [ "$after" -gt $(($3 * 1000)) ] || [ "$status" -eq 124 ] ||
        { [ "$status" -eq 0 ] && [ "${5:-}" != "any status" ]; } || ! grep -q "$2" "$log"; then
        cat "$log"
        echo "mpi.sh: $1 $4: FAILED: status $status, ended ${after} ms after rank 1 left;" \
            "expected the end within $3 s, output matching: $2" >&2
        rm -f "$log"
        exit 1
    fi
    echo "mpi.sh: $1 $4: the job ended ${after} ms after rank 1 left, status $status, saying:"
    grep "$2" "$log" | head -n 1
    rm -f "$log"
}
# Open MPI ends the job itself when a process dies.
expect_ended kill "rank 1 .*exited on signal 9" 10 ""
# A hung rank: the others' watchdogs abort the job 2 s into their all-reduce.
expect_ended hang "rank [0-9] of 3: the collective call \`average_gradients\` did not complete within the timeout of 2s" 10 ""
# Told to keep a job whose process died, Open MPI leaves it to the watchdogs (and mpirun then
# exits 0 whatever happened).
expect_ended kill "rank [0-9] of 3: the collective call \`average_gradients\` did not complete within the timeout of 2s" 10 --enable-recovery "any status"
