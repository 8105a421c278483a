#!/usr/bin/env bash
# The sync kernel (what one team operation costs) with one driver: every
# operation at 1, 2 and 3 workers (hybrid: 1x1, 1x3, 3x1 ranks x threads)
# must verify, and its checksum must be the operations each worker did,
# (warm-up + reps) x size.  A worker that skips its share must fail the
# check (exit 3); op=grab without the dynamic queue and an unknown
# PARSCALE_BARRIER are usage errors.  pthread and fork also run with
# PARSCALE_BARRIER=futex, and record the barrier in runtime_env.
# usage: primitives.sh BUILD_DIR DRIVER
set -euo pipefail
BIN=$1
DRIVER=$2
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/driver.sh
. "$here/../lib/driver.sh"
[[ -x $BIN/parscale-$DRIVER ]] || { echo "parscale-$DRIVER not built: skipping"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
workers=(1 2 3)
[[ $DRIVER == serial ]] && workers=(1)
[[ $DRIVER == hybrid ]] && workers=(1x1 1x3 3x1)
ops=(none barrier allreduce1 allreduce8 halo grab update)
size=203
reps=2
warmup=1
barriers=(spin)
[[ $DRIVER =~ ^(pthread|fork)$ ]] && barriers+=(futex)
checked=0

for b in "${barriers[@]}"; do
    for w in "${workers[@]}"; do
        for op in "${ops[@]}"; do
            extra=()
            [[ $op == grab ]] && extra=(--schedule dynamic)
            label="$DRIVER sync op=$op workers=$w barrier=$b"
            PARSCALE_BARRIER=$b ps_run "$DRIVER" "$w" --kernel sync --size "$size" \
                --param op="$op" --param halo=5 --param delay=3 "${extra[@]}" \
                --reps "$reps" --warmup "$warmup" > "$tmp/out.csv" 2> "$tmp/err" \
                || fail "$label: exit $?: $(tail -3 "$tmp/err")"
            [[ $(wc -l < "$tmp/out.csv") -eq $((reps + 1)) ]] || fail "$label: expected $reps rows"
            [[ $(csv_col "$tmp/out.csv" verified | sort -u) == 1 ]] || fail "$label: not verified"
            [[ $(csv_col "$tmp/out.csv" class | sort -u) == primitive ]] || fail "$label: class"
            [[ $(csv_col "$tmp/out.csv" work | sort -u) == "$size" ]] || fail "$label: work"
            if [[ $DRIVER =~ ^(pthread|fork)$ ]]; then
                [[ $(csv_col "$tmp/out.csv" runtime_env | sort -u) == "PARSCALE_BARRIER=$b" ]] \
                    || fail "$label: runtime_env $(csv_col "$tmp/out.csv" runtime_env | head -1)"
            fi
            got=$(csv_col "$tmp/out.csv" checksum | sort -u)
            [[ $got == $(((reps + warmup) * size)) ]] || fail "$label: checksum $got"
            checked=$((checked + 1))
        done
    done
done

# expect_exit CODE LABEL MESSAGE_PATTERN ARGS... : one run's exit and message
expect_exit() {
    local want=$1 label=$2 pattern=$3 rc=0
    shift 3
    "$@" > "$tmp/out.csv" 2> "$tmp/err" || rc=$?
    [[ $rc -eq $want ]] || fail "$label: exit $rc, want $want: $(tail -3 "$tmp/err")"
    grep -q -- "$pattern" "$tmp/err" || fail "$label: no '$pattern' in: $(cat "$tmp/err")"
}

w=2
[[ $DRIVER == serial ]] && w=1
[[ $DRIVER == hybrid ]] && w=1x2
expect_exit 2 "$DRIVER op=grab static" "op=grab takes one item per grab" \
    ps_run "$DRIVER" "$w" --kernel sync --param op=grab
if [[ $DRIVER =~ ^(serial|pthread|openmp|fork)$ ]]; then
    PARSCALE_BARRIER=spinn expect_exit 2 "$DRIVER PARSCALE_BARRIER=spinn" \
        "PARSCALE_BARRIER must be spin or futex, not 'spinn'" \
        ps_run "$DRIVER" "$w" --kernel sync
fi
# a skipped share is seen by the check: operations without a collective
# inside the loop, so the other workers do not wait for the skipper
if [[ $DRIVER != serial ]]; then
    for op in none update; do
        PARSCALE_FAULT=1:skip expect_exit 3 "$DRIVER op=$op skipped share" \
            "sync failed verification" \
            ps_run "$DRIVER" "$w" --kernel sync --size 50 --param op="$op" --reps 2
        [[ $(wc -l < "$tmp/out.csv") -eq 3 ]] || fail "$DRIVER op=$op skipped share: rows kept"
    done
fi
# a fork worker that dies while the others wait in the barrier (spinning,
# or asleep on the futex) ends the run: the parent kills the rest, no hang
if [[ $DRIVER == fork ]]; then
    for b in spin futex; do
        PARSCALE_BARRIER=$b PARSCALE_FAULT=1:kill expect_exit 1 "fork worker killed in a $b barrier" \
            "worker 1 (pid [0-9]*) was killed by signal 9.*ended the other workers" \
            ps_run fork 2 --kernel sync --size 1000 --param op=barrier --warmup 0 --reps 3
        [[ ! -s $tmp/out.csv ]] || fail "fork worker killed in a $b barrier: wrote rows"
    done
fi
echo "$DRIVER: sync verified for ${#ops[@]} operations in $checked runs; failures caught"
