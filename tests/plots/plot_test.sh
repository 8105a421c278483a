#!/usr/bin/env bash
# plot_test.sh — scripts/plot.sh and scripts/report.sh on the fixture run in tests/plots/fixture.
#
# Usage: tests/plots/plot_test.sh [REPO_ROOT]
#
# Checks: with a fresh summary.csv no summariser is run; every figure exists as
# a non-empty PNG and SVG; each SVG names its drivers as series titles; gnuplot
# prints no warnings; report.html holds every figure, the probe warning, the
# tables and the escaped metadata, and no external reference; the terminal
# table is on stdout; a stale summary runs the summariser, a missing one fails
# with exit 1. Exit 77 (skip) without gnuplot.
set -euo pipefail

root="${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
fixture="$root/tests/plots/fixture"
plot="$root/scripts/plot.sh"

if ! command -v gnuplot >/dev/null 2>&1; then
    echo "plot_test: gnuplot not installed; skipping" >&2
    exit 77
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

# fail: report one failed check and keep going
fail() {
    printf 'FAIL: %s\n' "$1" >&2
    failures=$((failures + 1))
}

# fresh_run DIR: a copy of the fixture whose summary.csv and fits.csv are newer than raw.csv
fresh_run() {
    cp -r "$fixture" "$1"
    touch -d '2020-01-01 00:00:00' "$1/raw.csv"
    touch "$1/summary.csv" "$1/fits.csv"
}

# column_values FILE NAME: the distinct values of CSV column NAME
column_values() {
    awk -F, -v name="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i; next }
        c { print $c }' "$1" | sort -u
}

run="$tmp/run"
fresh_run "$run"
printf 'note=<script>alert("x")</script> & "quotes"\n' >>"$run/meta.txt"

# 1. figures and report from a fresh summary; the summariser must not be needed
if ! "$plot" "$run" --summarize-bin "$tmp/no-such-summariser" >"$tmp/out" 2>"$tmp/err"; then
    fail "plot.sh failed on the fixture: $(cat "$tmp/err")"
fi
if grep -v -E '^(plot|report)\.sh: ' "$tmp/err" >"$tmp/noise"; then
    fail "unexpected messages on stderr (gnuplot warnings?): $(head -n 5 "$tmp/noise")"
fi

mapfile -t all_drivers < <(column_values "$fixture/summary.csv" driver)
parallel_drivers=()
for d in "${all_drivers[@]}"; do
    [[ "$d" == serial ]] || parallel_drivers+=("$d")
