#!/usr/bin/env bash
# A tiny sweep over every built driver gives exactly configurations × reps
# rows, all verified, under one header, and a complete run folder.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
setup "$@"

readonly REPS=2 KERNELS=sqrtpow,triad WORKERS=1,2
drivers=$(built_drivers 1)
out="$WORK/run"
timeout 120 "$SWEEP" --build "$BUILD" --kernels "$KERNELS" --drivers "$drivers" \
	--workers "$WORKERS" --size "$TINY_SIZES" --reps "$REPS" --warmup 1 \
	--timeout 20 --probe-size 2k --no-plot --out "$out" 2>"$WORK/stderr" ||
	fail "sweep exited $? ($(tail -n 1 "$WORK/stderr"))"

# Configurations: per kernel, serial once and every other driver per count.
n_drivers=$(tr ',' '\n' <<<"$drivers" | grep -vc '^serial$') || true
n_serial=$(tr ',' '\n' <<<"$drivers" | grep -c '^serial$') || true
want_configs=$((2 * (n_serial + n_drivers * 2)))
got_configs=$(($(wc -l <"$out/plan.txt") - 1))
[[ $got_configs == "$want_configs" ]] || fail "plan has $got_configs configurations, want $want_configs"
rows=$(($(wc -l <"$out/raw.csv") - 1))
[[ $rows == $((want_configs * REPS)) ]] || fail "raw.csv has $rows rows, want $((want_configs * REPS))"
check_complete "$out" "$REPS"

# The rest of the run folder.
for f in command.sh sweep.log meta.txt status.csv probe.csv settings.txt; do
	[[ -s $out/$f ]] || fail "missing or empty $f"
done
[[ $(head -n 1 "$out/status.csv") == config,run_id,kernel,driver,scaling,size,workers,exit_code,state,reason,seconds ]] ||
	fail "status.csv header"
[[ $(($(wc -l <"$out/status.csv") - 1)) == "$want_configs" ]] || fail "status.csv line count"
awk -F, 'NR > 1 && $9 != "ok" { bad = 1 } END { exit bad }' "$out/status.csv" ||
	fail "status.csv has a configuration that is not ok"
[[ $(head -n 1 "$out/probe.csv") == workers,seconds,speedup,delivered,phase ]] || fail "probe.csv header"
awk -F, 'NR > 1 { ph[$5]++ } END { exit !(ph["before"] == 2 && ph["after"] == 2) }' "$out/probe.csv" ||
	fail "probe.csv lacks the before/after rows at workers 1 and 2"
for key in host cpu_model cores mem_kib compiler c_flags openmp_version mpi_library \
	gnuplot_version git_revision git_dirty seed; do
	grep -q "^$key=" "$out/meta.txt" || fail "meta.txt lacks $key"
done
bash -n "$out/command.sh" || fail "command.sh is not valid bash"
grep -q -- '--kernels sqrtpow\\,triad\|--kernels sqrtpow,triad' "$out/command.sh" ||
	fail "command.sh does not hold the sweep's arguments"
grep -q '^\$ .*parscale-serial' "$out/sweep.log" || fail "sweep.log lacks the command lines"
[[ ! -e $out/.runs ]] || fail "the temporary .runs folder was left behind"

# The serial driver ran once per kernel, at one worker.
s=$(awk -F, '$4 == "serial" && $7 != 1 { bad = 1 } END { print bad + 0 }' "$out/status.csv")
[[ $s == 0 ]] || fail "serial ran at more than one worker"
printf '%s: ok (%d configurations, %d rows)\n' "$TEST_NAME" "$want_configs" "$rows"
