#!/usr/bin/env bash
# The worked example of a kernel library (examples/spmv, built here as a
# user builds it) under one driver at 1, 2 and 3 workers (hybrid: 1x1,
# 2x1 and 1x3 ranks x threads; serial: 1): every run verifies, names the
# library and its SHA-256 in the kernel_lib columns, reports the work of
# the kernel's formula, and its checksum (the last power-iteration norm)
# equals the closed form computed here, independently, to 1e-12.
# usage: spmv.sh BUILD_DIR DRIVER LIBSPMV
set -euo pipefail
BIN=$1
DRIVER=$2
LIB=$3
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/driver.sh
. "$here/../lib/driver.sh"
[[ -x $BIN/parscale-$DRIVER ]] || { echo "parscale-$DRIVER not built: skipping"; exit 77; }
if [[ $DRIVER == mpi || $DRIVER == hybrid ]]; then
    command -v "$MPIEXEC" > /dev/null || { echo "no $MPIEXEC: skipping"; exit 77; }
fi
[[ -r $LIB ]] || fail "no kernel library '$LIB'"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

n=24 iters=3 reps=2 warmup=1
steps=$((iters * (reps + warmup)))
lib=$(realpath "$LIB")
sha=$(sha256sum "$lib" | cut -d' ' -f1)
# the k-th step's norm, sqrt((l1^2 + a^2 l2^2) / (1 + a^2)), a = (l2/l1)^(k-1)
want=$(awk -v n="$n" -v k="$steps" 'BEGIN {
    pi = atan2(0, -1); h = 1 / (n + 1)
    l1 = 4 + 4 * cos(pi * h); l2 = 4 + 2 * cos(pi * h) + 2 * cos(2 * pi * h)
    a = (l2 / l1) ^ (k - 1)
    printf "%.17g\n", sqrt((l1 * l1 + a * a * l2 * l2) / (1 + a * a)) }')
work=$((iters * (2 * (5 * n * n - 4 * n) + 3 * n * n)))

case $DRIVER in
serial) counts=(1) ;;
hybrid) counts=(1x1 2x1 1x3) ;;
*) counts=(1 2 3) ;;
esac
extra=()
[[ $DRIVER == py-* ]] && extra=(--param impl=c)
runs=0
for w in "${counts[@]}"; do
    label="$DRIVER spmv workers=$w"
    ps_run "$DRIVER" "$w" --kernel-lib "$LIB" --kernel spmv --size "$n" --reps "$reps" \
        --warmup "$warmup" --param "iters=$iters" "${extra[@]}" > "$tmp/out.csv" 2> "$tmp/err" ||
        fail "$label: exit $?: $(tail -3 "$tmp/err")"
    [[ $(wc -l < "$tmp/out.csv") -eq $((reps + 1)) ]] || fail "$label: expected $reps rows"
    [[ $(csv_col "$tmp/out.csv" verified | sort -u) == 1 ]] || fail "$label: not verified"
    [[ $(csv_col "$tmp/out.csv" kernel | sort -u) == spmv ]] || fail "$label: kernel column"
    [[ $(csv_col "$tmp/out.csv" kernel_lib | sort -u) == "$lib" ]] ||
        fail "$label: kernel_lib '$(csv_col "$tmp/out.csv" kernel_lib | head -1)', want '$lib'"
    [[ $(csv_col "$tmp/out.csv" kernel_lib_sha256 | sort -u) == "$sha" ]] ||
        fail "$label: kernel_lib_sha256 is not sha256sum's $sha"
    [[ $(csv_col "$tmp/out.csv" work | sort -u) == "$work" ]] || fail "$label: work, want $work"
    total=$w
    [[ $w == *x* ]] && total=$((${w%x*} * ${w#*x}))
    [[ $(csv_col "$tmp/out.csv" workers | sort -u) == "$total" ]] || fail "$label: workers column"
    got=$(csv_col "$tmp/out.csv" checksum | head -1)
    close_enough "$got" "$want" 1e-12 || fail "$label: checksum $got, closed form $want"
    runs=$((runs + 1))
done
echo "spmv from a kernel library: $runs $DRIVER runs verified, checksum = closed form $want"
