# shellcheck shell=bash
# slurm.sh - a real Slurm cluster (munged, slurmctld, slurmd) for tests: one
# node on loopback, or several nodes, one slurmd per network-namespace host.
#
# Source this file, then:
#   slurm_check || exit 77        # prints why and fails when it cannot run here
#   trap slurm_down EXIT
#   slurm_up                      # starts the daemons, exports SLURM_CONF
#   slurm_up 3                    # ... or 3 nodes, node1..node3 (see below)
#   id="$(slurm_cmd sbatch --parsable job.sh)"
#   state="$(slurm_wait_job "$id" 60)"   # COMPLETED, or e.g. FAILED,COMPLETED
#   slurm_down                    # idempotent
#
# Everything lives in one mktemp -d directory (TSLURM_DIR): config, munge key
# and socket, state, spool, pid and log files. The daemons run as root, listen
# on 127.0.0.1 only (CommunicationParameters=NoInAddrAny,NoCtldInAddrAny; the
# first alone leaves slurmctld on 0.0.0.0) on ports of their own
# from the 46000-47999 range, checked free, and are stopped by their pid files.
# Every name Slurm or munge needs is given as 127.0.0.1 or "localhost" (found
# in /etc/hosts), so nothing is looked up in DNS.
#
# Settings (environment, with defaults):
#   TSLURM_START_TIMEOUT=30  seconds slurm_up waits for the node to be idle
#   TSLURM_CMD_TIMEOUT=30    seconds one slurm_cmd may run
#   TSLURM_CPUS=$(nproc)     CPUs of the node
#
# State set by slurm_up: TSLURM_DIR, TSLURM_SHM_DIR (a /dev/shm directory),
# SLURM_CONF (exported), TSLURM_PORT_BASE. It also exports OMPI_MCA_btl,
# OMPI_MCA_orte_tmpdir_base, OMPI_MCA_btl_vader_backing_directory and
# OMPI_ALLOW_RUN_AS_ROOT{,_CONFIRM} unless already set (slurm_set_mpi_env);
# slurm_down removes them again. Job ids start at a number derived from $$.
# slurm_up unsets every SLURM_*, SBATCH_*, SRUN_*, SALLOC_*, SQUEUE_* and
# SINFO_* variable but SLURM_CONF, so an enclosing allocation (say a CI job
# run under another Slurm) cannot leak into this cluster's commands. The
# library's own variables are named TSLURM_* for the same reason.
# Job output can go to TSLURM_DIR/jobs, which slurm_down removes.
#
# Several nodes (slurm_up N, N > 1; needs what tests/lib/netns.sh needs):
# netns_up N makes the hosts; node K is a namespace with its own address
# and host name nodeK (a UTS namespace), running its own slurmd
# (-N nodeK, pid, spool and log files named after it) with
# TSLURM_NODE_CPUS CPUs (default 1, so N tasks span N nodes); slurmctld
# runs in the head namespace, munged in this one (its socket is a file,
# reachable from every namespace). Every client command must then run in
# the head namespace: slurm_cmd does that, and so must a caller that runs a
# tool calling sbatch or squeue itself (slurm_in_head CMD...). Names
# resolve through /etc/netns/NS/hosts files written for these namespaces
# (and removed), never DNS. Open MPI jobs use TCP between the hosts.
# slurm_kill_node K stops every process of node K at once (a node that
# crashed), slurm_start_node K starts its slurmd again.

: "${TSLURM_START_TIMEOUT:=30}"
: "${TSLURM_CMD_TIMEOUT:=30}"

# The netns harness and the functions of clusters of several nodes.
# shellcheck source-path=SCRIPTDIR source=netns.sh
. "$(dirname "${BASH_SOURCE[0]}")/netns.sh"
# shellcheck source-path=SCRIPTDIR source=slurm_multi.sh
. "$(dirname "${BASH_SOURCE[0]}")/slurm_multi.sh"

# Nodes of the cluster (slurm_up N).
TSLURM_NODES=1

