#!/usr/bin/env bash
# One owner per run folder: a second sweep, resume or collect on a folder in
# use exits 2 with one line naming the owner and changes nothing; two sweeps
# started together on one new (or empty) --out give exactly one winner,
# whose rows are complete; an owner killed with SIGKILL leaves no lock
# behind. Nothing here depends on how fast the machine is: the second
# process is started only once the first holds the folder, or both at once
# with either order allowed.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
setup "$@"

readonly OWNER_RE="is in use by sweep\.sh .*\(pid [0-9]+ on [^ ]+ since [0-9T:Z-]+\)"
pids=()

# slow_sweep OUT: a sweep of one run that waits 20 s (sleep items: wall
# time, however fast the machine), started in the background; returns once
# it owns OUT and its run has started. Sets PID.
slow_sweep() {
	local out=$1 i
	setsid timeout 120 "$SWEEP" --build "$BUILD" --kernels sleep --drivers serial \
		--size sleep=400 --param sleep:wait_us=50000 --reps 1 --warmup 0 \
		--timeout 60 --no-probe --no-plot --out "$out" >/dev/null 2>"$WORK/slow.err" &
	PID=$!
	for ((i = 0; i < 1200; i++)); do
		[[ ! -s $out/.owner || ! -e $out/.runs/run.err ]] || return 0
		sleep 0.05
	done
	fail "the sweep into '$out' never started its run"
}

# 1. A folder in use: a new sweep, a resume and a collect of it are turned
#    away, naming the owner; the owner is not disturbed (it is then
#    stopped: its run would take 20 s).
out="$WORK/busy"
slow_sweep "$out"
sum=$(folder_sum "$out")
refused "$OWNER_RE" "$SWEEP" --build "$BUILD" --kernels sqrtpow --drivers serial --no-probe --no-plot --out "$out"
refused "$OWNER_RE" "$SWEEP" --resume "$out" --no-plot
refused "$OWNER_RE" "$SWEEP" --collect "$out"
[[ $sum == "$(folder_sum "$out")" ]] || fail "a refused process changed the folder in use"
kill -TERM -- "-$PID"
rc=0
wait "$PID" || rc=$?
[[ $rc == 143 ]] || fail "the owner exited $rc after SIGTERM, want 143 ($(tail -n 1 "$WORK/slow.err"))"
grep -q 'is in use' "$WORK/slow.err" && fail "the owner was disturbed: $(cat "$WORK/slow.err")"

# 2. Two sweeps started together on one new folder, and on one empty
#    folder: one finishes, the other exits 2 (owner named, or the folder
#    already written), and the winner's rows are complete.
for kind in new empty; do
	for trial in 1 2 3; do
		out="$WORK/race-$kind-$trial"
		[[ $kind == new ]] || mkdir "$out"
		rc1=0 rc2=0
		for i in 1 2; do
			timeout 120 "$SWEEP" --build "$BUILD" --kernels sqrtpow,triad --drivers serial,pthread \
				--workers 1,2 --size "$TINY_SIZES" --reps 2 --warmup 0 --no-probe --no-plot \
				--out "$out" >/dev/null 2>"$WORK/race$i.err" &
			pids[i]=$!
		done
		wait "${pids[1]}" || rc1=$?
		wait "${pids[2]}" || rc2=$?
		# either may win; the other exits 2 with one line: the folder is in
		# use (owner named) or already written
		if ((rc1 == 0)); then loser=2 rc=$rc2; else loser=1 rc=$rc1; fi
		((rc1 == 0 || rc2 == 0)) || fail "$kind race $trial: neither sweep finished ($rc1, $rc2)"
		[[ $rc == 2 && $(wc -l <"$WORK/race$loser.err") == 1 ]] ||
			fail "$kind race $trial: the loser exited $rc with: $(cat "$WORK/race$loser.err")"
		grep -Eq "$OWNER_RE|is not empty" "$WORK/race$loser.err" ||
			fail "$kind race $trial: the loser said: $(cat "$WORK/race$loser.err")"
		check_complete "$out" 2
		[[ $(($(wc -l <"$out/status.csv") - 1)) == $(($(wc -l <"$out/plan.txt") - 1)) ]] ||
			fail "$kind race $trial: status.csv does not list each configuration once"
	done
done

# 3. An owner killed with SIGKILL holds nothing: the next one gets the
#    folder (collect: nothing to collect, one configuration missing: 1).
out="$WORK/killed"
slow_sweep "$out"
kill -KILL -- "-$PID" 2>/dev/null || true
wait "$PID" 2>/dev/null || true
rc=0
timeout 60 "$SWEEP" --collect "$out" >/dev/null 2>"$WORK/collect.err" || rc=$?
if [[ $rc != 1 ]] || ! grep -q '1 missing' "$WORK/collect.err"; then
	fail "collect after the owner's SIGKILL exited $rc: $(cat "$WORK/collect.err")"
fi

# 4. A refused process changed nothing: the folder's files are as before.
out="$WORK/race-new-1"
sum=$(folder_sum "$out")
refused "exists and is not empty" "$SWEEP" --build "$BUILD" --kernels sqrtpow --no-probe --no-plot --out "$out"
[[ $sum == "$(folder_sum "$out")" ]] || fail "a refused sweep changed the folder"
printf '%s: ok\n' "$TEST_NAME"
