#!/usr/bin/env bash
# partition.sh - a host vanishes in the middle of a multi-host run: the link
# of node 2 of three namespace hosts (tests/lib/netns.sh) is taken down
# while a scripts/sweep.sh --hostfile run of parscale-mpi (one rank per
# host) is in its timed repetition. The run must end within its --timeout
# plus the documented bound (README: Open MPI notices a silent host after
# about 4 s of missed keepalives, which the sweep turns on; the sweep's
# watchdog ends mpirun at --timeout + 30 s, SIGKILL 10 s later, at the
# latest), be recorded failed naming the lost host, make the sweep exit 1,
# and leave no daemon or rank in any host namespace, while the link is
# still down.
#
# Usage: partition.sh BUILD_DIR. Exit 0 pass, 1 fail, 77 skip (no root, or
# network namespaces cannot be made here).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="$(cd "$here/../.." && pwd)"
# shellcheck source-path=SCRIPTDIR source=../lib/netns.sh
. "$here/../lib/netns.sh"

readonly NODES=3 RUN_TIMEOUT=20 BOUND=40 LOST=2
# One repetition of 420 sleep items of 50 ms over 3 ranks: 7 s, long enough
# to be cut inside, short of the run's --timeout.
readonly SIZE=420 WAIT_US=50000

note() {
	printf 'partition: %s\n' "$*" >&2
}

fail() {
	printf 'partition: FAIL: %s\n' "$*" >&2
	[ ! -f "${work:-/nonexistent}/sweep.err" ] || tail -n 5 "$work/sweep.err" >&2
	exit 1
}

# busy NS - print the processes left in namespace NS, if any.
busy() {
	ip netns pids "$1" | xargs -r ps -o pid=,comm= -p 2>/dev/null | tr '\n' ' '
}

netns_mpi_test partition "$@"

netns_up "$NODES" || fail "netns_up failed"
cp "$(netns_hostfile 1)" "$work/hostfile"
lost_ip="${NETNS_IPS[$((LOST - 1))]}"
# The harness's transport settings; the keepalives are the sweep's own.
mca=(--mca plm rsh --mca plm_rsh_agent "$(netns_agent_path)"
	--mca plm_rsh_no_tree_spawn 1 --mca btl "tcp,self"
	--mca btl_tcp_if_include "$NETNS_CIDR" --mca oob_tcp_if_include "$NETNS_CIDR"
	--mca btl_tcp_disable_family 6 --mca oob_tcp_disable_ipv6_family 1
	--mca mpi_yield_when_idle 1 --map-by node)
printf -v mpi_args '%q ' "${mca[@]}"

env TMPDIR="$NETNS_DIR/tmp" timeout -k 5 180 ip netns exec "$NETNS_HEAD" \
	"$src/scripts/sweep.sh" --build "$build" --drivers mpi --kernels sleep \
	--size "sleep=$SIZE" --param "sleep:wait_us=$WAIT_US" --workers "$NODES" \
	--reps 1 --warmup 0 --timeout "$RUN_TIMEOUT" --no-probe --no-plot \
	--hostfile "$work/hostfile" --mpi-args "$mpi_args" --out "$work/run" \
	>"$work/sweep.out" 2>"$work/sweep.err" &
sweep_pid=$!

# Cut the link once a rank runs on the host to be lost and the run is in
# its repetition (a rank there, and the driver past its start-up: 1 s).
for i in $(seq 1 600); do
	if ip netns pids "${NETNS_NODES[$((LOST - 1))]}" | xargs -r ps -o comm= -p 2>/dev/null |
		grep -q parscale-mpi; then
		break
	fi
	[ "$i" -lt 600 ] || fail "no rank ever ran on node $LOST"
	kill -0 "$sweep_pid" 2>/dev/null || fail "the sweep ended before the run started"
	sleep 0.05
done
sleep 1
ip -n "$NETNS_SWITCH" link set "v$LOST" down
cut_at="$(date +%s.%N)"
note "link of node $LOST ($lost_ip) down"

rc=0
wait "$sweep_pid" || rc=$?
took="$(awk -v a="$cut_at" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')"
note "the sweep ended $took s after the link went down (exit $rc)"
[ "$rc" -eq 1 ] || fail "the sweep exited $rc, want 1 (a run failed)"
awk -v t="$took" -v b="$((RUN_TIMEOUT + BOUND))" 'BEGIN { exit !(t <= b) }' ||
	fail "the sweep took $took s after the cut, more than --timeout $RUN_TIMEOUT + $BOUND s"
status="$(awk -F, 'NR == 2' "$work/run/status.csv")"
[ "$(printf '%s\n' "$status" | cut -d, -f9)" = failed ] || fail "the run is not recorded failed: $status"
printf '%s\n' "$status" | cut -d, -f10 | grep -q "lost host $lost_ip" ||
	fail "the reason does not name the lost host $lost_ip: $status"
grep -q "failed (exit [0-9]*): lost host $lost_ip" "$work/sweep.err" || fail "stderr does not name the lost host"
[ ! -s "$work/run/raw.csv" ] || [ "$(wc -l <"$work/run/raw.csv")" -le 1 ] ||
	fail "rows of the failed run reached raw.csv"
note "recorded: $(printf '%s\n' "$status" | cut -d, -f10)"

# Nothing left on any host, the lost one included, with its link still down.
for i in $(seq 1 100); do
	left=""
	for ns in "${NETNS_NODES[@]}" "$NETNS_HEAD"; do
		b="$(busy "$ns")"
		[ -z "$b" ] || left="$left $ns: $b"
	done
	[ -n "$left" ] || break
	[ "$i" -lt 100 ] || fail "processes left behind:$left"
	sleep 0.1
done
note "no daemon or rank left on any host"
ip -n "$NETNS_SWITCH" link set "v$LOST" up
note "pass"