# Ports per run: slurmctld, slurmd, then srun's range.
TSLURM_PORT_BLOCK=32
TSLURM_PORT_FIRST=46000
TSLURM_PORT_BLOCKS=62

# slurm_log MSG... - print a message to stderr with the library's prefix.
slurm_log() {
	printf 'slurm: %s\n' "$*" >&2
}

# slurm_check - return 0 if a Slurm cluster can be started here; else print
# the reason to stderr and return 1 (callers skip with 77).
slurm_check() {
	local tool
	if [ "$(id -u)" -ne 0 ]; then
		slurm_log "skip: slurmd must run as root"
		return 1
	fi
	for tool in munged slurmctld slurmd sinfo squeue sbatch srun scontrol scancel \
		timeout ss; do
		if ! command -v "$tool" >/dev/null 2>&1; then
			slurm_log "skip: '$tool' not found (apt-get install --no-install-recommends slurmctld slurmd slurm-client munge)"
			return 1
		fi
	done
	return 0
}

# slurm_cmd CMD ARGS... - run a Slurm client command bounded by
# TSLURM_CMD_TIMEOUT seconds against this run's cluster.
slurm_cmd() {
	if slurm_multi; then
		timeout -k 2 "$TSLURM_CMD_TIMEOUT" ip netns exec "$NETNS_HEAD" "$@"
	else
		timeout -k 2 "$TSLURM_CMD_TIMEOUT" "$@"
	fi
}

# slurm_multi - return 0 if the cluster has several nodes (namespaces).
slurm_multi() {
	[ "${TSLURM_NODES:-1}" -gt 1 ]
}

# slurm_in_head CMD ARGS... - run CMD where this cluster's client commands
# work (the head namespace of a cluster of several nodes, else here). Not
# bounded: bound CMD yourself.
slurm_in_head() {
	if slurm_multi; then
		ip netns exec "$NETNS_HEAD" "$@"
	else
		"$@"
	fi
}

# slurm_pick_ports - print the first port of a free block of
# TSLURM_PORT_BLOCK ports (no socket of any state uses one), derived from $$.
slurm_pick_ports() {
	local i base used
	used="$(ss -Htan 2>/dev/null | awk '{ n = split($4, a, ":"); print a[n] }' | sort -un)"
	for i in $(seq 0 $((TSLURM_PORT_BLOCKS - 1))); do
		base=$((TSLURM_PORT_FIRST + (($$ + i) % TSLURM_PORT_BLOCKS) * TSLURM_PORT_BLOCK))
		if ! printf '%s\n' "$used" |
			awk -v lo="$base" -v hi="$((base + TSLURM_PORT_BLOCK - 1))" \
				'$1 >= lo && $1 <= hi { found = 1 } END { exit !found }'; then
			printf '%s\n' "$base"
			return 0
		fi
	done
	slurm_log "no free block of $TSLURM_PORT_BLOCK ports in $TSLURM_PORT_FIRST.."
	return 1
}

# slurm_write_conf - write TSLURM_DIR/slurm.conf and the empty plugin stack.
slurm_write_conf() {
	local d="$TSLURM_DIR" cpus="${TSLURM_CPUS:-$(nproc)}"
	if slurm_multi; then
		slurm_write_conf_multi
		return
	fi
	: >"$d/plugstack.conf"
	{
		echo "# slurm.conf written by tests/lib/slurm.sh for one test run"
		slurm_conf_common
		cat <<EOF
SlurmctldHost=localhost(127.0.0.1)
CommunicationParameters=NoInAddrAny,NoCtldInAddrAny
SlurmdSpoolDir=$d/spool
SlurmdPidFile=$d/run/slurmd.pid
SlurmdLogFile=$d/log/slurmd.log
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
	} >"$d/slurm.conf"
}

