#!/usr/bin/env bash
# Faults end runs cleanly: a fork worker killed from outside or by an
# injected fault (PARSCALE_FAULT, test-only), a hang past --timeout, a
# signal to the parent, a failed verification.  Each must give the right
# exit code and message, no CSV rows unless the run finished, no orphan
# processes, and no hang (every run is bounded by `timeout`).
# usage: faults.sh BUILD_DIR
set -euo pipefail
BIN=$1
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/driver.sh
. "$here/../lib/driver.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
LONG=(--kernel sleep --size 3000 --param wait_us=1000 --param spin=0 --warmup 0 --reps 5)
# repetitions of ~10-30 ms: the others finish theirs long before a 1 s
# timeout, even on a machine so busy that each 1 ms wait takes several
SHORT=(--kernel sleep --size 30 --param wait_us=1000 --param spin=0 --warmup 0 --reps 5)

# children_of PID : the PIDs whose parent is PID
children_of() { ps -o pid= --ppid "$1" | tr -d ' '; }

# wait_children PID N : wait (bounded) until PID has N children
wait_children() {
    for _ in $(seq 200); do
        [[ $(children_of "$1" | wc -l) -ge $2 ]] && return 0
        sleep 0.05
    done
    fail "pid $1 never had $2 children"
}

# start_bg ARGS... : start a fork driver in the background (parent=$!), with
# a guard that kills it if it outlives GUARD seconds.
GUARD=40
start_bg() {
    "$BIN/parscale-fork" "$@" > "$tmp/out" 2> "$tmp/err" &
    parent=$!
    (sleep "$GUARD"; kill -KILL "$parent" 2> /dev/null) > /dev/null 2>&1 &
    guard=$!
}

stop_guard() { kill "$guard" 2> /dev/null || true; wait "$guard" 2> /dev/null || true; }

assert_gone() {   # PIDS...
    local p
    for p in "$@"; do
        ! kill -0 "$p" 2> /dev/null || fail "process $p is still alive (orphan)"
    done
}

# expect_fail LABEL CODE REGEX : check $rc, stderr and empty stdout
expect_fail() {
    [[ $rc -eq $2 ]] || fail "$1: exit $rc, want $2; stderr: $(cat "$tmp/err")"
    grep -Eq "$3" "$tmp/err" || fail "$1: message not /$3/: $(cat "$tmp/err")"
    [[ ! -s $tmp/out ]] || fail "$1: wrote rows to stdout"
    echo "ok: $1"
}

# 0. A malformed fault spec is refused, so no test here injects nothing.
for spec in 1:kil 3:kill x:skip 1; do
    rc=0
    PARSCALE_FAULT=$spec "$BIN/parscale-fork" --workers 3 "${SHORT[@]}" > "$tmp/out" 2> "$tmp/err" || rc=$?
    expect_fail "PARSCALE_FAULT=$spec refused" 2 "^parscale-fork: PARSCALE_FAULT must be RANK:KIND"
    [[ $(wc -l < "$tmp/err") -eq 1 ]] || fail "PARSCALE_FAULT=$spec: more than one line"
done

# 1. A fork worker killed from outside.
start_bg --workers 3 "${LONG[@]}"
wait_children "$parent" 3
mapfile -t kids < <(children_of "$parent")
kill -KILL "${kids[1]}"
rc=0
wait "$parent" || rc=$?
stop_guard
expect_fail "fork worker killed by SIGKILL" 1 \
    "^parscale-fork: worker [0-9] \\(pid ${kids[1]}\\) was killed by signal 9 .*ended the other workers$"
assert_gone "${kids[@]}"

# 2. Injected faults in a fork worker, and SIGTERM to the parent.
for fault in "exit|exited with status 7" "segv|was killed by signal 11" \
             "kill|was killed by signal 9"; do
    kind=${fault%%|*}
    rc=0
    # under AddressSanitizer, let SIGSEGV kill the worker as it would unsanitized
    PARSCALE_FAULT="2:$kind" ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}handle_segv=0" timeout -k 5 30 "$BIN/parscale-fork" --workers 3 "${LONG[@]}" \
        > "$tmp/out" 2> "$tmp/err" || rc=$?
    expect_fail "fork fault $kind" 1 "^parscale-fork: worker 2 \\(pid [0-9]+\\) ${fault#*|}"
done
start=$(date +%s)
rc=0
PARSCALE_FAULT=1:hang timeout -k 5 30 "$BIN/parscale-fork" --workers 3 --timeout 1 "${SHORT[@]}" \
    > "$tmp/out" 2> "$tmp/err" || rc=$?
expect_fail "fork hang past --timeout" 1 \
    "^parscale-fork: run exceeded --timeout 1 s; worker 1 still in repetition 1 \\(the other 2 were further on\\)$"
[[ $(( $(date +%s) - start )) -lt 10 ]] || fail "fork --timeout took too long"
start_bg --workers 3 "${LONG[@]}"
wait_children "$parent" 3
mapfile -t kids < <(children_of "$parent")
kill -TERM "$parent"
rc=0
wait "$parent" || rc=$?
stop_guard
expect_fail "fork parent got SIGTERM" 1 "^parscale-fork: interrupted by signal 15"
assert_gone "${kids[@]}"

