# shellcheck shell=bash
# tasks.sh: one configuration at a time, many at once (the tasks of a Slurm
# job array), and collecting their results into the run folder.
#
# A task (--resume DIR --task N) runs configuration N of plan.txt into
# DIR/tasks/RUN_ID.* (rows .csv, log .log, Slurm job .job and last, as the
# sign it is complete, the status line .status), under a lock of its own.
# --collect DIR merges finished tasks into raw.csv, status.csv, sweep.log
# and jobs.csv; a newer result of a configuration replaces the older one.

[[ -z ${PARSCALE_TASKS_SH:-} ]] || return 0
PARSCALE_TASKS_SH=1
# shellcheck source-path=SCRIPTDIR source=resume.sh
source "${BASH_SOURCE[0]%/*}/resume.sh"

opt_add <<'EOF'
--task value task
--collect value collect
EOF

# run_task N: run configuration N of the plan as a task and exit 0 ok,
# 3 verify-failed, 1 failed.
run_task() {
	local line=${PLAN[$1 - 1]} id t state
	local -a f
	# shellcheck disable=SC2206  # checked names and numbers: no blanks, no patterns
	f=($line)
	id=${f[0]}
	mkdir -p -- "$DIR/tasks" || die "cannot create '$DIR/tasks'"
	exec 8>>"$DIR/tasks/$id.lock"
	flock -n 8 || usage_error "configuration $1 ('$id') is being run by another task"
	rm -f -- "$DIR/tasks/$id.status" "$DIR/tasks/$id.csv" "$DIR/tasks/$id.log" "$DIR/tasks/$id.job"
	refresh_prepared_meta
	t="$DIR/tasks/.$id.$$"
	mkdir -- "$t.runs"
	# shellcheck disable=SC2064  # the names are fixed now
	trap "rm -rf -- '$t.runs' '$t.csv' '$t.status' '$t.log' '$t.job'" EXIT
	trap_signals
	run_outputs "$t.csv" "$t.status" "$t.log" "$t.job" "$t.runs"
	fingerprint_check task
	printf '[%d/%d] %s %s workers=%s (task)\n' "$1" "${#PLAN[@]}" "${f[1]}" "${f[2]}" "${f[5]}" >&2
	run_config "$1" "${#PLAN[@]}" "${f[@]}"
	rm -rf -- "$t.runs"
	[[ ! -e $t.csv ]] || mv -f -- "$t.csv" "$DIR/tasks/$id.csv"
	[[ ! -e $t.job ]] || mv -f -- "$t.job" "$DIR/tasks/$id.job"
	mv -f -- "$t.log" "$DIR/tasks/$id.log"
	state=$(awk -F, '{ s = $9 } END { print s }' "$t.status")
	mv -f -- "$t.status" "$DIR/tasks/$id.status"
	case $state in
	ok) exit "$EXIT_OK" ;;
	verify-failed) exit "$EXIT_VERIFY" ;;
	*) exit "$EXIT_FAILURE" ;;
	esac
}

# collect_tasks: merge DIR/tasks/ into the folder (see the file header);
# results of a task still running (its lock held) are left for later.
# Exits like a sweep: 0 all ok, 1 failed or missing, 3 verify-failed.
collect_tasks() {
	local line id tmp head want_head="" n_new=0 st
	tmp=$(mktemp -d "$DIR/.collect.XXXXXX")
	# shellcheck disable=SC2064  # the name is fixed now
	trap "rm -rf -- '$tmp'" EXIT
	touch -- "$tmp/ids" "$tmp/status" "$tmp/rows" "$tmp/log" "$tmp/jobs"
	[[ ! -s $DIR/raw.csv ]] || IFS= read -r want_head <"$DIR/raw.csv"
	for line in "${PLAN[@]}"; do
		id=${line%% *}
		[[ -f $DIR/tasks/$id.status ]] || continue
		exec 8>>"$DIR/tasks/$id.lock"
		if ! flock -n 8; then
			warn "configuration '$id' is running; not collected"
			continue
		fi
		st=$(awk -F, -v id="$id" -v nf="$STATUS_FIELDS" 'NR == 1 && NF == nf && $2 == id' \
			"$DIR/tasks/$id.status")
		if [[ -z $st ]]; then
			warn "'$DIR/tasks/$id.status' is malformed; not collected"
			continue
		fi
		if [[ $(cut -d, -f9 <<<"$st") != failed && -s $DIR/tasks/$id.csv ]]; then
			IFS= read -r head <"$DIR/tasks/$id.csv"
			[[ -n $want_head ]] || want_head=$head
			if [[ $head == "$want_head" ]]; then
				tail -n +2 -- "$DIR/tasks/$id.csv" >>"$tmp/rows"
			else
				st=$(awk -F, -v OFS=, '{ $9 = "failed"; $10 = "CSV header differs from raw.csv'"'"'s" } 1' <<<"$st")
			fi
		fi
		printf '%s\n' "$st" >>"$tmp/status"
		printf '%s\n' "$id" >>"$tmp/ids"
		if [[ -f $DIR/tasks/$id.log ]]; then
			utc_now
			printf '### %s collected task %s\n' "$NOW" "$id" >>"$tmp/log"
			cat -- "$DIR/tasks/$id.log" >>"$tmp/log"
		fi
		[[ ! -f $DIR/tasks/$id.job ]] || tail -n +2 -- "$DIR/tasks/$id.job" >>"$tmp/jobs"
		n_new=$((n_new + 1))
	done
	exec 8>&-
	if ((n_new)); then
		if [[ -n $want_head ]]; then
			{
				printf '%s\n' "$want_head"
				if [[ -s $DIR/raw.csv ]]; then
					complete_lines "$DIR/raw.csv" | awk -F, -v idsf="$tmp/ids" '
						BEGIN { while ((getline l < idsf) > 0) drop[l] = 1 }
						NR > 1 && !($1 in drop)'
				fi
				cat -- "$tmp/rows"
			} | write_atomic "$DIR/raw.csv"
		fi
		{
			printf '%s\n' "$STATUS_HEADER"
			if [[ -s $DIR/status.csv ]]; then
				complete_lines "$DIR/status.csv" | awk -F, -v idsf="$tmp/ids" -v nf="$STATUS_FIELDS" '
					BEGIN { while ((getline l < idsf) > 0) drop[l] = 1 }
					NR > 1 && NF == nf && !($2 in drop)'
			fi
			cat -- "$tmp/status"
		} | write_atomic "$DIR/status.csv"
		cat -- "$tmp/log" >>"$DIR/sweep.log"
		if [[ -s $tmp/jobs ]]; then
			[[ -s $DIR/jobs.csv ]] || printf '%s\n' "$JOBS_HEADER" >>"$DIR/jobs.csv"
			cat -- "$tmp/jobs" >>"$DIR/jobs.csv"
		fi
		while IFS= read -r id; do
			rm -f -- "$DIR/tasks/$id.status" "$DIR/tasks/$id.csv" "$DIR/tasks/$id.log" \
				"$DIR/tasks/$id.job" "$DIR/tasks/$id.lock"
		done <"$tmp/ids"
		rmdir -- "$DIR/tasks" 2>/dev/null || true
	fi
	finish_meta collected
	warn "collected $n_new results; ${#PLAN[@]} configurations: $N_OK ok, $N_FAILED failed, $N_VERIFY verify-failed, $N_MISSING missing; results in $DIR"
	((N_FAILED == 0 && N_MISSING == 0)) || exit "$EXIT_FAILURE"
	((N_VERIFY == 0)) || exit "$EXIT_VERIFY"
	exit "$EXIT_OK"
}
