#!/usr/bin/env bash
# plot_test.sh — scripts/plot.sh and scripts/report.sh on the fixture run in
# tests/plots/fixture (raw.csv, meta.txt, probe.csv).
#
# Usage: tests/plots/plot_test.sh REPO_ROOT SUMMARIZE_BIN
#
# Checks: the summariser runs once and writes the figure data; every figure
# listed in data/figures.tsv exists as a non-empty PNG, SVG and PDF; each
# names its series; gnuplot prints no warnings; report.html opens with the
# findings, holds the pivot tables, the panel figures, the probe warning,
# the escaped metadata and no external reference; a run with too few
# repetitions for intervals is drawn too; a figure gnuplot fails on is named
# with gnuplot's message; fresh derived files are
# reused, and stale, empty or foreign ones are rebuilt; a missing summariser
# fails with exit 1.  Exit 77 (skip) without gnuplot or python3.
set -euo pipefail

root=$1
summarize=$2
fixture="$root/tests/plots/fixture"
plot="$root/scripts/plot.sh"

for tool in gnuplot python3; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "plot_test: $tool not installed; skipping" >&2
        exit 77
    fi
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() {
    printf 'FAIL: %s\n' "$1" >&2
    failures=$((failures + 1))
}

run="$tmp/run"
cp -r "$fixture" "$run"
printf 'note=<script>alert("x")</script> & "quotes"\n' >>"$run/meta.txt"

# 1. summarise, draw in three formats, report
if ! "$plot" "$run" --format png,svg,pdf --summarize-bin "$summarize" >"$tmp/out" 2>"$tmp/err"; then
    fail "plot.sh failed on the fixture: $(cat "$tmp/err")"
fi
grep -c '^plot\.sh: summarising' "$tmp/err" | grep -qx 1 || fail "the summariser did not run exactly once"
if grep -v -E '^(plot|report)\.sh: ' "$tmp/err" >"$tmp/noise"; then
    fail "unexpected messages on stderr (gnuplot warnings?): $(head -n 5 "$tmp/noise")"
fi

figures="$run/data/figures.tsv"
[[ -s $figures ]] || fail "no data/figures.tsv"
# the fixture's cases: pi and triad strong (time, speedup vs serial and
# self, efficiency, panel), stencil weak (time, weak), and start-up
want=(pi-strong-200000000-method_midpoint-time pi-strong-200000000-method_midpoint-speedup-serial
    pi-strong-200000000-method_midpoint-speedup pi-strong-200000000-method_midpoint-efficiency
    pi-strong-200000000-method_midpoint-panel triad-strong-20000000-scalar_3_stride_1-panel
    stencil-weak-1000000-iters_20_radius_1-time stencil-weak-1000000-iters_20_radius_1-weak startup
    primitives-barrier)
for name in "${want[@]}"; do
    grep -q "^$name	" "$figures" || fail "figures.tsv lacks $name"
done
while IFS=$'\t' read -r name _script _case _rest; do
    [[ $name == name ]] && continue
    for ext in png svg pdf; do
        [[ -s "$run/plots/$name.$ext" ]] || fail "missing or empty $name.$ext"
    done
    [[ "$(head -c 4 "$run/plots/$name.png" | od -An -c | tr -d ' ')" == '211PNG' ]] ||
        fail "$name.png is not a PNG file"
    [[ "$(head -c 4 "$run/plots/$name.pdf")" == %PDF ]] || fail "$name.pdf is not a PDF file"
    grep -q '<svg' "$run/plots/$name.svg" || fail "$name.svg is not an SVG file"
    case $name in
    sync-*) series=(pthread fork) ;;
    *-time) series=(serial pthread openmp fork) ;;
    primitives-*) series=(pthread fork) ;;
    *) series=(pthread openmp fork) ;;
    esac
    for s in "${series[@]}"; do
        grep -q "<text>$s</text>" "$run/plots/$name.svg" || fail "$name.svg has no series titled '$s'"
    done
done <"$figures"
svg="$run/plots/pi-strong-200000000-method_midpoint-speedup-serial.svg"
grep -q '<text>ideal: min(p, 4 cores)</text>' "$svg" || fail "speedup figure lacks the ideal min(p, cores)"
grep -q 'Amdahl: s = ' "$svg" || fail "speedup figure lacks the Amdahl fit legend"
grep -q 'pi — compute kernel, strong scaling' "$svg" || fail "speedup figure lacks its title"

