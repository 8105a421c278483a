#!/usr/bin/env bash
# slurm_nodes.sh - scripts/submit.sh against a real Slurm of three nodes
# (tests/lib/slurm.sh: one slurmd per network-namespace host, node1..node3,
# one CPU each). An allocation-mode sweep of parscale-mpi at 3 workers must
# spread its srun --mpi=pmix ranks over the three nodes and the rows must
# say so (nodes = 3, hosts = node1:1;node2:1;node3:1). Then node 2 crashes
# (every process on it, slurmd included, killed) while a sweep's run uses
# it: that configuration must be recorded failed naming the node, nothing
# of it may reach raw.csv, and once the node is back, --resubmit must
# complete the sweep with no row lost or duplicated.
#
# Usage: slurm_nodes.sh BUILD_DIR. Exit 0 pass, 1 fail, 77 skip (not root,
# no network namespaces, or the Slurm and munge packages are missing).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="$(cd "$here/../.." && pwd)"
# shellcheck source-path=SCRIPTDIR source=../lib/slurm.sh
. "$here/../lib/slurm.sh"

readonly SUBMIT="$src/scripts/submit.sh" NODES=3 JOB_TIMEOUT=150

since() {
	awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'
}

note() {
	printf 'slurm_nodes: %s\n' "$*" >&2
}

