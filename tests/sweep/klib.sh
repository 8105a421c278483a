#!/usr/bin/env bash
# Sweeps of a kernel library of the user's (--kernel-lib): the worked
# example spmv, named through a relative symlink to a copy of it, with the
# built-in triad beside it, on serial, pthread, fork and mpi (those built)
# at 1 and 2 workers. The sweep is stopped by SIGTERM halfway, the library
# then rebuilt (its copy changed): a resume that does not name the library
# finds it in the folder and refuses the changed file, as it refuses a
# rebuilt driver, and goes on with --allow-changed-build. Every row is then
# there once and verified, spmv's rows name the library's real path and
# the SHA-256 of the file each ran, triad's none; meta.txt and build.txt
# record the library. A job array task and submit.sh --dry-run reuse it
# too; a library gone away, and bad uses of the option, are refused (exit
# 2, one line, nothing made or changed).
# usage: klib.sh BUILD_DIR LIBSPMV
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
setup "$@"
[[ -n ${2:-} && -r $2 ]] || fail "no kernel library '${2:-}' (usage: $0 BUILD_DIR LIBSPMV)"
unset PARSCALE_KERNEL_PATH

readonly REPS=2
mkdir "$WORK/lib"
cp -- "$2" "$WORK/lib/libspmv.so"
ln -s lib/libspmv.so "$WORK/link.so"
lib=$WORK/lib/libspmv.so
sha_old=$(sha256sum "$lib" | cut -d' ' -f1)
drivers=serial,pthread
[[ -x $BUILD/parscale-fork ]] && drivers+=,fork
[[ -x $BUILD/parscale-mpi ]] && command -v mpirun >/dev/null && drivers+=,mpi
out="$WORK/run"
args=(--build "$BUILD" --kernel-lib ./link.so --kernels 'spmv,triad' --drivers "$drivers"
	--workers '1,2' --size 'spmv=24,triad=20k' --param spmv:iters=3 --reps "$REPS" --warmup 0
	--timeout 30 --no-probe --no-plot)

# The dry run gives every driver the library's real path.
(cd "$WORK" && timeout 30 "$SWEEP" "${args[@]}" --out "$out" --dry-run) >"$WORK/plan" 2>"$WORK/dry.err" ||
	fail "dry run exited $?: $(cat "$WORK/dry.err")"
[[ ! -e $out ]] || fail "the dry run created the run folder"
n=$(grep -c "^\[[0-9]*/[0-9]*\] spmv .* --kernel-lib $lib --kernel spmv " "$WORK/plan") || true
if ((n == 0 || n != $(grep -c '^\[[0-9]*/[0-9]*\] spmv ' "$WORK/plan"))); then
	fail "the dry run does not give every spmv run --kernel-lib $lib: $(sed -n 2p "$WORK/plan")"
fi

# Stopped by SIGTERM once a configuration is recorded.
(cd "$WORK" && exec setsid timeout 120 "$SWEEP" "${args[@]}" --out "$out") >/dev/null 2>"$WORK/first.err" &
pid=$!
for ((i = 0; i < 400; i++)); do
	if [[ -f $out/status.csv ]] && (($(wc -l <"$out/status.csv") >= 2)); then
		break
	fi
	sleep 0.02
done
kill -TERM -- "-$pid" 2>/dev/null || fail "the sweep ended before it could be stopped"
rc=0
wait "$pid" 2>/dev/null || rc=$?
((rc == 143)) || fail "the sweep exited $rc after SIGTERM, want 143 ($(tail -n 1 "$WORK/first.err"))"
total=$(($(wc -l <"$out/plan.txt") - 1))
done_before=$(($(wc -l <"$out/status.csv") - 1))
((done_before < total)) || fail "the sweep finished before it was stopped"
grep -qx "kernel_lib=$lib" "$out/settings.txt" || fail "settings.txt does not record the library's real path"
grep -qx "kernel_lib_$lib=$sha_old" "$out/build.txt" || fail "build.txt does not record the library's SHA-256"

# The library is rebuilt: the resume (from elsewhere, not naming it) refuses it.
printf 'rebuilt' >>"$lib"
sha_new=$(sha256sum "$lib" | cut -d' ' -f1)
sum_before=$(cd "$out" && cat raw.csv status.csv 2>/dev/null | md5sum)
rc=0
(cd / && timeout 30 "$SWEEP" --resume "$out" --no-plot) >/dev/null 2>"$WORK/changed.err" || rc=$?
if [[ $rc != 2 || $(wc -l <"$WORK/changed.err") != 1 ]] || ! grep -q "kernel_lib_$lib changed" "$WORK/changed.err"; then
	fail "a resume with a rebuilt library: exit $rc: $(cat "$WORK/changed.err")"
fi
[[ $sum_before == "$(cd "$out" && cat raw.csv status.csv 2>/dev/null | md5sum)" ]] ||
	fail "the refused resume changed the folder"
(cd / && timeout 120 "$SWEEP" --resume "$out" --no-plot --allow-changed-build) >/dev/null 2>"$WORK/resume.err" ||
	fail "resume --allow-changed-build exited $? ($(tail -n 1 "$WORK/resume.err"))"
