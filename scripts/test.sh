#!/usr/bin/env bash
# The test command: install what is missing, build the normal (Release)
# and the sanitizer (ASan + UBSan) trees, and run the whole CTest suite in
# both; then the checker passes on trees of their own: ThreadSanitizer on
# the pthread and fork drivers and the summariser's fitting threads,
# valgrind memcheck on the serial driver and the summariser.  Extra
# arguments go to ctest (e.g. -R equivalence).
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
build_only() {   # DIR TARGET,... CMAKE-ARGS...: configure, build only TARGETs
    local dir=$1 targets
    IFS=, read -r -a targets <<< "$2"
    shift 2
    cmake -S . -B "$dir" "$@" > /dev/null
    cmake --build "$dir" -j "$jobs" --target "${targets[@]}" > "$dir/build.log" 2>&1 ||
        { cat "$dir/build.log" >&2; exit 1; }
}
build build -DCMAKE_BUILD_TYPE=Release
build build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPARSCALE_SANITIZE=ON
# tests/sanitize/CMakeLists.txt registers sanitize.tsan in a tree built with
# -fsanitize=thread, and sanitize.valgrind in a plain tree without
# -march=native (valgrind does not decode AVX-512); both also run the
# example kernel library (example_spmv).
build_only build-tsan parscale-pthread,parscale-fork,parscale-summarize,example_spmv -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_FLAGS=-fsanitize=thread -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread
build_only build-valgrind parscale-serial,parscale-summarize,example_spmv -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DPARSCALE_NATIVE=OFF

status=0
echo "== tests, Release build" >&2
(cd build && ctest -j "$jobs" --output-on-failure --timeout 600 "$@") || status=1
# Once is enough for what does not run our compiled code differently under
# the sanitizers: the cluster harness self-tests (Slurm and namespaces), the
# linters, the install layout, and the tests of the scripts' own logic
# (label scripts: resume, locks, paths, signals), whose drivers the other
# tests run under the sanitizers.
echo "== tests, AddressSanitizer + UndefinedBehaviorSanitizer build" >&2
(cd build-asan && ctest -j "$jobs" --output-on-failure --timeout 900 -LE 'cluster|lint|install|scripts' "$@") ||
    status=1
echo "== ThreadSanitizer: pthread and fork drivers, every kernel; the summariser's threads" >&2
(cd build-tsan && ctest --output-on-failure --timeout 300 -L '^tsan$' "$@") || status=1
echo "== valgrind memcheck: serial driver on every kernel, summariser" >&2
(cd build-valgrind && ctest --output-on-failure --timeout 300 -L '^valgrind$' "$@") || status=1
exit "$status"
