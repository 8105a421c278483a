#!/usr/bin/env bash
# report.sh — write DIR/report.html from a summarised, plotted run folder.
#
# Usage: scripts/report.sh DIR
#
# Reads DIR/summary.csv (required), fits.csv, probe.csv, meta.txt, raw.csv and
# the figures listed in DIR/plots/figures.tsv (written by scripts/plot.sh; when
# it is absent, every DIR/plots/*.png). The report is one HTML file with inline
# CSS and images referenced relatively (plots/NAME.png, linking to the SVG), so
# the folder reads offline as it is. A compact table of the summary (kernel,
# driver, workers, median, speedup, efficiency, verified) goes to stdout;
# messages go to stderr.
#
# Exit status: 0 done, 1 cannot write the report, 2 bad arguments.
set -euo pipefail

prog=report.sh
usage_line="usage: $prog DIR"
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PROG=$prog
USAGE_LINE=$usage_line
# shellcheck source=scripts/lib/common.sh
. "$root/scripts/lib/common.sh"

dir=""
while (($# > 0)); do
    case "$1" in
    -h | --help)
        printf '%s\n' "$usage_line"
        exit 0
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
[[ -f "$dir/summary.csv" ]] || usage_error "no summary.csv in '$dir' (run scripts/plot.sh first)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

figs="$tmp/figures.tsv"
if [[ -f "$dir/plots/figures.tsv" ]]; then
    cp "$dir/plots/figures.tsv" "$figs"
else
    : >"$figs"
    for png in "$dir"/plots/*.png; do
        [[ -f "$png" ]] || continue
        name=$(basename "$png" .png)
        printf '%s\t%s\n' "$name" "$name" >>"$figs"
    done
fi

out="$dir/report.html"
generated=$(date -u +%Y-%m-%dT%H:%M:%SZ)
awk -v dir="$dir" -v html="$tmp/report.html" -v figs="$figs" -v generated="$generated" \
    -f "$root/plots/csv.awk" -f "$root/plots/report.awk" ||
    die "cannot build the report from '$dir'"
mv -f "$tmp/report.html" "$out" || die "cannot write '$out'"
printf '%s: wrote %s\n' "$prog" "$out" >&2
