#!/usr/bin/env bash
# Per-worker time accounting (drivers/acct.h) on every driver:
# - a known imbalance: the test-only fault PARSCALE_FAULT=1:skip makes
#   worker 1 skip its share of the first timed repetition (5 sleep items of
#   40 ms), so at 2 workers that repetition's load balance
#   useful_mean / useful_max is 1/2 (plus worker 1's few microseconds);
#   worker 1 waits out the repetition in the closing barrier, which counts
#   as team time.  Sleeping needs no CPU, and the bound holds however late
#   a busy machine wakes a worker: nothing here depends on timing;
# - consistency: with one worker useful + team is the repetition's time
#   (to the clock's resolution); with more, the means add up to at most the
#   slowest worker's time;
# - --accounting off leaves the columns empty, alternate fills every other
#   repetition;
# - instructions and cycles are filled only where the CPU has counters.
# usage: accounting.sh BUILD_DIR
set -euo pipefail
BIN=$1
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/driver.sh
. "$here/../lib/driver.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
SLEEPY=(--kernel sleep --param wait_us=40000 --param spin=0 --reps 2 --warmup 0)

# cols FILE : seconds useful_max useful_mean useful_min team_max team_mean, per row
cols() {
    paste -d' ' <(csv_col "$1" seconds) <(csv_col "$1" useful_max) <(csv_col "$1" useful_mean) \
        <(csv_col "$1" useful_min) <(csv_col "$1" team_max) <(csv_col "$1" team_mean)
}

# bounds LABEL FILE : on every row min <= mean <= max <= seconds, and the
# means of useful + team at most the slowest worker's time
bounds() {
    cols "$2" | awk '{ if ($3 + $6 > $1 * (1 + 1e-9) + 1e-9) exit 1
        if (!($4 <= $3 && $3 <= $2 && $2 <= $1 && $6 <= $5 && $5 <= $1)) exit 1 }' ||
        fail "$1: figures out of order (seconds umax umean umin tmax tmean): $(cols "$2" | tr '\n' ';')"
}

# skipped LABEL FILE : the first repetition, where worker 1 skipped its share
skipped() {
    bounds "$1" "$2"
    cols "$2" | head -1 | awk '{ lb = $3 / $2
        if (lb < 0.5 - 1e-9 || lb > 0.6) exit 1
        if ($5 < 0.5 * ($2 - $4)) exit 1 }' ||
        fail "$1: want load balance 0.5 (to 0.6) and the idle worker's wait as team time: $(cols "$2" | head -1)"
    echo "ok: $1: load balance $(cols "$2" | head -1 | awk '{ print $3 / $2 }') with worker 1 idle"
}

# one_worker LABEL FILE : with one worker the figures are that worker's
one_worker() {
    cols "$2" | awk '{ d = $3 + $6 - $1; if (d < 0) d = -d
        if (d > 2e-9 + 1e-9 * $1 || $2 != $3 || $3 != $4 || $5 != $6) exit 1 }' ||
        fail "$1: at one worker useful + team != seconds: $(cols "$2" | head -1)"
    echo "ok: $1 at one worker: useful + team = seconds"
}

for d in serial pthread openmp fork mpi hybrid; do
    [[ -x $BIN/parscale-$d ]] || continue
    one=1
    [[ $d == hybrid ]] && one=1x1
    ps_run "$d" "$one" "${SLEEPY[@]}" --size 2 > "$tmp/one.csv" 2> "$tmp/err" || fail "$d, 1 worker: $(cat "$tmp/err")"
    one_worker "$d" "$tmp/one.csv"
    ps_run "$d" "$one" --kernel histogram --size 30000 --reps 2 > "$tmp/one.csv" 2> "$tmp/err" \
        || fail "$d histogram, 1 worker: $(cat "$tmp/err")"
    one_worker "$d histogram" "$tmp/one.csv"
    [[ $d == serial ]] && continue
    layouts=(2)
    [[ $d == hybrid ]] && layouts=(1x2 2x1)
    for w in "${layouts[@]}"; do
        rc=0
        # one repetition: the skipped one, so the check fails (exit 3)
        PARSCALE_FAULT=1:skip ps_run "$d" "$w" "${SLEEPY[@]}" --size 10 --reps 1 > "$tmp/two.csv" \
            2> "$tmp/err" || rc=$?
        [[ $rc == 3 ]] || fail "$d $w with worker 1 skipping: exit $rc, want 3 (failed verification): $(cat "$tmp/err")"
        skipped "$d $w" "$tmp/two.csv"
    done
    ps_run "$d" "${layouts[0]}" --kernel histogram --size 30000 --reps 2 > "$tmp/two.csv" 2> "$tmp/err" \
        || fail "$d histogram, 2 workers: $(cat "$tmp/err")"
    bounds "$d histogram, 2 workers" "$tmp/two.csv"
done

# --accounting off: no figures, and the run is otherwise the same.
"$BIN/parscale-pthread" --workers 2 "${SLEEPY[@]}" --size 3 --accounting off > "$tmp/off.csv" 2> /dev/null \
    || fail "--accounting off"
[[ $(cols "$tmp/off.csv" | tr -d ' \n') == "$(csv_col "$tmp/off.csv" seconds | tr -d '\n')" ]] \
    || fail "--accounting off: accounting columns not empty"
[[ $(csv_col "$tmp/off.csv" verified | sort -u) == 1 ]] || fail "--accounting off: not verified"
echo "ok: --accounting off leaves the columns empty"
"$BIN/parscale-pthread" --workers 2 "${SLEEPY[@]}" --size 3 --reps 4 --accounting alternate > "$tmp/alt.csv" \
    2> /dev/null || fail "--accounting alternate"
[[ $(csv_col "$tmp/alt.csv" useful_max | awk '{ printf "%s", $1 == "" ? "-" : "x" }') == x-x- ]] \
    || fail "--accounting alternate: want figures in repetitions 1 and 3 only: $(csv_col "$tmp/alt.csv" useful_max | tr '\n' ' ')"
echo "ok: --accounting alternate accounts every other repetition"

# Hardware counters: only where the kernel exposes a CPU PMU.
"$BIN/parscale-serial" --kernel sqrtpow --size 100000 --reps 2 > "$tmp/hw.csv" 2> /dev/null || fail "serial sqrtpow"
ins=$(csv_col "$tmp/hw.csv" instructions | sort -u)
cyc=$(csv_col "$tmp/hw.csv" cycles | sort -u)
if [[ ! -e /sys/bus/event_source/devices/cpu ]]; then
    [[ -z $ins && -z $cyc ]] || fail "no CPU PMU here, yet instructions '$ins' cycles '$cyc'"
    echo "ok: no CPU PMU (a VM without one): instructions and cycles empty"
elif [[ -n $ins ]]; then
    # 100000 items of sqrt and pow take far more than 100000 instructions
    csv_col "$tmp/hw.csv" instructions | awk '$1 < 100000 { exit 1 }' || fail "instructions too few: $ins"
    csv_col "$tmp/hw.csv" cycles | awk '$1 <= 0 { exit 1 }' || fail "cycles not positive: $cyc"
    echo "ok: instructions and cycles counted"
else
    echo "note: a CPU PMU exists but perf_event_open refused (perf_event_paranoid $(cat /proc/sys/kernel/perf_event_paranoid 2> /dev/null)): columns empty"
fi
echo "accounting: all as expected"
