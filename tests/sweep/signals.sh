#!/usr/bin/env bash
# SIGINT and SIGTERM stop a running sweep cleanly, and --resume finishes it.
# Three ways: SIGINT to the sweep alone, SIGTERM to the sweep alone, SIGINT
# to its whole process group (Ctrl-C in a terminal). Each time, struck
# while a driver runs: the sweep exits 130 / 143 saying how to resume,
# raw.csv holds only whole rows, no process of the sweep is left, and
# --resume then completes every configuration × repetition exactly once.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
setup "$@"

readonly REPS=2
drivers=serial,pthread
[[ -x $BUILD/parscale-fork ]] && drivers+=,fork

# gone SID: true once no process of session SID is left (waits up to 5 s).
gone() {
	local i
	for ((i = 0; i < 50; i++)); do
		pgrep -s "$1" >/dev/null || return 0
		sleep 0.1
	done
	return 1
}

# strike NAME SIGNAL TARGET: run a sweep, send SIGNAL to the sweep (TARGET
# "pid") or its process group ("group") while a driver runs, and check.
strike() {
	local name=$1 sig=$2 target=$3 out="$WORK/$1" pid rc=0 want i
	# sleep items of 20 ms: each run lasts long enough to be struck inside.
	setsid timeout 120 "$SWEEP" --build "$BUILD" --kernels sleep,sqrtpow --drivers "$drivers" \
		--workers 1,2 --size sqrtpow=20k,sleep=8 --param sleep:wait_us=20000 \
		--reps "$REPS" --warmup 0 --timeout 20 --no-probe --no-plot \
		--out "$out" >/dev/null 2>"$WORK/$name.err" &
	pid=$!
	# strike once two configurations are recorded and a third is running
	for ((i = 0; i < 400; i++)); do
		if [[ -f $out/status.csv ]] && (($(wc -l <"$out/status.csv") >= 3)) &&
			compgen -G "$out/.runs/*.err" >/dev/null; then
			break
		fi
		sleep 0.02
	done
	((i < 400)) || fail "$name: the sweep never got two configurations done"
	# timeout(1) is the session leader; the sweep is its child
	if [[ $target == group ]]; then
		kill "-$sig" -- "-$pid" || fail "$name: the sweep ended before the signal"
	else
		kill "-$sig" "$(pgrep -P "$pid" -f sweep.sh)" || fail "$name: no sweep to signal"
	fi
	wait "$pid" || rc=$?
	want=$((128 + $(kill -l "$sig")))
	((rc == want)) || fail "$name: exit $rc after SIG$sig, expected $want ($(tail -n 1 "$WORK/$name.err"))"
	grep -q "^sweep.sh: interrupted by SIG$sig; finish with: .* --resume " "$WORK/$name.err" ||
		fail "$name: no 'interrupted by SIG$sig; finish with: ... --resume DIR' message"
	gone "$pid" || fail "$name: processes left after the sweep ended: $(pgrep -a -s "$pid" | head -n 3)"
	if [[ -f $out/raw.csv ]]; then
		[[ -z $(tail -c 1 "$out/raw.csv") ]] || fail "$name: raw.csv ends inside a row"
		awk -F, 'NR == 1 { nf = NF } NF != nf { exit 1 }' "$out/raw.csv" ||
			fail "$name: raw.csv has a row with the wrong field count"
	fi
	local total done_before
	total=$(($(wc -l <"$out/plan.txt") - 1))
	done_before=$(($(wc -l <"$out/status.csv") - 1))
	((done_before < total)) || fail "$name: the sweep finished before the signal"

	timeout 120 "$SWEEP" --resume "$out" --no-plot >/dev/null 2>"$WORK/$name.resume.err" ||
		fail "$name: resume exited $? ($(tail -n 1 "$WORK/$name.resume.err"))"
	check_complete "$out" "$REPS"
	[[ $(($(wc -l <"$out/status.csv") - 1)) == "$total" ]] ||
		fail "$name: status.csv does not list each configuration once"
	printf '%s: %s ok (struck after %d of %d configurations)\n' "$TEST_NAME" "$name" "$done_before" "$total"
}

strike int INT pid
strike term TERM pid
strike ctrl-c INT group
