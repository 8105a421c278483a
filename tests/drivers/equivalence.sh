#!/usr/bin/env bash
# Every kernel with one driver at 1, 2, 3 and 5 workers (MPI: 1, 2 and 3
# ranks; hybrid: 1x1, 1x3, 2x2 and 3x1 ranks x threads) must verify and
# agree with the serial driver's checksum.
# Tolerance: integer checksums (sleep, mandel, histogram) exactly; the
# floating-point ones (sqrtpow, ep, triad, stencil) to 1e-9 relative, as
# the summation order changes with the worker count.
# usage: equivalence.sh BUILD_DIR DRIVER
set -euo pipefail
BIN=$1
DRIVER=$2
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/driver.sh
. "$here/../lib/driver.sh"
# shellcheck source=tests/drivers/cases.sh
. "$here/cases.sh"
[[ -x $BIN/parscale-$DRIVER ]] || { echo "parscale-$DRIVER not built: skipping"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
workers=(1 2 3 5)
[[ $DRIVER == mpi ]] && workers=(1 2 3)
[[ $DRIVER == serial ]] && workers=(1)
# ranks x threads; workers = their product
[[ $DRIVER == hybrid ]] && workers=(1x1 1x3 2x2 3x1)
reps=2
checked=0

# check_run OUT WORKERS WANT_CHECKSUM TOL LABEL
check_run() {
    local out=$1 w=$2 want=$3 tol=$4 label=$5
    [[ $(wc -l < "$out") -eq $((reps + 1)) ]] || fail "$label: expected $reps rows"
    [[ $(csv_col "$out" verified | sort -u) == 1 ]] || fail "$label: not verified"
    [[ $(csv_col "$out" workers | sort -u) == "$w" ]] || fail "$label: workers column"
    [[ $(csv_col "$out" driver | sort -u) == "$DRIVER" ]] || fail "$label: driver column"
    local got
    got=$(csv_col "$out" checksum | head -1)
    close_enough "$got" "$want" "$tol" || fail "$label: checksum $got, serial $want"
    checked=$((checked + 1))
}

for kernel in "${!CASE[@]}"; do
    read -ra args <<< "${CASE[$kernel]}"
    timeout 60 "$BIN/parscale-serial" --kernel "$kernel" "${args[@]}" --reps "$reps" \
        > "$tmp/serial.csv" 2> "$tmp/err" || fail "serial $kernel: $(cat "$tmp/err")"
    want=$(csv_col "$tmp/serial.csv" checksum | head -1)
    tol=1e-9
    case $kernel in sleep | mandel | histogram) tol=0 ;; esac
    schedules=("")
    [[ $kernel =~ ^(sqrtpow|sleep|mandel|histogram)$ ]] && schedules+=("${SCHEDULES[@]}")
    for w in "${workers[@]}"; do
        for s in "${schedules[@]}"; do
            extra=()
            [[ -n $s ]] && extra=(--schedule "$s")
            label="$DRIVER $kernel workers=$w ${s:-static}"
            ps_run "$DRIVER" "$w" --kernel "$kernel" "${args[@]}" "${extra[@]}" \
                --reps "$reps" > "$tmp/out.csv" 2> "$tmp/err" \
                || fail "$label: exit $?: $(tail -3 "$tmp/err")"
            total=$w
            [[ $w == *x* ]] && total=$((${w%x*} * ${w#*x}))
            check_run "$tmp/out.csv" "$total" "$want" "$tol" "$label"
        done
    done
done
echo "$DRIVER: $checked runs verified and agree with serial"
