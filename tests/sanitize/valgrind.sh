#!/usr/bin/env bash
# Valgrind memcheck pass: every kernel through the serial driver on the tiny
# problems of tests/drivers/cases.sh, and the summariser on that output.
# Any memcheck error or definite/indirect leak fails the run (exit 99).
# The build must not be sanitized, and should be built without
# -march=native (PARSCALE_NATIVE=OFF): valgrind has no AVX-512.
# usage: valgrind.sh BUILD_DIR    (exit 0 pass, 1 fail, 77 skip)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
BIN=${1:?usage: valgrind.sh BUILD_DIR}
# shellcheck source=tests/lib/driver.sh
source "$here/../lib/driver.sh"
# shellcheck source=tests/drivers/cases.sh
source "$here/../drivers/cases.sh"

readonly VG_EXIT=99
command -v valgrind >/dev/null || { echo "valgrind: SKIP: no valgrind" >&2; exit 77; }
[[ -x $BIN/parscale-serial ]] || { echo "valgrind: SKIP: no parscale-serial in '$BIN'" >&2; exit 77; }
if grep -q -e '-fsanitize' -e '^PARSCALE_SANITIZE:BOOL=ON' "$BIN/CMakeCache.txt" 2>/dev/null; then
    echo "valgrind: SKIP: '$BIN' is a sanitizer build" >&2
    exit 77
fi
vg=(valgrind --tool=memcheck --error-exitcode="$VG_EXIT" --leak-check=full
    "--errors-for-leak-kinds=definite,indirect" "--show-leak-kinds=definite,indirect"
    --track-origins=yes --quiet)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
runs=0

# vg_check WHAT RC CMD...: run CMD under memcheck; it must exit RC with no
# memcheck message.
vg_check() {
    local what=$1 want=$2 rc=0 t0=$SECONDS
    shift 2
    timeout -k 5 "$RUN_TIMEOUT" "${vg[@]}" "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
    runs=$((runs + 1))
    if ((rc != want)) || grep -q '^==[0-9]*== ' "$tmp/err"; then
        cat "$tmp/err" >&2
        fail "$what: exit $rc under valgrind memcheck (want $want)"
    fi
    echo "valgrind: $what: ok ($((SECONDS - t0)) s)"
}

mapfile -t kernels < <("$BIN/parscale-serial" --list-names)
for k in "${kernels[@]}"; do
    [[ -n ${CASE[$k]:-} ]] || fail "no tiny case for kernel '$k' in tests/drivers/cases.sh"
    read -r -a args <<<"${CASE[$k]}"
    vg_check "parscale-serial --kernel $k" 0 "$BIN/parscale-serial" --kernel "$k" "${args[@]}" \
        --reps 2 --warmup 1 --run-id "vg-$k"
    cat "$tmp/out" >>"$tmp/raw.csv.all"
done
# A kernel from a library of its own (examples/spmv), and a library the
# loader refuses.
spmv=$BIN/examples/spmv/libspmv.so
if [[ -f $spmv ]]; then
    vg_check "parscale-serial --kernel-lib libspmv.so" 0 "$BIN/parscale-serial" \
        --kernel-lib "$spmv" --kernel spmv --size 16 --param iters=3 --reps 2
    vg_check "a refused kernel library" 2 "$BIN/parscale-serial" --kernel-lib "$spmv" \
        --kernel-lib /nonexistent --kernel spmv
fi
# The error paths free what they took: a usage error found after the
# kernel is known, and a failed verification (worker 0 skips its share).
# (A --timeout ends the run with _exit on purpose: not checked.)
vg_check "usage error" 2 "$BIN/parscale-serial" --kernel sqrtpow --param power=99
PARSCALE_FAULT=0:skip vg_check "verification failure" 3 "$BIN/parscale-serial" \
    --kernel sqrtpow --size 1000 --reps 1 --warmup 0

if [[ -x $BIN/parscale-summarize ]]; then
    awk 'NR == 1 || !/^run_id,/' "$tmp/raw.csv.all" >"$tmp/raw.csv"
    vg_check "parscale-summarize" 0 "$BIN/parscale-summarize" --out "$tmp" --table "$tmp/raw.csv"
    printf 'run_id,kernel\n' >"$tmp/bad.csv"
    vg_check "parscale-summarize on a bad header" 2 "$BIN/parscale-summarize" \
        --out "$tmp" "$tmp/bad.csv"
fi
echo "valgrind: ok ($runs runs, no errors, no definite or indirect leaks)"
