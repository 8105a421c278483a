# shellcheck shell=bash
# run.sh: run configurations and record them. A run writes its CSV to
# .runs/run.csv (the driver's --output); only after it exited 0 or 3 with
# all its rows are they appended to raw.csv, and only then is its line
# appended to status.csv, which marks the configuration complete. Nothing
# here starts a process per configuration but the run itself: files are
# read and written with shell builtins (scripts/bench-sweep.sh measures it).

[[ -z ${PARSCALE_RUN_SH:-} ]] || return 0
PARSCALE_RUN_SH=1
# shellcheck source-path=SCRIPTDIR source=launch.sh
source "${BASH_SOURCE[0]%/*}/launch.sh"

# shellcheck disable=SC2034  # STATUS_*: read by resume.sh and tasks.sh
readonly STATUS_HEADER=config,run_id,kernel,driver,scaling,size,workers,exit_code,state,reason,seconds
# shellcheck disable=SC2034
readonly STATUS_FIELDS=11
readonly JOBS_HEADER=run_id,job_id,array_job_id,array_task_id,job_nodelist,host,finished
# The hard limit on a run is its --timeout plus this, then SIGKILL after
# HARD_KILL_AFTER more: it catches a launcher that hangs before the driver's
# own timer starts, or after it (a lost host). Tests may shorten the margin
# (PARSCALE_HARD_MARGIN, whole seconds).
HARD_MARGIN=30
[[ ! ${PARSCALE_HARD_MARGIN:-} =~ ^[0-9]{1,4}$ ]] || HARD_MARGIN=$((10#$PARSCALE_HARD_MARGIN))
readonly HARD_MARGIN HARD_KILL_AFTER=10
readonly REASON_MAX=200
# Free space a driver's output needs (bytes): with less, a failed run is
# taken for a full disk (see has_room).
readonly ROOM_BYTES=65536

# Where run_config writes: the folder's files, or a task's own (--task);
# the sizes of raw.csv and status.csv are tracked, so a failed append is
# cut back to whole lines without asking the file system.
RAW_FILE="" STATUS_FILE="" LOG_FILE="" JOBS_FILE="" PART_DIR=""
RAW_BYTES=0 STATUS_BYTES=0 RAW_HEAD="" VCOL=0 RAW_NF=0
CHILD=""

# run_outputs RAW STATUS LOG JOBS PARTS: where the runs are recorded.
run_outputs() {
	RAW_FILE=$1 STATUS_FILE=$2 LOG_FILE=$3 JOBS_FILE=$4 PART_DIR=$5
	RAW_BYTES=0 STATUS_BYTES=0 RAW_HEAD=""
	[[ ! -s $RAW_FILE ]] || { RAW_BYTES=$(stat -c %s -- "$RAW_FILE") && IFS= read -r RAW_HEAD <"$RAW_FILE"; }
	# shellcheck disable=SC2034  # updated through append_line's name reference
	[[ ! -s $STATUS_FILE ]] || STATUS_BYTES=$(stat -c %s -- "$STATUS_FILE")
	[[ -z $RAW_HEAD ]] || raw_columns "$RAW_HEAD"
}

# raw_columns HEADER: RAW_NF and VCOL (the verified column, from 1).
raw_columns() {
	local -a h
	local i
	IFS=, read -r -a h <<<"$1"
	RAW_NF=${#h[@]} VCOL=0
	for ((i = 0; i < RAW_NF; i++)); do
		[[ ${h[i]} != verified ]] || VCOL=$((i + 1))
	done
}

# bytes_of STR: BYTES = the length of STR in bytes (sweep.sh runs with
# LC_ALL=C; switching the locale per call cost more than the rest).
bytes_of() {
	if [[ ${LC_ALL:-} == C ]]; then
		BYTES=${#1}
	else
		local LC_ALL=C
		BYTES=${#1}
	fi
}

# utc_now: NOW = the current UTC time, ISO 8601 (made once a second).
NOW="" NOW_SECOND=""
utc_now() {
	[[ ${EPOCHREALTIME%[.,]*} != "$NOW_SECOND" ]] || return 0
	NOW_SECOND=${EPOCHREALTIME%[.,]*}
	TZ=UTC0 printf -v NOW '%(%Y-%m-%dT%H:%M:%SZ)T' "$NOW_SECOND"
}

# write_failed FILE [SIZE]: cut FILE back to SIZE bytes (what it held before
# a failed append, so no torn line is left) and stop: the disk is full.
write_failed() {
	[[ -z ${2:-} ]] || truncate -s "$2" -- "$1" 2>/dev/null || true
	die "cannot write '$1': the disk is full (or an I/O error); what was recorded before is intact; free space, then finish with: $(quote_cmd "$SELF" --resume "$DIR")"
}

# has_room: true if the run folder's disk takes a few more pages (a driver
# that failed may have failed for want of space to write its rows).
has_room() {
	local probe="$PART_DIR/.room.$$" ok=0
	head -c "$ROOM_BYTES" /dev/zero 2>/dev/null >"$probe" || ok=1
	rm -f -- "$probe"
	return "$ok"
}

# log_put TEXT: append TEXT to the log.
log_put() {
	printf '%s' "$1" 2>/dev/null >>"$LOG_FILE" || write_failed "$LOG_FILE"
}

# append_line FILE VAR LINE: append LINE to FILE whose size is in VAR.
append_line() {
	local -n size=$2
	bytes_of "$3"$'\n'
	printf '%s\n' "$3" 2>/dev/null >>"$1" || write_failed "$1" "$size"
	size=$((size + BYTES))
}

# csv_safe S: REPLY = S with the characters that would break a CSV field
# replaced.
csv_safe() {
	REPLY=${1//,/;}
	REPLY=${REPLY//$'\n'/ }
	REPLY=${REPLY//\"/\'}
}

# append_job RUN_ID: under Slurm, record which job, array task and nodes ran
# RUN_ID in the jobs file (jobs.csv, or the task's own).
append_job() {
	[[ -n ${SLURM_JOB_ID:-} ]] || return 0
	local line v
	line=$1
	for v in "$SLURM_JOB_ID" "${SLURM_ARRAY_JOB_ID:-}" "${SLURM_ARRAY_TASK_ID:-}" \
		"${SLURM_JOB_NODELIST:-${SLURM_NODELIST:-}}" "$HOSTNAME"; do
		csv_safe "$v"
		line+=",$REPLY"
	done
	utc_now
	[[ -s $JOBS_FILE ]] || printf '%s\n' "$JOBS_HEADER" 2>/dev/null >>"$JOBS_FILE" || write_failed "$JOBS_FILE"
	printf '%s,%s\n' "$line" "$NOW" 2>/dev/null >>"$JOBS_FILE" || write_failed "$JOBS_FILE"
}

# one_line FILE: why a run failed, from its stderr FILE, made safe for a CSV
# field: a host the launcher lost (Open MPI's lost daemon, Slurm's node
# failure), else the last message of a parscale driver (not its summary
# line), else the last line with words in it (launchers print banners).
one_line() {
	local s
	s=$(awk '/^parscale-[a-z-]+: / && !/: median / { d = $0 }
		/Remote daemon: .* on node / { lost = lost (lost == "" ? "" : " ") $NF }
		/^srun: error: Node failure on / { lost = lost (lost == "" ? "" : " ") $NF }
		/[A-Za-z0-9]/ { l = $0 }
		END {
			if (lost != "") print "lost host " lost " (the launcher lost contact with it)" (d != "" ? "; " d : "")
			else print (d != "") ? d : l
		}' "$1" 2>/dev/null | tr -d '\r')
	csv_safe "$s"
	printf '%s\n' "${REPLY:0:REASON_MAX}"
}

# The hard limit is kept by one watchdog for the whole sweep (a coprocess:
# starting timeout(1) for every run cost more than the rest of a
# configuration's bookkeeping). It is told "arm PID SECONDS" before a run
# and "disarm" after; when SECONDS pass first it sends PID SIGTERM, and
# SIGKILL HARD_KILL_AFTER seconds later. It ends when the sweep does.
WATCHDOG_PID=""
watchdog_start() {
	[[ -z $WATCHDOG_PID ]] || return 0
	coproc WATCHDOG { exec 9>&-; watchdog_loop; }
}

# shellcheck disable=SC2317  # runs in the coprocess
watchdog_loop() {
	local cmd arg secs pid="" deadline=0 left rc
	trap - INT TERM HUP
	while :; do
		if [[ -z $pid ]]; then
			read -r cmd arg secs || exit 0
		else
			left=$((deadline - ${EPOCHREALTIME%[.,]*}))
			((left > 0)) || left=1
			rc=0
			read -r -t "$left" cmd arg secs || rc=$?
			if ((rc > 128)); then
				kill -TERM "$pid" 2>/dev/null || true
				deadline=$((deadline + HARD_KILL_AFTER + 1))
				read -r -t "$HARD_KILL_AFTER" cmd arg secs || { kill -KILL "$pid" 2>/dev/null || true; pid=""; continue; }
			elif ((rc)); then
				exit 0
			fi
		fi
		case $cmd in
		arm) pid=$arg deadline=$((${EPOCHREALTIME%[.,]*} + secs)) ;;
		*) pid="" ;;
		esac
	done
}

# on_signal SIG: stop the running driver and exit; the folder stays resumable.
# shellcheck disable=SC2317  # called from the traps
on_signal() {
	local sig=$1
	if [[ -n $CHILD ]]; then
		kill -TERM "$CHILD" 2>/dev/null || true
		wait "$CHILD" 2>/dev/null || true
	fi
	warn "interrupted by SIG$sig; finish with: $(quote_cmd "$SELF" --resume "$DIR")"
	[[ $sig == INT ]] && exit 130
	exit 143
}

# trap_signals: INT, TERM and HUP stop the sweep through on_signal.
trap_signals() {
	trap 'on_signal INT' INT
	trap 'on_signal TERM' TERM
	trap 'on_signal HUP' HUP
}

# read_part PART RUN_ID: ROWS = the well-formed rows of RUN_ID in PART (the
# driver's CSV), NBAD = those with verified != 1, PART_HEAD = its header.
ROWS=()
read_part() {
	local row c v j
	local -a lines
	ROWS=() NBAD=0 PART_HEAD=""
	[[ -s $1 ]] || return 0
	mapfile -t lines <"$1"
	PART_HEAD=${lines[0]}
	[[ $PART_HEAD == "$RAW_HEAD" && -n $RAW_HEAD ]] || raw_columns "$PART_HEAD"
	for row in "${lines[@]:1}"; do
		[[ ${row%%,*} == "$2" ]] || continue
		c=${row//[^,]/}
		((${#c} + 1 == RAW_NF)) || continue
		ROWS+=("$row")
		if ((VCOL)); then
			v=$row
			for ((j = 1; j < VCOL; j++)); do
				v=${v#*,}
			done
			[[ ${v%%,*} == 1 ]] || NBAD=$((NBAD + 1))
		fi
	done
}

# append_rows RUN_ID: append ROWS to the raw file; the header goes first
# when it has none. Returns 1 if PART_HEAD differs from its header.
append_rows() {
	local text
	if [[ -z $RAW_HEAD ]]; then
		append_line "$RAW_FILE" RAW_BYTES "$PART_HEAD"
		RAW_HEAD=$PART_HEAD
	elif [[ $PART_HEAD != "$RAW_HEAD" ]]; then
		raw_columns "$RAW_HEAD"
		return 1
	fi
	printf -v text '%s\n' "${ROWS[@]}"
	bytes_of "$text"
	printf '%s' "$text" 2>/dev/null >>"$RAW_FILE" || write_failed "$RAW_FILE" "$RAW_BYTES"
	RAW_BYTES=$((RAW_BYTES + BYTES))
}

# run_config K N RUN_ID KERNEL DRIVER SCALING SIZE WORKERS: run one
# configuration and record it.
run_config() {
	local k=$1 n=$2 id=$3 kernel=$4 driver=$5 sc=$6 sz=$7 w=$8
	local part="$PART_DIR/run.csv" errf="$PART_DIR/run.err"
	local rc=0 t0 d secs state reason q hard err=""
	cmd_for "$id" "$kernel" "$driver" "$sc" "$sz" "$w" "$part"
	printf -v q '%q ' "${CMD[@]}"
	utc_now
	log_put "### $NOW [$k/$n] $id"$'\n'"\$ ${q% }"$'\n'
	hard=$((S[timeout] + HARD_MARGIN))
	watchdog_start
	t0=${EPOCHREALTIME/[.,]/}
	"${CMD[@]}" >"$errf" 2>&1 9>&- &
	CHILD=$!
	printf 'arm %s %s\n' "$CHILD" "$hard" >&"${WATCHDOG[1]}"
	wait "$CHILD" 2>/dev/null || rc=$?
	printf 'disarm\n' >&"${WATCHDOG[1]}"
	CHILD=""
	d=$((${EPOCHREALTIME/[.,]/} - t0))
	# ended by the watchdog: recorded as timeout(1) would have ended it
	local hit=0
	if ((rc > 128 && d >= hard * 1000000)); then
		hit=1 rc=124
		((d < (hard + HARD_KILL_AFTER) * 1000000)) || rc=137
	fi
	printf -v secs '%d.%03d' $((d / 1000000)) $((d / 1000 % 1000))
	IFS= read -r -d '' err <"$errf" || true
	log_put "$err### exit $rc after ${secs}s"$'\n'
	# a run that failed for want of space is not a failed configuration
	[[ $rc == 0 || $rc == 3 ]] || has_room || write_failed "$part"
	read_part "$part" "$id"
	case $hit:$rc in
	0:0)
		if ((${#ROWS[@]} != S[reps])); then
			state=failed reason="expected ${S[reps]} rows; got ${#ROWS[@]}"
		elif ((NBAD)); then
			state=verify-failed reason="verified=0 on $NBAD of ${#ROWS[@]} rows"
		else
			state=ok reason=""
		fi
		;;
	0:3)
		state=verify-failed
		reason=$(one_line "$errf")
		((${#ROWS[@]} == S[reps])) ||
			state=failed reason="verification failed and expected ${S[reps]} rows; got ${#ROWS[@]}"
		;;
	1:*)
		state=failed reason=$(one_line "$errf")
		if ((rc == 124)); then
			reason="no exit within the hard limit of ${hard}s (SIGTERM)${reason:+; $reason}"
		else
			reason="killed after the hard limit of ${hard}s${reason:+; $reason}"
		fi
		reason=${reason:0:REASON_MAX}
		;;
	*)
		state=failed
		reason=$(one_line "$errf")
		# 129..192: the launcher or driver died of a signal (mpirun also
		# exits with codes of its own above 192)
		((rc <= 128 || rc > 192)) || reason="killed by signal $((rc - 128))${reason:+: $reason}"
		[[ -n $reason ]] || reason="exit $rc"
		;;
	esac
	if [[ $state != failed ]] && ! append_rows "$id"; then
		state=failed reason="CSV header differs from raw.csv's"
	fi
	append_job "$id"
	append_line "$STATUS_FILE" STATUS_BYTES \
		"$kernel:$driver:$sc:$sz:$w,$id,$kernel,$driver,$sc,$sz,$w,$rc,$state,$reason,$secs"
	case $state in
	ok) ;;
	verify-failed) warn "$id: verification failed: $reason" ;;
	failed) warn "$id: failed (exit $rc): $reason" ;;
	esac
}

# run_all DONE_IDS...: run every configuration of PLAN not among DONE_IDS,
# with progress on stderr; sets RAN.
RAN=0
run_all() {
	local -A done_ids=()
	local id line k=0 n=${#PLAN[@]} todo t_start el eta
	local -a f
	for id in "$@"; do
		done_ids[$id]=1
	done
	todo=$((n - ${#done_ids[@]}))
	t_start=${EPOCHREALTIME/[.,]/}
	RAN=0
	for line in "${PLAN[@]}"; do
		k=$((k + 1))
		# the fields are checked names and numbers: no blanks, no patterns
		# shellcheck disable=SC2206
		f=($line)
		[[ -z ${done_ids[${f[0]}]:-} ]] || continue
		el=$((${EPOCHREALTIME/[.,]/} - t_start))
		eta="?"
		((!RAN)) || eta=$(((el * (todo - RAN) / RAN + 500000) / 1000000))
		printf '[%d/%d] %s %s workers=%s elapsed %ds, ETA %ss\n' "$k" "$n" "${f[1]}" "${f[2]}" \
			"${f[5]}" $(((el + 500000) / 1000000)) "$eta" >&2
		run_config "$k" "$n" "${f[@]}"
		RAN=$((RAN + 1))
	done
	RUN_SECONDS=$(((${EPOCHREALTIME/[.,]/} - t_start + 500) / 1000))
	printf -v RUN_SECONDS '%d.%03d' $((RUN_SECONDS / 1000)) $((RUN_SECONDS % 1000))
}
