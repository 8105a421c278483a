#!/usr/bin/env bash
# One Python driver: every kernel in its C form (--param impl=c) and every
# kernel with a Python form (impl=python) at 1, 2 and 3 workers, the Python
# forms under every schedule too, must verify and agree with the serial C
# driver's checksum (integers exactly, floating-point sums to 1e-9
# relative); the rows must say which driver, form and placement ran.
# usage: equivalence.sh BUILD_DIR DRIVER
set -euo pipefail
BIN=$1
DRIVER=$2
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/driver.sh
. "$here/../lib/driver.sh"
# shellcheck source=tests/drivers/cases.sh
. "$here/../drivers/cases.sh"
[[ -x $BIN/parscale-$DRIVER ]] || { echo "parscale-$DRIVER not built: skipping"; exit 77; }
# The kernels that must have a Python form (issue: at least these two).
FORMS=(sleep sqrtpow)
# Workers started by exec (spawn, forkserver) cost a new interpreter each:
# they run the C form of the kernels whose team calls differ (reductions,
# halos, shared counters) and the dynamic schedule at 3 workers only.
# Threads and fork run every kernel and schedule.
C_KERNELS=("${!CASE[@]}")
sched_workers=" 1 2 3 "
if [[ $DRIVER == py-spawn || $DRIVER == py-forkserver ]]; then
    C_KERNELS=(sqrtpow stencil histogram)
    sched_workers=" 3 "
    SCHEDULES=("${SCHEDULES[0]}")
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
reps=2
checked=0

"$BIN/parscale-$DRIVER" --list > "$tmp/list"
grep -Fq "python: a loop in Python, holding the GIL ($(IFS=,; printf '%s' "${FORMS[*]}" | sed 's/,/, /g'))" \
    "$tmp/list" || fail "--list does not name exactly the Python forms ${FORMS[*]}"

# check_run OUT WORKERS IMPL WANT TOL LABEL
check_run() {
    local out=$1 w=$2 impl=$3 want=$4 tol=$5 label=$6 got
    [[ $(head -1 "$out") == "$(cat "$here/../golden/header.csv")" ]] || fail "$label: CSV header differs from the C drivers'"
    [[ $(wc -l < "$out") -eq $((reps + 1)) ]] || fail "$label: expected $reps rows"
    [[ $(csv_col "$out" verified | sort -u) == 1 ]] || fail "$label: not verified"
    [[ $(csv_col "$out" workers | sort -u) == "$w" ]] || fail "$label: workers column"
    [[ $(csv_col "$out" driver | sort -u) == "$DRIVER" ]] || fail "$label: driver column"
    [[ $(csv_col "$out" params | sort -u) =~ (^|\;)impl=$impl$ ]] || fail "$label: params lack impl=$impl"
    if [[ $DRIVER == py-thread* ]]; then
        [[ $(csv_col "$out" ranks | sort -u),$(csv_col "$out" threads_per_rank | sort -u) == "1,$w" ]] ||
            fail "$label: threads should be 1 rank x $w threads"
    else
        [[ $(csv_col "$out" ranks | sort -u),$(csv_col "$out" threads_per_rank | sort -u) == "$w,1" ]] ||
            fail "$label: processes should be $w ranks x 1 thread"
    fi
    got=$(csv_col "$out" checksum | head -1)
    close_enough "$got" "$want" "$tol" || fail "$label: checksum $got, serial $want"
    checked=$((checked + 1))
}

for kernel in "${!CASE[@]}"; do
    [[ " ${C_KERNELS[*]} ${FORMS[*]} " == *" $kernel "* ]] || continue
    read -ra args <<< "${CASE[$kernel]}"
    timeout 60 "$BIN/parscale-serial" --kernel "$kernel" "${args[@]}" --reps "$reps" \
        > "$tmp/serial.csv" 2> "$tmp/err" || fail "serial $kernel: $(cat "$tmp/err")"
    want=$(csv_col "$tmp/serial.csv" checksum | head -1)
    tol=1e-9
    case $kernel in sleep | mandel | histogram) tol=0 ;; esac
    impls=()
    [[ " ${C_KERNELS[*]} " == *" $kernel "* ]] && impls+=(c)
    [[ " ${FORMS[*]} " == *" $kernel "* ]] && impls+=(python)
    for impl in "${impls[@]}"; do
        for w in 1 2 3; do
            schedules=("")
            [[ $impl == python && $sched_workers == *" $w "* ]] && schedules+=("${SCHEDULES[@]}")
            for s in "${schedules[@]}"; do
                extra=()
                [[ -n $s ]] && extra=(--schedule "$s")
                label="$DRIVER $kernel impl=$impl workers=$w ${s:-static}"
                timeout -k 5 "$RUN_TIMEOUT" "$BIN/parscale-$DRIVER" --workers "$w" --kernel "$kernel" \
                    "${args[@]}" --param "impl=$impl" "${extra[@]}" --reps "$reps" \
                    > "$tmp/out.csv" 2> "$tmp/err" || fail "$label: exit $?: $(tail -3 "$tmp/err")"
                check_run "$tmp/out.csv" "$w" "$impl" "$want" "$tol" "$label"
            done
        done
    done
done
# impl=auto runs the Python form where there is one, else the C kernel.
for kernel in sqrtpow triad; do
    read -ra args <<< "${CASE[$kernel]}"
    timeout -k 5 "$RUN_TIMEOUT" "$BIN/parscale-$DRIVER" --workers 1 --kernel "$kernel" "${args[@]}" \
        --reps 1 > "$tmp/out.csv" 2> "$tmp/err" || fail "$DRIVER $kernel impl=auto: $(tail -1 "$tmp/err")"
    impl=c
    [[ " ${FORMS[*]} " == *" $kernel "* ]] && impl=python
    [[ $(csv_col "$tmp/out.csv" params) =~ (^|\;)impl=$impl$ ]] || fail "$DRIVER $kernel: impl=auto did not run impl=$impl"
done
# --bind cores pins worker i to the i-th allowed CPU, in every worker kind.
ncpu=$(nproc)
timeout -k 5 "$RUN_TIMEOUT" "$BIN/parscale-$DRIVER" --workers 2 --kernel sqrtpow --size 1000 \
    --reps 1 --bind cores > "$tmp/out.csv" 2> "$tmp/err" || fail "$DRIVER --bind cores: $(tail -1 "$tmp/err")"
aff=$(csv_col "$tmp/out.csv" affinity)
[[ $aff =~ ^[0-9]+\;[0-9]+$ ]] || fail "$DRIVER --bind cores: affinity '$aff' is not one CPU per worker"
((ncpu < 2)) || [[ ${aff%;*} != "${aff#*;}" ]] || fail "$DRIVER --bind cores: both workers on CPU ${aff%;*}"
echo "$DRIVER: $checked runs verified and agree with serial; impl=auto resolved; --bind cores binds"

