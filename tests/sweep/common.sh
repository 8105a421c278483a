# shellcheck shell=bash
# Shared set-up for the sweep tests; sourced by each test script.
#
# A test is run as `bash tests/sweep/NAME.sh BUILD_DIR` (CTest passes the
# build folder under test). It works in a fresh temporary folder, removed on
# exit, bounds every sweep with `timeout`, and exits 0 (pass), 1 (fail) or
# 77 (skip: what it needs is not built).

readonly SKIP=77
TEST_NAME=$(basename "$0" .sh)
readonly TEST_NAME
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
readonly SRC
# shellcheck disable=SC2034  # used by the tests that source this file
readonly SWEEP="$SRC/scripts/sweep.sh"
# shellcheck disable=SC2034
readonly STUDY="$SRC/scripts/study.sh"

# Sizes small enough that a run takes a few milliseconds.
# shellcheck disable=SC2034
readonly TINY_SIZES=sqrtpow=20k,ep=64Ki,triad=20k,sleep=4,mandel=32,stencil=32,histogram=20k,sync=200

fail() {
	printf '%s: FAIL: %s\n' "$TEST_NAME" "$*" >&2
	exit 1
}

skip() {
	printf '%s: SKIP: %s\n' "$TEST_NAME" "$*" >&2
	exit "$SKIP"
}

# setup BUILD: check BUILD holds the drivers; make WORK, removed on exit.
setup() {
	[[ $# -ge 1 && -n $1 ]] || fail "usage: $0 BUILD_DIR"
	BUILD=$(cd "$1" 2>/dev/null && pwd -P) || skip "no build folder '$1'"
	[[ -x $BUILD/parscale-serial && -x $BUILD/parscale-pthread ]] ||
		skip "parscale-serial and parscale-pthread are not built in '$BUILD'"
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/parscale-$TEST_NAME.XXXXXX")
	trap 'rm -rf "$WORK"' EXIT
}

# built_drivers [ALLOW_MPI]: the drivers available in BUILD, comma-separated.
built_drivers() {
	local d list=""
	for d in serial pthread openmp fork mpi; do
		[[ -x $BUILD/parscale-$d ]] || continue
		if [[ $d == mpi ]] && { [[ ${1:-0} != 1 ]] || ! command -v mpirun >/dev/null; }; then
			continue
		fi
		list+="${list:+,}$d"
	done
	printf '%s\n' "$list"
}

# col FILE NAME: the 1-based index of column NAME in FILE's header.
col() {
	awk -F, -v name="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) { print i; exit } }' "$1"
}

# keys FILE: the key columns of every row (run id, kernel, driver, workers,
# rep), sorted; times and the like are left out.
keys() {
	local f=$1
	awk -F, -v a="$(col "$f" run_id)" -v b="$(col "$f" kernel)" -v c="$(col "$f" driver)" \
		-v d="$(col "$f" workers)" -v e="$(col "$f" rep)" \
		'NR > 1 { print $a, $b, $c, $d, $e }' "$f" | LC_ALL=C sort
}

# expected_keys DIR REPS: the keys a complete sweep in DIR must have, from
# its plan.txt.
expected_keys() {
	awk -F, -v reps="$2" 'NR > 1 { for (r = 1; r <= reps; r++) print $2, $3, $4, $7, r }' \
		"$1/plan.txt" | LC_ALL=C sort
}

# check_complete DIR REPS: raw.csv in DIR has one header and exactly the
# plan's configurations × REPS rows, each once, all verified.
check_complete() {
	local dir=$1 reps=$2 want got headers v
	[[ -s $dir/raw.csv ]] || fail "no raw.csv in '$dir'"
	headers=$(grep -c '^run_id,' "$dir/raw.csv") || true
	[[ $headers == 1 ]] || fail "raw.csv has $headers header lines"
	[[ $(head -n 1 "$dir/raw.csv") == run_id,* ]] || fail "raw.csv does not start with its header"
	want=$(expected_keys "$dir" "$reps")
	got=$(keys "$dir/raw.csv")
	if [[ $want != "$got" ]]; then
		diff <(printf '%s\n' "$want") <(printf '%s\n' "$got") | head -n 20 >&2 || true
		fail "raw.csv rows differ from plan × reps (diff above)"
	fi
	v=$(col "$dir/raw.csv" verified)
	[[ -n $v ]] || fail "raw.csv has no verified column"
	awk -F, -v c="$v" 'NR > 1 && $c != 1 { bad = 1 } END { exit bad }' "$dir/raw.csv" ||
		fail "raw.csv has rows with verified != 1"
}

# refused WHAT WANT ARGS...: sweep.sh ARGS (run in WORK) is refused before
# anything runs: exit 2, one line on stderr holding WANT, no folder
# WORK/bad made.
refused() {
	local what=$1 want=$2 rc=0
	shift 2
	(cd "$WORK" && timeout 30 "$SWEEP" "$@") >/dev/null 2>"$WORK/bad.err" || rc=$?
	[[ $rc == 2 ]] || fail "$what: exit $rc, want 2 ($(cat "$WORK/bad.err"))"
	[[ $(wc -l <"$WORK/bad.err") == 1 ]] || fail "$what: not one line: $(cat "$WORK/bad.err")"
	grep -q -- "$want" "$WORK/bad.err" || fail "$what: said '$(cat "$WORK/bad.err")', want '$want'"
	[[ ! -e $WORK/bad ]] || fail "$what: the folder was made"
}
