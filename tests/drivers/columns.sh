#!/usr/bin/env bash
# The columns that describe a run beyond its times: working_set_bytes (the
# kernel's memory over all workers), empty_seconds (the fixed cost of a
# repetition, measured without the kernel) and runtime_env (the OpenMP
# settings the run had, from the environment or the runtime).  Every row of
# every driver has the header's field count.
# usage: columns.sh BUILD_DIR
set -euo pipefail
BIN=$1
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/driver.sh
. "$here/../lib/driver.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=100003
nf=$(awk -F, '{ print NF; exit }' "$here/../golden/header.csv")

for d in serial pthread openmp fork mpi hybrid; do
    [[ -x $BIN/parscale-$d ]] || continue
    w=2
    [[ $d == serial ]] && w=1
    [[ $d == hybrid ]] && w=1x2
    ps_run "$d" "$w" --kernel triad --size "$n" --reps 3 > "$tmp/out.csv" 2> "$tmp/err" \
        || fail "$d triad: $(cat "$tmp/err")"
    awk -F, -v nf="$nf" 'NF != nf { exit 1 }' "$tmp/out.csv" || fail "$d: a line without $nf fields"
    # triad holds 3 arrays of 8-byte doubles, plus a little per worker
    ws=$(csv_col "$tmp/out.csv" working_set_bytes | sort -u)
    awk -v ws="$ws" -v n="$n" 'BEGIN { exit !(ws >= 24 * n && ws < 24 * n + 2 * 65536) }' \
        || fail "$d: working_set_bytes $ws for $n elements"
    e=$(csv_col "$tmp/out.csv" empty_seconds | sort -u)
    [[ $(wc -l <<< "$e") == 1 ]] || fail "$d: empty_seconds differs between rows"
    awk -v e="$e" 'BEGIN { exit !(e >= 0 && e < 1) }' || fail "$d: empty_seconds '$e'"
    echo "ok: $d working_set_bytes $ws, empty_seconds $e"
done

# A repetition that waits 20 x 1 ms is far longer than an empty one.
"$BIN/parscale-serial" --kernel sleep --size 20 --param wait_us=1000 --reps 2 > "$tmp/out.csv" 2> /dev/null \
    || fail "serial sleep"
paste -d' ' <(csv_col "$tmp/out.csv" seconds) <(csv_col "$tmp/out.csv" empty_seconds) |
    awk '{ if (!($2 < $1 / 100)) bad = 1 } END { exit bad }' || fail "empty_seconds not far below a 20 ms repetition"
[[ -z $(csv_col "$tmp/out.csv" runtime_env | sort -u) ]] || fail "serial: runtime_env not empty"

# runtime_env: what OpenMP ran with, set or not.
if [[ -x $BIN/parscale-openmp ]]; then
    env -u OMP_WAIT_POLICY -u OMP_PROC_BIND -u OMP_PLACES OMP_DYNAMIC=true \
        "$BIN/parscale-openmp" --workers 2 --kernel triad --size 1000 --reps 1 > "$tmp/out.csv" 2> /dev/null \
        || fail "openmp, OMP_* unset"
    [[ $(csv_col "$tmp/out.csv" runtime_env) == "OMP_WAIT_POLICY=unset;OMP_PROC_BIND=false;OMP_PLACES=unset;OMP_DYNAMIC=false" ]] \
        || fail "openmp runtime_env with nothing set: $(csv_col "$tmp/out.csv" runtime_env)"
    OMP_WAIT_POLICY=passive OMP_PLACES="{0},{1}" OMP_PROC_BIND=close \
        "$BIN/parscale-openmp" --workers 2 --kernel triad --size 1000 --reps 1 > "$tmp/out.csv" 2> /dev/null \
        || fail "openmp, OMP_* set"
    [[ $(csv_col "$tmp/out.csv" runtime_env) == "OMP_WAIT_POLICY=passive;OMP_PROC_BIND=close;OMP_PLACES={0}+{1};OMP_DYNAMIC=false" ]] \
        || fail "openmp runtime_env with OMP_* set: $(csv_col "$tmp/out.csv" runtime_env)"
    echo "ok: openmp runtime_env"
fi
if [[ -x $BIN/parscale-hybrid ]]; then
    OMP_WAIT_POLICY=active ps_run hybrid 1x2 --kernel triad --size 1000 --reps 1 > "$tmp/out.csv" 2> /dev/null \
        || fail "hybrid runtime_env run"
    [[ $(csv_col "$tmp/out.csv" runtime_env) == OMP_WAIT_POLICY=active\;* ]] \
        || fail "hybrid runtime_env: $(csv_col "$tmp/out.csv" runtime_env)"
    echo "ok: hybrid runtime_env"
fi
echo "columns: all as expected"