# slurm_conf_common - the lines of slurm.conf every test cluster has: its
# name and ports, munge, the folders of TSLURM_DIR, no accounting, cores
# as the unit, PMIx, a quick scheduler.
slurm_conf_common() {
	local d="$TSLURM_DIR" p="$TSLURM_PORT_BASE"
	cat <<EOF
ClusterName=pscl$$
FirstJobId=$((($$ % 60000) * 1000 + 1))
SlurmctldPort=$p
SlurmdPort=$((p + 1))
SrunPortRange=$((p + 2))-$((p + TSLURM_PORT_BLOCK - 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$d/munge/munge.socket.2
CredType=cred/munge
StateSaveLocation=$d/state
TmpFS=$d/tmp
SlurmctldPidFile=$d/run/slurmctld.pid
SlurmctldLogFile=$d/log/slurmctld.log
SlurmctldDebug=info
SlurmdDebug=info
PlugStackConfig=$d/plugstack.conf
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=pmix
SchedulerParameters=batch_sched_delay=0,bf_interval=1
EnforcePartLimits=ALL
ReturnToService=2
KillWait=5
InactiveLimit=0
MinJobAge=600
EOF
}

# slurm_start_munged - start munged with a fresh key and its own socket.
slurm_start_munged() {
	local m="$TSLURM_DIR/munge" i
	mkdir -p "$m"
	chmod 755 "$m"
	dd if=/dev/urandom of="$m/munge.key" bs=1024 count=1 status=none
	chmod 400 "$m/munge.key"
	timeout 10 munged --force --key-file="$m/munge.key" \
		--socket="$m/munge.socket.2" --pid-file="$m/munged.pid" \
		--log-file="$m/munged.log" --seed-file="$m/munged.seed" \
		--origin=127.0.0.1 || return 1
	for i in $(seq 1 50); do
		[ -S "$m/munge.socket.2" ] && return 0
		sleep 0.1
	done
	slurm_log "munged socket did not appear"
	return 1
}

# slurm_clear_env - unset the variables through which an enclosing Slurm
# allocation or the caller's defaults would steer this cluster's commands.
slurm_clear_env() {
	local var
	while read -r var; do
		unset "$var"
	done < <(compgen -v | grep -E '^(SLURM|SBATCH|SRUN|SALLOC|SQUEUE|SINFO)_' || true)
}

# slurm_set_mpi_env - make Open MPI jobs of this cluster stay on loopback and
# in files of their own: btl self,vader (one node) so ranks open no TCP
# listener on every address; session directories and vader's shared-memory
# files in this cluster's own directories (two clusters hand out the same
# job ids, and Open MPI names those files after them); mpirun allowed as root
# inside an allocation. Variables the caller had set are kept; those set here
# are remembered and removed by slurm_down.
slurm_set_mpi_env() {
	local pair var btl=self,vader
	TSLURM_MPI_ENV_SET=""
	# several hosts: TCP between them, on the cluster's own network only
	slurm_multi && btl=tcp,self,vader
	for pair in "OMPI_MCA_btl=$btl" \
		${NETNS_CIDR:+"OMPI_MCA_btl_tcp_if_include=$NETNS_CIDR"} \
		${NETNS_CIDR:+OMPI_MCA_btl_tcp_disable_family=6} \
		${NETNS_CIDR:+OMPI_MCA_mpi_yield_when_idle=1} \
		"OMPI_MCA_orte_tmpdir_base=$TSLURM_DIR/tmp" \
		"OMPI_MCA_btl_vader_backing_directory=$TSLURM_SHM_DIR" \
		OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; do
		var="${pair%%=*}"
		[ -z "${!var+x}" ] || continue
		printf -v "$var" '%s' "${pair#*=}"
		export "${var?}"
		TSLURM_MPI_ENV_SET="$TSLURM_MPI_ENV_SET $var"
	done
}

# slurm_unset_mpi_env - remove the variables slurm_set_mpi_env set.
slurm_unset_mpi_env() {
	local var
	for var in ${TSLURM_MPI_ENV_SET:-}; do
		unset "$var"
	done
	TSLURM_MPI_ENV_SET=""
}

# slurm_node_state - print the node's state as sinfo reports it ("" if none).
slurm_node_state() {
	local s
	if slurm_multi; then
		s="$(timeout -k 1 3 ip netns exec "$NETNS_HEAD" sinfo -h -o %t 2>/dev/null)" || true
	else
		s="$(timeout -k 1 3 sinfo -h -o %t 2>/dev/null)" || true
	fi
	printf '%s\n' "$s" | sort -u | paste -sd, -
}

# slurm_pid_running PID - return 0 if PID exists and is not a zombie.
slurm_pid_running() {
	local stat
	stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
	stat="${stat##*) }"
	[ "${stat%% *}" != "Z" ]
}

# slurm_daemon_alive NAME - return 0 if the daemon in NAME's pid file runs.
slurm_daemon_alive() {
	local pid
	pid="$(slurm_pid "$1")"
	[ -n "$pid" ] && slurm_pid_running "$pid"
}

# slurm_daemon_died NAME - return 0 if NAME wrote its pid file and is gone.
slurm_daemon_died() {
	local pid
	pid="$(slurm_pid "$1")"
	[ -n "$pid" ] && ! slurm_pid_running "$pid"
}

# slurm_pid NAME - print the pid from NAME's pid file (munged, slurmctld,
# slurmd), or nothing.
slurm_pid() {
	local f
	case "$1" in
	munged) f="$TSLURM_DIR/munge/munged.pid" ;;
	*) f="$TSLURM_DIR/run/$1.pid" ;;
	esac
	[ -s "$f" ] || return 0
	tr -dc '0-9' <"$f"
}

