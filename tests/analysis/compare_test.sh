#!/usr/bin/env bash
# compare_test.sh — scripts/compare.sh and parscale-summarize --baseline on
# runs whose differences are known by construction: A against itself has no
# measurable difference anywhere; B halves one configuration's time, doubles
# another's, leaves one alone, drops one and adds one.
# usage: compare_test.sh REPO_ROOT SUMMARIZE_BIN
set -euo pipefail
root=$1
bin=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# rows KERNEL WORKERS TIME RUN: 7 repetitions of T x (1 +- 1 %)
rows() {
    awk -v k="$1" -v w="$2" -v t="$3" -v run="$4" 'BEGIN {
        for (r = 1; r <= 7; r++)
            printf "%s,%s,pthread,strong,100,%d,%d,%.9g,0.001,1,Mitems/s,1,h,2026-01-01T00:00:00Z,compute,100,1,%d,1,4,static,,1,100,items,0,0,0.1.0\n",
                run, k, w, r, t * (1 + 0.005 * ((r * 7) % 5 - 2)), w }'
}
header=$(head -n 1 "$root/tests/analysis/fixture.csv")
mkdir -p "$tmp/A" "$tmp/B"
{
    echo "$header"
    rows same 2 1.0 a1
    rows half 2 1.0 a2
    rows twice 2 1.0 a3
    rows gone 2 1.0 a4
} >"$tmp/A/raw.csv"
{
    echo "$header"
    rows same 2 1.0 b1
    rows half 2 0.5 b2
    rows twice 2 2.0 b3
    rows new 2 1.0 b5
} >"$tmp/B/raw.csv"

verdict() {   # FILE KERNEL: the verdict column of that kernel's row
    awk -F, -v k="$2" '$1 == k { print $NF }' "$1"
}

# A against itself
if ! "$root/scripts/compare.sh" "$tmp/A" "$tmp/A" --summarize-bin "$bin" >"$tmp/aa.md" 2>"$tmp/err"; then
    fail "A vs A: $(cat "$tmp/err")"
fi
[[ $(tail -n +2 "$tmp/A/compare.csv" | cut -d, -f18 | sort -u) == "no measurable difference" ]] ||
    fail "A vs A is not 'no measurable difference' everywhere: $(cut -d, -f18 "$tmp/A/compare.csv" | sort | uniq -c)"
grep -q '^B against A: 0 faster, 0 slower, 4 with no measurable difference' "$tmp/aa.md" ||
    fail "A vs A summary line: $(head -n 1 "$tmp/aa.md")"

# B against A
"$root/scripts/compare.sh" "$tmp/A" "$tmp/B" --summarize-bin "$bin" >"$tmp/ab.md" 2>"$tmp/err" ||
    fail "A vs B: $(cat "$tmp/err")"
c=$tmp/B/compare.csv
[[ $(verdict "$c" same) == "no measurable difference" ]] || fail "same: $(verdict "$c" same)"
[[ $(verdict "$c" half) == faster ]] || fail "half: $(verdict "$c" half)"
[[ $(verdict "$c" twice) == slower ]] || fail "twice: $(verdict "$c" twice)"
[[ $(verdict "$c" gone) == "only in A" ]] || fail "gone: $(verdict "$c" gone)"
[[ $(verdict "$c" new) == "only in B" ]] || fail "new: $(verdict "$c" new)"
awk -F, '$1 == "half" { exit !($15 > 0.49 && $15 < 0.51 && $17 < 1) }' "$c" || fail "half: ratio $(grep '^half' "$c")"
grep -q '| half | pthread | strong | 100 | – | static | 2 | 1 | 0.5 | 0.500' "$tmp/ab.md" ||
    fail "Markdown row for half: $(grep '| half' "$tmp/ab.md")"
grep -q '^baseline=.*/A/raw.csv' "$tmp/B/compare.txt" || fail "compare.txt does not name A"

# bad arguments: exit 2, one line
for args in "$tmp/A" "$tmp/A $tmp/nope" "--bogus $tmp/A $tmp/B"; do
    set +e
    # shellcheck disable=SC2086  # split on purpose
    "$root/scripts/compare.sh" $args >/dev/null 2>"$tmp/err"
    rc=$?
    set -e
    if ((rc != 2)) || [[ $(wc -l <"$tmp/err") != 1 ]]; then
        fail "compare.sh $args: exit $rc, stderr $(cat "$tmp/err")"
    fi
done

if ((failures > 0)); then
    echo "compare_test: $failures check(s) failed" >&2
    exit 1
fi
echo "compare_test: ok"
