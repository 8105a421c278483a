# shellcheck shell=bash
# netns.sh - fake a small cluster out of Linux network namespaces for mpirun.
#
# Source this file, then:
#   netns_check || exit 77        # prints why and fails when it cannot run here
#   trap netns_down EXIT
#   netns_up 3                    # 3 node namespaces + a switch + a head
#   netns_mpirun --hostfile "$(netns_hostfile 1)" -n 3 ./prog
#   netns_down                    # idempotent
#
# Layout (nothing is added to the root namespace):
#   ${NETNS_PREFIX}sw    a bridge "br0" and one veth end per node and the head
#   ${NETNS_PREFIX}nK    node K, "eth0" = ${NETNS_NET}.K/24, host name nodeK
#   ${NETNS_PREFIX}head  "eth0" = ${NETNS_NET}.254/24, where mpirun runs
# Names carry $$, so concurrent runs do not collide; the /24 is derived from
# $$ too and avoids the root namespace's addresses (each run's namespaces are
# isolated from every other's anyway). IPv6 is off in every namespace. mpirun reaches the nodes through an
# rsh-compatible agent (netns_agent_path) that enters the node's namespace and
# a private UTS namespace whose host name is nodeK. Hostfiles use addresses
# only, so no name is ever looked up in DNS.
#
# Settings (environment, with defaults):
#   NETNS_TIMEOUT=60   seconds one netns_mpirun may run before it is killed
#
# State set by netns_up (read-only for callers): NETNS_PREFIX, NETNS_DIR,
# NETNS_NET (first three octets), NETNS_CIDR, NETNS_N, NETNS_HEAD,
# NETNS_SWITCH, NETNS_NODES (array of namespace names), NETNS_IPS (array).

: "${NETNS_TIMEOUT:=60}"

# netns_log MSG... - print a message to stderr with the library's prefix.
netns_log() {
	printf 'netns: %s\n' "$*" >&2
}

# netns_check - return 0 if namespaces and the tools can be used here; else
# print the reason to stderr and return 1 (callers skip with 77).
netns_check() {
	local probe tool
	if [ "$(id -u)" -ne 0 ]; then
		netns_log "skip: needs root to create network namespaces"
		return 1
	fi
	for tool in ip unshare timeout hostname; do
		if ! command -v "$tool" >/dev/null 2>&1; then
			netns_log "skip: '$tool' not found"
			return 1
		fi
	done
	probe="pscl-$$-probe"
	if ! ip netns add "$probe" 2>/dev/null; then
		netns_log "skip: 'ip netns add' fails here"
		return 1
	fi
	if ! ip -n "$probe" link add vprobe type veth peer name vprobe2 2>/dev/null ||
		! ip -n "$probe" link add brprobe type bridge 2>/dev/null; then
		ip netns del "$probe" 2>/dev/null || true
		netns_log "skip: veth or bridge links cannot be created here"
		return 1
	fi
	ip netns del "$probe"
	return 0
}

# netns_pick_net - print three octets "10.X.Y" derived from $$ that no address
# or route of the root namespace uses (read-only look at the root namespace).
netns_pick_net() {
	local i x y net used
	used="$(ip -4 -o addr show 2>/dev/null; ip -4 route show 2>/dev/null)"
	for i in $(seq 0 63); do
		x=$((160 + (($$ >> 8) + i) % 64))
		y=$(($$ % 256))
		net="10.$x.$y"
		case "$used" in
		*"$net."*) continue ;;
		esac
		printf '%s\n' "$net"
		return 0
	done
	netns_log "no free 10.x.y.0/24 found"
	return 1
}

# netns_ns_exec NS CMD... - run CMD inside namespace NS, bounded.
netns_ns_exec() {
	local ns="$1"
	shift
	timeout -k 2 20 ip netns exec "$ns" "$@"
}

# netns_prepare_ns NS - create NS with lo up and IPv6 disabled.
netns_prepare_ns() {
	local ns="$1"
	ip netns add "$ns"
	netns_ns_exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 >/dev/null
	netns_ns_exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1 >/dev/null
	ip -n "$ns" link set lo up
}

# netns_attach NS PORT ADDR - link NS's eth0 (ADDR/24) to the bridge via a
# veth whose other end, PORT, lives in the switch namespace.
netns_attach() {
	local ns="$1" port="$2" addr="$3"
	ip -n "$NETNS_SWITCH" link add "$port" type veth peer name eth0 netns "$ns"
	ip -n "$NETNS_SWITCH" link set "$port" master br0
	ip -n "$NETNS_SWITCH" link set "$port" up
	ip -n "$ns" addr add "$addr/24" dev eth0
	ip -n "$ns" link set eth0 up
}

