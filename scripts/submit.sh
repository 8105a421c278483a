#!/usr/bin/env bash
# submit.sh: turn a parscale sweep into Slurm batch work.
#
# The run folder is made first, on this machine, by scripts/sweep.sh
# --prepare (plan, settings); then either one job runs the whole sweep in its
# allocation (--mode allocation: sweep.sh --resume DIR), or a job array runs
# one configuration per task (--mode array: sweep.sh --resume DIR --task N)
# and a dependent job merges the tasks' results (sweep.sh --collect DIR).
# The batch scripts are made from the templates in scripts/slurm/ and kept,
# with every submission, in DIR/slurm/. See --help.
set -euo pipefail
export LC_NUMERIC=C

PROG=submit.sh
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source-path=SCRIPTDIR source=lib/folder.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/folder.sh"
ROOT=$(repo_root)
readonly ROOT
readonly SWEEP="$ROOT/scripts/sweep.sh"
readonly TEMPLATES="$ROOT/scripts/slurm"
readonly SUBMISSIONS_HEADER=submitted,mode,kind,job_id,array,configurations,script
# Slurm client commands against a dead controller block; bound them.
readonly SLURM_CMD_TIMEOUT=60

usage() {
	cat <<EOF
usage: scripts/submit.sh [OPTION]... -- [SWEEP OPTION]...
       scripts/submit.sh --resubmit DIR [OPTION]...
       scripts/submit.sh --collect DIR

Submits a sweep (scripts/sweep.sh options after --, e.g. --kernels, --drivers,
--workers, --size, --build, --kernel-lib, --out) to Slurm. mpi runs start with
srun --mpi=pmix unless the sweep options say --launcher mpirun. The jobs read
the sweep's settings from its run folder (a --kernel-lib path included: it
must be at the same path on the nodes).

Modes:
  --mode allocation   one job runs the whole sweep in its allocation
                      (default)
  --mode array        a job array, one task per configuration of the plan,
                      then a collect job (--dependency=afterany) merging the
                      tasks' rows into raw.csv
  --resubmit DIR      submit again only the configurations of DIR that are
                      missing or failed (collects finished tasks first);
                      the mode is the one DIR was submitted with unless
                      --mode is given
  --collect DIR       merge finished array tasks into DIR now (sweep.sh
                      --collect DIR); exit 0 when every configuration is ok

Resources (each job; array tasks each get the same):
  --partition P       --account A        --time LIMIT (e.g. 30, 1:00:00)
  --nodes N[-M]       --ntasks N         --cpus-per-task N
                      (defaults: --ntasks = the largest worker count of the
                      plan, --cpus-per-task 1; OMP_NUM_THREADS is set from
                      SLURM_CPUS_PER_TASK, and srun gets --cpus-per-task;
                      --cpus-per-task N is also the hybrid driver's threads
                      per rank unless the sweep options give --threads)
  --job-name NAME     (default: parscale)
  --sbatch-args "ARGS"
                      more sbatch options, split like a shell would split
                      them (quotes honoured), never evaluated; they come
                      after the generated ones and so override them
  --no-collect-job    array mode: do not submit the collect job
  --allow-changed-build
                      with --resubmit: run although the build or the
                      environment differs from the folder's build.txt
  --dry-run           print the batch script(s) and sbatch command lines;
                      submit nothing and write nothing
  -h, --help          print this help and exit

