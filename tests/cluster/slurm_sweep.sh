#!/usr/bin/env bash
# slurm_sweep.sh - scripts/submit.sh against a real one-node Slurm
# (tests/lib/slurm.sh): a small sweep as a job array with its collect job,
# and an MPI sweep as one job in allocation mode (srun --mpi=pmix, 2 ranks).
# Both must give configurations x reps rows, no duplicates, all verified,
# with job ids, array task ids and node lists recorded. Then one
# configuration is made missing and one failed, and --resubmit must run
# exactly those two. Generated batch scripts must be shellcheck-clean.
#
# Usage: slurm_sweep.sh BUILD_DIR. Exit 0 pass, 1 fail, 77 skip (not root,
# or the Slurm and munge packages are not installed).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="$(cd "$here/../.." && pwd)"
# shellcheck source-path=SCRIPTDIR source=../lib/slurm.sh
. "$here/../lib/slurm.sh"

: "${TSLURM_SWEEP_JOB_TIMEOUT:=60}"
readonly SUBMIT="$src/scripts/submit.sh"
readonly REPS=2
readonly STATUS_OK_RE='^COMPLETED$'

# since START - print seconds elapsed since START (from "date +%s.%N").
since() {
	awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'
}

note() {
	printf 'slurm_sweep: %s\n' "$*" >&2
}

