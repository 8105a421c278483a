#!/usr/bin/env bash
# study.sh: --help lists the presets, a bad preset exits 2, and a shrunken
# threads-vs-processes study writes its table (read from the CSV) for both
# kernels and both drivers.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
setup "$@"
[[ -x $BUILD/parscale-fork ]] || skip "parscale-fork is not built"

timeout 10 "$STUDY" --help >"$WORK/help" || fail "--help exited $?"
for p in default weak threads-vs-processes smoke; do
	grep -q "^  $p " "$WORK/help" || fail "--help does not list preset '$p'"
done
rc=0
timeout 10 "$STUDY" --preset nosuch >/dev/null 2>"$WORK/stderr" || rc=$?
[[ $rc == 2 && $(wc -l <"$WORK/stderr") == 1 ]] || fail "--preset nosuch exited $rc, want 2 and one line"

out="$WORK/tvp"
timeout 120 "$STUDY" --preset threads-vs-processes --no-deps --no-build --build "$BUILD" \
	--out "$out" -- --size sqrtpow=100k,sleep=20 --workers 1,2,10 --reps 2 --no-probe --no-plot \
	>"$WORK/stdout" 2>"$WORK/stderr" || fail "study exited $? ($(tail -n 1 "$WORK/stderr"))"
check_complete "$out" 2
table="$out/threads-vs-processes.txt"
[[ -s $table ]] || fail "no threads-vs-processes.txt"
for k in sleep sqrtpow; do
	for w in 1 2 10; do
		grep -Eq "^$k +$w +[0-9.e-]+ +[0-9.e-]+ +[0-9.e-]+ +[0-9.e-]+ " "$table" ||
			fail "the table lacks a complete $k row at $w workers"
	done
done
grep -q 'starting 10 workers took' "$table" || fail "the table has no start-up sentence"
grep -q "^results: $out\$\|^report: $out/report.html\$" "$WORK/stdout" || fail "study does not say where the results are"
printf '%s: ok\n' "$TEST_NAME"
