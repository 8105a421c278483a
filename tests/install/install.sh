#!/usr/bin/env bash
# cmake --install into a temporary prefix, then use only what is there, as
# a user would, from a folder outside the source and build trees:
#   - the layout: drivers and summariser in bin/, headers, CMake package,
#     data files, gnuplot files and scripts under the prefix;
#   - the installed examples/spmv built with find_package(parscale) and
#     run by the installed serial, pthread, fork, MPI and Python drivers
#     with --kernel-lib, verified, its library and SHA-256 in the rows;
#   - the same library dropped into lib/parscale/plugins/, found there by
#     a C and a Python driver without any option;
#   - the installed sweep.sh sweeping it (PARSCALE_KERNEL_PATH), and the
#     installed plot.sh drawing that run with the installed summariser and
#     driver table (no PARSCALE_BUILD, nothing of the build tree).
# usage: install.sh BUILD_DIR
set -euo pipefail
BIN=$1
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/driver.sh
. "$here/../lib/driver.sh"
command -v gnuplot > /dev/null || { echo "no gnuplot: skipping"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
P=$tmp/prefix
unset PARSCALE_BUILD PARSCALE_KERNEL_PATH

cmake --install "$BIN" --prefix "$P" > "$tmp/install.log" 2>&1 ||
    fail "cmake --install failed: $(tail -3 "$tmp/install.log")"
for f in bin/parscale-serial bin/parscale-pthread bin/parscale-fork bin/parscale-summarize \
    include/parscale/kernel.h include/parscale/raw_schema.h \
    lib/cmake/parscale/parscaleConfig.cmake lib/cmake/parscale/parscaleConfigVersion.cmake \
    share/parscale/drivers.csv share/parscale/report.html.in share/parscale/plots/figure.gp \
    share/parscale/scripts/sweep.sh share/parscale/scripts/plot.sh \
    share/parscale/scripts/report.sh share/parscale/scripts/compare.sh \
    share/parscale/scripts/lib/common.sh share/parscale/scripts/lib/installed.sh \
    share/parscale/examples/spmv/spmv.c share/parscale/examples/spmv/CMakeLists.txt; do
    [[ -e $P/$f ]] || fail "not installed: $f"
done
grep -rqs -- "$BIN" "$P/share" "$P/lib/cmake" && fail "an installed file names the build tree"

# The example, copied out and built against the installed package.
cp -r "$P/share/parscale/examples/spmv" "$tmp/spmv"
cmake -S "$tmp/spmv" -B "$tmp/spmv/build" -DCMAKE_PREFIX_PATH="$P" > "$tmp/spmv.log" 2>&1 ||
    fail "configuring examples/spmv against the prefix failed: $(tail -5 "$tmp/spmv.log")"
cmake --build "$tmp/spmv/build" >> "$tmp/spmv.log" 2>&1 ||
    fail "building examples/spmv failed: $(tail -5 "$tmp/spmv.log")"
LIB=$tmp/spmv/build/libspmv.so
[[ -f $LIB ]] || fail "parscale_add_kernel(spmv) made no libspmv.so"
sha=$(sha256sum "$LIB" | cut -d' ' -f1)

# run_ok LABEL WANT_LIB CMD...: a verified run whose rows name WANT_LIB
run_ok() {
    local label=$1 want=$2
    shift 2
    (cd "$tmp" && timeout -k 5 120 "$@") > "$tmp/out.csv" 2> "$tmp/err" ||
        fail "$label: exit $?: $(tail -3 "$tmp/err")"
    [[ $(csv_col "$tmp/out.csv" verified | sort -u) == 1 ]] || fail "$label: not verified"
    [[ $(csv_col "$tmp/out.csv" kernel_lib | sort -u) == "$want" ]] ||
        fail "$label: kernel_lib '$(csv_col "$tmp/out.csv" kernel_lib | head -1)', want '$want'"
    [[ $(csv_col "$tmp/out.csv" kernel_lib_sha256 | sort -u) == "$sha" ]] || fail "$label: sha256"
}
args=(--kernel spmv --size 24 --reps 2 --param iters=3)
runs=0
for d in serial pthread fork py-fork; do
    [[ -x $P/bin/parscale-$d ]] || continue
    counts=(1 2 3)
    [[ $d == serial ]] && counts=(1)
    for w in "${counts[@]}"; do
        run_ok "installed $d at $w" "$LIB" "$P/bin/parscale-$d" --kernel-lib "$LIB" "${args[@]}" --workers "$w"
        runs=$((runs + 1))
    done
done
if [[ -x $P/bin/parscale-mpi ]] && command -v "$MPIEXEC" > /dev/null; then
    run_ok "installed mpi at 2" "$LIB" env "ASAN_OPTIONS=$MPI_ASAN_OPTIONS" "$MPIEXEC" -n 2 --oversubscribe \
        "$P/bin/parscale-mpi" --kernel-lib "$LIB" "${args[@]}"
    runs=$((runs + 1))
fi
((runs >= 7)) || fail "only $runs installed runs"

# The plugins folder beside the installed programs.
mkdir -p "$P/lib/parscale/plugins"
cp "$LIB" "$P/lib/parscale/plugins/"
run_ok "serial, plugins folder" "$P/lib/parscale/plugins/libspmv.so" "$P/bin/parscale-serial" "${args[@]}"
if [[ -x $P/bin/parscale-py-thread ]]; then
    run_ok "py-thread, plugins folder" "$P/lib/parscale/plugins/libspmv.so" \
        "$P/bin/parscale-py-thread" "${args[@]}" --workers 2
fi
rm "$P/lib/parscale/plugins/libspmv.so"

# A sweep and its figures with the installed scripts only.
(cd "$tmp" && PARSCALE_KERNEL_PATH=$LIB timeout -k 5 300 "$P/share/parscale/scripts/sweep.sh" \
    --build "$P/bin" --kernels spmv --drivers serial,pthread,fork --workers 1,2 --size 24 \
    --reps 3 --param iters=3 --no-probe --no-plot --out "$tmp/run") > "$tmp/sweep.log" 2>&1 ||
    fail "installed sweep.sh failed: $(tail -5 "$tmp/sweep.log")"
[[ $(csv_col "$tmp/run/raw.csv" kernel | sort -u) == spmv ]] || fail "the sweep has no spmv rows"
[[ $(csv_col "$tmp/run/raw.csv" verified | sort -u) == 1 ]] || fail "the sweep has unverified rows"
(cd "$tmp" && timeout -k 5 300 "$P/share/parscale/scripts/plot.sh" "$tmp/run" --format svg) \
    > "$tmp/plot.log" 2>&1 || fail "installed plot.sh failed: $(tail -5 "$tmp/plot.log")"
grep -q "^spmv," "$tmp/run/summary.csv" || fail "no spmv in the installed summariser's summary.csv"
compgen -G "$tmp/run/plots/spmv-*.svg" > /dev/null || fail "installed plot.sh drew no spmv figure"
[[ -s $tmp/run/report.html ]] || fail "installed plot.sh wrote no report.html"
echo "installed: example built with find_package, $runs driver runs and the plugins folder verified, sweep plotted"
