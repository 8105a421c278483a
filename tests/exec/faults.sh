#!/usr/bin/env bash
# parscale-exec when the program fails: a non-zero exit (rows kept with
# verified 0, exit 3), failed output checks, a program killed by a signal,
# one that cannot be started, one that never prints its time (exit 1, no
# rows), a hang past --timeout and SIGTERM to parscale-exec (its whole
# process group ended, even what ignores SIGTERM), processes left behind.
# usage: faults.sh BUILD_DIR
set -euo pipefail
BIN=$1
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/driver.sh
. "$here/../lib/driver.sh"
tmp=$(mktemp -d)
pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do kill -9 "$p" 2> /dev/null || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT
X=$BIN/parscale-exec

ex() {
    local out=$1
    shift
    rc=0
    timeout -k 5 60 "$X" "$@" > "$out" 2> "$out.err" || rc=$?
}
rows() { tail -n +2 "$1" | wc -l; }

# gone PIDFILE... : every pid listed in the files has ended
gone() {
    local f p
    for f in "$@"; do
        [[ -s $f ]] || fail "no pid recorded in $f"
        while read -r p; do
            pids+=("$p")
            for _ in 1 2 3 4 5 6 7 8 9 10; do
                kill -0 "$p" 2> /dev/null || continue 2
                sleep 0.2
            done
            fail "process $p of the program is still running"
        done < "$f"
    done
}

# ---- a non-zero exit: rows kept, verified 0, exit 3, its stdout shown ----------
ex "$tmp/fail.csv" --shell --name fails --reps 3 -- 'echo "solver diverged at step 7"; exit 4'
[[ $rc -eq 3 ]] || fail "non-zero exit: parscale-exec exit $rc, want 3"
[[ $(rows "$tmp/fail.csv") -eq 3 ]] || fail "non-zero exit: not 3 rows"
[[ $(csv_col "$tmp/fail.csv" verified | sort -u) == 0 ]] || fail "non-zero exit: verified is not 0"
grep -q 'repetition 2 failed: exit status 4' "$tmp/fail.csv.err" || fail "non-zero exit: no reason given"
grep -q '> solver diverged at step 7' "$tmp/fail.csv.err" || fail "non-zero exit: its stdout not shown"
grep -q 'fails failed verification in 3 of 3 repetitions' "$tmp/fail.csv.err" || fail "non-zero exit: no summary"
# only repetition 2 fails: the others stay verified
# shellcheck disable=SC2016  # for the program's shell, not this one
ex "$tmp/one.csv" --name one --reps 3 -- sh -c 'test "$1" -ne 2' sh '{rep}'
[[ $rc -eq 3 ]] || fail "one failing repetition: exit $rc"
[[ $(csv_col "$tmp/one.csv" verified | tr -d '\n') == 101 ]] || fail "one failing repetition: verified $(csv_col "$tmp/one.csv" verified | tr '\n' ' ')"
# a failed run with --metric writes its time where it printed one, else wall
ex "$tmp/failm.csv" --shell --name fm --reps 1 --metric 't=([0-9.]+)' -- 'echo t=0.5; exit 1'
[[ $rc -eq 3 && $(csv_col "$tmp/failm.csv" seconds) == 0.5 ]] || fail "failed with a metric: exit $rc, seconds $(csv_col "$tmp/failm.csv" seconds)"
echo "non-zero exit: rows with verified 0, exit 3"

# ---- output checks -------------------------------------------------------------
ex "$tmp/re.csv" --name re --reps 2 --check-regex '^converged$' -- echo 'not converged'
[[ $rc -eq 3 && $(csv_col "$tmp/re.csv" verified | sort -u) == 0 ]] || fail "check-regex mismatch: exit $rc"
ex "$tmp/re.csv" --name re --reps 2 --check-regex '^converged$' -- printf 'x\nconverged\n'
[[ $rc -eq 0 ]] || fail "check-regex match: exit $rc"
ex "$tmp/cc.csv" --name cc --reps 2 --check-cmd "grep -q 'sum ok'" -- echo 'sum WRONG'
[[ $rc -eq 3 ]] || fail "check-cmd failing: exit $rc"
grep -q -- '--check-cmd exited 1' "$tmp/cc.csv.err" || fail "check-cmd failing: no reason"
ex "$tmp/cc.csv" --name cc --reps 2 --check-cmd "grep -q 'sum ok'" -- echo 'sum ok'
[[ $rc -eq 0 ]] || fail "check-cmd passing: exit $rc"
ex "$tmp/cc.csv" --name cc --reps 1 --from stderr --check-regex '^ok$' --shell -- 'echo ok >&2'
[[ $rc -eq 0 ]] || fail "check-regex on stderr: exit $rc"
echo "output checks: --check-regex and --check-cmd decide verified"

