#!/usr/bin/env bash
# Any folder name mkdir accepts works as a run folder: a leading dash,
# spaces, quotes, a newline-free shell metacharacter soup, non-ASCII. For
# each, given as a relative path: a sweep, a dry-run resume, a resume after
# a configuration is made to run again, and a prepared folder run as a task
# and collected; every time complete rows and no stray files beside it.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
setup "$@"

# shellcheck disable=SC2016  # the $( ) and backquotes are part of a name
names=(-dash "--double" "with space" "quote'and\"dq" 'dollar$(echo no)`x`' 'glob*?[a]' "café ü" "a=b" " lead")
cd "$WORK"
# entries: how many names WORK holds.
entries() {
	local -a e=("$WORK"/* "$WORK"/.[!.]*)
	local n=0 f
	for f in "${e[@]}"; do
		[[ ! -e $f ]] || n=$((n + 1))
	done
	printf '%s\n' "$n"
}
: >"$WORK/err"
: >"$WORK/dry"
for name in "${names[@]}"; do
	before=$(entries)
	timeout 120 "$SWEEP" --build "$BUILD" --kernels sqrtpow --drivers serial,pthread --workers 1,2 \
		--size "$TINY_SIZES" --reps 2 --warmup 0 --no-probe --no-plot --out "$name" \
		>/dev/null 2>"$WORK/err" || fail "--out '$name' exited $? ($(tail -n 1 "$WORK/err"))"
	[[ -d $WORK/$name ]] || fail "--out '$name' did not make the folder '$WORK/$name'"
	[[ $(entries) == $((before + 1)) ]] || fail "--out '$name' left files beside the folder"
	check_complete "$WORK/$name" 2
	timeout 30 "$SWEEP" --resume "$name" --dry-run >"$WORK/dry" 2>&1 || fail "'$name': dry-run resume exited $?"
	grep -q '^# resuming .*: 0 of 3 configurations left' "$WORK/dry" || fail "'$name': $(head -n 1 "$WORK/dry")"
	# make the last configuration run again: its status line goes
	sed -i '$d' "$WORK/$name/status.csv"
	timeout 120 "$SWEEP" --resume "$name" --no-plot >/dev/null 2>"$WORK/err" ||
		fail "'$name': resume exited $? ($(tail -n 1 "$WORK/err"))"
	check_complete "$WORK/$name" 2
	grep -q 'dropping 2 rows of runs that status.csv does not record as complete' "$WORK/err" ||
		fail "'$name': the resume did not say it dropped the rows: $(cat "$WORK/err")"
done

# A prepared folder run as a task of a job array, then collected.
name="prep -x 'é'"
timeout 60 "$SWEEP" --build "$BUILD" --kernels sqrtpow --drivers serial --size "$TINY_SIZES" \
	--reps 2 --warmup 0 --no-probe --no-plot --prepare --out "$name" 2>"$WORK/err" ||
	fail "--prepare into '$name' exited $? ($(tail -n 1 "$WORK/err"))"
timeout 60 "$SWEEP" --resume "$name" --task 1 --no-plot >/dev/null 2>"$WORK/err" ||
	fail "--task 1 in '$name' exited $? ($(tail -n 1 "$WORK/err"))"
timeout 60 "$SWEEP" --collect "$name" >/dev/null 2>"$WORK/err" ||
	fail "--collect of '$name' exited $? ($(tail -n 1 "$WORK/err"))"
check_complete "$WORK/$name" 2
# command.sh repeats the sweep: it must be valid bash that names the folder
bash -n "$WORK/-dash/command.sh" || fail "command.sh of '-dash' is not valid bash"
printf '%s: ok (%d folder names)\n' "$TEST_NAME" "$((${#names[@]} + 1))"
