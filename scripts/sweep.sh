#!/usr/bin/env bash
# sweep.sh: run parscale kernels × drivers × worker counts into a run folder.
#
# Each configuration (kernel, driver, size, workers) is one driver run with
# its own run id. Rows go to DIR/raw.csv whole, and only after the run ended
# (exit 0, or 3 for a failed verification); DIR/status.csv then records that
# the configuration is complete. An interrupted sweep is finished with
# --resume DIR. See --help and the README's "Sweeps and studies" section.
#
# This file chooses what to do; the work is in scripts/lib/: plan.sh (what
# runs), launch.sh (how it starts), run.sh (running and recording),
# folder.sh (the folder, its owner and settings), resume.sh (auditing a
# folder before resuming), tasks.sh (job array tasks, collect), meta.sh
# (metadata, build.txt), probe.sh (the capacity probe), exec.sh (--exec),
# klib.sh (--kernel-lib), options.sh.
set -euo pipefail
# Numbers with a decimal point in everything printed here and by the tools
# run from here; the user's character set is kept (gnuplot needs it).
if [[ -n ${LC_ALL:-} ]]; then
	export LANG="$LC_ALL"
	unset LC_ALL
fi
export LC_NUMERIC=C
# This shell itself works in bytes (lengths of what it appends, patterns);
# not exported, so what it runs keeps the user's locale.
LC_ALL=C

PROG=sweep.sh
LIB=$(dirname -- "${BASH_SOURCE[0]}")/lib
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$LIB/common.sh"
ROOT=$(repo_root)
readonly ROOT
readonly SELF="$ROOT/scripts/sweep.sh"
# shellcheck source-path=SCRIPTDIR source=lib/options.sh
source "$LIB/options.sh"
# shellcheck source-path=SCRIPTDIR source=lib/folder.sh
source "$LIB/folder.sh"
# shellcheck source-path=SCRIPTDIR source=lib/plan.sh
source "$LIB/plan.sh"
# shellcheck source-path=SCRIPTDIR source=lib/launch.sh
source "$LIB/launch.sh"
# shellcheck source-path=SCRIPTDIR source=lib/run.sh
source "$LIB/run.sh"
# shellcheck source-path=SCRIPTDIR source=lib/meta.sh
source "$LIB/meta.sh"
# shellcheck source-path=SCRIPTDIR source=lib/probe.sh
source "$LIB/probe.sh"
# shellcheck source-path=SCRIPTDIR source=lib/resume.sh
source "$LIB/resume.sh"
# shellcheck source-path=SCRIPTDIR source=lib/tasks.sh
source "$LIB/tasks.sh"

opt_add <<'EOF'
--out value out new
--prepare flag prepare new
--resume value resume
--dry-run flag dry_run
--no-plot flag no_plot
-h|--help flag help
EOF