Files: DIR/slurm/*.sbatch (the scripts), DIR/slurm/*.out (job output),
DIR/slurm/submissions.csv (every job id), DIR/jobs.csv (per run: job, array
task, node list, host), DIR/tasks/ (array results not yet collected).

Exit status: 0 submitted (or nothing to resubmit), 1 failure, 2 usage error;
--collect: as sweep.sh --collect (1 if a configuration failed or is missing,
3 if one failed verification).
EOF
}

# ---- options -----------------------------------------------------------------

opt_add <<'EOF_OPTS'
--mode value mode
--partition value partition
--account value account
--time value time
--nodes value nodes
--ntasks value ntasks
--cpus-per-task value cpus
--job-name value job_name
--sbatch-args value sbatch_args
--resubmit value resubmit
--collect value collect
--no-collect-job flag no_collect_job
--allow-changed-build flag allow_changed
--dry-run flag dry_run
-h|--help flag help
-- rest sweep_opts
EOF_OPTS
# shellcheck disable=SC2034  # read by opt_parse
OPT_HINT="sweep options go after --; see --help"
opt_parse "$@"
if [[ -n ${OPTV[help]:-} ]]; then
	usage
	exit 0
fi
mode=${OPTV[mode]:-}
partition=${OPTV[partition]:-}
account=${OPTV[account]:-}
time_limit=${OPTV[time]:-}
nodes=${OPTV[nodes]:-}
ntasks=${OPTV[ntasks]:-}
cpus=${OPTV[cpus]:-}
job_name=${OPTV[job_name]:-parscale}
sbatch_args_str=${OPTV[sbatch_args]:-}
collect_job=$((${OPTV[no_collect_job]:-0} ? 0 : 1))
dry_run=${OPTV[dry_run]:-0}
resubmit=${OPTV[resubmit]:-}
collect=${OPTV[collect]:-}
sweep_opts=("${OPT_REST[@]}")

# ---- checks ------------------------------------------------------------------

# Values written into #SBATCH lines: plain tokens only, so no line can carry
# anything but the one option.
readonly TOKEN_RE='^[A-Za-z0-9_.,:+-]+$'

[[ -z $mode || $mode == allocation || $mode == array ]] ||
	usage_error "bad --mode '$mode' (want allocation or array)"
[[ -z $partition || $partition =~ $TOKEN_RE ]] || usage_error "bad --partition '$partition'"
[[ -z $account || $account =~ $TOKEN_RE ]] || usage_error "bad --account '$account'"
[[ $job_name =~ $TOKEN_RE ]] || usage_error "bad --job-name '$job_name' (letters, digits, _ . , : + -)"
if [[ -n $time_limit ]]; then
	[[ $time_limit =~ ^([0-9]+-)?[0-9]+(:[0-9]+){0,2}$ || $time_limit =~ ^(UNLIMITED|INFINITE)$ ]] ||
		usage_error "bad --time '$time_limit' (want MIN, H:MM:SS, D-H:MM:SS or UNLIMITED)"
fi
[[ -z $nodes || $nodes =~ ^[1-9][0-9]{0,5}(-[1-9][0-9]{0,5})?$ ]] ||
	usage_error "bad --nodes '$nodes' (want N or N-M)"
[[ -z $ntasks ]] || is_posint "$ntasks" || usage_error "bad --ntasks '$ntasks' (want an integer >= 1)"
[[ -z $cpus ]] || is_posint "$cpus" || usage_error "bad --cpus-per-task '$cpus' (want an integer >= 1)"
SBATCH_EXTRA=()
if [[ -n $sbatch_args_str ]]; then
	list=$(split_words "$sbatch_args_str") ||
		usage_error "bad --sbatch-args '$sbatch_args_str' (unbalanced quotes)"
	[[ -z $list ]] || mapfile -t SBATCH_EXTRA <<<"$list"
fi

n_actions=0
[[ -z $resubmit ]] || n_actions=$((n_actions + 1))
[[ -z $collect ]] || n_actions=$((n_actions + 1))
((n_actions <= 1)) || usage_error "options '--resubmit' and '--collect' exclude each other"
if [[ -n $resubmit || -n $collect ]]; then
	((${#sweep_opts[@]} == 0)) ||
		usage_error "sweep options cannot be given with --resubmit or --collect (the plan is in the run folder)"
fi

if [[ -n $collect ]]; then
	exec "$SWEEP" --collect "$collect"
fi

# ---- helpers -----------------------------------------------------------------

# slurm CMD ARGS...: run a Slurm client command, bounded.
slurm() {
	timeout -k 5 "$SLURM_CMD_TIMEOUT" "$@"
}

# slurm_path_ok P: true if Slurm can take P as a job's output path: it
# expands '%' patterns in the whole path (the working directory's part
# too) and strips backslashes; anything else goes, quoted.
slurm_path_ok() {
	[[ $1 != *[%\\]* ]]
}

# compact_list N...: ascending integers as Slurm's array syntax (1-3,5,7-8).
compact_list() {
	printf '%s\n' "$@" | sort -n -u | awk '
		NR == 1 { lo = hi = $1; next }
		$1 == hi + 1 { hi = $1; next }
		{ out = out (out == "" ? "" : ",") (lo == hi ? lo : lo "-" hi); lo = hi = $1 }
		END { if (NR) print out (out == "" ? "" : ",") (lo == hi ? lo : lo "-" hi) }'
}

# plan_ids DIR: print "order run_id workers" for each line of DIR/plan.txt.
plan_ids() {
	awk -F, 'NR > 1 { print $1, $2, $7 }' "$1/plan.txt"
}

# pending_orders DIR: the plan order numbers of DIR's configurations that
# are missing or failed (or verify-failed), judging each by its newest
# result: an uncollected task's status, else status.csv.
pending_orders() {
	local d=$1 f
	{
		[[ ! -f $d/status.csv ]] || awk -F, 'NR > 1 && NF == 11 { print $2, $9 }' "$d/status.csv"
		for f in "$d"/tasks/*.status; do
			[[ -e $f ]] || continue
			awk -F, 'NF == 11 { print $2, $9 }' "$f"
		done
	} | awk -v planf="$d/plan.txt" '
		{ state[$1] = $2 }
		END {
			while ((getline l < planf) > 0) {
				split(l, f, ",")
				if (f[1] == "order") continue
				if (state[f[2]] != "ok") print f[1]
			}
		}'
}

# queued_jobs DIR: print the ids of DIR's submitted jobs still in the queue.
queued_jobs() {
	local d=$1 ids queue
	[[ -s $d/slurm/submissions.csv ]] || return 0
	ids=$(awk -F, 'NR > 1 && $4 != "" { print $4 }' "$d/slurm/submissions.csv")
	[[ -n $ids ]] || return 0
	queue=$(slurm squeue -h -o '%F %i' 2>/dev/null) || {
		warn "squeue failed: cannot tell whether jobs of '$d' are still queued"
		return 1
	}
	awk -v ids="$ids" 'BEGIN { n = split(ids, a, "\n"); for (i = 1; i <= n; i++) mine[a[i]] = 1 }
		($1 in mine) { print $2 }' <<<"$queue"
}

# sbatch_lines KIND: the #SBATCH lines of a KIND (allocation, array,
# collect) job.
sbatch_lines() {
	local kind=$1 out_name
	case $kind in
	array) out_name="%x-%A_%a.out" ;;
	*) out_name="%x-%j.out" ;;
	esac
	printf '#SBATCH --job-name=%s\n' "$job_name${kind:+-$kind}"
	if slurm_path_ok "$run_dir"; then
		# a double-quoted value; \" stands for a quote
		printf '#SBATCH --output="%s"\n' "${run_dir//\"/\\\"}/slurm/$out_name"
	else
		# the script sends its output there itself (own_output)
		printf '#SBATCH --output=/dev/null\n'
	fi
	[[ -z $partition ]] || printf '#SBATCH --partition=%s\n' "$partition"
	[[ -z $account ]] || printf '#SBATCH --account=%s\n' "$account"
	[[ -z $time_limit ]] || printf '#SBATCH --time=%s\n' "$time_limit"
	if [[ $kind == collect ]]; then
		printf '#SBATCH --nodes=1\n#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=1\n'
		return 0
	fi
	[[ -z $nodes ]] || printf '#SBATCH --nodes=%s\n' "$nodes"
	# A node that fails fails the runs on it, which the sweep records (and
	# --resubmit reruns); the rest of the sweep goes on.
	[[ $kind != allocation ]] || printf '#SBATCH --no-kill\n'
	printf '#SBATCH --ntasks=%s\n' "$ntasks"
	printf '#SBATCH --cpus-per-task=%s\n' "$cpus"
	[[ $kind != array ]] || printf '#SBATCH --array=%s\n' "$array_spec"
}

# settings_lines KIND: the quoted shell settings of a KIND job.
settings_lines() {
	printf 'sweep=%q\n' "$SWEEP"
	printf 'run_dir=%q\n' "$run_dir"
	slurm_path_ok "$run_dir" || printf 'own_output=1\n'
	[[ $1 == collect ]] && return 0
	if ((${#JOB_SWEEP_ARGS[@]})); then
		printf 'sweep_args=(%s)\n' "$(quote_cmd "${JOB_SWEEP_ARGS[@]}")"
	else
		printf 'sweep_args=()\n'
	fi
}

# render KIND OUT: write the batch script of a KIND job to OUT from its
# template (the lines "@SBATCH@" and "@SETTINGS@" are replaced).
render() {
	local kind=$1 outf=$2 line tmpl="$TEMPLATES/$1.sbatch"
	[[ -r $tmpl ]] || die "no template '$tmpl'"
	{
		while IFS= read -r line || [[ -n $line ]]; do
			case $line in
			@SBATCH@) sbatch_lines "$kind" ;;
			@SETTINGS@) settings_lines "$kind" ;;
			*) printf '%s\n' "$line" ;;
			esac
		done <"$tmpl"
	} >"$outf"
}

# submit KIND SCRIPT [SBATCH OPTION]...: submit SCRIPT (or, with --dry-run,
# print it and the command); set JOB_ID.
JOB_ID=""
submit() {
	local kind=$1 script=$2 out
	shift 2
	local -a cmd=(sbatch --parsable "$@" "${SBATCH_EXTRA[@]}" "$script")
	if ((dry_run)); then
		# Printed as it would be run: the script in the run folder.
		cmd[${#cmd[@]} - 1]="$run_dir/slurm/$(basename "$script")"
		printf '# ---- %s job: %s\n' "$kind" "${cmd[${#cmd[@]} - 1]}"
		cat "$script"
		printf '# ---- submit with:\n%s\n\n' "$(quote_cmd "${cmd[@]}")"
		JOB_ID="${kind^^}_JOB_ID"
		return 0
	fi
	# from / when the folder's path would confuse Slurm as a working
	# directory; the scripts name every path in full
	out=$(if slurm_path_ok "$run_dir"; then slurm "${cmd[@]}"; else cd / && slurm "${cmd[@]}"; fi) ||
		die "sbatch of '$script' failed (submit the folder again with: $(quote_cmd "$0" --resubmit "$run_dir"))"
	JOB_ID=${out%%;*}
	[[ $JOB_ID =~ ^[0-9]+$ ]] || die "sbatch printed no job id ('$out')"
	printf '%s,%s,%s,%s,%s,%s,%s\n' "$(iso_now)" "$mode" "$kind" "$JOB_ID" \
		"$([[ $kind == array ]] && printf '%s' "${array_spec//,/;}")" "$n_configs" \
		"slurm/$(basename "$script")" >>"$run_dir/slurm/submissions.csv"
	printf 'slurm_submitted=%s %s job %s%s\n' "$(iso_now)" "$kind" "$JOB_ID" \
		"$([[ $kind == array ]] && printf ' array %s' "$array_spec")" >>"$run_dir/meta.txt"
	printf '%s\n' "$(quote_cmd "${cmd[@]}")" >>"$run_dir/slurm/submit.log"
	warn "submitted $kind job $JOB_ID"
}

# ---- the run folder ------------------------------------------------------------

workdir=$(mktemp -d "${TMPDIR:-/tmp}/parscale-submit.XXXXXX")
trap 'rm -rf -- "$workdir"' EXIT
JOB_SWEEP_ARGS=()
array_spec=""

if [[ -n $resubmit ]]; then
	[[ -d $resubmit && -f $resubmit/plan.txt && -f $resubmit/settings.txt ]] ||
		usage_error "--resubmit '$resubmit' is not a sweep folder (no plan.txt and settings.txt)"
	run_dir=$(cd -- "$resubmit" && pwd -P)
	if ((!dry_run)); then
		# the folder's one owner until the jobs are submitted; the collect
		# below is handed the lock
		folder_claim "$run_dir" "submit.sh --resubmit"
		export PARSCALE_OWNER_FD=$OWNER_FD
	fi
	[[ -z ${OPTV[allow_changed]:-} ]] || JOB_SWEEP_ARGS+=(--allow-changed-build)
	if [[ -z $mode ]]; then
		mode=$(awk -F, 'NR > 1 && ($3 == "array" || $3 == "allocation") { m = $2 } END { print m }' \
			"$run_dir/slurm/submissions.csv" 2>/dev/null) || mode=""
		[[ -n $mode ]] || mode=allocation
	fi
	if command -v squeue >/dev/null; then
		queued=$(queued_jobs "$run_dir") || die "cannot check the queue; not resubmitting"
		[[ -z $queued ]] ||
			die "jobs of '$run_dir' are still queued or running ($(paste -sd' ' <<<"$queued")); wait or scancel them first"
	fi
	if ((!dry_run)); then
		rc=0
		"$SWEEP" --collect "$run_dir" 2>"$workdir/collect.err" || rc=$?
		if ((rc != 0 && rc != EXIT_FAILURE && rc != EXIT_VERIFY)); then
			cat "$workdir/collect.err" >&2
			die "collecting '$run_dir' failed"
		fi
	fi
	# what the jobs will refuse (a malformed folder, a changed build) is
	# refused now
	"$SWEEP" --resume "$run_dir" --dry-run "${JOB_SWEEP_ARGS[@]}" >/dev/null 2>"$workdir/check.err" || {
		rc=$?
		tail -n 1 "$workdir/check.err" >&2
		exit "$rc"
	}
	mapfile -t orders < <(pending_orders "$run_dir")
	if ((${#orders[@]} == 0)); then
		warn "every configuration of '$run_dir' is ok: nothing to resubmit"
		exit "$EXIT_OK"
	fi
	warn "${#orders[@]} configurations of '$run_dir' missing or failed: plan lines $(compact_list "${orders[@]}")"
	if [[ -s $run_dir/slurm/sweep_args ]]; then
		mapfile -t -O "${#JOB_SWEEP_ARGS[@]}" JOB_SWEEP_ARGS <"$run_dir/slurm/sweep_args"
	fi
	[[ $mode == array ]] || JOB_SWEEP_ARGS+=(--retry-failed)
	plan_dir=$run_dir
else
	mode=${mode:-allocation}
	# The folder: --out from the sweep options, else results/<host>-<time>.
	run_dir=""
	has_launcher=0
	has_threads=0
	for ((i = 0; i < ${#sweep_opts[@]}; i++)); do
		case ${sweep_opts[i]} in
		--out) run_dir=${sweep_opts[i + 1]:-} ;;
		--out=*) run_dir=${sweep_opts[i]#--out=} ;;
		--launcher | --launcher=*) has_launcher=1 ;;
		--threads | --threads=*) has_threads=1 ;;
		--no-probe | --no-plot) JOB_SWEEP_ARGS+=("${sweep_opts[i]}") ;;
		--dry-run | --prepare | --resume | --resume=* | --task | --task=* | --collect | --collect=*)
			usage_error "sweep option '${sweep_opts[i]}' cannot be used here (submit.sh sets it)"
			;;
		esac
	done
	if [[ -z $run_dir ]]; then
		run_dir="$(parscale_results_dir)/$(short_host)-$(stamp_now)"
		sweep_opts+=(--out "$run_dir")
	fi
	((has_launcher)) || sweep_opts+=(--launcher srun)
	# The plan is made here, outside the allocation: hybrid runs get the
	# threads per rank the jobs will have (sweep.sh's default inside Slurm).
	((has_threads)) || [[ -z $cpus ]] || sweep_opts+=(--threads "$cpus")
	if ((dry_run)); then
		# Plan into a scratch folder; the scripts still name the real one.
		plan_dir="$workdir/plan"
		"$SWEEP" "${sweep_opts[@]}" --out "$plan_dir" --prepare 2>"$workdir/prepare.err" || {
			rc=$?
			cat "$workdir/prepare.err" >&2
			exit "$rc"
		}
		[[ $run_dir == /* ]] || run_dir="$PWD/$run_dir"
	else
		"$SWEEP" "${sweep_opts[@]}" --prepare || exit $?
		run_dir=$(cd "$run_dir" && pwd -P)
		plan_dir=$run_dir
		mkdir -p "$run_dir/slurm"
		# What the jobs pass to sweep.sh, for --resubmit.
		printf '%s\n' "${JOB_SWEEP_ARGS[@]}" >"$run_dir/slurm/sweep_args"
	fi
	mapfile -t orders < <(awk -F, 'NR > 1 { print $1 }' "$plan_dir/plan.txt")
fi

slurm_path_ok "$run_dir" ||
	warn "the run folder's path has '%' or '\\', which Slurm would expand or strip in output file names: the jobs write their output there themselves, and Slurm's own messages about them are not kept"
n_configs=${#orders[@]}
# Default resources: every worker count of the plan fits one job.
max_workers=$(awk -F, 'NR > 1 && $7 > m { m = $7 } END { print m + 0 }' "$plan_dir/plan.txt")
: "${ntasks:=$max_workers}"
: "${cpus:=1}"
array_spec=$(compact_list "${orders[@]}")

script_dir="$run_dir/slurm"
((dry_run)) && script_dir="$workdir/slurm"
mkdir -p "$script_dir"
[[ -s $script_dir/submissions.csv ]] || ((dry_run)) ||
	printf '%s\n' "$SUBMISSIONS_HEADER" >"$script_dir/submissions.csv"
seq_no=1
for f in "$script_dir"/sweep-*.sbatch "$script_dir"/array-*.sbatch; do
	[[ -e $f ]] && seq_no=$((seq_no + 1))
done

if [[ $mode == allocation ]]; then
	render allocation "$script_dir/sweep-$seq_no.sbatch"
	submit allocation "$script_dir/sweep-$seq_no.sbatch"
else
	render array "$script_dir/array-$seq_no.sbatch"
	submit array "$script_dir/array-$seq_no.sbatch"
	array_id=$JOB_ID
	if ((collect_job)); then
		render collect "$script_dir/collect-$seq_no.sbatch"
		submit collect "$script_dir/collect-$seq_no.sbatch" "--dependency=afterany:$array_id"
	fi
fi
if ((!dry_run)); then
	printf '%s\n' "$run_dir"
fi
