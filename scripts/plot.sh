#!/usr/bin/env bash
# plot.sh — summarise a run folder when needed, draw every figure the
# summariser listed, and write the report.
#
# Usage: scripts/plot.sh DIR [--format LIST] [--figures all|panels]
#                         [--summarize-bin PATH] [--jobs N]
#
# DIR holds raw.csv (and meta.txt, probe.csv).  The summariser
# (default: $PARSCALE_BUILD/parscale-summarize, else build/ under the
# repository) writes summary.csv, fits.csv, residuals.csv, findings.csv and
# data/ when they are missing, empty, older than raw.csv or probe.csv, or
# derived from another raw.csv (data/source.txt records what they came
# from).  Every figure in data/figures.tsv is then drawn by plots/figure.gp
# in each format of LIST (png, svg, pdf, tex; default png,svg) into
# DIR/plots/, in --jobs batches (default: the CPUs) of one gnuplot process
# each, and scripts/report.sh writes DIR/report.html.  With
# --figures panels (the default above PANELS_ONLY_ABOVE cases) only one
# figure per case is drawn (the panel, or the weak-scaling one), plus POP,
# start-up and primitive-cost figures, so that studies of thousands of
# configurations stay quick to draw.
#
# Environment: GNUPLOT (default gnuplot), PARSCALE_BUILD.
# Exit status: 0 done, 1 a tool failed or is missing, 2 bad arguments.
set -euo pipefail

prog=plot.sh
usage_line="usage: $prog DIR [--format png,svg,pdf,tex] [--figures all|panels] [--summarize-bin PATH] [--jobs N]"
# Cases above which only one figure per case is drawn unless --figures all.
readonly PANELS_ONLY_ABOVE=50
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
: "${GNUPLOT:=gnuplot}"
PROG=$prog
USAGE_LINE=$usage_line
# shellcheck source=scripts/lib/common.sh
. "$root/scripts/lib/common.sh"

dir=""
formats="png,svg"
figures=""
jobs=$(nproc 2>/dev/null || echo 1)
summarize_bin="$(parscale_bin_dir)/parscale-summarize"
while (($# > 0)); do
    case "$1" in
    -h | --help)
        printf '%s\n' "$usage_line"
        exit 0
        ;;
    --summarize-bin | --format | --jobs | --figures)
        (($# >= 2)) || usage_error "option '$1' needs a value"
        case "$1" in
        --summarize-bin) summarize_bin=$2 ;;
        --format) formats=$2 ;;
        --jobs) jobs=$2 ;;
        --figures) figures=$2 ;;
        esac
        shift 2
        ;;
    --summarize-bin=* | --format=* | --jobs=* | --figures=*)
        case "$1" in
        --summarize-bin=*) summarize_bin=${1#*=} ;;
        --format=*) formats=${1#*=} ;;
        --jobs=*) jobs=${1#*=} ;;
        --figures=*) figures=${1#*=} ;;
        esac
        shift
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

is_posint "$jobs" || usage_error "bad --jobs '$jobs' (want an integer >= 1)"
case $figures in
"" | all | panels) ;;
*) usage_error "bad --figures '$figures' (want all or panels)" ;;
esac
IFS=, read -r -a fmt_list <<<"$formats"
((${#fmt_list[@]} > 0)) || usage_error "empty --format"
for f in "${fmt_list[@]}"; do
    case "$f" in
    png | svg | pdf | tex) ;;
    *) usage_error "unknown format '$f' in --format (want png, svg, pdf or tex)" ;;
    esac
done
[[ -n "$dir" ]] || usage_error "missing run folder"
[[ -d "$dir" ]] || usage_error "run folder '$dir' does not exist"
[[ -f "$dir/raw.csv" ]] || usage_error "no raw.csv in '$dir'"
command -v "$GNUPLOT" >/dev/null 2>&1 || die "gnuplot not found ('$GNUPLOT'); install gnuplot-nox"

# ---- summarise when what is there was not derived from this raw.csv
source_id() {   # what the derived files are derived from: size and time of the inputs
    local f
    for f in "$dir/raw.csv" "$dir/probe.csv"; do
        [[ -f $f ]] && printf '%s %s\n' "${f##*/}" "$(stat -c '%s %Y' -- "$f")"
    done
    return 0
}
stale=1
if [[ -s "$dir/summary.csv" && -s "$dir/data/figures.tsv" && -f "$dir/data/source.txt" ]] &&
    [[ $(cat -- "$dir/data/source.txt") == "$(source_id)" ]]; then
    stale=0
fi
if ((stale)); then
    [[ -x "$summarize_bin" ]] ||
        die "summariser '$summarize_bin' is not built (build it, or pass --summarize-bin PATH)"
    probe_args=()
    [[ -s "$dir/probe.csv" ]] && probe_args=(--probe "$dir/probe.csv")
    printf '%s: summarising %s\n' "$prog" "$dir/raw.csv" >&2
    "$summarize_bin" --out "$dir" --drivers "$(parscale_data_dir)/drivers.csv" "${probe_args[@]}" \
        -- "$dir/raw.csv" || die "summariser '$summarize_bin' failed on '$dir/raw.csv'"
    [[ -s "$dir/data/figures.tsv" ]] || die "summariser '$summarize_bin' wrote no '$dir/data/figures.tsv'"
    source_id >"$dir/data/source.txt" || die "cannot write '$dir/data/source.txt'"
fi

# ---- the figures to draw, per format
plots="$dir/plots"
mkdir -p -- "$plots" || die "cannot create '$plots'"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
jobsfile="$tmp/jobs"
: >"$jobsfile"
count=0
if [[ -z $figures ]]; then
    cases=$(cut -f3 "$dir/data/figures.tsv" | sort -u | wc -l)
    figures=all
    if ((cases > PANELS_ONLY_ABOVE)); then
        figures=panels
        printf '%s: %d cases: one figure per case (--figures all draws every one)\n' "$prog" "$cases" >&2
    fi
fi
while IFS=$'\t' read -r name script kcase title subtitle note _caption; do
    [[ $name == name && $script == script ]] && continue
    if [[ $figures == panels ]]; then
        case $script in
        panel | weak | pop | startup | cost) ;;
        *) continue ;;
        esac
    fi
    for f in "${fmt_list[@]}"; do
        printf '%s\0%s\0%s\0%s\0%s\0%s\0' "$script" "$dir/data/$kcase" "$plots/$name.$f" \
            "$title" "$subtitle" "$note" >>"$jobsfile"
    done
    count=$((count + 1))
