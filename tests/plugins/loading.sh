#!/usr/bin/env bash
# Loading kernel libraries: --kernel-lib (files, folders, relative paths,
# given before or after --list), PARSCALE_KERNEL_PATH, one library with
# two kernels, every way a library can be unusable (exit 2, one line on
# stderr, nothing on stdout), a failed check in a library's kernel (exit
# 3, rows with verified 0), MPI ranks that disagree about a library, and
# the SHA-256 recorded for a library against sha256sum.
# usage: loading.sh BUILD_DIR FIXTURE_DIR LIBSPMV SHA256_TEST
set -euo pipefail
BIN=$1
FIX=$2
SPMV=$(realpath "$3")
SHA_TEST=$4
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/driver.sh
. "$here/../lib/driver.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
COUNT=$FIX/libcount.so
checks=0

# refused WANT_REGEX CMD...: exit 2, nothing on stdout, one line on stderr
# matching the regex
refused() {
    local want=$1 rc=0
    shift
    timeout -k 5 60 "$@" > "$tmp/out" 2> "$tmp/err" || rc=$?
    [[ $rc -eq 2 ]] || fail "$*: exit $rc, want 2 ($(cat "$tmp/err"))"
    [[ ! -s $tmp/out ]] || fail "$*: wrote to stdout"
    [[ $(wc -l < "$tmp/err") -eq 1 ]] || fail "$*: stderr is not one line: $(cat "$tmp/err")"
    [[ $(cat "$tmp/err") =~ $want ]] || fail "$*: said '$(cat "$tmp/err")', want /$want/"
    checks=$((checks + 1))
}

# ---- listing: the built-in kernels first, then the libraries' in load order
builtin=$("$BIN/parscale-serial" --list-names)
"$BIN/parscale-serial" --kernel-lib "$SPMV" --kernel-lib "$COUNT" --list-names > "$tmp/names"
[[ $(cat "$tmp/names") == "$builtin"$'\n'"spmv"$'\n'"count"$'\n'"count-squares" ]] ||
    fail "--list-names with two libraries: $(tr '\n' ' ' < "$tmp/names")"
"$BIN/parscale-serial" --list --kernel-lib "$COUNT" > "$tmp/list"   # option after --list
grep -q "^count  .*a test of kernel libraries" "$tmp/list" || fail "--list before --kernel-lib misses count"
grep -qx " *from $(realpath "$COUNT")" "$tmp/list" || fail "--list does not say where count is from"
[[ $(awk 'NR > 1 && !/^ / { print $1 }' "$tmp/list") == "$builtin"$'\n'"count"$'\n'"count-squares" ]] ||
    fail "--list and --list-names disagree"
checks=$((checks + 3))

# ---- PARSCALE_KERNEL_PATH: a folder (its *.so in name order) and a file;
# a library named twice is loaded once
mkdir "$tmp/kernels"
ln -s "$SPMV" "$tmp/kernels/libspmv.so"
ln -s "$COUNT" "$tmp/kernels/libcount.so"
: > "$tmp/kernels/README"   # not a *.so: ignored
PARSCALE_KERNEL_PATH="$tmp/kernels::$SPMV" "$BIN/parscale-serial" --kernel-lib "$SPMV" \
    --list-names > "$tmp/names"
[[ $(tail -3 "$tmp/names" | tr '\n' ' ') == "spmv count count-squares " ]] ||
    fail "PARSCALE_KERNEL_PATH folder: $(tr '\n' ' ' < "$tmp/names")"
checks=$((checks + 1))

# ---- a library's kernels run like built-in ones: schedules, exit codes
for d in pthread fork; do
    for k in count count-squares; do
        (cd "$FIX" && PARSCALE_KERNEL_PATH=./libcount.so ps_run "$d" 3 --kernel "$k" --size 5000 \
            --schedule dynamic,7 --reps 2) > "$tmp/out.csv" 2> "$tmp/err" ||
            fail "$d $k: exit $?: $(cat "$tmp/err")"
        [[ $(csv_col "$tmp/out.csv" verified | sort -u) == 1 ]] || fail "$d $k: not verified"
        [[ $(csv_col "$tmp/out.csv" kernel_lib | sort -u) == "$(realpath "$COUNT")" ]] ||
            fail "$d $k: kernel_lib is not the real path of a relative PARSCALE_KERNEL_PATH"
        checks=$((checks + 1))
    done
done
"$BIN/parscale-serial" --kernel sqrtpow --size 1000 --reps 1 > "$tmp/out.csv" 2>/dev/null
[[ -z $(csv_col "$tmp/out.csv" kernel_lib)$(csv_col "$tmp/out.csv" kernel_lib_sha256) ]] ||
    fail "a built-in kernel's row names a kernel library"

# The worked example without its halo exchange: one worker verifies, two
# fail the check with exit 3 and rows that say so.
"$BIN/parscale-serial" --kernel-lib "$FIX/libnohalo.so" --kernel spmv --size 16 --reps 1 \
    > /dev/null 2>&1 || fail "nohalo at 1 worker: exit $?"
for d in pthread fork; do
    rc=0
    ps_run "$d" 2 --kernel-lib "$FIX/libnohalo.so" --kernel spmv --size 16 --reps 2 \
        > "$tmp/out.csv" 2> "$tmp/err" || rc=$?
    [[ $rc -eq 3 ]] || fail "$d nohalo at 2 workers: exit $rc, want 3"
    [[ $(csv_col "$tmp/out.csv" verified | sort -u) == 0 && $(wc -l < "$tmp/out.csv") -eq 3 ]] ||
        fail "$d nohalo: rows do not say verified 0"
    checks=$((checks + 1))
