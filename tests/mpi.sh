#!/bin/sh
# Builds the data-parallel tests with the `mpi` feature and runs them under mpirun on 2 and on
# 3 processes (3 leaves an uneven tail). Needs Open MPI and libclang:
#   apt-get install -y openmpi-bin libopenmpi-dev libclang-dev
set -eu
cd "$(dirname "$0")/.."
binary=$(cargo test --release -p tests --features mpi --test mpi_data_parallel --no-run 2>&1 |
    sed -n 's/^ *Executable .*(\(.*\))$/\1/p')
if [ -z "$binary" ]; then
    echo "mpi.sh: the test binary was not built" >&2
    exit 1
fi
# Root in CI containers; several processes per core on a small machine.
flags="--allow-run-as-root --oversubscribe"
for processes in 2 3; do
    echo "mpi.sh: $processes processes"
    timeout 600 mpirun $flags -np "$processes" "$binary"
done
