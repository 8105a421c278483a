#!/usr/bin/env bash
# --dry-run prints the plan (one line per configuration, with its command)
# and writes nothing: no run folder, no results/ entry.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
setup "$@"

out="$WORK/run"
timeout 30 "$SWEEP" --build "$BUILD" --kernels sqrtpow,triad,mandel --drivers serial,pthread \
	--workers pow2:8 --size "$TINY_SIZES" --reps 2 --out "$out" --dry-run \
	>"$WORK/plan" 2>"$WORK/stderr" || fail "dry run exited $?"
[[ ! -e $out ]] || fail "the dry run created the run folder"
# 3 kernels × (serial at 1 + pthread at 1, 2, 4, 8) = 15 configurations.
n=$(grep -c '^\[[0-9]*/15\] ' "$WORK/plan") || true
[[ $n == 15 ]] || fail "the plan lists $n configurations, want 15"
grep -q '^\[2/15\] sqrtpow pthread workers=1 size=20k: .*parscale-pthread --workers 1 --kernel sqrtpow .*--size 20k' \
	"$WORK/plan" || fail "the plan does not show the command lines"
grep -q "parscale-serial --workers 2" "$WORK/plan" && fail "serial is planned at more than one worker"

# The default run folder is under results/: still nothing may appear there.
before=$(ls -A "$SRC/results" 2>/dev/null || true)
timeout 30 "$SWEEP" --build "$BUILD" --kernels sqrtpow --workers 1,2 --dry-run >/dev/null 2>&1 ||
	fail "dry run with the default --out exited $?"
[[ $before == "$(ls -A "$SRC/results" 2>/dev/null || true)" ]] || fail "the dry run wrote under results/"

# The same seed gives the same shuffled order, a permutation of the plan.
names() {
	sed -n 's/^\[[0-9/]*\] \([^:]*\):.*/\1/p'
}
for i in 1 2 3; do
	opts=(--shuffle --seed 42)
	((i < 3)) || opts=()
	timeout 30 "$SWEEP" --build "$BUILD" --kernels sqrtpow,triad --drivers serial,pthread \
		--workers 1-4 "${opts[@]}" --out "$out" --dry-run 2>/dev/null | names >"$WORK/order$i"
done
cmp -s "$WORK/order1" "$WORK/order2" || fail "--seed does not repeat the shuffled order"
cmp -s <(sort "$WORK/order1") <(sort "$WORK/order3") || fail "the shuffled plan is not a permutation of the plan"
[[ $(wc -l <"$WORK/order3") == 10 ]] || fail "the plan for the shuffle check has $(wc -l <"$WORK/order3") lines, want 10"
printf '%s: ok\n' "$TEST_NAME"