done
((${#all_drivers[@]} >= 3)) || fail "fixture has fewer than 3 drivers"

declare -A figure_drivers=(
    [pi-strong-200000000-time]=all
    [pi-strong-200000000-speedup]=parallel
    [pi-strong-200000000-speedup-serial]=parallel
    [pi-strong-200000000-efficiency]=parallel
    [triad-strong-20000000-time]=all
    [triad-strong-20000000-speedup]=parallel
    [triad-strong-20000000-speedup-serial]=parallel
    [triad-strong-20000000-efficiency]=parallel
    [stencil-weak-1000000-time]=all
    [stencil-weak-1000000-weak]=parallel
    [startup]=parallel
)

for name in "${!figure_drivers[@]}"; do
    png="$run/plots/$name.png"
    svg="$run/plots/$name.svg"
    if [[ ! -s "$png" ]]; then
        fail "missing or empty $name.png"
    elif [[ "$(head -c 4 "$png" | od -An -c | tr -d ' ')" != '211PNG' ]]; then
        fail "$name.png is not a PNG file"
    fi
    if [[ ! -s "$svg" ]]; then
        fail "missing or empty $name.svg"
        continue
    fi
    grep -q '<svg' "$svg" || fail "$name.svg is not an SVG file"
    if [[ "${figure_drivers[$name]}" == all ]]; then
        expected=("${all_drivers[@]}")
    else
        expected=("${parallel_drivers[@]}")
    fi
    for d in "${expected[@]}"; do
        grep -q "<text>$d</text>" "$svg" || fail "$name.svg has no series titled '$d'"
    done
    grep -q "plots/$name.png" "$run/report.html" || fail "report.html lacks plots/$name.png"
    grep -q "plots/$name.svg" "$run/report.html" || fail "report.html lacks a link to plots/$name.svg"
done
grep -q '<text>ideal: min(p, 4 cores)</text>' "$run/plots/pi-strong-200000000-speedup.svg" ||
    fail "speedup figure lacks the ideal line min(p, cores)"
grep -q 'fit: s = ' "$run/plots/pi-strong-200000000-speedup.svg" ||
    fail "speedup figure lacks the Amdahl fit curves"

count=$(wc -l <"$run/plots/figures.tsv")
((count == ${#figure_drivers[@]})) || fail "figures.tsv lists $count figures, expected ${#figure_drivers[@]}"

# 2. the report
report="$run/report.html"
[[ -s "$report" ]] || fail "report.html missing or empty"
for needle in '<h2 id="methods">' 'warm-up' 'median' 'confidence interval' 'serial driver' \
    'same driver at its fewest workers' 'barrier → start → run → barrier → stop' \
    '<h2 id="probe">' 'class="warn"' 'did not deliver' '<th>delivered</th>' \
    '<th>speedup_self</th>' '<th>efficiency_serial</th>' '<th>weak_efficiency</th>' \
    '<th>serial_fraction</th>' '<th>rms_rel_residual</th>' \
    'node01' '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quotes&quot;'; do
    grep -qF -- "$needle" "$report" || fail "report.html lacks '$needle'"
done
grep -qF '<script>' "$report" && fail "report.html holds an unescaped <script>"
grep -Eq '(src|href)="(https?:)?//' "$report" && fail "report.html references an external resource"
rows=$(grep -c '^<tr' "$report" || true)
summary_rows=$(($(grep -c . "$fixture/summary.csv") - 1))
((rows >= summary_rows)) || fail "report.html has $rows table rows, summary.csv $summary_rows"

# 3. the terminal table, on stdout
head -n 1 "$tmp/out" | grep -q '^kernel  *driver .*median.*speedup.*efficiency.*verified' ||
    fail "no summary table header on stdout"
grep -Eq '^pi +pthread +strong +8 .*yes .*probe: not delivered' "$tmp/out" ||
    fail "summary table lacks the pi/pthread/8 row flagged by the probe"

# 4. a stale summary runs the summariser given with --summarize-bin
stale="$tmp/stale"
fresh_run "$stale"
touch -d '2020-01-01 00:00:00' "$stale/summary.csv" "$stale/fits.csv"
touch "$stale/raw.csv"
fake="$tmp/fake-summarize"
cat >"$fake" <<EOF
#!/usr/bin/env bash
set -euo pipefail
[[ "\$1" == --out ]] || exit 2
cp "$fixture/summary.csv" "$fixture/fits.csv" "\$2/"
touch "$tmp/summariser-ran"
EOF
chmod +x "$fake"
"$plot" "$stale" --summarize-bin "$fake" >/dev/null 2>"$tmp/err" ||
    fail "plot.sh failed with a stale summary: $(cat "$tmp/err")"
[[ -f "$tmp/summariser-ran" ]] || fail "a stale summary.csv did not run the summariser"

# 5. a stale summary and no summariser: exit 1, one line naming it
touch "$stale/raw.csv"
set +e
"$plot" "$stale" --summarize-bin "$tmp/no-such-summariser" >/dev/null 2>"$tmp/err"
status=$?
set -e
((status == 1)) || fail "missing summariser: exit $status, expected 1"
grep -q '^plot\.sh: summariser .*no-such-summariser.* is not built' "$tmp/err" ||
    fail "missing summariser: unexpected message '$(cat "$tmp/err")'"

if ((failures > 0)); then
    printf 'plot_test: %d check(s) failed\n' "$failures" >&2
    exit 1
fi
echo "plot_test: ok"