# slurm_show_logs - print the tail of every daemon log to stderr.
slurm_show_logs() {
	local f
	for f in "$TSLURM_DIR/munge/munged.log" "$TSLURM_DIR/log/slurmctld.log" \
		"$TSLURM_DIR"/log/slurmd*.log; do
		[ -f "$f" ] || continue
		printf '%s\n' "--- $f" >&2
		tail -n 20 "$f" >&2
	done
}

# slurm_up - start munged, slurmctld and slurmd in a new private directory and
# wait (at most TSLURM_START_TIMEOUT s) until the node is idle. Exports
# SLURM_CONF. Returns non-zero, after stopping what it started, on failure.
# shellcheck disable=SC2120  # the node count is optional
slurm_up() {
	local state deadline k n="${1:-1}"
	if [ -n "${TSLURM_DIR:-}" ]; then
		slurm_log "slurm_up: already up in '$TSLURM_DIR'"
		return 1
	fi
	case "$n" in
	'' | *[!0-9]* | 0)
		slurm_log "slurm_up: want a node count >= 1, not '$n'"
		return 2
		;;
	esac
	TSLURM_NODES="$n"
	if slurm_multi; then
		netns_check || return 1
		netns_up "$n" || return 1
		slurm_write_hosts
	fi
	TSLURM_PORT_BASE="$(slurm_pick_ports)" || return 1
	TSLURM_DIR="$(mktemp -d "${TMPDIR:-/tmp}/parscale-slurm.XXXXXX")"
	chmod 755 "$TSLURM_DIR"
	if [ -d /dev/shm ] && [ -w /dev/shm ]; then
		TSLURM_SHM_DIR="$(mktemp -d /dev/shm/parscale-slurm.XXXXXX)"
	else
		TSLURM_SHM_DIR="$TSLURM_DIR/shm"
		mkdir "$TSLURM_SHM_DIR"
	fi
	mkdir -p "$TSLURM_DIR/state" "$TSLURM_DIR/spool" "$TSLURM_DIR/tmp" \
		"$TSLURM_DIR/run" "$TSLURM_DIR/log" "$TSLURM_DIR/jobs"
	slurm_write_conf
	slurm_clear_env
	SLURM_CONF="$TSLURM_DIR/slurm.conf"
	export SLURM_CONF
	slurm_set_mpi_env
	if ! slurm_start_munged; then
		slurm_log "slurm_up: munged did not start"
		slurm_show_logs
		slurm_down
		return 1
	fi
	if slurm_multi; then
		# shellcheck disable=SC2016  # expanded by the inner sh
		if ! timeout 20 ip netns exec "$NETNS_HEAD" unshare --uts -- /bin/sh -c \
			'hostname head && exec slurmctld -f "$1"' slurmctld-start "$SLURM_CONF"; then
			slurm_log "slurm_up: slurmctld failed to start"
			slurm_show_logs
			slurm_down
			return 1
		fi
		for k in $(seq 1 "$n"); do
			if ! slurm_start_node "$k"; then
				slurm_log "slurm_up: slurmd of node$k failed to start"
				slurm_show_logs
				slurm_down
				return 1
			fi
		done
	elif ! timeout 20 slurmctld -f "$SLURM_CONF" ||
		! timeout 20 slurmd -f "$SLURM_CONF" -N localhost; then
		slurm_log "slurm_up: a daemon failed to start"
		slurm_show_logs
		slurm_down
		return 1
	fi
	deadline=$((SECONDS + TSLURM_START_TIMEOUT))
	while :; do
		state="$(slurm_node_state)"
		[ "$state" = "idle" ] && return 0
		slurm_daemon_died slurmctld && break
		slurm_multi || ! slurm_daemon_died slurmd || break
		[ "$SECONDS" -lt "$deadline" ] || break
		sleep 0.1
	done
	slurm_log "slurm_up: node not idle (state '${state:-none}')"
	slurm_show_logs
	slurm_down
	return 1
}

