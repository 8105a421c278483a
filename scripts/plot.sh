#!/usr/bin/env bash
# plot.sh — draw every figure of a run folder into DIR/plots/ and write DIR/report.html.
#
# Usage: scripts/plot.sh DIR [--summarize-bin PATH]
#
# DIR holds raw.csv (and meta.txt, probe.csv). When DIR/summary.csv is missing or
# older than raw.csv, the summariser (default: $PARSCALE_BUILD/parscale-summarize,
# else build/parscale-summarize under the repository root) writes summary.csv
# and fits.csv first. Each figure is drawn as
# PNG (for screens) and SVG (for reports) by the gnuplot scripts in plots/; the
# list of figures with their captions goes to DIR/plots/figures.tsv. Then
# scripts/report.sh DIR writes the report.
#
# Environment: GNUPLOT (default gnuplot), PARSCALE_BUILD (build folder, as
# scripts/sweep.sh passes it).
# Exit status: 0 done, 1 a tool failed or is missing, 2 bad arguments.
set -euo pipefail

prog=plot.sh
usage_line="usage: $prog DIR [--summarize-bin PATH]"
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
: "${GNUPLOT:=gnuplot}"
PROG=$prog
USAGE_LINE=$usage_line
# shellcheck source=scripts/lib/common.sh
. "$root/scripts/lib/common.sh"

dir=""
summarize_bin="${PARSCALE_BUILD:-$root/build}/parscale-summarize"
while (($# > 0)); do
    case "$1" in
    -h | --help)
        printf '%s\n' "$usage_line"
        exit 0
        ;;
    --summarize-bin)
        (($# >= 2)) || usage_error "option '--summarize-bin' needs a path"
        summarize_bin="$2"
        shift 2
        ;;
    --summarize-bin=*)
        summarize_bin="${1#*=}"
        shift
        ;;
    -*)
        usage_error "unrecognized option '$1'"
        ;;
    *)
        [[ -z "$dir" ]] || usage_error "more than one run folder given ('$dir', '$1')"
        dir="$1"
        shift
        ;;
    esac
done

[[ -n "$dir" ]] || usage_error "missing run folder"
[[ -d "$dir" ]] || usage_error "run folder '$dir' does not exist"
[[ -f "$dir/raw.csv" ]] || usage_error "no raw.csv in '$dir'"
command -v "$GNUPLOT" >/dev/null 2>&1 || die "gnuplot not found ('$GNUPLOT'); install gnuplot-nox"

if [[ ! -f "$dir/summary.csv" || "$dir/raw.csv" -nt "$dir/summary.csv" ]]; then
    [[ -x "$summarize_bin" ]] ||
        die "summariser '$summarize_bin' is not built (build it, or pass --summarize-bin PATH); '$dir/summary.csv' is missing or older than raw.csv"
    printf '%s: summarising %s\n' "$prog" "$dir/raw.csv" >&2
    "$summarize_bin" --out "$dir" "$dir/raw.csv" ||
        die "summariser '$summarize_bin' failed on '$dir/raw.csv'"
    [[ -f "$dir/summary.csv" ]] || die "summariser '$summarize_bin' wrote no '$dir/summary.csv'"
fi

fits=""
if [[ -f "$dir/fits.csv" ]]; then
    fits="$dir/fits.csv"
else
    printf '%s: no fits.csv in %s; drawing without Amdahl fits\n' "$prog" "$dir" >&2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

: >"$tmp/cases.tsv"
awk -v out="$tmp" -v fits="$fits" \
    -f "$root/plots/csv.awk" -f "$root/plots/cases.awk" "$dir/summary.csv" ||
    die "cannot read '$dir/summary.csv'"

plots="$dir/plots"
mkdir -p "$plots" || die "cannot create '$plots'"
index="$tmp/figures.tsv"
: >"$index"
count=0

# draw NAME CAPTION SCRIPT ARGS...: NAME.png and NAME.svg from plots/SCRIPT.gp
draw() {
    local name="$1" caption="$2" script="$3" ext
    shift 3
    for ext in png svg; do
        "$GNUPLOT" -c "$root/plots/$script.gp" "$1" "$plots/$name.$ext" "${@:2}" </dev/null ||
            die "gnuplot failed drawing '$plots/$name.$ext' with plots/$script.gp"
    done
    printf '%s\t%s\n' "$name" "$caption" >>"$index"
    count=$((count + 1))
}

while IFS=$'\t' read -r slug title host scaling class cores ideal names_all names_par fits_self fits_serial has_serial ci; do
    data="$tmp/$slug.dat"
    par="$tmp/$slug-par.dat"
    draw "$slug-time" "$title: median time per repetition vs workers (error bars: $ci CI of the median; points shifted slightly sideways so that the bars stay visible)" \
        time "$data" "$title" "$host" "$names_all" "$scaling" "$cores" "$ci"
    [[ "$names_par" != "-" ]] || continue
    if [[ "$scaling" == "weak" ]]; then
        draw "$slug-weak" "$title: weak-scaling efficiency T(p0)/T(p), same driver at its fewest workers p0" \
            weak "$par" "$title" "$host" "$names_par" "$ideal" "$cores"
        continue
    fi
    ideal_text="min(p, $cores cores)"
    [[ "$ideal" != "p" ]] || ideal_text="p"
    draw "$slug-speedup" "$title: speedup vs the same driver at its fewest workers (1, or p0 for hybrid, counted p0 x), dashed Amdahl fits; ideal $ideal_text for the $class class" \
        speedup "$par" "$title" "$host" "$names_par" self "$ideal" "$cores" "$fits_self"
    if [[ "$has_serial" == 1 ]]; then
        draw "$slug-speedup-serial" "$title: speedup vs the serial driver, dashed Amdahl fits; ideal $ideal_text" \
            speedup "$par" "$title" "$host" "$names_par" serial "$ideal" "$cores" "$fits_serial"
    fi
    draw "$slug-efficiency" "$title: parallel efficiency (speedup vs the same driver at its fewest workers, divided by workers)" \
        efficiency "$par" "$title" "$host" "$names_par" self "$ideal" "$cores"
done <"$tmp/cases.tsv"

IFS=$'\t' read -r startup_names startup_cases <"$tmp/startup.tsv"
if [[ "$startup_names" != "-" ]]; then
    hosts=$(cut -f3 "$tmp/cases.tsv" | tr ' ' '\n' | sort -u | paste -sd ' ' -)
    cores=$(cut -f6 "$tmp/cases.tsv" | sort -n | tail -n 1)
    draw startup "start-up cost per worker (start-up time / workers) vs workers: median over $startup_cases kernel cases, bars min–max" \
        startup "$tmp/startup.dat" "start-up cost per worker — median over $startup_cases kernel cases" \
        "$hosts" "$startup_names" "$cores"
fi

cp "$index" "$plots/figures.tsv" || die "cannot write '$plots/figures.tsv'"
printf '%s: drew %d figures (PNG and SVG) in %s\n' "$prog" "$count" "$plots" >&2

"$root/scripts/report.sh" "$dir"
