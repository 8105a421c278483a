#!/usr/bin/env bash
# -DPARSCALE_PLUGINS: a fresh build tree of this source with two folders of
# kernels of one's own, examples/spmv (a CMakeLists.txt of its own) and
# tests/plugins/count (C files only), builds them into plugins/, where the
# tree's drivers load them with no option at all.
# usage: plugins_option.sh SOURCE_DIR
set -euo pipefail
SRC=$1
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/driver.sh
. "$here/../lib/driver.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unset PARSCALE_KERNEL_PATH
B=$tmp/build
cmake -S "$SRC" -B "$B" -DBUILD_TESTING=OFF -DPARSCALE_NATIVE=OFF \
    "-DPARSCALE_PLUGINS=$SRC/examples/spmv;$SRC/tests/plugins/count" > "$tmp/log" 2>&1 ||
    fail "configuring with PARSCALE_PLUGINS failed: $(tail -5 "$tmp/log")"
cmake --build "$B" -j 2 --target parscale-serial spmv plugin_count >> "$tmp/log" 2>&1 ||
    fail "building failed: $(tail -5 "$tmp/log")"
[[ -f $B/plugins/libspmv.so && -f $B/plugins/libcount.so ]] ||
    fail "PARSCALE_PLUGINS did not put libspmv.so and libcount.so in plugins/"
for k in spmv count-squares; do
    timeout -k 5 60 "$B/parscale-serial" --kernel "$k" --size 20 --reps 1 > "$tmp/out.csv" 2> "$tmp/err" ||
        fail "$k from plugins/: exit $?: $(cat "$tmp/err")"
    [[ $(csv_col "$tmp/out.csv" verified) == 1 ]] || fail "$k from plugins/: not verified"
    [[ $(csv_col "$tmp/out.csv" kernel_lib) == "$B/plugins/lib${k%-*}.so" ]] ||
        fail "$k from plugins/: kernel_lib $(csv_col "$tmp/out.csv" kernel_lib)"
done
grep -q "lib/parscale/plugins" "$B/cmake_install.cmake" ||
    fail "the PARSCALE_PLUGINS libraries are not installed to lib/parscale/plugins"
echo "PARSCALE_PLUGINS: spmv and count built into plugins/ and run without --kernel-lib"