usage() {
	cat <<EOF
usage: scripts/sweep.sh [OPTION]...
       scripts/sweep.sh --resume DIR [--retry-failed] [--build DIR] [--no-plot]
                        [--no-probe] [--dry-run] [--task N] [--allow-changed-build]
       scripts/sweep.sh --collect DIR

Runs every kernel × driver × worker count × size as one driver run and
collects the CSV rows in a run folder (raw.csv, status.csv, plan.txt,
settings.txt, build.txt, meta.txt, probe.csv, sweep.log, command.sh).

What to run:
  --kernels LIST      comma-separated kernel names, or all (default: all)
  --drivers LIST      comma-separated drivers, or all (default), c or python:
                      every built driver, or of that family (mpi and hybrid
                      also need the launcher); the drivers are
                      $(printf '%s,' "${ALL_DRIVERS[@]}" | sed 's/,$//')
  --workers LIST      worker counts: N, A-B, pow2:N, comma-separated
                      (default: $DEF_WORKERS); the serial driver runs once at 1
  --threads T         OpenMP threads per MPI rank of the hybrid driver: W
                      workers run as W/T ranks x T threads, and counts that
                      T does not divide are skipped for it (default:
                      \$SLURM_CPUS_PER_TASK inside Slurm, else $DEF_THREADS)
  --scaling MODE      strong or weak (default: $DEF_SCALING)
  --size SPEC         SIZE for every kernel, or KERNEL=SIZE items, comma-
                      separated, mixable (1000,triad=2M); a kernel named twice
                      is swept over both sizes; kernels with no size use the
                      driver's default. SIZE takes k/M/G or Ki/Mi/Gi suffixes
  --reps N            timed repetitions per run (default: $DEF_REPS)
  --warmup N          warm-up repetitions per run (default: $DEF_WARMUP)
  --timeout SECONDS   per-run limit passed to the driver (default: $DEF_TIMEOUT)
  --schedule S        static, static,CHUNK, dynamic or dynamic,CHUNK
  --param [KERNEL:]KEY=VALUE
                      kernel parameter, repeatable; with KERNEL: only for it
  --kernel-lib PATH   a kernel library of yours, or a folder of them,
                      repeatable: given to every driver (as their own
                      --kernel-lib), so --kernels can name its kernels.
                      Recorded with its real path, and its SHA-256 in
                      build.txt: a resume uses it without being told, and
                      refuses a rebuilt one as a rebuilt driver (README:
                      "Your own kernel")
  --mpi-args "ARGS"   extra mpirun arguments, split like a shell would split
                      them (quotes honoured), never evaluated
  --hostfile FILE     passed to mpirun as --hostfile (a copy and its hosts
                      and slots are recorded in the run folder)
  --launcher L        how mpi and hybrid runs start: mpirun (default) or
                      srun (inside a Slurm allocation: srun --mpi=pmix
                      --ntasks=WORKERS --cpus-per-task=\$SLURM_CPUS_PER_TASK,
                      default 1; hybrid --ntasks=WORKERS/T --cpus-per-task=T)
  --build DIR         where the parscale-* binaries are (default: build)
Every configuration is shown to its driver (--check-config) before the first
run: values the drivers refuse are refused here, with their message.

A program of your own instead of kernels x drivers (README: "Studying your
own program"):
  --exec NAME=COMMAND a variant of the study, repeatable: the driver exec:NAME
                      in the rows. Each repetition runs COMMAND once as a new
                      process through parscale-exec, which times it. COMMAND
                      runs directly (fork + exec), never through a shell: it
                      is split into words as a shell would split it and
                      nothing in it is evaluated; \$VAR, globs, pipes and
                      redirections are refused. NAME=VALUE words before the
                      program set its environment. Placeholders {workers}
                      {threads} {ranks} {nodes} {size} {total_size} {rep} and
                      {KEY} of each --param are replaced first. A command
                      naming {ranks} runs that many ranks; naming {ranks} and
                      {threads}, workers/--threads ranks x --threads; any
                      other, threads. It runs in the folder the sweep was
                      started in, also when resumed
  --shell             run every COMMAND through /bin/sh -c: evaluated
  --name NAME         the study's name, the kernel column (default: $DEF_EXEC_NAME)
  --metric REGEX      the program's own time: the first group of the first
                      match (POSIX extended) in its stdout; seconds is then
                      that time and startup_seconds = wall - it
  --metric-csv COLUMN, --metric-unit s|ms|us|ns, --from stdout|stderr,
  --check-regex REGEX, --check-cmd COMMAND, --work N, --work-unit UNIT,
  --class CLASS, --dims 1|2
                      passed to every variant's parscale-exec (see
                      parscale-exec --help); --param too. --kernels,
                      --kernel-lib, --drivers, --schedule, --mpi-args and
                      --hostfile do not apply: the command says what runs
                      and how it is launched

Where and how:
  --out DIR           run folder, new or empty (default:
                      results/<host>-<UTC time>); one sweep, resume or
                      collect works in a folder at a time
  --shuffle           run the configurations in random order
  --seed N            seed for --shuffle (the seed used is always recorded)
  --probe-size SIZE   per-worker size of the capacity probe
                      ($PROBE_KERNEL, weak scaling; default: $DEF_PROBE_SIZE)
  --no-probe          skip the capacity probe before and after the sweep
  --no-plot           do not run scripts/plot.sh on the run folder afterwards
  --dry-run           print the plan and the commands; write nothing
  --prepare           write the run folder (plan, settings, meta) and run
                      nothing; run it later with --resume DIR or --task N
  --resume DIR        finish the sweep recorded in DIR: completed
                      configurations are skipped, interrupted ones rerun;
                      the folder is audited first (a configuration whose
                      rows are missing runs again, a malformed line is
                      refused with FILE:LINE) and the build and runtime
                      environment are compared with build.txt
  --retry-failed      with --resume: also rerun failed and verify-failed ones
  --allow-changed-build
                      with --resume: go on although the build or the
                      environment changed (recorded in meta.txt)
  --task N            with --resume: run only configuration N of plan.txt
                      (its order number), writing its rows, status and log
                      to DIR/tasks/ instead of raw.csv and status.csv, so
                      that many tasks (a Slurm job array) can run at once
  --collect DIR       merge the finished results in DIR/tasks/ into raw.csv,
                      status.csv, sweep.log and jobs.csv (a newer result of
                      a configuration replaces the older one)
  -h, --help          print this help and exit

Environment: OMPI_MCA_pml defaults to ob1 for mpi runs when unset (MPI_Init
~10x faster here); as root the OMPI_ALLOW_RUN_AS_ROOT* variables are set for
mpirun. Both are recorded in meta.txt. Hybrid runs get OMP_NUM_THREADS=T
(and OMP_WAIT_POLICY=passive when oversubscribed, unless set) and, from
mpirun without a --bind-to or --map-by of yours, --map-by slot:PE=T (T cores
per rank) where the workers fit the cores, else --bind-to none. Under Slurm
(SLURM_JOB_ID set) each run's job id, array job and task id, node list and
host go to DIR/jobs.csv.

Exit status: 0 all configurations ok, 1 a run failed (or a runtime error),
2 usage error (also: the folder is in use, or changed), 3 a run failed
verification (and none failed otherwise).
EOF
}

