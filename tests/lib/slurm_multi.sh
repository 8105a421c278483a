# shellcheck shell=bash
# slurm_multi.sh - the part of tests/lib/slurm.sh for a cluster of several
# nodes, one slurmd per network-namespace host (slurm_up N, N > 1): its
# configuration, the hosts files, starting and crashing a node. Sourced by
# slurm.sh; see its header.

# slurm_write_conf_multi - the configuration of a cluster of TSLURM_NODES
# namespace hosts: slurmctld on the head's address, slurmd of node K on
# node K's, files named after each node (%n).
slurm_write_conf_multi() {
	local d="$TSLURM_DIR" cpus="${TSLURM_NODE_CPUS:-1}" k
	: >"$d/plugstack.conf"
	{
		echo "# slurm.conf written by tests/lib/slurm.sh for one test run ($TSLURM_NODES nodes)"
		slurm_conf_common
		cat <<EOF
SlurmctldHost=head($NETNS_NET.254)
SlurmdSpoolDir=$d/spool/%n
SlurmdPidFile=$d/run/slurmd-%n.pid
SlurmdLogFile=$d/log/slurmd-%n.log
SlurmdTimeout=10
JobRequeue=0
EOF
		for k in $(seq 1 "$TSLURM_NODES"); do
			printf 'NodeName=node%s NodeAddr=%s CPUs=%s State=UNKNOWN\n' "$k" "${NETNS_IPS[$((k - 1))]}" "$cpus"
		done
		printf 'PartitionName=test Nodes=node[1-%s] Default=YES MaxTime=INFINITE State=UP\n' "$TSLURM_NODES"
	} >"$d/slurm.conf"
	for k in $(seq 1 "$TSLURM_NODES"); do
		mkdir -p "$d/spool/node$k"
	done
}

# slurm_write_hosts - /etc/netns/NS/hosts for every namespace of the
# cluster (ip netns exec shows it as /etc/hosts there), so that node names
# resolve without DNS; slurm_down removes them.
slurm_write_hosts() {
	local ns k
	for ns in "${NETNS_NODES[@]}" "$NETNS_HEAD"; do
		mkdir -p "/etc/netns/$ns"
		{
			printf '127.0.0.1 localhost\n'
			for k in $(seq 1 "$TSLURM_NODES"); do
				printf '%s node%s\n' "${NETNS_IPS[$((k - 1))]}" "$k"
			done
			printf '%s head\n' "$NETNS_NET.254"
		} >"/etc/netns/$ns/hosts"
	done
}

# slurm_remove_hosts - remove what slurm_write_hosts wrote.
slurm_remove_hosts() {
	local ns
	for ns in "${NETNS_NODES[@]}" "${NETNS_HEAD:-}"; do
		[ -n "$ns" ] || continue
		rm -f "/etc/netns/$ns/hosts"
		rmdir "/etc/netns/$ns" 2>/dev/null || true
	done
}

# slurm_start_node K - start node K's slurmd (in its network namespace,
# with host name nodeK and the namespace's hosts file); returns when it has
# daemonized. nsenter, not ip netns exec, which would mount a /sys of the
# namespace without the cgroup tree slurmd wants. Each node sees its own
# TSLURM_DIR/tmp (Slurm's TmpFS, Open MPI's session directories), as real
# nodes have their own /tmp.
slurm_start_node() {
	local k="$1" ns="${NETNS_NODES[$(($1 - 1))]}"
	mkdir -p "$TSLURM_DIR/tmp-node$k"
	# shellcheck disable=SC2016  # expanded by the inner sh
	timeout 20 nsenter --net="/run/netns/$ns" unshare --uts --mount -- /bin/sh -c \
		'mount --bind "$3" /etc/hosts && mount --bind "$4" "$5" && hostname "$1" &&
			exec slurmd -f "$2" -N "$1"' \
		slurmd-start "node$k" "$SLURM_CONF" "/etc/netns/$ns/hosts" "$TSLURM_DIR/tmp-node$k" "$TSLURM_DIR/tmp"
}

# slurm_kill_node K - node K crashes: every process in its namespace
# (slurmd, the job steps' slurmstepd, the tasks) is killed at once.
slurm_kill_node() {
	local pid
	while read -r pid; do
		[ -z "$pid" ] || kill -KILL "$pid" 2>/dev/null || true
	done < <(ip netns pids "${NETNS_NODES[$(($1 - 1))]}" 2>/dev/null || true)
}

# slurm_wait_idle TIMEOUT - wait until every node is idle; 0, or 1 with
# the states seen.
slurm_wait_idle() {
	local deadline=$((SECONDS + $1)) state
	while :; do
		state="$(slurm_node_state)"
		[ "$state" != idle ] || return 0
		if [ "$SECONDS" -ge "$deadline" ]; then
			slurm_log "nodes not idle: '${state:-none}'"
			return 1
		fi
		sleep 0.2
	done
}
