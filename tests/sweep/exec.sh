#!/usr/bin/env bash
# Sweeps of programs of the user's (--exec NAME='COMMAND'): two variants of
# an OpenMP program compiled here, at 1 and 2 workers, with the program's
# own time taken by --metric; the sweep SIGKILLed halfway and resumed from
# another folder (the commands still run where the sweep was started), with
# every configuration x repetition once, verified, start-up = wall - own
# time, and the summary, plots and report made; submit.sh --dry-run of the
# same sweep; a resume refused once the program changed; and what the sweep
# or parscale-exec refuses (exit 2, one line, no folder).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
setup "$@"
[[ -x $BUILD/parscale-exec ]] || skip "parscale-exec is not built in '$BUILD'"
"${CC:-cc}" -O2 -fopenmp -o "$WORK/omp_sum" "$SRC/tests/exec/omp_sum.c" 2>"$WORK/cc.err" ||
	skip "no C compiler with OpenMP ($(head -n 1 "$WORK/cc.err"))"
# Each run starts 0.1 s before the program's own clock does.
printf '#!/bin/sh\nsleep 0.1\nexec ./omp_sum "$@"\n' >"$WORK/slow.sh"
chmod +x "$WORK/slow.sh"

# 3: with 2 the ratios have no interval, which plots/speedup.gp cannot draw yet
readonly REPS=3
out="$WORK/run"
# shellcheck disable=SC2016  # placeholders and a regex, not expansions
args=(--build "$BUILD" --name sum --exec 'omp=OMP_NUM_THREADS={threads} ./slow.sh {size}'
	--exec 'one=OMP_NUM_THREADS=1 ./slow.sh {size}' --workers '1,2' --size 200000
	--metric 'time: ([0-9.e+-]+) s' --check-regex '^sum ok$' --work '{size}'
	--reps "$REPS" --warmup 0 --timeout 30 --no-probe)

# The dry run shows parscale-exec's command lines and writes nothing.
(cd "$WORK" && timeout 30 "$SWEEP" "${args[@]}" --out "$out" --dry-run) >"$WORK/plan" 2>"$WORK/dry.err" ||
	fail "dry run exited $?: $(cat "$WORK/dry.err")"
[[ ! -e $out ]] || fail "the dry run created the run folder"
grep -q '^\[1/4\] sum exec:omp workers=1 size=200000: .*parscale-exec --workers 1 --name sum --variant omp ' "$WORK/plan" ||
	fail "the dry run does not show parscale-exec's command: $(head -n 3 "$WORK/plan")"
grep -q -- "--chdir $WORK --command OMP_NUM_THREADS=\\\\{threads\\\\}\\\\ ./slow.sh\\\\ \\\\{size\\\\}" "$WORK/plan" ||
	fail "the dry run does not pass the command and its folder: $(sed -n 2p "$WORK/plan")"

# Killed with SIGKILL once a configuration is recorded, then resumed from /.
(cd "$WORK" && exec setsid timeout 120 "$SWEEP" "${args[@]}" --no-plot --out "$out") >/dev/null 2>"$WORK/first.err" &
pid=$!
for ((i = 0; i < 400; i++)); do
	if [[ -f $out/status.csv ]] && (($(wc -l <"$out/status.csv") >= 2)); then
		break
	fi
	sleep 0.02
done
kill -KILL -- "-$pid" 2>/dev/null || fail "the sweep ended before it could be killed"
wait "$pid" 2>/dev/null || true
done_before=$(($(wc -l <"$out/status.csv") - 1))
((done_before < 4)) || fail "the sweep finished before it was killed"
(cd / && timeout 120 "$SWEEP" --resume "$out") >/dev/null 2>"$WORK/resume.err" || { cat "$WORK/resume.err" >&2; false; } ||
	fail "resume exited $? ($(tail -n 1 "$WORK/resume.err"))"