# check_modes: the options that go together.
check_modes() {
	local o
	if [[ -n ${OPTV[collect]:-} ]]; then
		for o in "${OPT_GIVEN[@]}"; do
			case $o in
			--collect | --build | --no-plot | --no-probe) ;;
			*) usage_error "option '--collect DIR' takes no other option but --build" ;;
			esac
		done
	elif [[ -n ${OPTV[resume]:-} ]]; then
		! o=$(opt_new_given) ||
			usage_error "option '$o' cannot be used with --resume (the plan is in the run folder)"
		if [[ -n ${OPTV[task]:-} ]]; then
			is_posint "${OPTV[task]}" || usage_error "bad --task '${OPTV[task]}' (want a plan order number >= 1)"
			[[ -z ${OPTV[retry_failed]:-} ]] || usage_error "option '--retry-failed' cannot be used with --task"
		fi
	else
		for o in --retry-failed --task --allow-changed-build; do
			! opt_given "$o" || usage_error "option '$o' needs --resume DIR"
		done
		[[ -z ${OPTV[prepare]:-} || -z ${OPTV[dry_run]:-} ]] ||
			usage_error "options '--prepare' and '--dry-run' exclude each other"
	fi
}

# load_folder: the settings and plan of the run folder DIR, checked.
load_folder() {
	settings_load "$DIR/settings.txt"
	[[ -z ${OPTV[build]:-} ]] || S[build]=${OPTV[build]}
	# Folders from before the hybrid driver have no threads.
	[[ -n ${S[threads]} ]] || S[threads]=$DEF_THREADS
	PARAMS=()
	[[ -z ${S[param]} ]] || mapfile -t PARAMS <<<"${S[param]}"
	plan_check_values
	launch_check_values
	probe_check_values
	SETTINGS_SRC=""
	plan_load
}

