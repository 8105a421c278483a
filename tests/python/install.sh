#!/usr/bin/env bash
# The Python drivers work from an install prefix: `cmake --install
# --component python` into a temporary prefix, then each launcher there
# (which finds its package and library relative to itself) runs a verified
# kernel, in both forms, with the build tree moved out of its way.
# usage: install.sh BUILD_DIR
set -euo pipefail
BIN=$1
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/driver.sh
. "$here/../lib/driver.sh"
[[ -x $BIN/parscale-py-thread ]] || { echo "the Python drivers are not built: skipping"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$BIN" --prefix "$tmp/prefix" --component python > "$tmp/log" 2>&1 ||
    fail "cmake --install failed: $(tail -3 "$tmp/log")"
n=0
for launcher in "$tmp"/prefix/bin/parscale-py-*; do
    for impl in c python; do
        # run from elsewhere, with nothing of the build tree on the path
        (cd "$tmp" && env -u PYTHONPATH timeout -k 5 60 "$launcher" --workers 2 --kernel sqrtpow \
            --size 20000 --param "impl=$impl" --reps 1) > "$tmp/out.csv" 2> "$tmp/err" ||
            fail "$launcher impl=$impl: exit $?: $(tail -1 "$tmp/err")"
        [[ $(csv_col "$tmp/out.csv" verified) == 1 ]] || fail "$launcher impl=$impl: not verified"
        n=$((n + 1))
    done
done
((n >= 6)) || fail "only $n installed runs"
grep -q "/prefix/" <(head -c 4096 "$tmp"/prefix/bin/parscale-py-thread) && fail "a launcher holds an absolute path"
echo "installed Python drivers: $n runs verified"