# netns_write_agent - write the rsh-compatible agent NETNS_DIR/agent and the
# map it reads, NETNS_DIR/hosts.map ("ADDRESS NAME NAMESPACE" per node). The
# agent is called as "agent [ssh options] HOST command...", like ssh: HOST (an
# address or nodeK) selects the namespace; the command words are joined with
# spaces and run by sh there, in a private UTS namespace named after the node.
netns_write_agent() {
	local k
	: >"$NETNS_DIR/hosts.map"
	for k in $(seq 1 "$NETNS_N"); do
		printf '%s node%s %s\n' "${NETNS_IPS[$((k - 1))]}" "$k" \
			"${NETNS_NODES[$((k - 1))]}" >>"$NETNS_DIR/hosts.map"
	done
	cat >"$NETNS_DIR/agent" <<'EOF'
#!/usr/bin/env bash
# agent - rsh-compatible launcher into network namespaces (tests/lib/netns.sh)
set -euo pipefail
while [ "$#" -gt 0 ]; do
	case "$1" in
	-[bcDEeFIiJLlmOopQRSWw]) shift 2 ;;
	-*) shift ;;
	*) break ;;
	esac
done
if [ "$#" -lt 2 ]; then
	echo "netns agent: usage: agent [options] HOST command..." >&2
	exit 255
fi
host="$1"
shift
ns=""
name=""
while read -r addr node nsname; do
	if [ "$host" = "$addr" ] || [ "$host" = "$node" ]; then
		ns="$nsname"
		name="$node"
		break
	fi
done <"$(dirname "$0")/hosts.map"
if [ -z "$ns" ]; then
	echo "netns agent: unknown host '$host'" >&2
	exit 255
fi
# shellcheck disable=SC2016 # expanded by the inner sh
exec ip netns exec "$ns" unshare --uts -- /bin/sh -c \
	'hostname "$1" && shift && exec /bin/sh -c "$*"' netns-agent "$name" "$@"
EOF
	chmod 755 "$NETNS_DIR/agent"
}

# netns_up N - build N node namespaces, the switch and the head; set NETNS_*.
# Returns non-zero (after tearing down what it made) on failure.
netns_up() {
	local n="${1:-}" k
	case "$n" in
	'' | *[!0-9]*)
		netns_log "netns_up: node count must be a positive integer, got '$n'"
		return 2
		;;
	esac
	if [ "$n" -lt 1 ] || [ "$n" -gt 250 ]; then
		netns_log "netns_up: node count must be 1..250, got '$n'"
		return 2
	fi
	if [ -n "${NETNS_DIR:-}" ]; then
		netns_log "netns_up: already up in '$NETNS_DIR'"
		return 1
	fi
	NETNS_PREFIX="pscl-$$-"
	if ip netns list | awk '{print $1}' | grep -q "^${NETNS_PREFIX}"; then
		netns_log "netns_up: namespaces named '${NETNS_PREFIX}*' already exist"
		NETNS_PREFIX=""
		return 1
	fi
	NETNS_NET="$(netns_pick_net)" || return 1
	NETNS_CIDR="$NETNS_NET.0/24"
	NETNS_DIR="$(mktemp -d "${TMPDIR:-/tmp}/parscale-netns.XXXXXX")"
	mkdir "$NETNS_DIR/tmp"
	NETNS_N="$n"
	NETNS_SWITCH="${NETNS_PREFIX}sw"
	NETNS_HEAD="${NETNS_PREFIX}head"
	NETNS_NODES=()
	NETNS_IPS=()
	for k in $(seq 1 "$n"); do
		NETNS_NODES+=("${NETNS_PREFIX}n$k")
		NETNS_IPS+=("$NETNS_NET.$k")
	done
	if ! netns_build; then
		netns_log "netns_up: building the namespaces failed"
		netns_down
		return 1
	fi
	netns_write_agent
	if ! netns_reachable; then
		netns_log "netns_up: the head namespace cannot reach every node"
		netns_down
		return 1
	fi
	return 0
}

# netns_reachable - return 0 if the head reaches every node by ping (or if
# ping is not installed: mpirun itself will then tell).
netns_reachable() {
	local ip
	command -v ping >/dev/null 2>&1 || return 0
	for ip in "${NETNS_IPS[@]}"; do
		netns_ns_exec "$NETNS_HEAD" ping -c 1 -W 2 -q "$ip" >/dev/null 2>&1 || return 1
	done
}

# netns_build - create the namespaces and links named by the NETNS_* state.
netns_build() {
	local k
	netns_prepare_ns "$NETNS_SWITCH" || return 1
	ip -n "$NETNS_SWITCH" link add br0 type bridge || return 1
	ip -n "$NETNS_SWITCH" link set br0 up || return 1
	for k in $(seq 1 "$NETNS_N"); do
		netns_prepare_ns "${NETNS_NODES[$((k - 1))]}" || return 1
		netns_attach "${NETNS_NODES[$((k - 1))]}" "v$k" "${NETNS_IPS[$((k - 1))]}" ||
			return 1
	done
	netns_prepare_ns "$NETNS_HEAD" || return 1
	netns_attach "$NETNS_HEAD" vhead "$NETNS_NET.254" || return 1
}

# netns_require_up - return 0 if netns_up has run; else say so and return 1.
netns_require_up() {
	if [ -z "${NETNS_DIR:-}" ] || [ ! -d "$NETNS_DIR" ]; then
		netns_log "${FUNCNAME[1]}: call netns_up first"
		return 1
	fi
}