check_complete "$out" "$REPS"
[[ $(awk -F, 'NR > 1 { print $4 }' "$out/status.csv" | LC_ALL=C sort -u | paste -sd,) == exec:omp,exec:one ]] ||
	fail "status.csv does not name the variants exec:omp and exec:one"
[[ $(awk -F, 'NR > 1 && $9 == "ok"' "$out/status.csv" | wc -l) == 4 ]] || fail "not every configuration is ok"
s=$(col "$out/raw.csv" seconds) u=$(col "$out/raw.csv" startup_seconds) w=$(col "$out/raw.csv" wall_seconds)
t=$(col "$out/raw.csv" threads_per_rank) d=$(col "$out/raw.csv" driver) n=$(col "$out/raw.csv" workers)
awk -F, -v s="$s" -v u="$u" -v w="$w" -v t="$t" -v d="$d" -v n="$n" 'NR > 1 {
		if (!($u >= 0.09 && $w >= $s + $u - 1e-6 && $w <= $s + $u + 1e-6)) { print "start-up " $u " wall " $w " own " $s; bad = 1 }
		if ($t != $n) { print $d " at " $n " workers has " $t " threads per rank"; bad = 1 }
	} END { exit bad }' "$out/raw.csv" >"$WORK/cols.err" || fail "columns: $(head -n 3 "$WORK/cols.err")"
[[ -s $out/summary.csv && -s $out/report.html ]] || fail "no summary or report after the resume"
grep -q '^exec_command_omp=OMP_NUM_THREADS={threads} ./slow.sh {size}$' "$out/meta.txt" ||
	fail "meta.txt does not record the commands"
printf '%s: sweep killed after %d of 4 configurations and resumed: ok\n' "$TEST_NAME" "$done_before"

# A changed program is a changed build: a resume refuses it, as a rebuilt driver.
printf '# changed\n' >>"$WORK/slow.sh"
rc=0
(cd / && timeout 30 "$SWEEP" --resume "$out" --no-plot) >/dev/null 2>"$WORK/changed.err" || rc=$?
if [[ $rc != 2 ]] || ! grep -q 'binary_slow.sh changed' "$WORK/changed.err"; then
	fail "a resume with a changed program: exit $rc: $(cat "$WORK/changed.err")"
fi

# Through Slurm: submit.sh --dry-run prepares the plan and writes nothing.
(cd "$WORK" && timeout 60 "$SRC/scripts/submit.sh" --dry-run --mode array --time 5 -- "${args[@]}" \
	--out "$WORK/never") >"$WORK/submit.out" 2>"$WORK/submit.err" ||
	fail "submit.sh --dry-run exited $?: $(cat "$WORK/submit.err")"
[[ ! -e $WORK/never ]] || fail "submit.sh --dry-run created the run folder"
grep -qx '#SBATCH --array=1-4' "$WORK/submit.out" || fail "submit.sh --dry-run does not plan 4 tasks"

# Refused before anything runs: one line, exit 2, no folder.
refused_new() {   # WHAT WANT ARGS...: refused (common.sh) as a new sweep
	refused "$1" "$2" --build "$BUILD" --no-probe --out "$WORK/bad" "${@:3}"
}
refused_new "metric without exec" "option '--metric' needs --exec NAME=COMMAND" --metric 'x(1)'
refused_new "exec with drivers" "option '--drivers' cannot be used with --exec" --exec a=true --drivers serial
refused_new "exec without a name" "bad --exec 'true'" --exec true
refused_new "exec twice" "--exec 'a' is given twice" --exec a=true --exec a=false
refused_new "bad regex" "parscale-exec refuses --exec 'a' (size default, workers 4): --metric '(x' is not a regular expression" \
	--exec a=true --metric '(x'
refused_new "shell syntax" "the command has '|' outside quotes" --exec 'a=ls | wc'
refused_new "size without --size" "the command names {size}: give --size" --exec 'a=echo {size}'
refused_new "bad placeholder" "unknown placeholder {wrkers}" --exec 'a=echo {wrkers}'
printf '%s: ok\n' "$TEST_NAME"
