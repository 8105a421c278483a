#!/usr/bin/env bash
# multihost.sh - parscale-mpi across three "hosts" made of network namespaces
# (tests/lib/netns.sh): 3 ranks, one per host, over TCP; stencil (its halo
# exchange crosses hosts) and triad must exit 0, verify, and report nodes=3
# (and, where the driver writes it, a hosts column naming three hosts with
# one rank each). Then a small scripts/sweep.sh --hostfile sweep run inside
# the head namespace must give its rows. Every mpirun is bounded; nothing is
# sent outside the namespaces.
#
# Usage: multihost.sh BUILD_DIR. Exit 0 pass, 1 fail, 77 skip (no root, or
# network namespaces cannot be made here).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="$(cd "$here/../.." && pwd)"
# shellcheck source-path=SCRIPTDIR source=../lib/netns.sh
. "$here/../lib/netns.sh"

: "${NETNS_TIMEOUT:=30}"
readonly NODES=3 REPS=2
readonly STENCIL_SIZE=96 TRIAD_SIZE=30000
readonly SWEEP_TIMEOUT=60

# since START - print seconds elapsed since START (from "date +%s.%N").
since() {
	awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'
}

note() {
	printf 'multihost: %s\n' "$*" >&2
}

fail() {
	printf 'multihost: FAIL: %s\n' "$*" >&2
	exit 1
}

# col FILE NAME - print the values of column NAME of CSV FILE (no header);
# nothing, and status 1, if FILE has no such column.
col() {
	awk -F, -v name="$2" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i; if (!c) exit 1; next }
		{ print $c }' "$1"
}

# has_col FILE NAME - true if CSV FILE's header has column NAME.
has_col() {
	head -n 1 "$1" | tr ',' '\n' | grep -qxF "$2"
}

# check_csv FILE KERNEL ROWS - FILE holds ROWS verified rows of KERNEL run by
# 3 ranks on 3 distinct hosts.
check_csv() {
	local f="$1" kernel="$2" want="$3" rows v
	rows="$(($(wc -l <"$f") - 1))"
	[ "$rows" -eq "$want" ] || fail "$kernel: $rows rows, want $want: $(cat "$f")"
	for v in $(col "$f" kernel); do
		[ "$v" = "$kernel" ] || fail "$kernel: row of kernel '$v'"
	done
	for v in $(col "$f" verified); do
		[ "$v" = 1 ] || fail "$kernel: verified=$v"
	done
	for v in $(col "$f" ranks); do
		[ "$v" = "$NODES" ] || fail "$kernel: ranks=$v, want $NODES"
	done
	for v in $(col "$f" nodes); do
		[ "$v" = "$NODES" ] || fail "$kernel: nodes=$v, want $NODES (the ranks did not run on $NODES hosts)"
	done
	if has_col "$f" hosts; then
		# One entry per host, each with one rank: node1:1;node2:1;node3:1.
		for v in $(col "$f" hosts); do
			printf '%s\n' "$v" | tr ';' '\n' | awk -F: -v n="$NODES" '
				$2 != 1 { bad = 1 } { seen[$1]++ }
				END { for (h in seen) { if (seen[h] != 1) bad = 1; k++ } exit bad || k != n }' ||
				fail "$kernel: hosts='$v', want $NODES distinct hosts with 1 rank each"
		done
		note "$kernel: hosts column $(col "$f" hosts | head -n 1)"
	else
		note "$kernel: no hosts column in this build; nodes=$NODES is the evidence"
	fi
}

netns_mpi_test multihost "$@"

start="$(date +%s.%N)"
netns_up "$NODES" || fail "netns_up failed"
note "up $NETNS_N hosts on $NETNS_CIDR in $(since "$start") s"
hostfile="$(netns_hostfile 1)"
cp "$hostfile" "$work/hostfile"

# One rank per host, by the driver directly.
for kernel in stencil triad; do
	case "$kernel" in
	stencil) size="$STENCIL_SIZE" ;;
	triad) size="$TRIAD_SIZE" ;;
	esac
	t="$(date +%s.%N)"
	rc=0
	netns_mpirun --hostfile "$work/hostfile" -n "$NODES" --map-by node \
		"$build/parscale-mpi" --kernel "$kernel" --size "$size" --reps "$REPS" \
		--warmup 1 --timeout 20 --run-id "mh-$kernel" \
		>"$work/$kernel.csv" 2>"$work/$kernel.err" || rc=$?
	[ "$rc" -eq 0 ] || fail "$kernel: mpirun exited $rc: $(tail -n 5 "$work/$kernel.err")"
	check_csv "$work/$kernel.csv" "$kernel" "$REPS"
	note "$kernel: 3 ranks on 3 hosts, exit 0, verified, in $(since "$t") s"
