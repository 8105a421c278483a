#!/usr/bin/env bash
# report.sh — write DIR/report.html from a summarised, plotted run folder.
#
# Usage: scripts/report.sh DIR
#
# Fills share/report.html.in (scripts/report.py, Python standard library)
# with what parscale-summarize wrote into DIR (summary.csv, fits.csv,
# findings.csv, data/figures.tsv) and with meta.txt and probe.csv.  The
# report is one HTML file with inline CSS and images referenced relatively
# (plots/NAME.png, linking to the SVG), so the folder reads offline as it
# is.  A compact table (kernel, series, workers, median, speedup vs serial,
# flags) goes to stdout; messages go to stderr.
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
    --)
        shift
        (($# <= 1)) || usage_error "more than one run folder given"
        (($# == 0)) || dir=$1
        break
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
command -v python3 >/dev/null 2>&1 || die "python3 not found; install python3"

python3 "$root/scripts/report.py" "$dir" "$(parscale_data_dir)/report.html.in" ||
    die "cannot build the report from '$dir'"
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i
                   printf "%-10s %-18s %7s %12s %9s  %s\n", "kernel", "series", "workers", "median_s", "speedup", "flags"; next }
         { printf "%-10s %-18s %7s %12s %9s  %s\n", $c["kernel"], $c["series"], $c["workers"],
                  $c["median"], ($c["speedup_serial"] == "" ? "-" : $c["speedup_serial"]), $c["flags"] }' \
    "$dir/summary.csv"
printf '%s: wrote %s\n' "$prog" "$dir/report.html" >&2
