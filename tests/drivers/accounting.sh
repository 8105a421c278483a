#!/usr/bin/env bash
# Per-worker time accounting (drivers/acct.h) on every driver:
# - a known imbalance: 3 sleep items of 20 ms at 2 workers, static, give
#   worker 0 two items and worker 1 one, so the load balance
#   useful_mean / useful_max is 0.75 (4 items at 3 workers: 2/3); sleeping
#   needs no CPU, so this holds on a busy machine too;
# - consistency: with one worker useful + team is the repetition's time
#   (to the clock's resolution); with more, the means add up to at most
#   the slowest worker's time and the waiting worker's barrier time is
#   counted as team time;
# - --accounting off leaves the columns empty;
# - instructions and cycles are filled only where the CPU has counters.
# usage: accounting.sh BUILD_DIR
set -euo pipefail
BIN=$1
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/driver.sh
. "$here/../lib/driver.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
SLEEPY=(--kernel sleep --param wait_us=20000 --param spin=0 --reps 3 --warmup 0)
TOL=0.06

# cols FILE : seconds useful_max useful_mean useful_min team_max team_mean, per row
cols() {
    paste -d' ' <(csv_col "$1" seconds) <(csv_col "$1" useful_max) <(csv_col "$1" useful_mean) \
        <(csv_col "$1" useful_min) <(csv_col "$1" team_max) <(csv_col "$1" team_mean)
}

# check_lb LABEL FILE WANT : median over rows of useful_mean/useful_max
check_lb() {
    local lb
    lb=$(cols "$2" | awk '{ print $3 / $2 }' | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
    close_enough "$lb" "$3" "$TOL" || fail "$1: load balance $lb, want $3 +- $TOL"
    # the sums: each worker's useful + team is at most the slowest one's
    # time and, after a 20 ms wait at the closing barrier, close to it (a
    # worker woken late from the opening barrier starts its clock late);
    # that wait is team time (a fraction of it: the same lateness)
    cols "$2" | awk '{ s = $3 + $6
        if (s > $1 * (1 + 1e-9) + 1e-9 || s < 0.8 * $1) exit 1
        if (!($4 <= $3 && $3 <= $2 && $2 <= $1 && $6 <= $5 && $5 <= $1)) exit 1
        if ($5 < 0.25 * ($2 - $4)) exit 1 }' ||
        fail "$1: useful/team do not add up (seconds umax umean umin tmax tmean): $(cols "$2" | tr "\n" ";")"
    echo "ok: $1 load balance $lb"
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
    two=2
    [[ $d == hybrid ]] && two=1x2
    ps_run "$d" "$two" "${SLEEPY[@]}" --size 3 > "$tmp/two.csv" 2> "$tmp/err" || fail "$d, 2 workers: $(cat "$tmp/err")"
    check_lb "$d 3 items on 2 workers" "$tmp/two.csv" 0.75
done
ps_run pthread 3 "${SLEEPY[@]}" --size 4 > "$tmp/three.csv" 2> "$tmp/err" || fail "pthread, 3 workers"
check_lb "pthread 4 items on 3 workers" "$tmp/three.csv" 0.6666667
if [[ -x $BIN/parscale-hybrid ]]; then
    ps_run hybrid 2x1 "${SLEEPY[@]}" --size 3 > "$tmp/two.csv" 2> "$tmp/err" || fail "hybrid 2x1"
    check_lb "hybrid 3 items on 2 ranks" "$tmp/two.csv" 0.75
fi

# --accounting off: no figures, and the run is otherwise the same.
"$BIN/parscale-pthread" --workers 2 "${SLEEPY[@]}" --size 3 --accounting off > "$tmp/off.csv" 2> /dev/null \
    || fail "--accounting off"
[[ $(cols "$tmp/off.csv" | tr -d ' \n') == "$(csv_col "$tmp/off.csv" seconds | tr -d '\n')" ]] \
    || fail "--accounting off: accounting columns not empty"
[[ $(csv_col "$tmp/off.csv" verified | sort -u) == 1 ]] || fail "--accounting off: not verified"
echo "ok: --accounting off leaves the columns empty"

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
