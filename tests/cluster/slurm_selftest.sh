#!/usr/bin/env bash
# slurm_selftest.sh - check tests/lib/slurm.sh: start a one-node Slurm, run a
# batch job, a failing job, a 4-task array and a 2-rank srun --mpi=pmix MPI
# program, stop it, and expect no daemon or job step left behind.
# Exit 0 pass, 1 fail, 77 skip (not root or Slurm/munge not installed).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=../lib/slurm.sh
. "$here/../lib/slurm.sh"

: "${TSLURM_SELFTEST_JOB_TIMEOUT:=60}"

# since START - print seconds elapsed since START (from "date +%s.%N").
since() {
	awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'
}

fail() {
	printf 'slurm_selftest: FAIL: %s\n' "$*" >&2
	if [ -n "${TSLURM_DIR:-}" ]; then
		slurm_show_logs
	fi
	exit 1
}

note() {
	printf 'slurm_selftest: %s\n' "$*" >&2
}

if ! slurm_check; then
	exit 77
fi
command -v mpicc >/dev/null 2>&1 ||
	fail "'mpicc' not found (install openmpi-bin libopenmpi-dev)"

work="$(mktemp -d "${TMPDIR:-/tmp}/parscale-slurm-selftest.XXXXXX")"
cleanup() {
	slurm_down
	rm -rf -- "$work"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

cat >"$work/hello.c" <<'EOF'
/* hello.c - print "rank R of N on NAME sum S" from every MPI rank. */
#include <mpi.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	char name[MPI_MAX_PROCESSOR_NAME];
	int rank, size, len;

	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	MPI_Get_processor_name(name, &len);
	int token = rank;
	MPI_Allreduce(MPI_IN_PLACE, &token, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
	printf("rank %d of %d on %s sum %d\n", rank, size, name, token);
	MPI_Finalize();
	return 0;
}
EOF
timeout 60 mpicc -O1 -o "$work/hello" "$work/hello.c" || fail "mpicc failed"

start="$(date +%s.%N)"
slurm_up || fail "slurm_up failed"
note "up on ports $TSLURM_PORT_BASE.. in $(since "$start") s"
pids=()
for d in slurmd slurmctld munged; do
	p="$(slurm_pid "$d")"
	[ -n "$p" ] || fail "no pid file for $d"
	pids+=("$p")
done
jobs_dir="$TSLURM_DIR/jobs"

# A plain batch job.
t="$(date +%s.%N)"
# shellcheck disable=SC2016 # expanded by the job
id="$(slurm_cmd sbatch --parsable -o "$jobs_dir/plain-%j.out" \
	--wrap 'echo "plain job $SLURM_JOB_ID on $SLURMD_NODENAME"')" ||
	fail "sbatch failed"
state="$(slurm_wait_job "$id" "$TSLURM_SELFTEST_JOB_TIMEOUT")" ||
	fail "plain job $id ended $state"
grep -qx "plain job $id on localhost" "$jobs_dir/plain-$id.out" ||
	fail "plain job output wrong: $(cat "$jobs_dir/plain-$id.out" 2>&1)"
note "plain job $state in $(since "$t") s"

# A failing batch job must be reported as failed.
t="$(date +%s.%N)"
id="$(slurm_cmd sbatch --parsable -o /dev/null --wrap 'exit 3')" ||
	fail "sbatch failed"
rc=0
state="$(slurm_wait_job "$id" "$TSLURM_SELFTEST_JOB_TIMEOUT")" || rc=$?
if [ "$rc" -ne 1 ] || [ "$state" != "FAILED" ]; then
	fail "failing job $id: rc $rc state '$state', expected 1 FAILED"
fi
note "failing job $state in $(since "$t") s"

# An impossible request must be refused at once, not queued.
if slurm_cmd sbatch --parsable -o /dev/null -n "$(($(nproc) * 2))" \
	--wrap true >/dev/null 2>&1; then
	fail "sbatch accepted more tasks than the node has CPUs"
fi

# A job array of 4 tasks.
t="$(date +%s.%N)"
# shellcheck disable=SC2016 # expanded by the job
id="$(slurm_cmd sbatch --parsable --array=1-4 -o "$jobs_dir/array-%A_%a.out" \
	--wrap 'echo "task $SLURM_ARRAY_TASK_ID of $SLURM_ARRAY_JOB_ID"')" ||
	fail "sbatch --array failed"
state="$(slurm_wait_job "$id" "$TSLURM_SELFTEST_JOB_TIMEOUT")" ||
	fail "array job $id ended $state"
for k in 1 2 3 4; do
	grep -qx "task $k of $id" "$jobs_dir/array-${id}_$k.out" ||
		fail "array task $k output wrong: $(cat "$jobs_dir/array-${id}_$k.out" 2>&1)"
done
note "array of 4 $state in $(since "$t") s"

# An MPI program started by srun through PMIx.
t="$(date +%s.%N)"
slurm_cmd srun --mpi=pmix -n 2 "$work/hello" >"$work/mpi.out" 2>"$work/mpi.err" ||
	fail "srun --mpi=pmix failed: $(cat "$work/mpi.out" "$work/mpi.err")"
for r in 0 1; do
	grep -qE "^rank $r of 2 on .* sum 1$" "$work/mpi.out" ||
		fail "srun MPI output wrong: $(cat "$work/mpi.out" "$work/mpi.err")"
done
note "srun --mpi=pmix -n 2 in $(since "$t") s"

# The same program as a batch job.
t="$(date +%s.%N)"
id="$(slurm_cmd sbatch --parsable -n 2 -o "$jobs_dir/mpi-%j.out" \
	--wrap "srun --mpi=pmix $work/hello")" || fail "sbatch of srun failed"
state="$(slurm_wait_job "$id" "$TSLURM_SELFTEST_JOB_TIMEOUT")" ||
	fail "MPI batch job $id ended $state: $(cat "$jobs_dir/mpi-$id.out" 2>&1)"
[ "$(grep -c '^rank [01] of 2 on .* sum 1$' "$jobs_dir/mpi-$id.out")" -eq 2 ] ||
	fail "MPI batch output wrong: $(cat "$jobs_dir/mpi-$id.out")"
note "MPI batch job $state in $(since "$t") s"

# A job still running at slurm_down must be ended with the daemons.
printf '#!/bin/sh\nexec sleep 300\n' >"$work/long.sh"
chmod 755 "$work/long.sh"
id="$(slurm_cmd sbatch --parsable -o /dev/null "$work/long.sh")" ||
	fail "sbatch of the long job failed"
for i in $(seq 1 100); do
	state="$(slurm_cmd squeue -h -j "$id" -o %T)" || state=""
	[ "$state" = "RUNNING" ] && break
	[ "$i" -lt 100 ] || fail "long job $id not running: '$state'"
	sleep 0.1
done

# Stop, twice, and expect nothing left.
t="$(date +%s.%N)"
dir="$TSLURM_DIR"
slurm_down
slurm_down
note "down in $(since "$t") s"
for p in "${pids[@]}"; do
	if slurm_pid_running "$p"; then
		fail "daemon pid $p survived slurm_down"
	fi
done
[ ! -e "$dir" ] || fail "'$dir' left after slurm_down"
[ -z "${SLURM_CONF:-}" ] || fail "SLURM_CONF still set after slurm_down"
for p in /proc/[0-9]*; do
	if { tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null | grep -qF "$work/" &&
		slurm_pid_running "${p#/proc/}"; then
		fail "job process ${p#/proc/} survived: $(tr '\0' ' ' <"$p/cmdline")"
	fi
done
note "pass in $(since "$start") s"