check_complete "$out" "$REPS"
grep -q "^build_changed=.*kernel_lib_$lib changed" "$out/meta.txt" || fail "meta.txt does not record the changed library"
grep -qx "kernel_lib_$lib=$sha_new" "$out/build.txt" || fail "build.txt does not record the rebuilt library"
grep -qx "kernel_lib_1=$lib" "$out/meta.txt" || fail "meta.txt does not name the library"
grep -qx "kernel_lib_1_sha256=$sha_old" "$out/meta.txt" || fail "meta.txt does not record the library's SHA-256"

# Rows: spmv's name the library and the SHA-256 of the file that ran
# (the configurations recorded before the stop, the old one), triad's none.
k=$(col "$out/raw.csv" kernel) d=$(col "$out/raw.csv" driver) l=$(col "$out/raw.csv" kernel_lib)
s=$(col "$out/raw.csv" kernel_lib_sha256)
[[ -n $k && -n $l && -n $s ]] || fail "raw.csv lacks the kernel, kernel_lib or kernel_lib_sha256 column"
awk -F, -v k="$k" -v l="$l" -v s="$s" -v lib="$lib" -v old="$sha_old" -v new="$sha_new" '
	NR == FNR { if (FNR > 1) early[$2] = 1; next }
	FNR == 1 { next }
	$k == "spmv" { n++; want = ($1 in early) ? old : new
		if ($l != lib || $s != want) { print $1 ": kernel_lib " $l " sha " $s; bad = 1 } }
	$k == "triad" && ($l != "" || $s != "") { print $1 ": triad names a library"; bad = 1 }
	END { exit bad || !n }' <(head -n "$((done_before + 1))" "$out/status.csv") "$out/raw.csv" \
	>"$WORK/cols.err" || fail "kernel_lib columns: $(head -n 3 "$WORK/cols.err")"
[[ $(awk -F, -v k="$k" -v d="$d" 'NR > 1 && $k == "spmv" { print $d }' "$out/raw.csv" |
	sort -u | paste -sd,) == "$(tr , '\n' <<<"$drivers" | sort | paste -sd,)" ]] ||
	fail "spmv did not run on every driver of $drivers"
printf '%s: stopped after %d of %d configurations, resumed past a rebuilt library: ok\n' \
	"$TEST_NAME" "$done_before" "$total"

# A task of a job array and its collect use the folder's library too.
(cd "$WORK" && timeout 30 "$SWEEP" --build "$BUILD" --kernel-lib lib --kernels spmv --drivers serial \
	--size 24 --reps "$REPS" --warmup 0 --no-probe --no-plot --prepare --out "$WORK/tasks") 2>/dev/null ||
	fail "--prepare with a library folder exited $?"
(cd / && timeout 30 "$SWEEP" --resume "$WORK/tasks" --task 1 && timeout 30 "$SWEEP" --collect "$WORK/tasks") \
	>/dev/null 2>"$WORK/task.err" || fail "task 1 and collect: exit $?: $(tail -n 1 "$WORK/task.err")"
check_complete "$WORK/tasks" "$REPS"
[[ $(awk -F, -v l="$l" 'NR > 1 { print $l }' "$WORK/tasks/raw.csv" | sort -u) == "$lib" ]] ||
	fail "the task's rows do not name the library of the folder $WORK/lib"
# Through Slurm: submit.sh --dry-run prepares the plan with the library.
(cd "$WORK" && timeout 60 "$SRC/scripts/submit.sh" --dry-run --mode array --time 5 -- --build "$BUILD" \
	--kernel-lib ./link.so --kernels spmv --drivers serial,pthread --workers 1,2 --size 24 \
	--out "$WORK/never") >"$WORK/submit.out" 2>"$WORK/submit.err" ||
	fail "submit.sh --dry-run exited $?: $(cat "$WORK/submit.err")"
[[ ! -e $WORK/never ]] || fail "submit.sh --dry-run created the run folder"
grep -qx '#SBATCH --array=1-3' "$WORK/submit.out" || fail "submit.sh --dry-run does not plan 3 tasks"

# Refused (refused, common.sh): one line, exit 2, no folder made and none
# changed.
new=(--build "$BUILD" --no-probe --out "$WORK/bad" --kernels spmv)
refused "a missing library" "--kernel-lib 'nope/libspmv.so' does not exist" "${new[@]}" --kernel-lib nope/libspmv.so
printf 'not a library\n' >"$WORK/libtext.so"
refused "a text file" "parscale-serial: cannot load kernel library '$WORK/libtext.so'" \
	"${new[@]}" --kernel-lib libtext.so
# (a build with PARSCALE_PLUGINS may load an spmv of its own)
[[ -d $BUILD/plugins ]] || refused "without the library" "unknown kernel 'spmv'" "${new[@]}"
refused "with --exec" "option '--kernel-lib' cannot be used with --exec" \
	--build "$BUILD" --no-probe --out "$WORK/bad" --exec a=true --kernel-lib ./link.so
sum_before=$(cd "$out" && cat ./*.csv ./*.txt | md5sum)
refused "on --resume" "option '--kernel-lib' cannot be used with --resume" --resume "$out" --kernel-lib ./link.so
mv -- "$lib" "$WORK/moved.so"
refused "a library gone" "kernel library '$lib' of '$out' no longer exists" --resume "$out" --retry-failed
[[ $sum_before == "$(cd "$out" && cat ./*.csv ./*.txt | md5sum)" ]] || fail "a refused resume changed the folder"
printf '%s: ok\n' "$TEST_NAME"