# ---- no rows at all: cannot start, killed, no time reported -----------------------
ex "$tmp/nf.csv" --name nf -- "$tmp/no-such-program" a b
[[ $rc -eq 1 && ! -s $tmp/nf.csv ]] || fail "missing program: exit $rc, stdout $(wc -c < "$tmp/nf.csv") bytes"
grep -q "warm-up 1: cannot run the program '$tmp/no-such-program': No such file or directory" "$tmp/nf.csv.err" \
    || fail "missing program: $(cat "$tmp/nf.csv.err")"
ex "$tmp/kill.csv" --shell --name killed --warmup 0 -- 'kill -SEGV $$'
[[ $rc -eq 1 && ! -s $tmp/kill.csv ]] || fail "killed program: exit $rc"
grep -q 'repetition 1: the program was killed by signal 11' "$tmp/kill.csv.err" || fail "killed program: $(cat "$tmp/kill.csv.err")"
ex "$tmp/nometric.csv" --name nm --metric 'time: ([0-9.]+)' -- echo 'time: soon'
[[ $rc -eq 1 && ! -s $tmp/nometric.csv ]] || fail "no time reported: exit $rc"
grep -q "repetition 1: --metric 'time: (\[0-9.\]+)' matched nothing in stdout" "$tmp/nometric.csv.err" \
    || fail "no time reported: $(cat "$tmp/nometric.csv.err")"
ex "$tmp/zero.csv" --name z --metric 'time: ([0-9.]+)' -- echo 'time: 0.000'
if [[ $rc -ne 1 ]] || ! grep -q "the program's time '0.000' is not a number above 0" "$tmp/zero.csv.err"; then
    fail "zero time: exit $rc: $(cat "$tmp/zero.csv.err")"
fi
echo "not started, killed, no time: exit 1, no rows"

# ---- a hang past --timeout: the whole process group ends, even what ignores TERM ---
hang="trap '' TERM; echo \$\$ > $tmp/hang.pids; sleep 60 & echo \$! >> $tmp/hang.pids; wait"
start=$(date +%s.%N)
ex "$tmp/hang.csv" --shell --name hang --timeout 1 --warmup 0 -- "$hang"
took=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
[[ $rc -eq 1 && ! -s $tmp/hang.csv ]] || fail "timeout: exit $rc"
grep -q "run exceeded --timeout 1 s in repetition 1; ended the program's process group" "$tmp/hang.csv.err" \
    || fail "timeout: $(cat "$tmp/hang.csv.err")"
awk -v t="$took" 'BEGIN { exit !(t < 8) }' || fail "timeout: took $took s (want --timeout 1 + 2 s grace)"
gone "$tmp/hang.pids"
echo "timeout: exit 1 after ${took}s, the program and its child ended"

# ---- SIGTERM to parscale-exec ends the program's group, exit 1, no rows -----------
timeout -k 5 60 "$X" --shell --name term --warmup 0 -- "echo \$\$ > $tmp/term.pids; sleep 60 & echo \$! >> $tmp/term.pids; wait" \
    > "$tmp/term.csv" 2> "$tmp/term.err" &
xpid=$!
for _ in $(seq 50); do [[ $(wc -l 2> /dev/null < "$tmp/term.pids" || echo 0) -ge 2 ]] && break; sleep 0.1; done
kill -TERM "$xpid"
rc=0
wait "$xpid" || rc=$?
[[ $rc -eq 1 && ! -s $tmp/term.csv ]] || fail "SIGTERM: exit $rc"
grep -q 'interrupted by Terminated in repetition 1' "$tmp/term.err" || fail "SIGTERM: $(cat "$tmp/term.err")"
gone "$tmp/term.pids"
echo "SIGTERM: exit 1, the program's group ended"

# ---- what a program leaves running in its group is ended, and said ---------------
ex "$tmp/left.csv" --shell --name left --reps 1 --warmup 0 -- "sleep 60 & echo \$! > $tmp/left.pids"
[[ $rc -eq 0 ]] || fail "left behind: exit $rc"
grep -q 'repetition 1 left processes running in its process group; ended them' "$tmp/left.csv.err" \
    || fail "left behind: not said"
gone "$tmp/left.pids"
echo "left behind: ended and said"