# netns_agent_path - print the path of the rsh-compatible agent.
netns_agent_path() {
	netns_require_up || return 1
	printf '%s\n' "$NETNS_DIR/agent"
}

# netns_hostfile [SLOTS] - write a hostfile (one node address per line with
# SLOTS slots, default 1) and print its path.
netns_hostfile() {
	local slots="${1:-1}" file ip
	netns_require_up || return 1
	file="$NETNS_DIR/hostfile"
	: >"$file"
	for ip in "${NETNS_IPS[@]}"; do
		printf '%s slots=%s\n' "$ip" "$slots" >>"$file"
	done
	printf '%s\n' "$file"
}

# netns_mpirun ARGS... - run mpirun in the head namespace with ARGS, bounded
# by NETNS_TIMEOUT seconds; returns mpirun's status (124/137 on timeout).
# SLURM_* variables are dropped so an enclosing allocation is not used.
netns_mpirun() {
	netns_require_up || return 1
	(
		while read -r var; do
			unset "$var"
		done < <(compgen -v SLURM_ || true)
		exec env TMPDIR="$NETNS_DIR/tmp" timeout -k 5 "$NETNS_TIMEOUT" ip netns exec "$NETNS_HEAD" \
			mpirun --allow-run-as-root \
			--mca plm rsh \
			--mca plm_rsh_agent "$NETNS_DIR/agent" \
			--mca plm_rsh_no_tree_spawn 1 \
			--mca btl tcp,self \
			--mca btl_tcp_if_include "$NETNS_CIDR" \
			--mca oob_tcp_if_include "$NETNS_CIDR" \
			--mca btl_tcp_disable_family 6 \
			--mca oob_tcp_disable_ipv6_family 1 \
			--mca mpi_yield_when_idle 1 \
			"$@"
	)
}

# netns_pid_running PID - return 0 if PID exists and is not a zombie.
netns_pid_running() {
	local stat
	stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
	stat="${stat##*) }"
	[ "${stat%% *}" != "Z" ]
}

# netns_kill_in NS... - TERM every process in the namespaces, wait up to 3 s,
# then KILL what is left.
netns_kill_in() {
	local ns pids=() pid i alive
	for ns in "$@"; do
		while read -r pid; do
			[ -n "$pid" ] && pids+=("$pid")
		done < <(ip netns pids "$ns" 2>/dev/null || true)
	done
	[ "${#pids[@]}" -gt 0 ] || return 0
	kill -TERM "${pids[@]}" 2>/dev/null || true
	for i in $(seq 1 30); do
		alive=0
		for pid in "${pids[@]}"; do
			if netns_pid_running "$pid"; then
				alive=1
				break
			fi
		done
		[ "$alive" -eq 1 ] || return 0
		if [ "$i" -lt 30 ]; then
			sleep 0.1
		fi
	done
	kill -KILL "${pids[@]}" 2>/dev/null || true
	sleep 0.2
}

# netns_list_ours - print the names of this run's namespaces.
netns_list_ours() {
	[ -n "${NETNS_PREFIX:-}" ] || return 0
	ip netns list 2>/dev/null | awk '{print $1}' | grep "^${NETNS_PREFIX}" || true
}

# netns_down - kill everything in this run's namespaces, delete them and the
# temporary directory. Idempotent; safe to call from an EXIT trap.
netns_down() {
	local ns list=()
	while read -r ns; do
		[ -n "$ns" ] && list+=("$ns")
	done < <(netns_list_ours)
	if [ "${#list[@]}" -gt 0 ]; then
		netns_kill_in "${list[@]}"
		for ns in "${list[@]}"; do
			ip netns del "$ns" 2>/dev/null || netns_log "cannot delete namespace '$ns'"
		done
	fi
	if [ -n "${NETNS_DIR:-}" ] && [ -d "$NETNS_DIR" ]; then
		rm -rf -- "$NETNS_DIR"
	fi
	NETNS_DIR=""
	return 0
}

# netns_mpi_test NAME ARG...: the start every test of MPI across namespace
# hosts shares, given the test's arguments (one: the build folder). Sets
# build (that folder) and work (a new folder, removed with the namespaces
# when the test exits); exits 77 where namespaces cannot be made, and
# through the test's own fail without mpirun or parscale-mpi.
netns_mpi_test() {
	local name=$1
	shift
	[ "$#" -eq 1 ] || fail "usage: $name.sh BUILD_DIR"
	# shellcheck disable=SC2034  # build and work are the test's
	build="$(cd "$1" && pwd)" || fail "no build folder '$1'"
	netns_check || exit 77
	command -v mpirun >/dev/null 2>&1 || fail "'mpirun' not found (install openmpi-bin)"
	[ -x "$build/parscale-mpi" ] || fail "'$build/parscale-mpi' is not built"
	work="$(mktemp -d "${TMPDIR:-/tmp}/parscale-$name.XXXXXX")"
	trap 'netns_down; rm -rf -- "$work"' EXIT
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM
}