done <"$dir/data/figures.tsv"

# ---- draw: the figures dealt round-robin into $jobs batches, each one
# gnuplot process that calls figure.gp once per figure with a fresh session
# (a process per figure spends most of its time starting); a batch that
# fails is redrawn figure by figure, to name the one that failed and show
# gnuplot's words about it.
gp_quote() {   # a gnuplot single-quoted string: ' doubled
    printf "'%s'" "${1//\'/\'\'}"
}
mapfile -d '' -t job <"$jobsfile"
nbatch=$jobs
((nbatch <= count * ${#fmt_list[@]})) || nbatch=$((count * ${#fmt_list[@]}))
((nbatch >= 1)) || nbatch=1
for ((b = 0; b < nbatch; b++)); do : >"$tmp/batch.$b.gp"; done
for ((i = 0, k = 0; i < ${#job[@]}; i += 6, k++)); do
    {
        printf 'reset session\ncall %s' "$(gp_quote "$root/plots/figure.gp")"
        for ((a = 0; a < 6; a++)); do printf ' %s' "$(gp_quote "${job[i + a]}")"; done
        printf '\n'
    } >>"$tmp/batch.$((k % nbatch)).gp"
    printf '%s\n' "${job[i + 2]}" >>"$tmp/batch.$((k % nbatch)).out"
done
draw_batch() {   # B: draw batch B; on failure each of its figures alone
    local b=$1 line out named=0
    "$GNUPLOT" "$tmp/batch.$b.gp" </dev/null 2>"$tmp/batch.$b.log" && return 0
    while IFS= read -r line && IFS= read -r out <&3; do
        printf 'reset session\n%s\n' "$line" >"$tmp/one.$b.gp"
        if ! "$GNUPLOT" "$tmp/one.$b.gp" </dev/null 2>"$tmp/one.$b.log"; then
            printf '%s: gnuplot failed drawing %s:\n' "$prog" "$out" >&2
            cat "$tmp/one.$b.log" >&2
            rm -f -- "$out"
            named=1
        fi
    done < <(grep '^call ' "$tmp/batch.$b.gp") 3<"$tmp/batch.$b.out"
    if ((!named)); then
        printf '%s: gnuplot failed on a batch of figures:\n' "$prog" >&2
        cat "$tmp/batch.$b.log" >&2
    fi
    return 1
}
pids=()
for ((b = 0; b < nbatch; b++)); do
    draw_batch "$b" &
    pids+=($!)
done
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
((failed == 0)) || die "drawing the figures failed"

cp -- "$dir/data/figures.tsv" "$plots/figures.tsv" || die "cannot write '$plots/figures.tsv'"
printf '%s: drew %d figures (%s) in %s\n' "$prog" "$count" "$formats" "$plots" >&2

"$root/scripts/report.sh" "$dir"
