# shellcheck shell=bash
# Shared set-up for the misuse tests (tests/misuse/*.sh): the sweep tests'
# helpers, and `refused`, which checks that a misuse is turned away the
# way the README promises: exit 2, one line on stderr naming the program,
# nothing on stdout.

# shellcheck source-path=SCRIPTDIR source=../sweep/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../sweep/common.sh"

# refused WANT_RE CMD...: CMD (bounded by 60 s) must exit 2 with exactly one
# line on stderr that matches the extended regular expression WANT_RE.
refused() {
	local want=$1 rc=0
	shift
	timeout 60 "$@" >"$WORK/refused.out" 2>"$WORK/refused.err" || rc=$?
	[[ $rc == 2 ]] || fail "'$*' exited $rc, want 2 ($(tail -n 2 "$WORK/refused.err"))"
	[[ $(wc -l <"$WORK/refused.err") == 1 ]] ||
		fail "'$*' printed $(wc -l <"$WORK/refused.err") lines on stderr, want 1: $(cat "$WORK/refused.err")"
	grep -Eq -- "$want" "$WORK/refused.err" || fail "'$*' said '$(cat "$WORK/refused.err")', want /$want/"
	[[ ! -s $WORK/refused.out ]] || fail "'$*' wrote to stdout"
}

# folder_sum DIR: a checksum of everything in DIR (to show it unchanged).
folder_sum() {
	(cd -- "$1" && find . -type f ! -name .owner -print0 | LC_ALL=C sort -z | xargs -0 cat | md5sum)
}

# tiny_sweep OUT [ARGS...]: a small complete sweep of sqrtpow with serial
# and pthread into OUT (2 reps).
tiny_sweep() {
	local out=$1
	shift
	timeout 120 "$SWEEP" --build "$BUILD" --kernels sqrtpow,triad --drivers serial,pthread \
		--workers 1,2 --size "$TINY_SIZES" --reps 2 --warmup 0 --timeout 20 --no-probe --no-plot \
		--out "$out" "$@" >/dev/null 2>"$WORK/tiny.err" ||
		fail "sweep into '$out' exited $? ($(tail -n 1 "$WORK/tiny.err"))"
}
