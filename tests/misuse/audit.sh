#!/usr/bin/env bash
# --resume audits a run folder before it trusts it. From one finished sweep,
# copies are damaged the ways a cluster week damages them:
# - rows missing from raw.csv (a row gone, the file emptied, a cut last
#   line) although status.csv says ok: said on stderr, rerun, complete;
# - plan.txt, settings.txt, status.csv or raw.csv with a line that no sweep
#   writes (repeated, cut, removed, edited, unknown key, bad value): refused
#   with FILE:LINE, exit 2, the folder unchanged;
# - a different build or environment: refused, unless
#   --allow-changed-build, which is then recorded.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
setup "$@"

base="$WORK/base"
tiny_sweep "$base"
n=0

# copy NAME: a fresh copy of the finished sweep; sets D.
copy() {
	D="$WORK/$1"
	cp -a -- "$base" "$D"
	n=$((n + 1))
}

# resumes D WANT_RE: --resume D completes, saying WANT_RE on stderr.
resumes() {
	timeout 120 "$SWEEP" --resume "$D" --no-plot >/dev/null 2>"$WORK/resume.err" ||
		fail "$D: resume exited $? ($(tail -n 1 "$WORK/resume.err"))"
	grep -Eq -- "$1" "$WORK/resume.err" || fail "$D: resume did not say /$1/: $(cat "$WORK/resume.err")"
	check_complete "$D" 2
}

# refuses D WANT_RE [ARG...]: --resume D is refused with WANT_RE and D is
# unchanged.
refuses() {
	local sum
	sum=$(folder_sum "$D")
	refused "$2" "$SWEEP" --resume "$1" --no-plot "${@:3}"
	[[ $sum == "$(folder_sum "$D")" ]] || fail "$D: a refused resume changed the folder"
}

# line N FILE: line N of FILE.
line() {
	sed -n "$1p" "$2"
}

# ---- rows missing although status.csv says ok: rerun, and said
copy row-gone
victim=$(line 4 "$D/status.csv" | cut -d, -f2)
awk -F, -v v="$victim" '$1 == v && !done { done = 1; next } 1' "$D/raw.csv" >"$WORK/raw" && cat "$WORK/raw" >"$D/raw.csv"
timeout 30 "$SWEEP" --resume "$D" --dry-run >"$WORK/dry" 2>&1 || fail "dry run exited $?"
grep -q "^# resuming .*: 1 of 6 configurations left" "$WORK/dry" || fail "dry run: $(head -n 3 "$WORK/dry")"
resumes "configuration $victim is marked ok in status.csv but raw.csv has 1 of its 2 rows; running it again"

copy raw-emptied
: >"$D/raw.csv"
resumes "marked ok in status.csv but raw.csv has 0 of its 2 rows"
[[ $(grep -c 'running it again' "$WORK/resume.err") == 6 ]] || fail "raw-emptied: not every configuration was said"

copy raw-cut
truncate -s -5 "$D/raw.csv"
resumes "dropping the cut last line of '.*raw.csv'"

# ---- plan.txt
copy plan-repeated
sed -i '3p' "$D/plan.txt"
refuses "$D" "plan\.txt:4: configuration 2 where 3 belongs"
copy plan-cut
truncate -s -3 "$D/plan.txt"
refuses "$D" "plan\.txt:7: cut line"
copy plan-line-lost
sed -i '$d' "$D/plan.txt"
refuses "$D" "plan\.txt: lists 5 configurations; settings\.txt recorded 6"
copy plan-line-dropped
sed -i '3d' "$D/plan.txt"
refuses "$D" "plan\.txt:3: configuration 3 where 2 belongs"
copy plan-edited-workers
sed -i '4s/,2$/,3/' "$D/plan.txt"
refuses "$D" "plan\.txt:4: run id .* does not name this configuration"
copy plan-edited-size
sed -i '3s/,20k,/,21k,/' "$D/plan.txt"
refuses "$D" "plan\.txt: differs from the plan this sweep recorded"

# ---- settings.txt
copy settings-key
printf 'colour=blue\n' >>"$D/settings.txt"
refuses "$D" "settings\.txt:[0-9]+: unknown key 'colour'"
copy settings-twice
printf 'reps=3\n' >>"$D/settings.txt"
refuses "$D" "settings\.txt:[0-9]+: 'reps' given twice \(first at line [0-9]+\)"
copy settings-value
sed -i 's/^warmup=.*/warmup=lots/' "$D/settings.txt"
refuses "$D" "settings\.txt:[0-9]+: bad warmup 'lots'"
copy settings-garbage
printf 'just words\n' >>"$D/settings.txt"
refuses "$D" "settings\.txt:[0-9]+: not KEY=VALUE"

# ---- status.csv
copy status-state
sed -i '3s/,ok,/,okay,/' "$D/status.csv"
refuses "$D" "status\.csv:3: bad state okay"
copy status-twice
sed -i '3p' "$D/status.csv"
refuses "$D" "status\.csv:4: run id .* listed twice \(first at line 3\)"
copy status-foreign
extra=$(line 3 "$D/status.csv" | sed 's/-w[0-9]*,/-w9,/')
printf '%s\n' "$extra" >>"$D/status.csv"
refuses "$D" "status\.csv:8: run id .* is not in plan\.txt"
copy status-mismatch
sed -i '3s/^\([a-z]*\):\([a-z]*\):strong:/\1:\2:weak:/' "$D/status.csv"
refuses "$D" "status\.csv:3: configuration .* does not match plan\.txt"

# ---- raw.csv
copy raw-torn-inside
sed -i '3s/,[^,]*$//' "$D/raw.csv"
refuses "$D" "raw\.csv:3: want [0-9]+ fields, found [0-9]+"
copy raw-foreign
extra=$(line 2 "$D/raw.csv" | sed 's/^[^,]*,/someone-else,/')
printf '%s\n' "$extra" >>"$D/raw.csv"
refuses "$D" "raw\.csv:[0-9]+: rows of run id someone-else, which is not in plan\.txt"

# ---- the build and environment
copy build-changed
sed -i 's/^\(binary_parscale-serial=\).*/\10000/' "$D/build.txt"
refuses "$D" "the build or environment differs .*binary_parscale-serial changed.*--allow-changed-build"
sed -i '$d' "$D/status.csv"   # one configuration left to run
timeout 120 "$SWEEP" --resume "$D" --no-plot --allow-changed-build >/dev/null 2>"$WORK/resume.err" ||
	fail "resume --allow-changed-build exited $? ($(tail -n 1 "$WORK/resume.err"))"
grep -q 'going on with a changed build' "$WORK/resume.err" || fail "the change was not said: $(cat "$WORK/resume.err")"
grep -q '^build_changed=.*binary_parscale-serial changed' "$D/meta.txt" || fail "meta.txt does not record the change"
grep -q '^binary_parscale-serial=0000$' "$D/build.txt" && fail "build.txt still names the old build"
check_complete "$D" 2

copy env-changed
export OMP_PROC_BIND=close
refuses "$D" "env_OMP_PROC_BIND was unset, now 'close'"
unset OMP_PROC_BIND
printf '%s: ok (%d damaged folders)\n' "$TEST_NAME" "$n"
