#!/usr/bin/env bash
# The hybrid driver in a sweep: W workers run as W/T ranks x T threads, worker
# counts T does not divide are skipped with one warning, the rows say so
# (ranks, threads_per_rank), meta.txt records the bindings obtained, and a
# prepared folder's hybrid task keeps --threads through --task and --collect.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
setup "$@"
[[ -x $BUILD/parscale-hybrid ]] || skip "parscale-hybrid is not built"
command -v mpirun >/dev/null || skip "no mpirun"

readonly REPS=2 KERNELS=sqrtpow,stencil WORKERS=1,2,4 THREADS=2
# Per kernel: serial at 1, hybrid at 2 and 4 (1 is not a multiple of 2).
readonly WANT_CONFIGS=6

# A bad --threads is a usage error (one line, exit 2), and so is a plan
# that --threads leaves empty.
for bad in 0 -1 x 4097; do
	rc=0
	timeout 30 "$SWEEP" --build "$BUILD" --drivers hybrid --threads "$bad" --dry-run \
		>/dev/null 2>"$WORK/stderr" || rc=$?
	[[ $rc == 2 && $(wc -l <"$WORK/stderr") == 1 ]] ||
		fail "--threads '$bad' exited $rc with $(wc -l <"$WORK/stderr") lines, want 2 and one line"
	# the sweep checks the form; the range is the driver's (--check-config)
	grep -q -e "^sweep.sh: bad --threads '$bad'" \
		-e "^sweep.sh: parscale-hybrid refuses .*: --threads must be an integer from 1 to 4096, not '$bad'\$" \
		"$WORK/stderr" || fail "--threads '$bad': $(cat "$WORK/stderr")"
done
rc=0
timeout 30 "$SWEEP" --build "$BUILD" --drivers hybrid --threads 2 --workers 1,3 --dry-run \
	>/dev/null 2>"$WORK/stderr" || rc=$?
[[ $rc == 2 && $(wc -l <"$WORK/stderr") == 1 ]] ||
	fail "a plan with no hybrid worker count exited $rc with $(wc -l <"$WORK/stderr") lines, want 2 and one line"

# The dry run shows the skip and the ranks x threads of each run; inside a
# Slurm allocation the threads default to SLURM_CPUS_PER_TASK.
timeout 30 "$SWEEP" --build "$BUILD" --kernels sqrtpow --drivers hybrid --workers 1-4 \
	--size "$TINY_SIZES" --dry-run --out "$WORK/dry" >"$WORK/plan" 2>"$WORK/stderr" ||
	fail "dry run exited $?"
[[ $(grep -c 'skipping hybrid' "$WORK/stderr") == 1 ]] || fail "dry run: want one skip warning, got: $(cat "$WORK/stderr")"
grep -q 'skipping hybrid at workers 1,3 ' "$WORK/stderr" || fail "dry run warns: $(cat "$WORK/stderr")"
grep -q -- 'mpirun -np 2 .*parscale-hybrid --workers 4 --threads 2 ' "$WORK/plan" ||
	fail "dry run lacks the 2 ranks x 2 threads command"
timeout 30 env SLURM_CPUS_PER_TASK=4 "$SWEEP" --build "$BUILD" --kernels sqrtpow --drivers hybrid \
	--workers 1-8 --size "$TINY_SIZES" --dry-run --out "$WORK/dry" >"$WORK/plan" 2>"$WORK/stderr" ||
	fail "dry run with SLURM_CPUS_PER_TASK=4 exited $?"
grep -q 'skipping hybrid at workers 1,2,3,5,6,7 (not a multiple of --threads 4)' "$WORK/stderr" ||
	fail "SLURM_CPUS_PER_TASK=4 is not the default --threads: $(cat "$WORK/stderr")"
[[ $(grep -c '^\[[0-9]*/2\] sqrtpow hybrid workers=[48] ' "$WORK/plan") == 2 ]] || fail "SLURM_CPUS_PER_TASK=4: want hybrid at 4 and 8 only"
grep -q -- 'mpirun -np 2 .*--workers 8 --threads 4 ' "$WORK/plan" || fail "SLURM_CPUS_PER_TASK=4: no 2 x 4 run"

# The sweep itself.
out="$WORK/run"
timeout 120 "$SWEEP" --build "$BUILD" --kernels "$KERNELS" --drivers serial,hybrid \
	--threads "$THREADS" --workers "$WORKERS" --size "$TINY_SIZES" --reps "$REPS" --warmup 1 \
	--timeout 20 --no-probe --no-plot --out "$out" 2>"$WORK/stderr" ||
	fail "sweep exited $? ($(tail -n 1 "$WORK/stderr"))"