done

# ---- unusable libraries and paths
printf 'this text is not a shared object: it has no ELF header, only words. %s\n' 1 2 3 > "$tmp/libtext.so"
mkdir "$tmp/a,b"
cp "$SPMV" "$tmp/a,b/libspmv.so"
S="$BIN/parscale-serial"
refused "^parscale-serial: cannot use kernel library '/nonexistent/libx.so': No such file or directory$" \
    "$S" --kernel-lib /nonexistent/libx.so --kernel x
refused "^parscale-serial: cannot load kernel library '.*libtext.so': .*invalid ELF header$" \
    "$S" --kernel-lib "$tmp/libtext.so" --kernel x
refused "^parscale-serial: '.*libnosymbol.so' is not a parscale kernel library: it defines no ps_plugin_info" \
    "$S" --kernel-lib "$FIX/libnosymbol.so" --list
refused "^parscale-serial: '.*liboldabi.so' was built against another parscale kernel.h .*: rebuild it$" \
    "$S" --kernel-lib "$FIX/liboldabi.so" --kernel triad
refused "^parscale-serial: cannot load kernel library '.*libundefined.so': .*undefined symbol: ps_no_such_call" \
    "$S" --kernel-lib "$FIX/libundefined.so" --kernel undefined
refused "^parscale-serial: kernel 1 of '.*libmalformed1.so' is not usable: its name is not" \
    "$S" --kernel-lib "$FIX/libmalformed1.so" --list-names
refused "^parscale-serial: kernel 'triad' of '.*libmalformed2.so' has the name of a built-in kernel: rename it$" \
    "$S" --kernel-lib "$FIX/libmalformed2.so" --kernel triad
refused "^parscale-serial: kernel 1 of '.*libmalformed3.so' is not usable: one of memory, work, setup, run, check, teardown is NULL$" \
    "$S" --kernel-lib "$FIX/libmalformed3.so" --kernel malformed
refused "^parscale-serial: kernel 1 of '.*libmalformed4.so' is not usable: a choice parameter's choices" \
    "$S" --kernel-lib "$FIX/libmalformed4.so" --kernel malformed
refused "^parscale-serial: kernel library '.*libmalformed5.so' names no kernel in PS_PLUGIN$" \
    "$S" --kernel-lib "$FIX/libmalformed5.so" --kernel malformed
refused "^parscale-serial: kernel 'spmv' of '.*libnohalo.so' is also in '$SPMV': load only one$" \
    "$S" --kernel-lib "$SPMV" --kernel-lib "$FIX/libnohalo.so" --kernel spmv
refused "^parscale-serial: kernel library path '.*/a,b/libspmv.so' holds ',' '\"' or a control character" \
    "$S" --kernel-lib "$tmp/a,b/libspmv.so" --kernel spmv
mkdir "$tmp/badfolder"
ln -s "$FIX/liboldabi.so" "$tmp/badfolder/liboldabi.so"
refused "^parscale-serial: '.*liboldabi.so' was built against another" \
    env PARSCALE_KERNEL_PATH="$tmp/badfolder" "$S" --kernel triad
refused "^parscale-fork: cannot use kernel library '/nonexistent' \(from PARSCALE_KERNEL_PATH\): No such file or directory$" \
    env PARSCALE_KERNEL_PATH=/nonexistent "$BIN/parscale-fork" --kernel triad
many=()
for _ in $(seq 33); do many+=(--kernel-lib "$SPMV"); done
refused "^parscale-serial: too many --kernel-lib options \(at most 32\)$" "$S" "${many[@]}" --kernel spmv
if [[ -x $BIN/parscale-py-thread ]]; then
    refused "^parscale-py-thread: cannot use kernel library '/nonexistent': No such file" \
        "$BIN/parscale-py-thread" --kernel-lib /nonexistent --kernel spmv
fi

# ---- MPI: a rank that cannot load what rank 0 loaded stops every rank
if [[ -x $BIN/parscale-mpi ]] && command -v "$MPIEXEC" > /dev/null; then
    rc=0
    ps_mpi timeout -k 5 60 "$MPIEXEC" -n 1 "$BIN/parscale-mpi" --kernel-lib "$SPMV" --kernel spmv \
        --size 16 --reps 1 : -n 1 "$BIN/parscale-mpi" --kernel-lib /nonexistent --kernel spmv \
        --size 16 --reps 1 > "$tmp/out" 2> "$tmp/err" || rc=$?
    [[ $rc -eq 2 ]] || fail "mpi ranks disagreeing on a library: exit $rc, want 2"
    grep -q "^parscale-mpi: another rank could not load the kernel libraries" "$tmp/err" ||
        fail "mpi ranks disagreeing: no message from rank 0: $(head -3 "$tmp/err")"
    [[ ! -s $tmp/out ]] || fail "mpi ranks disagreeing: wrote to stdout"
    checks=$((checks + 1))
fi

# ---- the SHA-256 the rows record, against sha256sum, around block edges
for len in 0 1 55 56 57 63 64 65 119 120 127 128 129 1000 16391 65543; do
    head -c "$len" /dev/urandom > "$tmp/sha-$len"
done
"$SHA_TEST" "$tmp"/sha-* "$SPMV" > "$tmp/ours" || fail "sha256_test failed"
sha256sum "$tmp"/sha-* "$SPMV" > "$tmp/theirs"
diff -u "$tmp/theirs" "$tmp/ours" > "$tmp/diff" || fail "SHA-256 differs from sha256sum: $(cat "$tmp/diff")"
checks=$((checks + 1))
echo "kernel libraries: $checks checks passed"
