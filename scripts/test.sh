#!/usr/bin/env bash
# The test command: install what is missing, build the normal (Release)
# and the sanitizer (ASan + UBSan) trees, and run the whole CTest suite in
# both.  Extra arguments go to ctest (e.g. -R equivalence).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/deps.sh test
jobs=$(nproc)

build() {   # DIR CMAKE-ARGS...
    local dir=$1
    shift
    cmake -S . -B "$dir" "$@" > /dev/null
    cmake --build "$dir" -j "$jobs" > "$dir/build.log" 2>&1 || { cat "$dir/build.log" >&2; exit 1; }
}
build build -DCMAKE_BUILD_TYPE=Release
build build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPARSCALE_SANITIZE=ON

status=0
echo "== tests, Release build" >&2
(cd build && ctest -j "$jobs" --output-on-failure --timeout 600 "$@") || status=1
# The cluster harness self-tests exercise Slurm and namespaces, not our
# code; once is enough.
echo "== tests, AddressSanitizer + UndefinedBehaviorSanitizer build" >&2
(cd build-asan && ctest -j "$jobs" --output-on-failure --timeout 900 -LE cluster "$@") || status=1
exit "$status"
