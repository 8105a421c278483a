#!/usr/bin/env bash
# A sweep whose run folder fills its disk (a 64 KiB tmpfs) stops with a
# clear message and a non-zero exit; raw.csv keeps only whole rows of whole
# runs, no configuration is recorded as failed for want of space, and once
# there is room --resume completes the sweep. Disks filling at other
# points fail as clearly. Needs mount(8) (root):
# skipped where a tmpfs cannot be mounted.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
setup "$@"

readonly REPS=40
mnt="$WORK/disk"
mkdir "$mnt"
mount -t tmpfs -o size=64k,mode=0755 parscale-diskfull "$mnt" 2>/dev/null ||
	skip "cannot mount a tmpfs here (needs root)"
trap 'umount "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null || true; rm -rf "$WORK"' EXIT

# 10 configurations × 40 rows of ~250 bytes: several times the disk.
out="$mnt/run"
rc=0
timeout 120 "$SWEEP" --build "$BUILD" --kernels sqrtpow,triad --drivers serial,pthread \
	--workers 1-4 --size 1000 --reps "$REPS" --warmup 0 --timeout 20 --no-probe --no-plot \
	--out "$out" >/dev/null 2>"$WORK/full.err" || rc=$?
((rc != 0 && rc != 124)) || fail "exit $rc on a full disk, expected a failure"
grep -q "^sweep.sh: cannot write '.*': the disk is full .* --resume " "$WORK/full.err" ||
	fail "no clear disk-full message: $(tail -n 1 "$WORK/full.err")"
[[ -s $out/raw.csv ]] || fail "no raw.csv: the disk filled before a single run (make it larger)"
[[ -z $(tail -c 1 "$out/raw.csv") ]] || fail "raw.csv ends inside a row"
awk -F, 'NR == 1 { nf = NF } NF != nf { exit 1 }' "$out/raw.csv" ||
	fail "raw.csv has a torn row (a line with the wrong field count)"
# whole runs only: every run id has all its rows
awk -F, -v reps="$REPS" 'NR > 1 { n[$1]++ } END { for (id in n) if (n[id] != reps) exit 1 }' \
	"$out/raw.csv" || fail "raw.csv has a run with some of its rows"
if awk -F, 'NR > 1 && $9 == "failed"' "$out/status.csv" | grep -q .; then
	fail "a configuration was recorded as failed for want of space: $(grep -m 1 ',failed,' "$out/status.csv")"
fi
rows_before=$(($(wc -l <"$out/raw.csv") - 1))

# Room again: --resume finishes the sweep.
mount -o remount,size=4m "$mnt" || fail "cannot grow the tmpfs"
timeout 120 "$SWEEP" --resume "$out" --no-plot >/dev/null 2>"$WORK/resume.err" ||
	fail "resume exited $? ($(tail -n 1 "$WORK/resume.err"))"
check_complete "$out" "$REPS"

# Disks that fill at other points (while writing the folder, a driver's
# output, raw.csv): the sweep fails and says why, never records a
# configuration as failed for want of space, never leaves a torn row.
for fill in 32 36 40 44 1024; do
	rm -rf "${mnt:?}"/*
	mount -o remount,size=64k "$mnt" || fail "cannot shrink the tmpfs"
	head -c "${fill}k" /dev/zero >"$mnt/filler" 2>/dev/null || true
	rc=0
	timeout 60 "$SWEEP" --build "$BUILD" --kernels sqrtpow --drivers serial,pthread --workers 1 \
		--size 1000 --reps 1 --warmup 0 --no-probe --no-plot --out "$out" >/dev/null 2>"$WORK/early.err" || rc=$?
	((rc != 0 && rc != 124)) || fail "exit $rc with $fill KiB of 64 taken, expected a failure"
	grep -q -e "^sweep.sh: cannot write '.*': the disk is full" -e 'No space left on device' "$WORK/early.err" ||
		fail "a full disk ($fill KiB of 64 taken) is not named: $(tail -n 1 "$WORK/early.err")"
	if [[ -f $out/status.csv ]] && awk -F, 'NR > 1 && $9 == "failed"' "$out/status.csv" | grep -q .; then
		fail "with $fill KiB of 64 taken, a configuration was recorded as failed"
	fi
	if [[ -s $out/raw.csv ]]; then
		[[ -z $(tail -c 1 "$out/raw.csv") ]] || fail "with $fill KiB of 64 taken, raw.csv ends inside a row"
	fi
done
printf '%s: ok (%d whole rows kept when the disk filled; resumed to completion)\n' "$TEST_NAME" "$rows_before"
