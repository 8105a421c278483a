#!/usr/bin/env bash
# Shared by the driver tests: how to run a driver, and small assertions.
# Source it after setting BIN (the build directory).

# MPI as root in tests only; ob1 starts ~10x faster than UCX on one node.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_pml="${OMPI_MCA_pml:-ob1}"
: "${MPIEXEC:=mpiexec}"
: "${RUN_TIMEOUT:=60}"

# Open MPI keeps allocations until exit in components it dlopen()s and
# unloads; LeakSanitizer cannot attribute or suppress them, so MPI runs are
# checked by AddressSanitizer and UBSan without the leak check.  The same
# kernels and common code are leak-checked through the other drivers.
MPI_ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

# ps_mpi ARGS... : parscale-mpi or mpiexec with the leak check off
ps_mpi() { ASAN_OPTIONS=$MPI_ASAN_OPTIONS "$@"; }

# ps_run DRIVER WORKERS ARGS... : run a driver with WORKERS workers,
# bounded in time; MPI through mpiexec; hybrid WORKERS is RANKSxTHREADS.
ps_run() {
    local driver=$1 workers=$2
    shift 2
    if [[ $driver == hybrid ]]; then
        ps_mpi timeout -k 5 "$RUN_TIMEOUT" "$MPIEXEC" -n "${workers%x*}" --oversubscribe \
            "$BIN/parscale-hybrid" --threads "${workers#*x}" "$@"
    elif [[ $driver == mpi ]]; then
        ps_mpi timeout -k 5 "$RUN_TIMEOUT" "$MPIEXEC" -n "$workers" --oversubscribe \
            "$BIN/parscale-mpi" "$@"
    else
        timeout -k 5 "$RUN_TIMEOUT" "$BIN/parscale-$driver" --workers "$workers" "$@"
    fi
}

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# csv_col FILE NAME : the values of column NAME (header looked up by name).
csv_col() {
    awk -F, -v name="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i; next }
                          { print $c }' "$1"
}

# close_enough A B RELTOL : |A - B| <= RELTOL * max(|A|, |B|, 1)
close_enough() {
    awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN {
        d = a - b; if (d < 0) d = -d
        m = a < 0 ? -a : a; n = b < 0 ? -b : b; if (n > m) m = n; if (m < 1) m = 1
        exit !(d <= t * m) }'
}