# new_sweep: check the options of a new sweep and make its plan.
new_sweep() {
	launch_from_options
	S[param]=${OPTV[param]:-}
	plan_from_options
	probe_from_options
	[[ -n ${S[seed]} ]] || S[seed]=$(((${SRANDOM:-$RANDOM} + $$) % 2147483647))
	S[sweep_id]="$(stamp_now)-$(printf '%04x' $((RANDOM % 65536)))"
	OUT=${OPTV[out]-$(parscale_results_dir)/$(short_host)-$(stamp_now)}
	folder_check_new "$OUT"
	plan_make "${S[sweep_id]}"
	((!S[shuffle])) || plan_shuffle "${S[seed]}"
	plan_check_configs
	plan_warnings
	S[plan_lines]=${#PLAN[@]}
	S[plan_sum]=$(plan_sum)
}

# write_new_folder: make the run folder and everything in it before a run.
write_new_folder() {
	folder_make_new "$OUT"
	settings_write "$DIR/settings.txt"
	plan_write
	folder_write_command
	if [[ -n ${S[hostfile]} ]]; then
		cp -- "${S[hostfile]}" "$DIR/hostfile" || die "cannot copy '${S[hostfile]}' into '$DIR'"
	fi
	write_meta "$([[ -n ${OPTV[prepare]:-} ]] && printf prepared || printf started)"
	fingerprint_write
	printf '%s\n' "$STATUS_HEADER" | write_atomic "$DIR/status.csv"
	: >>"$DIR/sweep.log"
}

# dry_run_resume: what a resume would run, from an audit of the folder
# made elsewhere (nothing in DIR changes).
dry_run_resume() {
	local tmp id
	local -A done_ids=()
	local -a left=()
	fingerprint_check dry
	if [[ -z ${OPTV[task]:-} ]]; then
		tmp=$(mktemp -d "${TMPDIR:-/tmp}/parscale-resume.XXXXXX")
		# shellcheck disable=SC2064  # the name is fixed now
		trap "rm -rf -- '$tmp'" EXIT
		folder_audit "$tmp"
		while IFS= read -r id; do
			done_ids[$id]=1
		done < <(folder_done_ids "$tmp/status.csv")
		for id in "${PLAN[@]}"; do
			[[ -n ${done_ids[${id%% *}]:-} ]] || left+=("$id")
		done
		printf '# resuming %s: %d of %d configurations left\n' "$DIR" "${#left[@]}" "${#PLAN[@]}"
		PLAN=("${left[@]}")
	fi
	((${#PLAN[@]} == 0)) || plan_print
	exit "$EXIT_OK"
}

# ---- main ------------------------------------------------------------------------

capture_user_env
ORIG_ARGS=("$@")
ORIG_PWD=$PWD
drivers_load
opt_parse "$@"
if [[ -n ${OPTV[help]:-} ]]; then
	usage
	exit 0
fi
check_modes

if [[ -n ${OPTV[collect]:-} ]]; then
	folder_open "${OPTV[collect]}" "sweep.sh --collect" --collect plan.txt settings.txt status.csv
	load_folder
	collect_tasks
fi

if [[ -n ${OPTV[resume]:-} ]]; then
	folder_open "${OPTV[resume]}" "" --resume plan.txt settings.txt
	load_folder
	klib_check_files
	task=${OPTV[task]:-}
	if [[ -n $task ]]; then
		((10#$task <= ${#PLAN[@]})) ||
			usage_error "bad --task '$task' ('$DIR/plan.txt' has ${#PLAN[@]} configurations)"
		plan_check_configs "${PLAN[10#$task - 1]}"
		[[ -z ${OPTV[dry_run]:-} ]] || PLAN=("${PLAN[10#$task - 1]}")
	else
		plan_check_configs
	fi
	[[ -z ${OPTV[dry_run]:-} ]] || dry_run_resume
	if [[ -n $task ]]; then
		folder_shared_check "$DIR"
		run_task "$((10#$task))"
	fi
	folder_claim "$DIR" "sweep.sh --resume"
	tasks_running
else
	new_sweep
	if [[ -n ${OPTV[dry_run]:-} ]]; then
		DIR=$OUT
		plan_print
		exit 0
	fi
	write_new_folder
	if [[ -n ${OPTV[prepare]:-} ]]; then
		warn "prepared ${#PLAN[@]} configurations in $DIR; run them with: $(quote_cmd "$SELF" --resume "$DIR") (or --task N for one)"
		exit "$EXIT_OK"
	fi
fi

trap_signals
probe_phase=before
if [[ -n ${OPTV[resume]:-} ]]; then
	LOG_FILE=$DIR/sweep.log
	fingerprint_check resume
	folder_repair
	run_outputs "$DIR/raw.csv" "$DIR/status.csv" "$DIR/sweep.log" "$DIR/jobs.csv" "$DIR/.runs"
	if grep -q '^started=' "$DIR/meta.txt" 2>/dev/null; then
		utc_now
		printf 'resumed=%s\n' "$NOW" >>"$DIR/meta.txt"
		probe_phase=resume
	else
		refresh_prepared_meta
	fi
else
	mkdir -- "$DIR/.runs" || die "cannot create '$DIR/.runs'"
	run_outputs "$DIR/raw.csv" "$DIR/status.csv" "$DIR/sweep.log" "$DIR/jobs.csv" "$DIR/.runs"
fi

mapfile -t done_ids < <(folder_done_ids "$DIR/status.csv")
n=${#PLAN[@]}
todo=$((n - ${#done_ids[@]}))
[[ -z ${OPTV[resume]:-} ]] || warn "resuming '$DIR': $todo of $n configurations left"
if probe_on && ((todo > 0)); then
	run_probe "$probe_phase"
fi
run_all "${done_ids[@]}"
if probe_on && ((RAN > 0)); then
	run_probe after
fi
finish_meta finished
rm -rf -- "$DIR/.runs"
warn "$n configurations: $N_OK ok, $N_FAILED failed, $N_VERIFY verify-failed; ran $RAN in ${RUN_SECONDS}s; results in $DIR"

rc=$EXIT_OK
((N_VERIFY == 0)) || rc=$EXIT_VERIFY
((N_FAILED == 0)) || rc=$EXIT_FAILURE
if [[ -z ${OPTV[no_plot]:-} && -x $ROOT/scripts/plot.sh && -s $DIR/raw.csv ]]; then
	if ! PARSCALE_BUILD="${S[build]}" "$ROOT/scripts/plot.sh" "$DIR" 9>&-; then
		warn "scripts/plot.sh failed on '$DIR'"
		((rc != EXIT_OK)) || rc=$EXIT_FAILURE
	fi
fi
exit "$rc"