# 3. --timeout in the drivers whose workers are threads of one process:
# a run that is just too long, and one worker that never returns (named).
for d in serial pthread openmp; do
    [[ -x $BIN/parscale-$d ]] || continue
    w=2
    [[ $d == serial ]] && w=1
    rc=0
    timeout -k 5 30 "$BIN/parscale-$d" --workers "$w" --timeout 0.5 "${LONG[@]}" \
        > "$tmp/out" 2> "$tmp/err" || rc=$?
    expect_fail "$d --timeout" 1 "^parscale-$d: run exceeded --timeout 0.5 s; workers? [0-9, ]+ still in repetition 1"
    [[ $d == serial ]] && continue
    rc=0
    PARSCALE_FAULT=2:hang timeout -k 5 30 "$BIN/parscale-$d" --workers 3 --timeout 1 "${SHORT[@]}" \
        > "$tmp/out" 2> "$tmp/err" || rc=$?
    expect_fail "$d worker hangs" 1 \
        "^parscale-$d: run exceeded --timeout 1 s; worker 2 still in repetition 1 \\(the other 2 were further on\\)$"
    # a crashing or exiting worker takes its process down, but is named
    rc=0
    PARSCALE_FAULT=2:segv ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}handle_segv=0" \
        timeout -k 5 30 "$BIN/parscale-$d" --workers 3 "${SHORT[@]}" > "$tmp/out" 2> "$tmp/err" || rc=$?
    expect_fail "$d worker crashes" 139 "^parscale-$d: worker 2 crashed: signal 11 \\(SIGSEGV"
    rc=0
    PARSCALE_FAULT=1:exit timeout -k 5 30 "$BIN/parscale-$d" --workers 3 "${SHORT[@]}" \
        > "$tmp/out" 2> "$tmp/err" || rc=$?
    expect_fail "$d worker exits" 7 "^parscale-$d: worker 1 called exit\\(\\) before the run ended$"
done

# 4. A failed verification still writes every row, with verified=0, and exits 3.
for d in pthread openmp fork mpi; do
    [[ -x $BIN/parscale-$d ]] || continue
    rc=0
    PARSCALE_FAULT=1:skip ps_run "$d" 2 --kernel histogram --size 1000 --reps 3 \
        > "$tmp/out" 2> "$tmp/err" || rc=$?
    [[ $rc -eq 3 ]] || fail "$d skipped share: exit $rc, want 3: $(cat "$tmp/err")"
    [[ $(wc -l < "$tmp/out") -eq 4 ]] || fail "$d skipped share: want header + 3 rows"
    [[ $(csv_col "$tmp/out" verified | sort -u) == 0 ]] || fail "$d: rows not marked verified=0"
    grep -q "histogram failed verification" "$tmp/err" || fail "$d: no verification message"
    echo "ok: $d failed verification gives rows with verified=0 and exit 3"
done

# 5. MPI: a contradicting --workers, a rank that dies, a rank that hangs.
if [[ -x $BIN/parscale-mpi ]]; then
    rc=0
    ps_run mpi 2 --workers 3 --kernel triad --size 1000 > "$tmp/out" 2> "$tmp/err" || rc=$?
    [[ $rc -eq 2 ]] || fail "mpi --workers 3 on 2 ranks: exit $rc"
    grep -q "^parscale-mpi: --workers 3 contradicts the 2 ranks the launcher started$" "$tmp/err" \
        || fail "mpi --workers message: $(cat "$tmp/err")"
    [[ $(grep -c contradicts "$tmp/err") -eq 1 ]] || fail "mpi: message printed by more than one rank"
    echo "ok: mpi --workers contradicting the launcher"
    for fault in kill exit; do
        rc=0
        SECONDS=0
        PARSCALE_FAULT="1:$fault" RUN_TIMEOUT=30 ps_run mpi 2 "${LONG[@]}" > "$tmp/out" 2> "$tmp/err" || rc=$?
        # mpiexec passes on the rank's status (7) or 128 + its signal (137);
        # a run ended by our `timeout` would take the full 30 s instead
        [[ $rc -ne 0 && $SECONDS -lt 20 ]] || fail "mpi rank fault $fault: exit $rc after ${SECONDS}s"
        [[ ! -s $tmp/out ]] || fail "mpi rank fault $fault: wrote rows"
        echo "ok: mpi rank fault $fault ends the job (exit $rc)"
    done
    rc=0
    SECONDS=0
    PARSCALE_FAULT=1:hang RUN_TIMEOUT=30 ps_run mpi 2 --timeout 1 "${SHORT[@]}" > "$tmp/out" 2> "$tmp/err" || rc=$?
    [[ $rc -ne 0 && $SECONDS -lt 20 ]] || fail "mpi hang: exit $rc after ${SECONDS}s"
    grep -q "run exceeded --timeout 1 s; worker 1 still in repetition 1$" "$tmp/err" \
        || fail "mpi hang: no message naming rank 1: $(cat "$tmp/err")"
    echo "ok: mpi hang past --timeout ends the job (exit $rc)"
fi
echo "faults: all cases ended cleanly"