n=$(grep -c 'skipping hybrid' "$WORK/stderr") || true
[[ $n == 1 ]] || fail "want one skip warning, got $n"
grep -q "skipping hybrid at workers 1 (not a multiple of --threads $THREADS)" "$WORK/stderr" ||
	fail "the skip warning does not name worker count 1: $(grep skipping "$WORK/stderr")"
got_configs=$(($(wc -l <"$out/plan.txt") - 1))
[[ $got_configs == "$WANT_CONFIGS" ]] || fail "plan has $got_configs configurations, want $WANT_CONFIGS"
rows=$(($(wc -l <"$out/raw.csv") - 1))
[[ $rows == $((WANT_CONFIGS * REPS)) ]] || fail "raw.csv has $rows rows, want $((WANT_CONFIGS * REPS))"
check_complete "$out" "$REPS"
awk -F, 'NR > 1 && $9 != "ok" { bad = 1 } END { exit bad }' "$out/status.csv" ||
	fail "status.csv has a configuration that is not ok"

# Hybrid rows: threads_per_rank = T, ranks = workers / T, at 2 and 4 only.
raw="$out/raw.csv"
hy=$(awk -F, -v d="$(col "$raw" driver)" -v w="$(col "$raw" workers)" -v r="$(col "$raw" ranks)" \
	-v t="$(col "$raw" threads_per_rank)" -v T="$THREADS" '
	NR > 1 && $d == "hybrid" {
		n++; seen[$w] = 1
		if ($t != T || $r * T != $w) { printf "bad row: workers %s ranks %s threads %s\n", $w, $r, $t; exit 1 }
	}
	END { if (!n) exit 1; print n, (2 in seen) && (4 in seen) && !(1 in seen) }' "$raw") ||
	fail "hybrid rows are missing or wrong: $hy"
[[ $hy == "$((2 * 2 * REPS)) 1" ]] || fail "hybrid rows: want $((2 * 2 * REPS)) at workers 2 and 4, got '$hy'"

# The settings keep the threads; meta.txt has the bindings the runs got.
grep -qx "threads=$THREADS" "$out/settings.txt" || fail "settings.txt lacks threads=$THREADS"
for w in 2 4; do
	grep -q "^bind_hybrid_w$w=none\$" "$out/meta.txt" || fail "meta.txt lacks bind_hybrid_w$w"
	aff=$(sed -n "s/^affinity_hybrid_w$w=//p" "$out/meta.txt")
	[[ -n $aff ]] || fail "meta.txt lacks affinity_hybrid_w$w"
	# One CPU list per worker.
	[[ $(tr ';' '\n' <<<"${aff%% | *}" | grep -c .) == "$w" ]] ||
		fail "affinity_hybrid_w$w='$aff' does not list $w workers"
done
grep -q '^affinity_serial' "$out/meta.txt" && fail "meta.txt has affinity lines for the 1-worker serial runs"
grep -q '^\$ .*mpirun -np 2 .*parscale-hybrid --workers 4 --threads 2 ' "$out/sweep.log" ||
	fail "sweep.log lacks the 2 ranks x 2 threads command"

# A prepared folder run task by task keeps the threads: --task of a hybrid
# configuration, then --collect.
prep="$WORK/prep"
timeout 30 "$SWEEP" --build "$BUILD" --kernels sqrtpow --drivers hybrid --threads 1 \
	--workers 3 --size "$TINY_SIZES" --reps "$REPS" --no-probe --no-plot --prepare --out "$prep" \
	2>"$WORK/stderr" || fail "--prepare exited $? ($(tail -n 1 "$WORK/stderr"))"
timeout 60 "$SWEEP" --resume "$prep" --task 1 --no-plot 2>"$WORK/stderr" ||
	fail "--task 1 exited $? ($(tail -n 1 "$WORK/stderr"))"
timeout 30 "$SWEEP" --collect "$prep" 2>"$WORK/stderr" ||
	fail "--collect exited $? ($(tail -n 1 "$WORK/stderr"))"
check_complete "$prep" "$REPS"
awk -F, -v r="$(col "$prep/raw.csv" ranks)" -v t="$(col "$prep/raw.csv" threads_per_rank)" \
	'NR > 1 && !($r == 3 && $t == 1) { bad = 1 } END { exit bad }' "$prep/raw.csv" ||
	fail "the task did not run 3 ranks x 1 thread (--threads 1 from settings.txt)"
printf '%s: ok (%d configurations, %d rows)\n' "$TEST_NAME" "$WANT_CONFIGS" "$rows"
