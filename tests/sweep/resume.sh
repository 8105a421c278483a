#!/usr/bin/env bash
# A sweep killed with SIGKILL halfway and then resumed ends with every
# configuration × repetition exactly once. Rows of a run that was not
# recorded as complete (here: planted, as if the kill struck between
# appending rows and recording the run) and a torn last line are dropped.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
setup "$@"

readonly REPS=2
out="$WORK/run"
drivers=serial,pthread
[[ -x $BUILD/parscale-fork ]] && drivers+=,fork

# sleep items of 20 ms make each run last long enough to be killed inside.
setsid timeout 120 "$SWEEP" --build "$BUILD" --kernels sleep,sqrtpow --drivers "$drivers" \
	--workers 1,2,3 --size "$TINY_SIZES,sleep=8" --param sleep:wait_us=20000 \
	--reps "$REPS" --warmup 0 --timeout 20 --no-probe --no-plot --shuffle \
	--out "$out" >/dev/null 2>"$WORK/first.err" &
pid=$!

# Kill the whole process group once a few configurations are recorded.
for ((i = 0; i < 200; i++)); do
	if [[ -f $out/status.csv ]] && (($(wc -l <"$out/status.csv") >= 4)); then
		break
	fi
	sleep 0.05
done
kill -KILL -- "-$pid" 2>/dev/null || fail "the sweep ended before it could be killed"
wait "$pid" 2>/dev/null || true
total=$(($(wc -l <"$out/plan.txt") - 1))
done_before=$(($(wc -l <"$out/status.csv") - 1))
((done_before < total)) || fail "the sweep finished before it was killed"

# Plant rows of a configuration not yet complete, and a torn line.
victim=$(awk -F, 'NR == FNR { if (FNR > 1) done[$2] = 1; next }
	FNR > 1 && !($2 in done) { print $2; exit }' "$out/status.csv" "$out/plan.txt")
[[ -n $victim ]] || fail "no incomplete configuration left to plant rows for"
if [[ -s $out/raw.csv ]]; then
	row=$(awk -F, -v id="$victim" 'NR == 2 { $1 = id; print; exit }' OFS=, "$out/raw.csv")
	[[ -z $row ]] || printf '%s\n' "$row" >>"$out/raw.csv"
	printf '%s,sleep,pthr' "$victim" >>"$out/raw.csv"
fi
printf 'sleep:pthread:strong:8:1,%s,sleep,pthr' "$victim" >>"$out/status.csv"

# A dry run of the resume names what is left and changes nothing.
sum_before=$(cd "$out" && cat raw.csv status.csv 2>/dev/null | md5sum)
timeout 30 "$SWEEP" --resume "$out" --dry-run >"$WORK/plan.out" 2>&1 ||
	fail "resume --dry-run exited $?"
grep -q "^# resuming .*: $((total - done_before)) of $total configurations left" "$WORK/plan.out" ||
	fail "resume --dry-run does not say what is left: $(head -n 1 "$WORK/plan.out")"
[[ $sum_before == "$(cd "$out" && cat raw.csv status.csv 2>/dev/null | md5sum)" ]] ||
	fail "resume --dry-run changed the folder"

timeout 120 "$SWEEP" --resume "$out" --no-plot >/dev/null 2>"$WORK/resume.err" ||
	fail "resume exited $? ($(tail -n 1 "$WORK/resume.err"))"
check_complete "$out" "$REPS"
[[ $(($(wc -l <"$out/status.csv") - 1)) == "$total" ]] || fail "status.csv does not list each configuration once"
dups=$(awk -F, 'NR > 1 { print $2 }' "$out/status.csv" | sort | uniq -d | wc -l)
[[ $dups == 0 ]] || fail "status.csv lists a configuration twice"

# Resuming a finished sweep runs nothing and changes no row.
before=$(keys "$out/raw.csv")
timeout 30 "$SWEEP" --resume "$out" --no-plot >/dev/null 2>&1 || fail "second resume exited $?"
[[ $before == "$(keys "$out/raw.csv")" ]] || fail "a second resume changed raw.csv"
printf '%s: ok (killed after %d of %d configurations)\n' "$TEST_NAME" "$done_before" "$total"
