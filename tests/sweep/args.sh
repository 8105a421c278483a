#!/usr/bin/env bash
# Bad sweep arguments exit 2 with one line on stderr, and create nothing.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
setup "$@"

touch "$WORK/a-file"
mkdir -p "$WORK/not-empty"
touch "$WORK/not-empty/x"
mkdir -p "$WORK/not-a-sweep"

# One case a line: the arguments, tab-separated (after --build and --out).
cases=$(
	cat <<EOF_CASES
--kernels	nosuch
--kernels	sqrtpow,,triad
--drivers	nosuch
--drivers	pthread,threads
--workers	0
--workers	1-
--workers	a
--workers	4-2
--workers	pow2:0
--workers	1,,2
--workers	-3
--scaling	medium
--reps	0
--reps	x
--warmup	-1
--timeout	0
--size	triad=abc
--size	nosuch=10
--size	0
--size	12q
--schedule	guided
--param	novalue
--param	nosuch:x=1
--mpi-args	--mca 'unbalanced
--seed	x
--probe-size	big
--nosuch-option
--reps
--retry-failed
EOF_CASES
)
n=0
while IFS= read -r line; do
	IFS=$'\t' read -r -a args <<<"$line"
	rc=0
	timeout 30 "$SWEEP" --build "$BUILD" --out "$WORK/out" "${args[@]}" \
		>"$WORK/stdout" 2>"$WORK/stderr" || rc=$?
	[[ $rc == 2 ]] || fail "'${args[*]}' exited $rc, want 2"
	[[ $(wc -l <"$WORK/stderr") == 1 ]] ||
		fail "'${args[*]}' printed $(wc -l <"$WORK/stderr") lines on stderr, want 1"
	grep -q '^sweep.sh: ' "$WORK/stderr" || fail "'${args[*]}' message lacks the program name"
	[[ ! -s $WORK/stdout ]] || fail "'${args[*]}' wrote to stdout"
	[[ ! -e $WORK/out ]] || fail "'${args[*]}' created the run folder"
	n=$((n + 1))
done <<<"$cases"

# Bad run folders.
for bad in "$WORK/a-file" "$WORK/not-empty" "$WORK/a-file/below" ""; do
	rc=0
	timeout 30 "$SWEEP" --build "$BUILD" --kernels sqrtpow --out "$bad" --dry-run \
		>/dev/null 2>"$WORK/stderr" || rc=$?
	[[ $rc == 2 && $(wc -l <"$WORK/stderr") == 1 ]] || fail "--out '$bad' exited $rc, want 2 and one line"
	n=$((n + 1))
done
[[ $(ls -A "$WORK/not-empty") == x ]] || fail "a refused --out was changed"

# Bad --resume uses.
for args in "--resume $WORK/not-a-sweep" "--resume $WORK/nosuch" "--resume $WORK/not-empty"; do
	rc=0
	read -r -a a <<<"$args"
	timeout 30 "$SWEEP" "${a[@]}" >/dev/null 2>"$WORK/stderr" || rc=$?
	[[ $rc == 2 && $(wc -l <"$WORK/stderr") == 1 ]] || fail "'$args' exited $rc, want 2 and one line"
	n=$((n + 1))
done

# --help is not an error: usage on stdout, exit 0.
timeout 30 "$SWEEP" --help >"$WORK/stdout" 2>"$WORK/stderr" || fail "--help exited $?"
grep -q '^usage: ' "$WORK/stdout" || fail "--help prints no usage"
[[ ! -s $WORK/stderr ]] || fail "--help wrote to stderr"
printf '%s: ok (%d bad uses refused)\n' "$TEST_NAME" "$n"
