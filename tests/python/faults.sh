#!/usr/bin/env bash
# Faults end the Python drivers' runs cleanly, as the C drivers': a worker
# process killed from outside or by an injected fault (PARSCALE_FAULT,
# test-only), a hang past --timeout, SIGTERM to the driver, a failed
# verification.  Each must give the right exit code and one message, no CSV
# rows unless the run finished, and leave no process behind: every process
# the driver started (its children and theirs, found by ppid, never by
# name) must be gone.  Every run is bounded by `timeout`.
# usage: faults.sh BUILD_DIR
set -euo pipefail
BIN=$1
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/driver.sh
. "$here/../lib/driver.sh"
[[ -x $BIN/parscale-py-thread ]] || { echo "the Python drivers are not built: skipping"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
LONG=(--kernel sleep --size 3000 --param wait_us=1000 --param spin=0 --warmup 0 --reps 5)
SHORT=(--kernel sleep --size 300 --param wait_us=1000 --param spin=0 --warmup 0 --reps 5)
PROCS=()
for d in py-fork py-spawn py-forkserver; do
    [[ -x $BIN/parscale-$d ]] && PROCS+=("$d")
done

# descendants PID : every process below PID (children, theirs, ...)
descendants() {
    local p
    for p in $(ps -o pid= --ppid "$1"); do
        echo "$p"
        descendants "$p"
    done
}

# assert_gone PIDS... : each has ended (a zombie waiting for init counts as
# ended).  Allow 5 s: multiprocessing's resource tracker and fork server
# leave when the driver's pipes close, and a fork server's workers die with
# it (seen: 1-2 s on a loaded 2-core machine).
assert_gone() {
    local p state
    for p in "$@"; do
        for _ in $(seq 100); do
            state=$(ps -o stat= -p "$p" 2> /dev/null || true)
            [[ -z $state || $state == Z* ]] && break
            sleep 0.05
        done
        [[ -z $state || $state == Z* ]] || fail "process $p ($(ps -o args= -p "$p")) outlived the driver"
    done
}

# expect_fail LABEL CODE REGEX : check $rc, the last stderr line, empty stdout
expect_fail() {
    [[ $rc -eq $2 ]] || fail "$1: exit $rc, want $2; stderr: $(cat "$tmp/err")"
    grep -v ' warning: ' "$tmp/err" > "$tmp/msg" || true
    [[ $(wc -l < "$tmp/msg") -eq 1 ]] || fail "$1: not one message: $(cat "$tmp/err")"
    grep -Eq "$3" "$tmp/msg" || fail "$1: message not /$3/: $(cat "$tmp/msg")"
    [[ ! -s $tmp/out ]] || fail "$1: wrote rows to stdout"
    echo "ok: $1"
}

# start_bg DRIVER WORKERS ARGS... : the driver with WORKERS workers in the
# background; returns once they all run, with the driver's pid in $driver
# and its workers' pids in $workers (its descendants that map the run's
# arena: fork's children all do; multiprocessing's resource tracker and
# fork server do not).
start_bg() {
    local d=$1 n=$2 p
    shift 2
    "$BIN/parscale-$d" --workers "$n" "$@" > "$tmp/out" 2> "$tmp/err" &
    driver=$!
    # a guard that kills a driver still running after 40 s; stopped, it
    # takes its sleep with it (an orphaned sleep would outlive the test)
    (
        trap 'kill "$nap" 2> /dev/null; exit 0' TERM
        sleep 40 &
        nap=$!
        wait "$nap" && kill -KILL "$driver" 2> /dev/null
    ) > /dev/null 2>&1 &
    guard=$!
    for _ in $(seq 300); do
        workers=()
        for p in $(descendants "$driver"); do
            if [[ $d == py-fork ]] && [[ $(ps -o ppid= -p "$p" | tr -d ' ') == "$driver" ]]; then
                workers+=("$p")
            elif grep -q 'parscale-arena' "/proc/$p/maps" 2> /dev/null; then
                workers+=("$p")
            fi
        done
        [[ ${#workers[@]} -ge $n ]] && return 0
        sleep 0.05
    done
    fail "$d never had $n worker processes"
}

stop_guard() { kill "$guard" 2> /dev/null || true; wait "$guard" 2> /dev/null || true; }

# 0. A malformed fault spec is refused, so no test here injects nothing.
rc=0
PARSCALE_FAULT=3:kill timeout 30 "$BIN/parscale-py-fork" --workers 3 "${SHORT[@]}" \
    > "$tmp/out" 2> "$tmp/err" || rc=$?
expect_fail "PARSCALE_FAULT=3:kill refused" 2 "^parscale-py-fork: PARSCALE_FAULT must be RANK:KIND"

for d in "${PROCS[@]}"; do
    # 1. A worker process killed from outside; everything the driver
    # started is gone afterwards.
    start_bg "$d" 3 "${LONG[@]}"
    mapfile -t all < <(descendants "$driver")
    victim=${workers[1]}
    kill -KILL "$victim"
    rc=0
    wait "$driver" || rc=$?
    stop_guard
    expect_fail "$d worker killed by SIGKILL" 1 \
        "^parscale-$d: worker [0-9] \\(pid $victim\\) was killed by signal 9 \\(Killed\\); ended the other workers$"
    assert_gone "${all[@]}"

    # 2. SIGTERM to the driver.
    start_bg "$d" 3 "${LONG[@]}"
    mapfile -t all < <(descendants "$driver")
    kill -TERM "$driver"
    rc=0
    wait "$driver" || rc=$?
    stop_guard
    expect_fail "$d driver got SIGTERM" 1 "^parscale-$d: interrupted by signal 15 \\(Terminated\\); ended [0-9]+ workers$"
    assert_gone "${all[@]}"

    # 2b. SIGKILL to the driver itself: its workers die with it
    # (PR_SET_PDEATHSIG), multiprocessing's helpers when its pipes close.
    start_bg "$d" 3 "${LONG[@]}"
    mapfile -t all < <(descendants "$driver")
    kill -KILL "$driver"
    wait "$driver" 2> /dev/null || true
    stop_guard
    assert_gone "${all[@]}"
    echo "ok: $d driver killed: nothing left behind"

    # 3. Injected faults in worker 2: its own SIGKILL, exit(7), SIGSEGV.
    for fault in "kill|was killed by signal 9" "exit|exited with status 7" \
                 "segv|was killed by signal 11"; do
        rc=0
        PARSCALE_FAULT="2:${fault%%|*}" ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}handle_segv=0" \
            timeout -k 5 30 "$BIN/parscale-$d" --workers 3 "${SHORT[@]}" > "$tmp/out" 2> "$tmp/err" || rc=$?
        expect_fail "$d fault ${fault%%|*}" 1 "^parscale-$d: worker 2 \\(pid [0-9]+\\) ${fault#*|}"
    done

    # 4. A worker that never returns: --timeout names it.
    start=$(date +%s)
    rc=0
    PARSCALE_FAULT=1:hang timeout -k 5 30 "$BIN/parscale-$d" --workers 3 --timeout 2 "${SHORT[@]}" \
        > "$tmp/out" 2> "$tmp/err" || rc=$?
    expect_fail "$d hang past --timeout" 1 \
        "^parscale-$d: run exceeded --timeout 2 s; worker 1 still in repetition 1 \\(the other 2 were further on\\)$"
    [[ $(($(date +%s) - start)) -lt 15 ]] || fail "$d --timeout took too long"
done

# 5. Threads: a run that is too long, and a worker that never returns.
rc=0
timeout -k 5 30 "$BIN/parscale-py-thread" --workers 2 --timeout 0.5 "${LONG[@]}" \
    > "$tmp/out" 2> "$tmp/err" || rc=$?
expect_fail "py-thread --timeout" 1 "^parscale-py-thread: run exceeded --timeout 0.5 s; workers? [0-9, ]+ still in repetition 1"
rc=0
PARSCALE_FAULT=2:hang timeout -k 5 30 "$BIN/parscale-py-thread" --workers 3 --timeout 1 "${SHORT[@]}" \
    > "$tmp/out" 2> "$tmp/err" || rc=$?
expect_fail "py-thread worker hangs" 1 \
    "^parscale-py-thread: run exceeded --timeout 1 s; worker 2 still in repetition 1 \\(the other 2 were further on\\)$"

# 6. A failed verification keeps its rows and exits 3, in both forms.
for d in py-thread "${PROCS[@]}"; do
    for impl in c python; do
        rc=0
        PARSCALE_FAULT=1:skip timeout -k 5 30 "$BIN/parscale-$d" --workers 3 --kernel sqrtpow \
            --size 30000 --param "impl=$impl" --warmup 0 --reps 1 > "$tmp/out" 2> "$tmp/err" || rc=$?
        [[ $rc -eq 3 ]] || fail "$d impl=$impl skipped share: exit $rc, want 3: $(cat "$tmp/err")"
        [[ $(wc -l < "$tmp/out") -eq 2 && $(csv_col "$tmp/out" verified) == 0 ]] ||
            fail "$d impl=$impl skipped share: want the header and one row with verified=0"
        grep -q "^parscale-$d: sqrtpow failed verification" "$tmp/err" || fail "$d impl=$impl: no message"
    done
done
echo "ok: failed verification exits 3 with its rows"
echo "python faults: all as expected"
