#!/usr/bin/env bash
# Output is never lost silently, through mpirun too: a driver given
# --output writes the CSV itself (rank 0), so a full device is exit 1 with
# the file named and no partial file left, where stdout forwarded by the
# launcher used to lose it with exit 0. A sweep of MPI runs into a folder
# whose disk fills stops with the disk-full message and records no
# configuration as failed. Needs root (a 64 KiB tmpfs) and parscale-mpi.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
setup "$@"
[[ -x $BUILD/parscale-mpi ]] || skip "parscale-mpi is not built"
command -v mpirun >/dev/null || skip "no mpirun"

mnt="$WORK/disk"
mkdir "$mnt"
mount -t tmpfs -o size=64k,mode=0755 parscale-output "$mnt" 2>/dev/null ||
	skip "cannot mount a tmpfs here (needs root)"
trap 'umount "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null || true; rm -rf "$WORK"' EXIT
# LeakSanitizer cannot attribute what Open MPI keeps (see tests/lib/driver.sh)
mpi=(env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_pml=ob1
	"ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
	timeout 60 mpirun -np 2 --oversubscribe "$BUILD/parscale-mpi")

# A run whose CSV fits, then one whose CSV does not.
"${mpi[@]}" --kernel sqrtpow --size 1000 --reps 2 --output "$mnt/small.csv" 2>"$WORK/err" ||
	fail "mpirun with --output exited $? ($(tail -n 1 "$WORK/err"))"
[[ $(wc -l <"$mnt/small.csv") == 3 ]] || fail "--output holds $(wc -l <"$mnt/small.csv") lines, want 3"
head -c 64k /dev/zero >"$mnt/filler" 2>/dev/null || true
rc=0
"${mpi[@]}" --kernel sqrtpow --size 1000 --reps 200 --output "$mnt/big.csv" >"$WORK/out" 2>"$WORK/err" || rc=$?
[[ $rc == 1 ]] || fail "a CSV on a full device: mpirun exited $rc, want 1"
grep -q "^parscale-mpi: cannot write the CSV to '$mnt/big.csv': No space left on device$" "$WORK/err" ||
	fail "no message naming the file and the error: $(grep parscale "$WORK/err")"
[[ ! -e $mnt/big.csv ]] || fail "a partial CSV was left behind"
[[ ! -s $WORK/out ]] || fail "the CSV went to stdout"
rm -f "$mnt/filler" "$mnt/small.csv"

# A sweep of MPI runs into that disk: stops, says so, keeps whole rows.
out="$mnt/run"
rc=0
timeout 120 "$SWEEP" --build "$BUILD" --kernels sqrtpow --drivers mpi --workers 1,2 \
	--size 1000 --reps 60 --warmup 0 --timeout 20 --no-probe --no-plot --out "$out" \
	>/dev/null 2>"$WORK/sweep.err" || rc=$?
((rc == 1)) || fail "the sweep exited $rc on a full disk, want 1 ($(tail -n 1 "$WORK/sweep.err"))"
grep -q "^sweep.sh: cannot write '.*': the disk is full .* --resume " "$WORK/sweep.err" ||
	fail "no disk-full message: $(tail -n 1 "$WORK/sweep.err")"
if [[ -f $out/status.csv ]] && awk -F, 'NR > 1 && $9 == "failed"' "$out/status.csv" | grep -q .; then
	fail "a configuration was recorded as failed for want of space"
fi
if [[ -s $out/raw.csv ]]; then
	[[ -z $(tail -c 1 "$out/raw.csv") ]] || fail "raw.csv ends inside a row"
	awk -F, -v reps=60 'NR > 1 { n[$1]++ } END { for (id in n) if (n[id] != reps) exit 1 }' "$out/raw.csv" ||
		fail "raw.csv has a run with some of its rows"
fi
printf '%s: ok\n' "$TEST_NAME"
