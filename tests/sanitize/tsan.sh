#!/usr/bin/env bash
# ThreadSanitizer pass: every kernel through the pthread and fork drivers of
# a -fsanitize=thread build, at 2 and 3 workers, on the tiny problems of
# tests/drivers/cases.sh, with each schedule a kernel takes. Any report
# fails the run (exit code 66 from TSan, or its report text on stderr).
# usage: tsan.sh BUILD_DIR    (exit 0 pass, 1 fail, 77 skip: not a TSan build)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
BIN=${1:?usage: tsan.sh BUILD_DIR}
# shellcheck source=tests/lib/driver.sh
source "$here/../lib/driver.sh"
# shellcheck source=tests/drivers/cases.sh
source "$here/../drivers/cases.sh"

readonly TSAN_EXIT=66
if ! grep -q -- '-fsanitize=thread' "$BIN/CMakeCache.txt" 2>/dev/null; then
    echo "tsan: SKIP: '$BIN' is not a -fsanitize=thread build" >&2
    exit 77
fi
for d in pthread fork; do
    [[ -x $BIN/parscale-$d ]] || { echo "tsan: SKIP: no parscale-$d in '$BIN'" >&2; exit 77; }
done
# tsan.supp says why each suppression is there (none is needed today).
export TSAN_OPTIONS="halt_on_error=1 exitcode=$TSAN_EXIT second_deadlock_stack=1 suppressions=$here/tsan.supp"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
runs=0

# check DRIVER WORKERS ARGS...: one run must exit 0 with no TSan report.
check() {
    local driver=$1 workers=$2 rc=0
    shift 2
    ps_run "$driver" "$workers" --reps 2 --warmup 1 "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
    runs=$((runs + 1))
    if ((rc != 0)) || grep -q 'ThreadSanitizer' "$tmp/err"; then
        cat "$tmp/err" >&2
        fail "parscale-$driver --workers $workers $* exited $rc under ThreadSanitizer"
    fi
    [[ $(csv_col "$tmp/out" verified | sort -u) == 1 ]] ||
        fail "parscale-$driver --workers $workers $*: not verified"
}

mapfile -t kernels < <("$BIN/parscale-pthread" --list-names)
schedulable=$("$BIN/parscale-pthread" --list | awk '/^[a-z]/ && / [0-9]+  any / { print $1 }')
for k in "${kernels[@]}"; do
    [[ -n ${CASE[$k]:-} ]] || fail "no tiny case for kernel '$k' in tests/drivers/cases.sh"
    read -r -a args <<<"${CASE[$k]}"
    scheds=(static)
    if grep -qx "$k" <<<"$schedulable"; then
        scheds+=("${SCHEDULES[@]}" dynamic)
    fi
    for d in pthread fork; do
        for w in 2 3; do
            for s in "${scheds[@]}"; do
                check "$d" "$w" --kernel "$k" "${args[@]}" --schedule "$s"
            done
        done
        check "$d" 2 --kernel "$k" "${args[@]}" --scaling weak
    done
done
# the contended shared-state paths: both histogram modes
if [[ " ${kernels[*]} " == *" histogram "* ]]; then
    for d in pthread fork; do
        check "$d" 3 --kernel histogram --size 30001 --param mode=private --schedule dynamic,5
    done
fi
# every team operation, through both shared-memory barriers
if [[ " ${kernels[*]} " == *" sync "* ]]; then
    for b in spin futex; do
        for d in pthread fork; do
            for op in none barrier allreduce1 allreduce8 halo grab update; do
                sched=static
                [[ $op == grab ]] && sched=dynamic
                PARSCALE_BARRIER=$b check "$d" 3 --kernel sync --size 101 --param op="$op" \
                    --param halo=9 --param delay=5 --schedule "$sched"
            done
        done
    done
fi
# a kernel from a library of its own (examples/spmv): halo and reductions
# through calls resolved at load time
spmv=$BIN/examples/spmv/libspmv.so
if [[ -f $spmv ]]; then
    for d in pthread fork; do
        for w in 2 3; do
            check "$d" "$w" --kernel-lib "$spmv" --kernel spmv --size 24 --param iters=3
        done
    done
fi
# the summariser's fitting threads: a synthetic study of 200 series, fitted
# by 3 threads, must give what one thread gives
if [[ -x $BIN/parscale-summarize ]]; then
    mkdir -p "$tmp/s1" "$tmp/s3"
    awk -v HEADER="$(head -n 1 "$here/../golden/header.csv")" -v SEED=3 -v KERNELS=40 -v SIZES=1 \
        -v WMAX=8 -v REPS=6 -f "$here/../../scripts/lib/synthetic-raw.awk" >"$tmp/raw.csv"
    for j in 1 3; do
        rc=0
        "$BIN/parscale-summarize" --jobs "$j" --resamples 100 --out "$tmp/s$j" "$tmp/raw.csv" \
            2>"$tmp/err" || rc=$?
        runs=$((runs + 1))
        if ((rc != 0)) || grep -q 'ThreadSanitizer' "$tmp/err"; then
            cat "$tmp/err" >&2
            fail "parscale-summarize --jobs $j exited $rc under ThreadSanitizer"
        fi
    done
    cmp -s "$tmp/s1/fits.csv" "$tmp/s3/fits.csv" || fail "summariser: fits.csv differs between --jobs 1 and 3"
fi
echo "tsan: ok ($runs runs, no reports)"
