#!/usr/bin/env bash
# args_test.sh — bad arguments to scripts/plot.sh and scripts/report.sh: exit 2, one line.
#
# Usage: tests/plots/args_test.sh [REPO_ROOT]
set -euo pipefail

root="${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
plot="$root/scripts/plot.sh"
report="$root/scripts/report.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/empty"
failures=0

# expect_usage_error PATTERN COMMAND...: COMMAND exits 2, prints nothing on stdout
# and exactly one line on stderr, matching the extended regex PATTERN
expect_usage_error() {
    local pattern="$1" status lines
    shift
    set +e
    "$@" >"$tmp/out" 2>"$tmp/err"
    status=$?
    set -e
    lines=$(wc -l <"$tmp/err")
    if ((status != 2)); then
        printf 'FAIL: %s: exit %d, expected 2\n' "$*" "$status" >&2
        failures=$((failures + 1))
    elif [[ -s "$tmp/out" ]] || ((lines != 1)) || ! grep -Eq -- "$pattern" "$tmp/err"; then
        printf 'FAIL: %s: stdout %d bytes, stderr %d line(s): %s\n' "$*" \
            "$(wc -c <"$tmp/out")" "$lines" "$(cat "$tmp/err")" >&2
        failures=$((failures + 1))
    fi
}

expect_usage_error '^plot\.sh: missing run folder; usage: plot\.sh DIR' "$plot"
expect_usage_error "^plot\\.sh: run folder '.*/nonexistent' does not exist" "$plot" "$tmp/nonexistent"
expect_usage_error "^plot\\.sh: no raw\\.csv in '.*/empty'" "$plot" "$tmp/empty"
expect_usage_error "^plot\\.sh: unrecognized option '--bogus'" "$plot" --bogus "$tmp/empty"
expect_usage_error "^plot\\.sh: option '--summarize-bin' needs a value" "$plot" "$tmp/empty" --summarize-bin
expect_usage_error "^plot\\.sh: unknown format 'gif'" "$plot" --format png,gif "$tmp/empty"
expect_usage_error "^plot\\.sh: bad --jobs '0'" "$plot" --jobs 0 "$tmp/empty"
expect_usage_error "^plot\\.sh: bad --figures 'some'" "$plot" --figures some "$tmp/empty"
expect_usage_error '^plot\.sh: more than one run folder' "$plot" "$tmp/empty" "$tmp/empty"
expect_usage_error '^report\.sh: missing run folder; usage: report\.sh DIR' "$report"
expect_usage_error "^report\\.sh: no summary\\.csv in '.*/empty'" "$report" "$tmp/empty"
expect_usage_error "^report\\.sh: unrecognized option '-x'" "$report" -x

if ! "$plot" --help | grep -q '^usage: plot\.sh DIR'; then
    echo "FAIL: plot.sh --help does not print the usage on stdout" >&2
    failures=$((failures + 1))
fi

if ((failures > 0)); then
    printf 'args_test: %d check(s) failed\n' "$failures" >&2
    exit 1
fi
echo "args_test: ok"
