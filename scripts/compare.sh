#!/usr/bin/env bash
# compare.sh — did my change help?  Every configuration of run B against the
# same configuration of run A: the ratio of median times B/A with its 95 %
# interval and a verdict (faster, slower, no measurable difference).
#
# Usage: scripts/compare.sh A B [--out DIR] [--summarize-bin PATH]
#
# A and B are run folders (with raw.csv) or raw CSV files.  Writes
# compare.csv and compare.md into DIR (default: B's folder) and prints the
# Markdown table on stdout; when B is a summarised run folder its report
# gains a "Comparison" section.  The statistics are parscale-summarize's
# (--baseline).  Exit status: 0 done, 1 a tool failed, 2 bad arguments.
set -euo pipefail

prog=compare.sh
usage_line="usage: $prog A B [--out DIR] [--summarize-bin PATH]"
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PROG=$prog
USAGE_LINE=$usage_line
# shellcheck source=scripts/lib/common.sh
. "$root/scripts/lib/common.sh"

runs=()
out=""
summarize_bin="$(parscale_bin_dir)/parscale-summarize"
while (($# > 0)); do
    case "$1" in
    -h | --help)
        printf '%s\n' "$usage_line"
        exit 0
        ;;
    --out | --summarize-bin)
        (($# >= 2)) || usage_error "option '$1' needs a value"
        [[ $1 == --out ]] && out=$2 || summarize_bin=$2
        shift 2
        ;;
    --)
        shift
        runs+=("$@")
        break
        ;;
    -*) usage_error "unrecognized option '$1'" ;;
    *)
        runs+=("$1")
        shift
        ;;
    esac
done
((${#runs[@]} == 2)) || usage_error "want two runs, A and B (got ${#runs[@]})"

# raw_of RUN: the raw CSV of a run folder or file
raw_of() {
    if [[ -d $1 ]]; then
        [[ -f $1/raw.csv ]] || usage_error "no raw.csv in '$1'"
        printf '%s\n' "$1/raw.csv"
    elif [[ -f $1 ]]; then
        printf '%s\n' "$1"
    else
        usage_error "'$1' is neither a run folder nor a file"
    fi
}
a=$(raw_of "${runs[0]}")
b=$(raw_of "${runs[1]}")
[[ -n $out ]] || out=$(dirname -- "$b")
[[ -d $out ]] || usage_error "output folder '$out' does not exist"
[[ -x $summarize_bin ]] || die "summariser '$summarize_bin' is not built (build it, or pass --summarize-bin PATH)"

"$summarize_bin" --baseline "$a" --out "$out" -- "$b" || die "the comparison failed"
printf 'baseline=%s\ncompared=%s\n' "$(cd "$(dirname -- "$a")" && pwd)/${a##*/}" \
    "$(cd "$(dirname -- "$b")" && pwd)/${b##*/}" >"$out/compare.txt" ||
    die "cannot write '$out/compare.txt'"
cat -- "$out/compare.md"
if [[ -d ${runs[1]} && -s ${runs[1]}/summary.csv && $out -ef ${runs[1]} ]]; then
    "$root/scripts/report.sh" "$out" >/dev/null
fi
