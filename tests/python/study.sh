#!/usr/bin/env bash
# The python study preset: its plan (dry run) has every configuration the
# claims need; a tiny run (1 and 2 workers) merges every part into one run
# folder whose rows are all verified, with both forms of sqrtpow in the
# Python threads and the C drivers beside them, and meta.txt says which
# Python ran and whether a free-threaded CPython was available.
# usage: study.sh BUILD_DIR
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../sweep/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../sweep/common.sh"
setup "$@"
for d in py-thread py-fork py-spawn fork; do
	[[ -x $BUILD/parscale-$d ]] || skip "parscale-$d is not built"
done

# 1. The plan: kernel driver workers param for every configuration.
timeout 60 "$STUDY" --preset python --no-deps --no-build --build "$BUILD" --out "$WORK/dry" \
	-- --dry-run >"$WORK/plan" 2>&1 || fail "dry run exited $? ($(tail -n 1 "$WORK/plan"))"
planned() {   # KERNEL DRIVER WORKERS [PARAM]: the plan has that run
	grep -E "^\[[0-9]+/[0-9]+\] $1 $2 workers=$3 .*parscale-$2 .*${4:-}" "$WORK/plan" >/dev/null ||
		fail "the plan lacks $1 $2 at $3 workers ${4:-}"
}
for w in 1 5 10 50; do
	for d in pthread fork py-thread py-fork py-spawn; do
		planned sleep "$d" "$w" "--param spin=0"
	done
done
for w in 1 2 4; do
	for d in py-thread py-fork py-spawn; do planned sqrtpow "$d" "$w" "--param impl=python"; done
	for d in py-thread py-fork; do planned sqrtpow "$d" "$w" "--param impl=c"; done
	for d in pthread fork; do planned sqrtpow "$d" "$w"; done
done
planned sqrtpow serial 1
grep -q -- '--reps 7 ' "$WORK/plan" || fail "the preset does not run 7 repetitions"
[[ ! -e $WORK/dry/raw.csv ]] || fail "a dry run wrote rows"

# 2. A tiny run of every part, merged.
out=$WORK/py
timeout 200 "$STUDY" --preset python --no-deps --no-build --build "$BUILD" --out "$out" \
	-- --size sqrtpow=20k,sleep=6 --workers 1,2 --reps 2 --warmup 0 --no-probe --no-plot \
	>"$WORK/stdout" 2>"$WORK/stderr" || fail "study exited $? ($(tail -n 1 "$WORK/stderr"))"
[[ $(grep -c '^run_id,' "$out/raw.csv") == 1 ]] || fail "raw.csv has not exactly one header"
[[ $(col "$out/raw.csv" verified) ]] || fail "raw.csv has no verified column"
rows=$(awk -F, -v v="$(col "$out/raw.csv" verified)" 'NR > 1 && $v == 1' "$out/raw.csv" | wc -l)
all=$(($(wc -l <"$out/raw.csv") - 1))
((all > 0 && rows == all)) || fail "$rows of $all rows verified"
awk -F, 'NR > 1 && $9 != "ok" { bad = 1 } END { exit bad }' "$out/status.csv" || fail "a configuration did not end ok"
has() {   # KERNEL DRIVER PARAMS-REGEX WORKERS
	awk -F, -v k="$(col "$out/raw.csv" kernel)" -v d="$(col "$out/raw.csv" driver)" \
		-v p="$(col "$out/raw.csv" params)" -v w="$(col "$out/raw.csv" workers)" \
		-v K="$1" -v D="$2" -v P="$3" -v W="$4" \
		'NR > 1 && $k == K && $d == D && $p ~ P && $w == W { found = 1 } END { exit !found }' "$out/raw.csv" ||
		fail "no rows for $1 $2 $3 at $4 workers"
}
for w in 1 2; do
	for d in pthread fork; do has sleep "$d" 'spin=0$' "$w"; has sqrtpow "$d" '^power=3$' "$w"; done
	for d in py-thread py-fork py-spawn; do
		has sleep "$d" 'spin=0;impl=python$' "$w"
		has sqrtpow "$d" 'impl=python$' "$w"
	done
	has sqrtpow py-thread 'impl=c$' "$w"
	has sqrtpow py-fork 'impl=c$' "$w"
done
has sqrtpow serial '^power=3$' 1
grep -q '^python=/usr/bin/python3$' "$out/meta.txt" || fail "meta.txt does not name the Python"
if [[ -x $BUILD/parscale-py-thread-ft ]]; then
	has sqrtpow py-thread-ft 'impl=python$' 2
else
	grep -q '^python_free_threaded=not available' "$out/meta.txt" ||
		fail "meta.txt does not say the free-threaded CPython was not available"
fi
grep -q "^results: $out\$" "$WORK/stdout" || fail "study does not say where the results are"
printf '%s: ok\n' "$TEST_NAME"
