#!/usr/bin/env bash
# netns_selftest.sh - check tests/lib/netns.sh: run 3 MPI ranks on 3 namespace
# "hosts", expect 3 distinct processor names, then expect nothing left behind.
# Exit 0 pass, 1 fail, 77 skip (no root or no network namespaces here).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=../lib/netns.sh
. "$here/../lib/netns.sh"

: "${NETNS_SELFTEST_NODES:=3}"
: "${NETNS_TIMEOUT:=30}"

# since START - print seconds elapsed since START (from "date +%s.%N").
since() {
	awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'
}

fail() {
	printf 'netns_selftest: FAIL: %s\n' "$*" >&2
	exit 1
}

if ! netns_check; then
	exit 77
fi
for tool in mpicc mpirun; do
	command -v "$tool" >/dev/null 2>&1 ||
		fail "'$tool' not found (install openmpi-bin libopenmpi-dev)"
done

work="$(mktemp -d "${TMPDIR:-/tmp}/parscale-netns-selftest.XXXXXX")"
cleanup() {
	netns_down
	rm -rf -- "$work"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

cat >"$work/hello.c" <<'EOF'
/* hello.c - print "rank R of N on NAME" from every MPI rank. */
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
netns_up "$NETNS_SELFTEST_NODES" || fail "netns_up failed"
up="$(date +%s.%N)"
printf 'netns_selftest: up %s nodes on %s in %s s\n' \
	"$NETNS_N" "$NETNS_CIDR" "$(since "$start")" >&2

prefix="$NETNS_PREFIX"
n="$NETNS_SELFTEST_NODES"
hostfile="$(netns_hostfile 1)"
if ! netns_mpirun --hostfile "$hostfile" -n "$n" "$work/hello" >"$work/out" 2>"$work/err"; then
	cat "$work/out" "$work/err" >&2
	fail "mpirun across $n namespaces failed"
fi
printf 'netns_selftest: mpirun took %s s\n' "$(since "$up")" >&2
cat "$work/out" >&2

lines="$(grep -c '^rank ' "$work/out" || true)"
[ "$lines" -eq "$n" ] || fail "expected $n rank lines, got $lines"
names="$(awk '/^rank /{print $6}' "$work/out" | sort -u | wc -l)"
[ "$names" -eq "$n" ] || fail "expected $n distinct processor names, got $names"
want_sum=$((n * (n - 1) / 2))
bad="$(awk -v s="$want_sum" '/^rank /&&$8!=s' "$work/out")"
[ -z "$bad" ] || fail "wrong allreduce sum: $bad"

# mpirun must have taken its daemons and ranks with it.
for i in $(seq 1 20); do
	busy="$(for ns in "${NETNS_NODES[@]}"; do ip netns pids "$ns"; done)"
	[ -n "$busy" ] || break
	[ "$i" -lt 20 ] || fail "processes left in node namespaces after mpirun: $busy"
	sleep 0.1
done

# A program that exits non-zero must make mpirun fail, not hang. that exits non-zero, must fail and not hang.
sleeper="$work/sleeper"
printf '#!/bin/sh\nexit 3\n' >"$sleeper"
chmod 755 "$sleeper"
if NETNS_TIMEOUT=30 netns_mpirun --hostfile "$hostfile" -n 1 "$sleeper" \
	>/dev/null 2>&1; then
	fail "mpirun of a failing program reported success"
fi

netns_down
netns_down
left="$(ip netns list | awk '{print $1}' | grep -c "^$prefix" || true)"
[ "$left" -eq 0 ] || fail "$left namespaces named '$prefix*' left after netns_down"
for p in /proc/[0-9]*; do
	if [ "$(readlink "$p/exe" 2>/dev/null || true)" = "$work/hello" ]; then
		fail "process ${p#/proc/} of the test program survived"
	fi
done
printf 'netns_selftest: pass in %s s\n' "$(since "$start")" >&2
