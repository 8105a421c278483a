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

# the primitives preset, shrunk: every operation and the reference loop as
# parts merged into one folder, the futex barrier as its own series, and
# the summariser's cost of each operation
out="$WORK/prim"
timeout 240 "$STUDY" --preset primitives --no-deps --no-build --build "$BUILD" --out "$out" \
	-- --drivers pthread,fork --workers 1,2 --size sync=200 --reps 3 --no-plot \
	>"$WORK/stdout" 2>"$WORK/stderr" || fail "primitives study exited $? ($(tail -n 1 "$WORK/stderr"))"
grep -q '^study_parts=none,barrier,allreduce1,allreduce8,halo,grab,update,futex-none,futex-barrier,futex-allreduce1$' \
	"$out/meta.txt" || fail "meta.txt does not list the parts"
if ! "$BUILD/parscale-summarize" --no-figure-data --out "$out" -- "$out/raw.csv"; then
	fail "cannot summarise the primitives study"
fi
for want in "barrier,pthread," "barrier,fork," "grab,pthread," "update,fork," \
	"barrier,pthread,PARSCALE_BARRIER=futex"; do
	grep -q "^$want" "$out/primitives.csv" || fail "primitives.csv has no '$want' row"
done
printf '%s: ok\n' "$TEST_NAME"
