#!/usr/bin/env bash
# Where workers ran is recorded: --bind cores pins worker i to the first
# allowed CPU of the i-th physical core (wrapping around; cores as sysfs
# tells them) and the affinity column shows it; --bind none leaves every
# worker the whole allowed set; ranks, threads_per_rank, nodes and hosts
# describe MPI and hybrid layouts (2 ranks x 2 threads here).
# usage: placement.sh BUILD_DIR
set -euo pipefail
BIN=$1
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/driver.sh
. "$here/../lib/driver.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
host=$(hostname | tr -c 'A-Za-z0-9._\n-' '_')
mapfile -t cpus < <(allowed_cpus)
# --bind cores: one CPU per physical core, the first allowed CPU of each
# core (cores in the order of those CPUs), read from sysfs here
mapfile -t per_core < <(for c in "${cpus[@]}"; do
    echo "$c $(cat "/sys/devices/system/cpu/cpu$c/topology/physical_package_id"):$(cat "/sys/devices/system/cpu/cpu$c/topology/core_id")"
done | awk '!seen[$2]++ { print $1 }')
# the same CPUs as the drivers write them: ranges a-b joined by '+'
allowed=$(printf '%s\n' "${cpus[@]}" | awk '
    NR == 1 { start = $1 }
    NR > 1 && $1 != prev + 1 { out = out sep range(start, prev); sep = "+"; start = $1 }
    { prev = $1 }
    function range(a, b) { return a == b ? a : a "-" b }
    END { print out sep range(start, prev) }')
ARGS=(--kernel triad --size 1000 --reps 1)

field() { csv_col "$tmp/out.csv" "$1" | head -1; }

for d in pthread openmp fork; do
    [[ -x $BIN/parscale-$d ]] || continue
    ps_run "$d" 3 "${ARGS[@]}" --bind cores > "$tmp/out.csv" 2> /dev/null || fail "$d --bind cores"
    n=${#per_core[@]}
    want="${per_core[0]};${per_core[1 % n]};${per_core[2 % n]}"
    [[ $(field affinity) == "$want" && $(field bind) == cores ]] \
        || fail "$d --bind cores: affinity '$(field affinity)', want '$want'"
    ps_run "$d" 2 "${ARGS[@]}" > "$tmp/out.csv" 2> /dev/null || fail "$d unbound"
    [[ $(field affinity) == "$allowed;$allowed" && $(field bind) == none ]] \
        || fail "$d unbound: affinity '$(field affinity)', want '$allowed;$allowed'"
    echo "ok: $d affinity recorded"
done
ranks=1
[[ $(field driver) == fork ]] && ranks=2
[[ $(field hosts) == "$host:$ranks" ]] || fail "hosts '$(field hosts)', want '$host:$ranks'"

if [[ -x $BIN/parscale-mpi ]]; then
    ps_run mpi 3 "${ARGS[@]}" > "$tmp/out.csv" 2> /dev/null || fail "mpi placement run"
    [[ $(field ranks) == 3 && $(field threads_per_rank) == 1 && $(field nodes) == 1 \
        && $(field hosts) == "$host:3" ]] || fail "mpi: ranks/threads/nodes/hosts columns"
    [[ $(field affinity | tr ';' '\n' | wc -l) -eq 3 ]] || fail "mpi: 3 affinities expected"
    rc=0
    ps_mpi "$BIN/parscale-mpi" "${ARGS[@]}" --bind cores > /dev/null 2> "$tmp/err" || rc=$?
    { [[ $rc -eq 2 ]] && grep -q "bound by the launcher" "$tmp/err"; } || fail "mpi --bind cores must be refused"
    echo "ok: mpi placement recorded"
fi
if [[ -x $BIN/parscale-hybrid ]]; then
    ps_run hybrid 2x2 "${ARGS[@]}" --bind cores > "$tmp/out.csv" 2> /dev/null || fail "hybrid 2x2"
    [[ $(field workers) == 4 && $(field ranks) == 2 && $(field threads_per_rank) == 2 \
        && $(field hosts) == "$host:2" && $(field bind) == cores ]] \
        || fail "hybrid 2x2: workers/ranks/threads/hosts columns"
    [[ $(field affinity | tr ';' '\n' | grep -c -v '[-+]') -eq 4 ]] \
        || fail "hybrid --bind cores: each thread on one CPU, got '$(field affinity)'"
    OMP_NUM_THREADS=3 ps_run hybrid 1x3 "${ARGS[@]}" --workers 3 > "$tmp/out.csv" 2> /dev/null \
        || fail "hybrid --workers equal to ranks x threads must be accepted"
    rc=0
    ps_run hybrid 2x2 "${ARGS[@]}" --workers 3 > /dev/null 2> "$tmp/err" || rc=$?
    { [[ $rc -eq 2 ]] && grep -q "contradicts" "$tmp/err"; } || fail "hybrid --workers 3 on 2x2"
    echo "ok: hybrid 2 ranks x 2 threads recorded"
fi