fail() {
	printf 'slurm_nodes: FAIL: %s\n' "$*" >&2
	local f
	for f in "$work"/*/slurm/*.out; do
		[ -f "$f" ] && tail -n 8 "$f" >&2
	done
	[ -z "${TSLURM_DIR:-}" ] || slurm_show_logs
	exit 1
}

# col FILE NAME - the values of column NAME of CSV FILE (no header).
col() {
	awk -F, -v name="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i; if (!c) exit 1; next }
		{ print $c }' "$1"
}

# complete DIR CONFIGS REPS - every configuration ok, CONFIGS x REPS rows,
# each (run id, rep) once, all verified, the plan's run ids exactly.
complete() {
	local d="$1" rows dups
	rows="$(($(wc -l <"$d/raw.csv") - 1))"
	[ "$rows" -eq $(($2 * $3)) ] || fail "$d: raw.csv has $rows rows, want $(($2 * $3))"
	dups="$(paste -d, <(col "$d/raw.csv" run_id) <(col "$d/raw.csv" rep) | sort | uniq -d)"
	[ -z "$dups" ] || fail "$d: rows twice: $dups"
	! col "$d/raw.csv" verified | grep -qvx 1 || fail "$d: a row has verified != 1"
	[ "$(awk -F, 'NR > 1 && $9 == "ok"' "$d/status.csv" | wc -l)" -eq "$2" ] ||
		fail "$d: not every configuration is ok: $(cat "$d/status.csv")"
	cmp -s <(awk -F, 'NR > 1 { print $2 }' "$d/plan.txt" | sort) <(col "$d/raw.csv" run_id | sort -u) ||
		fail "$d: run ids in raw.csv differ from the plan"
}

# submitted DIR - the job id of DIR's last submission.
submitted() {
	awk -F, 'NR > 1 { id = $4 } END { print id }' "$1/slurm/submissions.csv"
}

# wait_job ID WHAT - wait for job ID to end; print its state.
wait_job() {
	local state rc=0
	state="$(slurm_wait_job "$1" "$JOB_TIMEOUT")" || rc=$?
	[ "$rc" -ne 124 ] || fail "$2 (job $1) still not done after $JOB_TIMEOUT s: $state"
	printf '%s\n' "$state"
}

[ "$#" -eq 1 ] || fail "usage: slurm_nodes.sh BUILD_DIR"
build="$(cd "$1" && pwd)" || fail "no build folder '$1'"
if ! slurm_check || ! netns_check; then
	exit 77
fi
[ -x "$build/parscale-mpi" ] || fail "'$build/parscale-mpi' is not built"

work="$(mktemp -d "${TMPDIR:-/tmp}/parscale-slurm-nodes.XXXXXX")"
cleanup() {
	slurm_down
	rm -rf -- "$work"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

start="$(date +%s.%N)"
slurm_up "$NODES" || fail "slurm_up $NODES failed"
note "$NODES nodes up in $(since "$start") s"

# ---- one job, ranks spread over the nodes
t="$(date +%s.%N)"
d="$work/spread"
slurm_in_head timeout 60 "$SUBMIT" --mode allocation --nodes "$NODES" --ntasks "$NODES" \
	--cpus-per-task 1 --time 5 -- --build "$build" --kernels stencil,triad --drivers mpi \
	--workers "$NODES" --size stencil=64,triad=20k --reps 2 --warmup 1 --timeout 20 \
	--no-plot --no-probe --out "$d" >/dev/null 2>"$work/submit.err" ||
	fail "submit.sh (spread) failed: $(cat "$work/submit.err")"
id="$(submitted "$d")"
state="$(wait_job "$id" "the spread job")"
[ "$state" = COMPLETED ] || fail "the spread job ended $state"
complete "$d" 2 2
! col "$d/raw.csv" nodes | grep -qvx "$NODES" || fail "a run did not span $NODES nodes: $(col "$d/raw.csv" nodes | sort -u)"
! col "$d/raw.csv" hosts | grep -qvx 'node1:1;node2:1;node3:1' ||
	fail "hosts column: $(col "$d/raw.csv" hosts | sort -u), want node1:1;node2:1;node3:1"
grep -qx 'placement_mpi_w3=node1:1;node2:1;node3:1' "$d/meta.txt" ||
	fail "meta.txt lacks the placement: $(grep '^placement' "$d/meta.txt")"
awk -F, -v j="$id" 'NR > 1 && ($2 != j || $5 != "node[1-3]") { bad = 1 } END { exit bad || NR != 3 }' "$d/jobs.csv" ||
	fail "jobs.csv does not name job $id on node[1-3]: $(cat "$d/jobs.csv")"
note "srun --mpi=pmix spread 3 ranks over node1..node3, rows say so ($(since "$t") s)"

# ---- a node crashes while a run uses it
t="$(date +%s.%N)"
d="$work/crash"
# three runs of 240/241/242 sleep items of 50 ms over 3 ranks: 4 s each
slurm_in_head timeout 60 "$SUBMIT" --mode allocation --nodes "$NODES" --ntasks "$NODES" \
	--cpus-per-task 1 --time 5 -- --build "$build" --kernels sleep --drivers mpi \
	--workers "$NODES" --size sleep=240,sleep=241,sleep=242 --param sleep:wait_us=50000 \
	--reps 1 --warmup 0 --timeout 30 --no-plot --no-probe --out "$d" >/dev/null 2>"$work/submit.err" ||
	fail "submit.sh (crash) failed: $(cat "$work/submit.err")"
id="$(submitted "$d")"
for i in $(seq 1 1200); do
	[ "$(wc -l <"$d/status.csv")" -lt 2 ] || break
	[ "$i" -lt 1200 ] || fail "the first run of the crash job never finished"
	sleep 0.1
done
victim="$(awk -F, '$1 == 2 { print $2 }' "$d/plan.txt")"
sleep 1                       # the second run is under way
slurm_kill_node 2
note "node2 crashed during $victim"
state="$(wait_job "$id" "the crashed job")"
line="$(awk -F, -v v="$victim" '$2 == v' "$d/status.csv")"
[ -n "$line" ] || fail "$victim is not recorded (status.csv: $(cat "$d/status.csv"))"
printf '%s\n' "$line" | cut -d, -f9 | grep -qx failed || fail "$victim is not recorded failed: $line"
printf '%s\n' "$line" | cut -d, -f10 | grep -q 'lost host node2' || fail "the reason does not name node2: $line"
! col "$d/raw.csv" run_id 2>/dev/null | grep -qx "$victim" || fail "rows of the crashed run reached raw.csv"
note "job ended $state; $victim recorded: $(printf '%s\n' "$line" | cut -d, -f10) ($(since "$t") s)"

# ---- the node comes back; --resubmit completes the sweep
t="$(date +%s.%N)"
slurm_start_node 2 || fail "node2's slurmd did not start again"
slurm_wait_idle 120 || fail "node2 did not come back: $(slurm_cmd sinfo -h -o '%n %t %E' | tr '\n' ';')"
slurm_in_head timeout 60 "$SUBMIT" --resubmit "$d" >/dev/null 2>"$work/submit.err" ||
	fail "submit.sh --resubmit failed: $(cat "$work/submit.err")"
re_id="$(submitted "$d")"
[ "$re_id" != "$id" ] || fail "no new job was submitted"
state="$(wait_job "$re_id" "the resubmitted job")"
[ "$state" = COMPLETED ] || fail "the resubmitted job ended $state"
complete "$d" 3 1
awk -F, -v j="$re_id" 'NR > 1 && $2 == j { print $1 }' "$d/jobs.csv" | grep -qx "$victim" ||
	fail "the resubmitted job did not run $victim"
note "--resubmit completed the sweep: 3 configurations, no row lost or repeated ($(since "$t") s)"
note "pass in $(since "$start") s"