# slurm_wait_job ID TIMEOUT - wait up to TIMEOUT seconds for job ID (all tasks
# of an array) to end, then print its final state(s) from scontrol: one word
# such as COMPLETED, or the distinct states joined by commas. Returns 0 if
# every task completed, 1 if one ended otherwise, 124 if the wait timed out
# (the job is left running; slurm_down ends it), 2 on a usage error.
slurm_wait_job() {
	local id="${1:-}" limit="${2:-}" deadline states
	case "$id" in
	*[!0-9_]* | _*) id="" ;;
	esac
	case "$id:$limit" in
	:* | *: | *:*[!0-9]*)
		slurm_log "slurm_wait_job: usage: slurm_wait_job ID TIMEOUT"
		return 2
		;;
	esac
	deadline=$((SECONDS + limit))
	while :; do
		states="$(slurm_in_head timeout -k 1 5 squeue -h -j "$id" -o %T 2>/dev/null | sort -u |
			grep -vxE 'COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|BOOT_FAIL|DEADLINE|PREEMPTED' ||
			true)"
		[ -n "$states" ] || break
		if [ "$SECONDS" -ge "$deadline" ]; then
			printf 'WAITING:%s\n' "$(printf '%s' "$states" | tr '\n' ',')"
			return 124
		fi
		sleep 0.2
	done
	states="$(slurm_in_head timeout -k 1 5 scontrol -o show job "$id" 2>/dev/null |
		sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | sort -u | paste -sd, -)"
	printf '%s\n' "${states:-UNKNOWN}"
	[ "$states" = "COMPLETED" ]
}

# slurm_cancel_all - cancel every job of this cluster while the controller is
# still up, and wait (at most 5 s) for them to leave the queue.
slurm_cancel_all() {
	local ids i
	slurm_daemon_alive slurmctld || return 0
	ids="$(slurm_in_head timeout -k 1 5 squeue -h -o %A 2>/dev/null || true)"
	[ -n "$ids" ] || return 0
	# shellcheck disable=SC2086 # one job id per word
	slurm_in_head timeout -k 1 5 scancel $ids 2>/dev/null || true
	for i in $(seq 1 25); do
		ids="$(slurm_in_head timeout -k 1 3 squeue -h -o %A 2>/dev/null || true)"
		[ -n "$ids" ] || return 0
		sleep 0.2
	done
}