fail() {
	printf 'slurm_sweep: FAIL: %s\n' "$*" >&2
	if [ -n "${TSLURM_DIR:-}" ]; then
		slurm_show_logs
	fi
	local f
	for f in "${run_dirs[@]}"; do
		[ -d "$f/slurm" ] || continue
		tail -n 5 "$f"/slurm/*.out >&2 2>/dev/null || true
	done
	exit 1
}

# col FILE NAME - print the values of column NAME of CSV FILE (no header).
col() {
	awk -F, -v name="$2" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i; if (!c) exit 1; next }
		{ print $c }' "$1"
}

# check_complete DIR CONFIGS - DIR's raw.csv has CONFIGS x REPS rows, each
# (run id, rep) once, all verified; status.csv lists every configuration of
# plan.txt once, all ok; no task results are left uncollected.
check_complete() {
	local d="$1" want="$2" rows dups
	[ "$(($(wc -l <"$d/plan.txt") - 1))" -eq "$want" ] ||
		fail "$d: plan has $(($(wc -l <"$d/plan.txt") - 1)) configurations, want $want"
	rows="$(($(wc -l <"$d/raw.csv") - 1))"
	[ "$rows" -eq $((want * REPS)) ] || fail "$d: raw.csv has $rows rows, want $((want * REPS))"
	dups="$(paste -d, <(col "$d/raw.csv" run_id) <(col "$d/raw.csv" rep) | sort | uniq -d)"
	[ -z "$dups" ] || fail "$d: duplicate rows: $dups"
	col "$d/raw.csv" verified | grep -qvx 1 && fail "$d: a row has verified != 1"
	[ "$(awk -F, 'NR > 1' "$d/status.csv" | wc -l)" -eq "$want" ] ||
		fail "$d: status.csv does not list $want configurations: $(cat "$d/status.csv")"
	awk -F, 'NR > 1 && $9 != "ok" { bad = 1 } END { exit bad }' "$d/status.csv" ||
		fail "$d: a configuration is not ok: $(cat "$d/status.csv")"
	# Every planned run id has its rows.
	awk -F, 'NR > 1 { print $2 }' "$d/plan.txt" | sort >"$work/plan.ids"
	col "$d/raw.csv" run_id | sort -u >"$work/raw.ids"
	cmp -s "$work/plan.ids" "$work/raw.ids" || fail "$d: run ids in raw.csv differ from the plan"
	[ ! -e "$d/tasks" ] || fail "$d: task results left uncollected: $(ls "$d/tasks")"
}

# wait_job ID WHAT - wait for job ID; fail unless it completed.
wait_job() {
	local state
	state="$(slurm_wait_job "$1" "$TSLURM_SWEEP_JOB_TIMEOUT")" ||
		fail "$2 (job $1) ended $state"
	[[ $state =~ $STATUS_OK_RE ]] || fail "$2 (job $1) ended $state"
}

# job_ids DIR KIND - the job ids of DIR's submissions of KIND, in order.
job_ids() {
	awk -F, -v k="$2" 'NR > 1 && $3 == k { print $4 }' "$1/slurm/submissions.csv"
}

[ "$#" -eq 1 ] || fail "usage: slurm_sweep.sh BUILD_DIR"
build="$(cd "$1" && pwd)" || fail "no build folder '$1'"
if ! slurm_check; then
	exit 77
fi
for d in serial pthread mpi; do
	[ -x "$build/parscale-$d" ] || fail "'$build/parscale-$d' is not built"
done

run_dirs=()
work="$(mktemp -d "${TMPDIR:-/tmp}/parscale-slurm-sweep.XXXXXX")"
cleanup() {
	slurm_down
	rm -rf -- "$work"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

start="$(date +%s.%N)"

# Dry runs write nothing and print shellcheck-clean scripts (no Slurm needed).
"$SUBMIT" --dry-run --mode array --partition test --time 5 \
	--sbatch-args "--comment='a b'" -- --build "$build" --kernels sqrtpow \
	--drivers serial --workers 1 --reps "$REPS" --out "$work/never" \
	>"$work/dry.out" 2>"$work/dry.err" || fail "submit.sh --dry-run failed: $(cat "$work/dry.err")"
[ ! -e "$work/never" ] || fail "submit.sh --dry-run created the run folder"
grep -qx '#SBATCH --array=1' "$work/dry.out" || fail "dry run lacks '#SBATCH --array=1'"
grep -q "sbatch --parsable --dependency=afterany:ARRAY_JOB_ID --comment=a\\\\ b " "$work/dry.out" ||
	fail "dry run lacks the collect job's sbatch line: $(grep '^sbatch' "$work/dry.out")"
if command -v shellcheck >/dev/null 2>&1; then
	for kind in array collect; do
		awk -v k="# ---- $kind job:" 'index($0, k) == 1 { f = 1; next } /^# ---- submit with:/ { f = 0 } f' \
			"$work/dry.out" >"$work/$kind.sbatch"
		[ -s "$work/$kind.sbatch" ] || fail "dry run printed no $kind script"
		shellcheck "$work/$kind.sbatch" >&2 || fail "the generated $kind script is not shellcheck-clean"
	done
fi

t="$(date +%s.%N)"
slurm_up || fail "slurm_up failed"
note "slurm up in $(since "$t") s"

# ---- a job array: one task per configuration, then the collect job.
t="$(date +%s.%N)"
arr="$work/array"
run_dirs+=("$arr")
"$SUBMIT" --mode array --partition test --time 5 -- --build "$build" \
	--kernels sqrtpow,triad --drivers serial,pthread,mpi --workers 2 \
	--size sqrtpow=20k,triad=20k --reps "$REPS" --warmup 1 --timeout 20 \
	--no-plot --out "$arr" >"$work/array.out" 2>"$work/array.err" ||
	fail "submit.sh --mode array failed: $(cat "$work/array.err")"
[ "$(cat "$work/array.out")" = "$arr" ] || fail "submit.sh printed '$(cat "$work/array.out")', want '$arr'"
array_id="$(job_ids "$arr" array)"
collect_id="$(job_ids "$arr" collect)"
if [ -z "$array_id" ] || [ -z "$collect_id" ]; then
	fail "submissions.csv lacks the array or collect job"
fi
wait_job "$array_id" "job array"
wait_job "$collect_id" "collect job"
configs=6
check_complete "$arr" "$configs"
# jobs.csv: one line per configuration with this array's job and task ids.
[ "$(($(wc -l <"$arr/jobs.csv") - 1))" -eq "$configs" ] ||
	fail "jobs.csv has $(($(wc -l <"$arr/jobs.csv") - 1)) lines, want $configs"
awk -F, -v a="$array_id" -v n="$configs" 'NR > 1 {
		if ($3 != a || $4 < 1 || $4 > n || seen[$4]++ || $5 != "localhost") bad = 1 }
	END { exit bad }' "$arr/jobs.csv" ||
	fail "jobs.csv lacks array job $array_id, tasks 1..$configs, node list: $(cat "$arr/jobs.csv")"
ls "$arr/slurm/parscale-array-${array_id}_"*.out >/dev/null 2>&1 || fail "no array task output files"
grep -q '^started=' "$arr/meta.txt" || fail "meta.txt was not rewritten by a task"
grep -q "^slurm_submitted=.* array job $array_id array 1-$configs\$" "$arr/meta.txt" ||
	fail "meta.txt lacks the array submission"
# The mpi configurations ran through srun with --cpus-per-task.
grep -q 'srun --mpi=pmix --ntasks=2 --cpus-per-task=1 ' "$arr/sweep.log" ||
	fail "sweep.log lacks the srun command line"
note "array of $configs tasks + collect: $((configs * REPS)) rows in $(since "$t") s"

# ---- allocation mode: the whole MPI sweep in one job, 2 ranks by srun.
t="$(date +%s.%N)"
alloc="$work/alloc"
run_dirs+=("$alloc")
"$SUBMIT" --mode allocation --ntasks 2 --cpus-per-task 1 --time 5 -- --build "$build" \
	--kernels stencil,triad --drivers mpi --workers 2 --size stencil=64,triad=20k \
	--reps "$REPS" --warmup 1 --timeout 20 --no-plot --no-probe --out "$alloc" \
	>"$work/alloc.out" 2>"$work/alloc.err" ||
	fail "submit.sh --mode allocation failed: $(cat "$work/alloc.err")"
alloc_id="$(job_ids "$alloc" allocation)"
[ -n "$alloc_id" ] || fail "submissions.csv lacks the allocation job"
wait_job "$alloc_id" "allocation job"
check_complete "$alloc" 2
col "$alloc/raw.csv" ranks | grep -qvx 2 && fail "an MPI run did not have 2 ranks"
grep -qx "env_SLURM_JOB_ID=$alloc_id" "$alloc/meta.txt" || fail "meta.txt lacks env_SLURM_JOB_ID=$alloc_id"
grep -qx "env_SLURM_JOB_NODELIST=localhost" "$alloc/meta.txt" || fail "meta.txt lacks the node list"
grep -qx 'launcher=srun' "$alloc/meta.txt" || fail "meta.txt lacks launcher=srun"
awk -F, -v j="$alloc_id" 'NR > 1 && $2 != j { bad = 1 } END { exit bad || NR != 3 }' "$alloc/jobs.csv" ||
	fail "jobs.csv does not name job $alloc_id for both runs: $(cat "$alloc/jobs.csv")"
note "allocation job, srun --mpi=pmix 2 ranks: $((2 * REPS)) rows in $(since "$t") s"

# ---- resubmit in allocation mode: one job reruns the failed configuration.
t="$(date +%s.%N)"
failed_id="$(awk -F, '$1 == 2 { print $2 }' "$alloc/plan.txt")"
awk -F, -v f="$failed_id" '$1 != f' "$alloc/raw.csv" >"$work/raw"
cat "$work/raw" >"$alloc/raw.csv"
awk -F, -v OFS=, -v f="$failed_id" '$2 == f { $8 = 1; $9 = "failed"; $10 = "simulated" } 1' \
	"$alloc/status.csv" >"$work/status"
cat "$work/status" >"$alloc/status.csv"
"$SUBMIT" --resubmit "$alloc" >/dev/null 2>"$work/re.err" ||
	fail "submit.sh --resubmit (allocation) failed: $(cat "$work/re.err")"
re_id="$(job_ids "$alloc" allocation | tail -n 1)"
[ "$re_id" != "$alloc_id" ] || fail "no new allocation job was submitted"
grep -q -- '--retry-failed' "$alloc/slurm/sweep-2.sbatch" || fail "sweep-2.sbatch lacks --retry-failed"
wait_job "$re_id" "resubmitted allocation job"
check_complete "$alloc" 2
rerun="$(awk -F, -v j="$re_id" 'NR > 1 && $2 == j { print $1 }' "$alloc/jobs.csv")"
[ "$rerun" = "$failed_id" ] || fail "allocation resubmit ran '$rerun', want '$failed_id'"
note "allocation resubmit reran exactly the failed configuration in $(since "$t") s"

# ---- resubmit: one configuration missing (no status, no rows), one failed.
t="$(date +%s.%N)"
missing_id="$(awk -F, '$1 == 2 { print $2 }' "$arr/plan.txt")"
failed_id="$(awk -F, '$1 == 5 { print $2 }' "$arr/plan.txt")"
awk -F, -v m="$missing_id" -v f="$failed_id" '$1 != m && $1 != f' "$arr/raw.csv" >"$work/raw"
cat "$work/raw" >"$arr/raw.csv"
awk -F, -v OFS=, -v m="$missing_id" -v f="$failed_id" '$2 == m { next }
	$2 == f { $8 = 1; $9 = "failed"; $10 = "simulated" } 1' "$arr/status.csv" >"$work/status"
cat "$work/status" >"$arr/status.csv"
"$SUBMIT" --resubmit "$arr" --dry-run >"$work/re-dry.out" 2>"$work/re-dry.err" ||
	fail "submit.sh --resubmit --dry-run failed: $(cat "$work/re-dry.err")"
grep -qx '#SBATCH --array=2,5' "$work/re-dry.out" ||
	fail "resubmit dry run does not name tasks 2,5: $(grep -e '--array' "$work/re-dry.out")"
"$SUBMIT" --resubmit "$arr" >/dev/null 2>"$work/re.err" ||
	fail "submit.sh --resubmit failed: $(cat "$work/re.err")"
re_id="$(job_ids "$arr" array | tail -n 1)"
re_collect="$(job_ids "$arr" collect | tail -n 1)"
[ "$re_id" != "$array_id" ] || fail "no new array job was submitted"
wait_job "$re_id" "resubmitted job array"
wait_job "$re_collect" "resubmitted collect job"
check_complete "$arr" "$configs"
awk -F, -v a="$re_id" 'NR > 1 && $3 == a { print $1 }' "$arr/jobs.csv" | sort >"$work/rerun"
printf '%s\n' "$missing_id" "$failed_id" | sort >"$work/want"
cmp -s "$work/rerun" "$work/want" ||
	fail "resubmit ran '$(paste -sd' ' "$work/rerun")', want '$(paste -sd' ' "$work/want")'"
"$SUBMIT" --resubmit "$arr" 2>"$work/re2.err" || fail "a resubmit with nothing to do failed"
grep -q 'nothing to resubmit' "$work/re2.err" || fail "resubmit of a complete folder: $(cat "$work/re2.err")"
note "resubmit ran exactly the missing and the failed configuration in $(since "$t") s"

# ---- any folder name mkdir accepts: quoted in #SBATCH --output, or (with
# '%' or a backslash, which Slurm expands or strips there) output written
# by the job script itself.
t="$(date +%s.%N)"
for name in "we ird 'q\" é" "pct%x back\\slash"; do
	odd="$work/$name"
	run_dirs+=("$odd")
	"$SUBMIT" --mode allocation --ntasks 1 --time 5 -- --build "$build" --kernels sqrtpow \
		--drivers serial --size sqrtpow=20k --reps "$REPS" --warmup 0 --no-plot --no-probe \
		--out "$odd" >/dev/null 2>"$work/odd.err" || fail "submit.sh into '$name' failed: $(cat "$work/odd.err")"
	odd_id="$(job_ids "$odd" allocation)"
	wait_job "$odd_id" "the job of '$name'"
	check_complete "$odd" 1
	[ -s "$odd/slurm/parscale-allocation-$odd_id.out" ] ||
		fail "no job output in '$odd/slurm': $(ls "$odd/slurm")"
done
note "folders named with spaces, quotes, '%' and a backslash in $(since "$t") s"

t="$(date +%s.%N)"
slurm_down
note "slurm down in $(since "$t") s"
note "pass in $(since "$start") s"
