#!/usr/bin/env bash
# Shared by the driver tests: how to run a driver, and small assertions.
# Source it after setting BIN (the build directory).

# Only the kernels a test names: none of a PARSCALE_KERNEL_PATH of the user's.
unset PARSCALE_KERNEL_PATH
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

# Open MPI 4 keeps its session directories under one folder per host and
# user in TMPDIR, which a finishing mpiexec removes when it looks empty: two
# tests starting mpiexec at once (ctest -j) then fail now and then with
# "orte_session_dir failed".  Each test gives its runs a folder of its own,
# its $tmp (set before any run), which its cleanup removes.

# ps_mpi ARGS... : parscale-mpi or mpiexec with the leak check off and
# the test's own session folder
ps_mpi() {
    ASAN_OPTIONS=$MPI_ASAN_OPTIONS OMPI_MCA_orte_tmpdir_base=${tmp:-${TMPDIR:-/tmp}} "$@"
}

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

# expand_cpus LIST : a CPU list like 0-2,5 (or 0-2+5), one CPU per line
expand_cpus() {
    tr ',+' '\n' <<< "$1" | awk -F- 'NF { hi = NF > 1 ? $2 : $1; for (c = $1; c <= hi; c++) print c }'
}

# allowed_cpus : the CPUs this shell may run on, one per line
allowed_cpus() { expand_cpus "$(taskset -pc $$ | sed 's/.*: //')"; }

# The topology of a set of CPUs (one per line on stdin) read straight from
# Linux's sysfs, to check what the drivers get from hwloc:
# sysfs_physical_cores: distinct (package, core id) pairs
sysfs_physical_cores() {
    local c d=/sys/devices/system/cpu
    while read -r c; do
        echo "$(cat "$d/cpu$c/topology/physical_package_id"):$(cat "$d/cpu$c/topology/core_id")"
    done | sort -u | wc -l
}
# sysfs_numa_nodes: NUMA nodes holding any of the CPUs (1 without NUMA)
sysfs_numa_nodes() {
    local cpus n count=0
    cpus=$(cat)
    compgen -G "/sys/devices/system/node/node*/cpulist" > /dev/null || { echo 1; return; }
    for n in /sys/devices/system/node/node*/cpulist; do
        grep -qxFf <(expand_cpus "$(cat "$n")") <<< "$cpus" && count=$((count + 1))
    done
    echo "$count"
}
# sysfs_llc_bytes: bytes of the distinct last-level (data or unified)
# caches over the CPUs; empty when sysfs describes no caches
sysfs_llc_bytes() {
    local c i best level size d=/sys/devices/system/cpu
    while read -r c; do
        best=""
        level=0
        for i in "$d/cpu$c"/cache/index*; do
            [[ -r $i/level && $(cat "$i/type") != Instruction ]] || continue
            if (($(cat "$i/level") > level)); then
                level=$(cat "$i/level")
                best=$i
            fi
        done
        [[ -n $best ]] || return 0
        size=$(cat "$best/size")
        echo "$level $(cat "$best/shared_cpu_list") $size"
    done | sort -u | awk '{ s = $3; m = 1
        if (s ~ /K$/) m = 1024; else if (s ~ /M$/) m = 1048576; else if (s ~ /G$/) m = 1073741824
        sub(/[KMG]$/, "", s); t += s * m } END { if (NR) printf "%.0f\n", t }'
}