# slurm_cluster_pids - print the pids of this cluster's daemons, of its
# slurmstepd processes (found by SLURM_CONF in their environment) and of all
# their descendants (job scripts, tasks, slurmscriptd).
slurm_cluster_pids() {
	local p pid seeds="" name exe
	local f
	local -a names=(slurmd slurmctld munged)
	for f in "$TSLURM_DIR"/run/slurmd-*.pid; do
		[ ! -e "$f" ] || names+=("$(basename "$f" .pid)")
	done
	for name in "${names[@]}"; do
		pid="$(slurm_pid "$name")"
		if [ -n "$pid" ] && slurm_pid_running "$pid"; then
			seeds="$seeds $pid"
		fi
	done
	for p in /proc/[0-9]*; do
		exe="$(readlink "$p/exe" 2>/dev/null || true)"
		case "$exe" in
		*/slurmstepd | */slurmstepd-*) ;;
		*) continue ;;
		esac
		if { tr '\0' '\n' <"$p/environ"; } 2>/dev/null |
			grep -qxF "SLURM_CONF=$TSLURM_DIR/slurm.conf"; then
			seeds="$seeds ${p#/proc/}"
		fi
	done
	[ -n "$seeds" ] || return 0
	ps -eo pid=,ppid= | awk -v seeds="$seeds" '
		BEGIN { n = split(seeds, a, " "); for (i = 1; i <= n; i++) in_set[a[i]] = 1 }
		{ parent[$1] = $2 }
		END {
			do {
				grew = 0
				for (p in parent)
					if (!(p in in_set) && (parent[p] in in_set)) { in_set[p] = 1; grew = 1 }
			} while (grew)
			for (p in in_set) print p
		}'
}

# slurm_signal_pids SIGNAL PID... - send SIGNAL to each PID still running.
slurm_signal_pids() {
	local sig="$1" pid
	shift
	for pid in "$@"; do
		if [ "$pid" = "$$" ] || [ "$pid" = "$BASHPID" ]; then
			continue
		fi
		if slurm_pid_running "$pid"; then
			kill "-$sig" "$pid" 2>/dev/null || true
		fi
	done
}

# slurm_any_running PID... - return 0 while any PID is running.
slurm_any_running() {
	local pid
	for pid in "$@"; do
		slurm_pid_running "$pid" && return 0
	done
	return 1
}

# slurm_down - cancel all jobs, then stop slurmd, slurmctld, munged (by their
# pid files), the job steps and their processes: TERM, then KILL after 5 s.
# Removes TSLURM_DIR. Idempotent; safe to call from an EXIT trap.
slurm_down() {
	local i pids=() pid
	if [ -z "${TSLURM_DIR:-}" ] || [ ! -d "$TSLURM_DIR" ]; then
		TSLURM_DIR=""
		return 0
	fi
	slurm_cancel_all
	while read -r pid; do
		[ -n "$pid" ] && pids+=("$pid")
	done < <(slurm_cluster_pids)
	if [ "${#pids[@]}" -gt 0 ]; then
		slurm_signal_pids TERM "${pids[@]}"
		for i in $(seq 1 50); do
			slurm_any_running "${pids[@]}" || break
			sleep 0.1
		done
		while read -r pid; do
			[ -n "$pid" ] && pids+=("$pid")
		done < <(slurm_cluster_pids)
		if slurm_any_running "${pids[@]}"; then
			slurm_signal_pids KILL "${pids[@]}"
			sleep 0.2
		fi
	fi
	rm -rf -- "$TSLURM_DIR"
	if [ -n "${TSLURM_SHM_DIR:-}" ]; then
		rm -rf -- "$TSLURM_SHM_DIR"
	fi
	TSLURM_DIR=""
	TSLURM_SHM_DIR=""
	unset SLURM_CONF
	slurm_unset_mpi_env
	if slurm_multi; then
		slurm_remove_hosts
		netns_down
	fi
	TSLURM_NODES=1
	return 0
}