# 2. the report
report="$run/report.html"
[[ -s "$report" ]] || fail "report.html missing or empty"
first_h2=$(grep -o '<h2 id="[a-z]*">' "$report" | head -n 1)
[[ $first_h2 == '<h2 id="findings">' ]] || fail "the report does not open with its findings ($first_h2)"
for needle in 'Threads vs processes' 'Where scaling stops' 'Start-up cost' 'Scaling models' \
    '<h2 id="speedup">' 'pivot-pi-strong-200000000-method_midpoint' \
    'plots/pi-strong-200000000-method_midpoint-panel.png' \
    'plots/triad-strong-20000000-scalar_3_stride_1-panel.svg' 'plots/startup.png' \
    '<h2 id="probe">' 'class="warn"' 'did not deliver' '<h2 id="methods">' \
    '<h2 id="primitives">' 'plots/primitives-barrier.png' \
    'barrier → start → run → barrier → stop' 'Price and Bonett' 'href="summary.csv"' \
    'node01' '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quotes&quot;'; do
    grep -qF -- "$needle" "$report" || fail "report.html lacks '$needle'"
done
grep -qF '<script>' "$report" && fail "report.html holds an unescaped <script>"
grep -Eq '(src|href)="(https?:)?//' "$report" && fail "report.html references an external resource"
grep -q '<th>kernel</th><th>driver</th>' "$report" && fail "report.html dumps the summary table"

# the exports beside the report
python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["summary"] and d["findings"] and "meta" in d' \
    "$run/summary.json" || fail "summary.json is not the summary as JSON"
grep -q '^## Speedup against the serial driver' "$run/summary.md" || fail "summary.md lacks its speedup tables"
grep -q '^| pthread | ' "$run/summary.md" || fail "summary.md lacks table rows"

# 3. the compact table on stdout
head -n 1 "$tmp/out" | grep -q '^kernel  *series  *workers  *median_s  *speedup' ||
    fail "no summary table header on stdout"

# 4. derived files are reused while fresh, rebuilt when stale, empty or foreign
again() {   # WHAT: plot.sh again; prints whether it summarised
    "$plot" "$run" --format png --summarize-bin "$summarize" >/dev/null 2>"$tmp/err" ||
        fail "plot.sh failed ($1): $(cat "$tmp/err")"
    grep -q '^plot\.sh: summarising' "$tmp/err" && echo summarised || echo reused
}
[[ $(again fresh) == reused ]] || fail "fresh derived files were rebuilt"
touch "$run/raw.csv"
[[ $(again stale) == summarised ]] || fail "a newer raw.csv did not rebuild the summary"
: >"$run/summary.csv"
[[ $(again empty) == summarised ]] || fail "an empty summary.csv was kept"
echo "raw.csv 1 1" >"$run/data/source.txt"
[[ $(again foreign) == summarised ]] || fail "a summary of another raw.csv was kept"

# 5. a run of too few repetitions for any interval (2 per configuration,
# strong and weak scaling): every figure is drawn from the medians alone
few="$tmp/few"
mkdir -p "$few"
cp "$root/tests/analysis/fixture.csv" "$few/raw.csv"
if "$plot" "$few" --format png --summarize-bin "$summarize" >/dev/null 2>"$tmp/err"; then
    grep -q ',few-reps' "$few/summary.csv" || fail "few repetitions: no few-reps flag in the summary"
    while IFS=$'\t' read -r name script _; do
        [[ $name == name ]] && continue
        [[ -s $few/plots/$name.png ]] || fail "few repetitions: no figure $name ($script)"
    done <"$few/data/figures.tsv"
else
    fail "plot.sh failed on a run without intervals: $(cat "$tmp/err")"
fi

# 6. figures gnuplot cannot draw: exit 1, each named with gnuplot's words
# and removed, every other figure of the run drawn
cat >"$tmp/gnuplot" <<'EOF'
#!/usr/bin/env bash
if grep -q -- '-time\.png' "$1"; then echo "simulated gnuplot error" >&2; exit 1; fi
exec gnuplot "$@"
EOF
chmod +x "$tmp/gnuplot"
rm -rf "$few/plots"
set +e
GNUPLOT=$tmp/gnuplot "$plot" "$few" --format png --jobs 2 --summarize-bin "$summarize" >/dev/null 2>"$tmp/err"
status=$?
set -e
((status == 1)) || fail "a failing figure: exit $status, expected 1"
if ! grep -q '^plot\.sh: gnuplot failed drawing .*-time\.png:$' "$tmp/err" ||
    ! grep -q '^simulated gnuplot error$' "$tmp/err"; then
    fail "a failing figure: not named with gnuplot's words: $(head -n 3 "$tmp/err")"
fi
for f in "$few/plots"/*.png; do
    [[ $f != *-time.png ]] || fail "a failing figure: $f is there"
done
[[ $(find "$few/plots" -name '*.png' | wc -l) -eq $(grep -vc -- '-time	\|^name	' "$few/data/figures.tsv") ]] ||
    fail "a failing figure: the others were not all drawn"

# 7. stale and no summariser: exit 1, one line naming it
touch "$run/raw.csv"
set +e
"$plot" "$run" --summarize-bin "$tmp/no-such-summariser" >/dev/null 2>"$tmp/err"
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
