#!/usr/bin/env bash
# The cores a run may use are the CPUs in its affinity mask, not the online
# CPUs: under `taskset -c C` every driver writes cores=1 (and warns when 2
# workers share it), and physical_cores, numa_nodes and llc_bytes match
# what Linux's sysfs says about those CPUs (an answer hwloc is not asked
# for).  --topology prints the same figures the rows carry.
# usage: cpuset.sh BUILD_DIR     (exit 77: no taskset on this machine)
set -euo pipefail
BIN=$1
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/driver.sh
. "$here/../lib/driver.sh"
command -v taskset > /dev/null || { echo "cpuset: SKIP: taskset (util-linux) is missing"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mapfile -t cpus < <(allowed_cpus)
c0=${cpus[0]}
ARGS=(--kernel triad --size 1000 --reps 1 --warmup 0)

# topo_value FILE KEY : KEY's value in --topology output
topo_value() { awk -F= -v k="$2" '$1 == k { print $2 }' "$1"; }

# want_topology LABEL CPUS(one per line) FILE : --topology output FILE
# describes exactly those CPUs
want_topology() {
    local label=$1 set=$2 file=$3 llc
    [[ $(topo_value "$file" cores) == "$(wc -l <<< "$set")" ]] || fail "$label: cores: $(cat "$file")"
    [[ $(expand_cpus "$(topo_value "$file" cpus)") == "$set" ]] || fail "$label: cpus: $(cat "$file")"
    [[ $(topo_value "$file" physical_cores) == "$(sysfs_physical_cores <<< "$set")" ]] \
        || fail "$label: physical_cores $(topo_value "$file" physical_cores), sysfs $(sysfs_physical_cores <<< "$set")"
    [[ $(topo_value "$file" numa_nodes) == "$(sysfs_numa_nodes <<< "$set")" ]] \
        || fail "$label: numa_nodes $(topo_value "$file" numa_nodes), sysfs $(sysfs_numa_nodes <<< "$set")"
    llc=$(sysfs_llc_bytes <<< "$set")
    if [[ -n $llc ]]; then
        [[ $(topo_value "$file" llc_bytes) == "$llc" ]] \
            || fail "$label: llc_bytes $(topo_value "$file" llc_bytes), sysfs $llc"
    else
        [[ $(topo_value "$file" llc_bytes) =~ ^[0-9]+$ ]] || fail "$label: llc_bytes not a number"
        echo "note: sysfs describes no caches here; llc_bytes only checked to be a number"
    fi
    echo "ok: $label"
}

# 1. --topology with the whole mask, with one CPU, and with two.
"$BIN/parscale-serial" --topology > "$tmp/all" || fail "--topology exit $?"
want_topology "--topology, whole mask" "$(printf '%s\n' "${cpus[@]}")" "$tmp/all"
taskset -c "$c0" "$BIN/parscale-pthread" --topology > "$tmp/one" || fail "--topology under taskset"
want_topology "--topology under taskset -c $c0" "$c0" "$tmp/one"
if [[ ${#cpus[@]} -ge 2 ]]; then
    taskset -c "$c0,${cpus[1]}" "$BIN/parscale-fork" --topology > "$tmp/two" || fail "--topology, 2 CPUs"
    want_topology "--topology under taskset -c $c0,${cpus[1]}" "$(printf '%s\n' "$c0" "${cpus[1]}")" "$tmp/two"
fi

# 2. Rows under taskset -c C: cores=1 and the figures of --topology; two
# workers on one CPU are warned about; one is not.
for d in serial pthread openmp fork; do
    [[ -x $BIN/parscale-$d ]] || continue
    w=2
    [[ $d == serial ]] && w=1
    taskset -c "$c0" "$BIN/parscale-$d" --workers "$w" "${ARGS[@]}" > "$tmp/out.csv" 2> "$tmp/err" \
        || fail "$d under taskset: exit $?: $(cat "$tmp/err")"
    for k in cores physical_cores numa_nodes llc_bytes; do
        [[ $(csv_col "$tmp/out.csv" "$k") == "$(topo_value "$tmp/one" "$k")" ]] \
            || fail "$d under taskset -c $c0: $k=$(csv_col "$tmp/out.csv" "$k"), --topology says $(topo_value "$tmp/one" "$k")"
    done
    if [[ $w -gt 1 ]]; then
        grep -qx "parscale-$d: warning: 2 workers share 1 CPU on this host (oversubscribed)" "$tmp/err" \
            || fail "$d: no oversubscription warning under taskset -c $c0: $(cat "$tmp/err")"
        [[ $(csv_col "$tmp/out.csv" affinity) == "$c0;$c0" ]] || fail "$d: affinity $(csv_col "$tmp/out.csv" affinity)"
    else
        ! grep -q oversubscribed "$tmp/err" || fail "$d: 1 worker on 1 CPU is not oversubscribed"
    fi
    echo "ok: $d under taskset -c $c0 writes cores=1"
done
if [[ ${#cpus[@]} -ge 2 ]]; then
    "$BIN/parscale-pthread" --workers 2 "${ARGS[@]}" > "$tmp/out.csv" 2> "$tmp/err" || fail "pthread, 2 workers"
    ! grep -q oversubscribed "$tmp/err" || fail "2 workers on ${#cpus[@]} CPUs warned about"
    [[ $(csv_col "$tmp/out.csv" cores) == "${#cpus[@]}" ]] || fail "cores $(csv_col "$tmp/out.csv" cores), mask has ${#cpus[@]}"
fi

# 3. MPI: the ranks on a host share its CPUs; one warning for the host.
# (--bind-to none keeps the mask taskset gave; Open MPI would rebind.)
if [[ -x $BIN/parscale-mpi ]]; then
    mpi_under_c0() {
        ps_mpi taskset -c "$c0" timeout -k 5 "$RUN_TIMEOUT" \
            "$MPIEXEC" -n 2 --oversubscribe --bind-to none "$BIN/parscale-mpi" "$@"
    }
    mpi_under_c0 --topology > "$tmp/mpi-topo" 2> "$tmp/err" || fail "mpi --topology: $(cat "$tmp/err")"
    want_topology "mpi --topology under taskset -c $c0" "$c0" "$tmp/mpi-topo"
    mpi_under_c0 "${ARGS[@]}" > "$tmp/out.csv" 2> "$tmp/err" || fail "mpi under taskset: $(cat "$tmp/err")"
    [[ $(csv_col "$tmp/out.csv" cores) == 1 && $(csv_col "$tmp/out.csv" affinity) == "$c0;$c0" ]] \
        || fail "mpi under taskset -c $c0: cores $(csv_col "$tmp/out.csv" cores), affinity $(csv_col "$tmp/out.csv" affinity)"
    [[ $(grep -c "parscale-mpi: warning: 2 workers share 1 CPU on this host" "$tmp/err") == 1 ]] \
        || fail "mpi: want one oversubscription warning: $(cat "$tmp/err")"
    echo "ok: mpi under taskset -c $c0 writes cores=1 and warns once"
fi
echo "cpuset: all cases as expected"
