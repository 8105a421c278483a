#!/usr/bin/env bash
# study.sh: --help lists the presets, a bad preset exits 2, and a shrunken
# threads-vs-processes study writes the summariser's findings on threads
# vs processes and start-up for both kernels.
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
	--out "$out" -- --size sqrtpow=100k,sleep=20 --workers 1,2,10 --reps 3 --no-probe --no-plot \
	>"$WORK/stdout" 2>"$WORK/stderr" || fail "study exited $? ($(tail -n 1 "$WORK/stderr"))"
check_complete "$out" 3
table="$out/threads-vs-processes.txt"
[[ -s $table ]] || fail "no threads-vs-processes.txt"
grep -q '^- sleep strong 20 .*at 10 workers: threads (pthread) .*, processes (fork) ' "$table" ||
	fail "no threads-vs-processes finding for sleep at 10 workers"
grep -q '^- sqrtpow strong 100000 .*at 2 workers: threads (pthread)' "$table" ||
	fail "no threads-vs-processes finding for sqrtpow at 2 workers"
grep -q '^- fork (fork()ed processes): .* per worker to start' "$table" || fail "no start-up finding"
grep -q "^results: $out\$\|^report: $out/report.html\$" "$WORK/stdout" || fail "study does not say where the results are"
printf '%s: ok\n' "$TEST_NAME"
