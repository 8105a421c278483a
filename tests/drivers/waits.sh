#!/usr/bin/env bash
# Waits cost what they ask for: workers run with a timer slack of 1 ns
# (read from /proc while they wait), and the sleep kernel with wait_us=0
# makes no sleeping system call at all (counted with strace, where the
# machine has it).  Nothing here is timed.
# usage: waits.sh BUILD_DIR
set -euo pipefail
BIN=$1
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/driver.sh
. "$here/../lib/driver.sh"
tmp=$(mktemp -d)
pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2> /dev/null || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT
LONG=(--kernel sleep --size 3000 --param wait_us=1000 --param spin=0 --reps 1 --warmup 0)

# children PID : PID's children, one per line
children() { ps -o pid= --ppid "$1" | tr -d ' '; }

# wait_children PID N : PID's children once it has N (bounded wait)
wait_children() {
    local kids=()
    for _ in $(seq 100); do
        mapfile -t kids < <(children "$1")
        [[ ${#kids[@]} -ge $2 ]] && break
        sleep 0.05
    done
    [[ ${#kids[@]} -ge $2 ]] || fail "pid $1 never had $2 children"
    printf '%s\n' "${kids[@]}"
}

# slack_of PID : PID's timer slack once it has become a worker (bounded wait)
slack_of() {
    local s=""
    for _ in $(seq 100); do
        s=$(cat "/proc/$1/timerslack_ns" 2> /dev/null || true)
        [[ $s == 1 ]] && break
        sleep 0.05
    done
    echo "$s"
}

# 1. The serial worker is the process; fork workers are its children.
# (timeout runs each driver as its child.)
timeout 30 "$BIN/parscale-serial" "${LONG[@]}" > /dev/null 2>&1 &
pids+=("$!")
serial=$(wait_children "$!" 1)
[[ $(slack_of "$serial") == 1 ]] || fail "serial worker timer slack is not 1 ns"
echo "ok: serial worker runs with 1 ns timer slack"
if [[ -x $BIN/parscale-fork ]]; then
    timeout 30 "$BIN/parscale-fork" --workers 2 "${LONG[@]}" > /dev/null 2>&1 &
    pids+=("$!")
    parent=$(wait_children "$!" 1)
    mapfile -t kids < <(wait_children "$parent" 2)
    for k in "${kids[@]}"; do
        [[ $(slack_of "$k") == 1 ]] || fail "fork worker $k: timer slack is not 1 ns"
    done
    echo "ok: fork workers run with 1 ns timer slack"
fi

# 2. wait_us=0 makes no sleeping call; wait_us>0 one per item.
if command -v strace > /dev/null; then
    for d in serial pthread fork; do
        [[ -x $BIN/parscale-$d ]] || continue
        w=2
        [[ $d == serial ]] && w=1
        for wait in 0 50; do
            # LeakSanitizer cannot run under ptrace; leaks are checked elsewhere
            ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
                timeout 60 strace -f -qq -e trace=clock_nanosleep,nanosleep -o "$tmp/trace" \
                "$BIN/parscale-$d" --workers "$w" --kernel sleep --size 20 --param wait_us="$wait" \
                --param spin=0 --reps 2 --warmup 1 > /dev/null 2> "$tmp/err" || fail "$d under strace: $(cat "$tmp/err")"
            calls=$(grep -c 'nanosleep(' "$tmp/trace" || true)
            want=0
            [[ $wait -gt 0 ]] && want=60    # 20 items x 3 repetitions
            [[ $calls -eq $want ]] || fail "$d sleep wait_us=$wait: $calls sleeping calls, want $want"
        done
        echo "ok: $d sleeps once per item, never for wait_us=0"
    done
else
    echo "note: no strace here: the sleeping calls are not counted"
fi
echo "waits: all as expected"