done

# The same through scripts/sweep.sh, run inside the head namespace with the
# harness's MCA flags and agent, a hostfile, and the mpi driver only.
mca=(--mca plm rsh --mca plm_rsh_agent "$(netns_agent_path)"
	--mca plm_rsh_no_tree_spawn 1 --mca btl "tcp,self"
	--mca btl_tcp_if_include "$NETNS_CIDR" --mca oob_tcp_if_include "$NETNS_CIDR"
	--mca btl_tcp_disable_family 6 --mca oob_tcp_disable_ipv6_family 1
	--mca mpi_yield_when_idle 1 --map-by node)
printf -v mpi_args '%q ' "${mca[@]}"
t="$(date +%s.%N)"
rc=0
env TMPDIR="$NETNS_DIR/tmp" timeout -k 5 "$SWEEP_TIMEOUT" ip netns exec "$NETNS_HEAD" \
	"$src/scripts/sweep.sh" --build "$build" --drivers mpi --kernels stencil,triad \
	--size "stencil=$STENCIL_SIZE,triad=$TRIAD_SIZE" --workers "$NODES" \
	--reps "$REPS" --warmup 1 --timeout 20 --no-probe --no-plot \
	--hostfile "$work/hostfile" --mpi-args "$mpi_args" --out "$work/run" \
	>"$work/sweep.out" 2>"$work/sweep.err" || rc=$?
[ "$rc" -eq 0 ] || fail "sweep.sh exited $rc: $(tail -n 5 "$work/sweep.err")"
run="$work/run"
rows="$(($(wc -l <"$run/raw.csv") - 1))"
[ "$rows" -eq $((2 * REPS)) ] || fail "sweep raw.csv has $rows rows, want $((2 * REPS))"
for kernel in stencil triad; do
	awk -F, -v k="$kernel" 'NR == 1 || $2 == k' "$run/raw.csv" >"$work/sweep-$kernel.csv"
	check_csv "$work/sweep-$kernel.csv" "$kernel" "$REPS"
done
dups="$(tail -n +2 "$run/raw.csv" | cut -d, -f1,7 | sort | uniq -d)"
[ -z "$dups" ] || fail "duplicate rows in raw.csv: $dups"
awk -F, 'NR > 1 && $9 != "ok" { bad = 1 } END { exit bad }' "$run/status.csv" ||
	fail "status.csv has a configuration that is not ok: $(cat "$run/status.csv")"
grep -qx "hostfile=$work/hostfile" "$run/meta.txt" || fail "meta.txt lacks the hostfile path"
grep -qx "hostfile_nodes=$NODES" "$run/meta.txt" || fail "meta.txt lacks hostfile_nodes=$NODES"
want_entries="$(paste -sd';' "$work/hostfile")"
grep -qxF "hostfile_contents=$want_entries" "$run/meta.txt" ||
	fail "meta.txt lacks hostfile_contents=$want_entries: $(grep '^hostfile' "$run/meta.txt")"
cmp -s "$run/hostfile" "$work/hostfile" 2>/dev/null ||
	fail "the run folder lacks a copy of the hostfile"
if has_col "$run/raw.csv" hosts; then
	grep -qE "^placement_mpi_w$NODES=(node[0-9]+:1;){$((NODES - 1))}node[0-9]+:1\$" "$run/meta.txt" ||
		fail "meta.txt lacks the placement of the ranks: $(grep '^placement' "$run/meta.txt")"
else
	grep -qx "placement_mpi_w$NODES=nodes=$NODES" "$run/meta.txt" ||
		fail "meta.txt lacks the placement of the ranks: $(grep '^placement' "$run/meta.txt")"
fi
note "sweep.sh --hostfile: $rows rows, all ok, in $(since "$t") s"

# Nothing may be left running in the node namespaces.
for i in $(seq 1 20); do
	busy="$(for ns in "${NETNS_NODES[@]}"; do ip netns pids "$ns"; done)"
	[ -n "$busy" ] || break
	[ "$i" -lt 20 ] || fail "processes left in the host namespaces: $busy"
	sleep 0.1
done
note "pass in $(since "$start") s"
