#!/usr/bin/env bash
# Benchmark (not a test): what the per-worker time accounting costs.  Every
# kernel at 1 and 2 workers runs with --accounting alternate: the
# accounting is on in repetitions 1, 3, 5, ... and off in 2, 4, ..., all in
# one process, so each off repetition is paired with the mean of the on
# repetitions just before and after it, milliseconds apart: drift of a
# shared machine, which moves whole runs by tens of per cent here, cancels.
# Per kernel and worker count it prints the median seconds with accounting
# on and off, the median of the paired on/off ratios as the overhead
# (target: at most 2 %), and the ratios' interquartile range.
#   scripts/bench-accounting.sh [--build DIR] [--drivers LIST] [--kernels LIST]
#                               [--rounds N] [--pairs N]
# Drivers: serial, pthread, openmp, fork, mpi (default pthread); rounds:
# runs per configuration (default 5), pairs: off repetitions per run (10).
set -euo pipefail
PROG=bench-accounting.sh
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib/common.sh
. "$root/scripts/lib/common.sh"
USAGE_LINE="see $PROG --help"

build=$root/build
drivers=pthread
kernels=sqrtpow,ep,triad,sleep,mandel,stencil,histogram,histogram-private
rounds=5
pairs=10
usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; }
while [[ $# -gt 0 ]]; do
    case $1 in
    --build | --drivers | --kernels | --rounds | --pairs)
        [[ $# -ge 2 ]] || usage_error "option '$1' needs a value"
        case $1 in
        --build) build=$2 ;;
        --drivers) drivers=$2 ;;
        --kernels) kernels=$2 ;;
        --rounds) rounds=$2 ;;
        --pairs) pairs=$2 ;;
        esac
        shift 2
        ;;
    -h | --help) usage; exit 0 ;;
    *) usage_error "unknown option '$1'" ;;
    esac
done
[[ $rounds =~ ^[1-9][0-9]{0,2}$ && $pairs =~ ^[1-9][0-9]{0,3}$ ]] ||
    usage_error "--rounds and --pairs must be integers from 1"
IFS=, read -r -a driver_list <<< "$drivers"
IFS=, read -r -a kernel_list <<< "$kernels"
for d in "${driver_list[@]}"; do
    [[ $d =~ ^(serial|pthread|openmp|fork|mpi)$ ]] || usage_error "unknown driver '$d'"
    [[ -x $build/parscale-$d ]] || die "no '$build/parscale-$d': build first (cmake --build $build)"
done

# Each kernel's size and parameters: repetitions of some 10-50 ms at one
# worker here, long against the clock, short enough for many rounds.
declare -A ARGS=(
    [sqrtpow]="--kernel sqrtpow --size 2M"
    [ep]="--kernel ep --size 2Mi"
    [triad]="--kernel triad --size 8M"
    [sleep]="--kernel sleep --size 20"
    [mandel]="--kernel mandel --size 256"
    [stencil]="--kernel stencil --size 1024 --param iters=30"
    [histogram]="--kernel histogram --size 2M"
    [histogram-private]="--kernel histogram --size 2M --param mode=private"
)
for k in "${kernel_list[@]}"; do
    [[ -n ${ARGS[$k]:-} ]] || usage_error "unknown kernel '$k' (one of ${!ARGS[*]})"
done

if [[ $(id -u) -eq 0 ]]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
export OMPI_MCA_pml="${OMPI_MCA_pml:-ob1}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# median of the numbers on stdin
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# quantile Q of the numbers on stdin (nearest rank)
quantile() { sort -g | awk -v q="$1" '{ v[NR] = $1 } END { i = int(q * NR + 0.5); if (i < 1) i = 1; print v[i] }'; }

# run DRIVER WORKERS KERNEL: one run with the accounting on in every other
# repetition; appends its on and off seconds to $tmp/on and $tmp/off and
# each off repetition's ratio (mean of the on neighbours / it) to $tmp/ratio
run() {
    local d=$1 w=$2 cmd args
    read -r -a args <<< "${ARGS[$3]}"
    if [[ $d == mpi ]]; then
        cmd=(timeout 300 mpirun -np "$w" --oversubscribe "$build/parscale-mpi")
    else
        cmd=(timeout 300 "$build/parscale-$d" --workers "$w")
    fi
    "${cmd[@]}" "${args[@]}" --reps $((2 * pairs + 1)) --warmup 1 --accounting alternate \
        > "$tmp/out.csv" 2> "$tmp/err" || die "$d $3 workers=$w failed: $(tail -1 "$tmp/err")"
    awk -F, -v on="$tmp/on" -v off="$tmp/off" -v ratio="$tmp/ratio" '
        NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
        { t[$c["rep"]] = $c["seconds"]; acc[$c["rep"]] = $c["useful_max"] != "" }
        END {
            for (r = 1; r in t; r++) {
                if (acc[r]) { print t[r] >> on; continue }
                print t[r] >> off
                if ((r - 1) in t && (r + 1) in t && acc[r - 1] && acc[r + 1])
                    printf "%.6f\n", (t[r - 1] + t[r + 1]) / 2 / t[r] >> ratio
            }
        }' "$tmp/out.csv"
}

echo "# accounting on vs off in alternate repetitions: $rounds runs x $pairs pairs"
printf '%-8s %-18s %7s %12s %12s %10s %21s\n' driver kernel workers on_s off_s overhead "interquartile range"
worst=""
for d in "${driver_list[@]}"; do
    for k in "${kernel_list[@]}"; do
        for w in 1 2; do
            [[ $d == serial && $w -gt 1 ]] && continue
            : > "$tmp/on"
            : > "$tmp/off"
            : > "$tmp/ratio"
            for ((r = 0; r < rounds; r++)); do
                run "$d" "$w" "$k"
            done
            ratio=$(median < "$tmp/ratio")
            line=$(awk -v on="$(median < "$tmp/on")" -v off="$(median < "$tmp/off")" -v r="$ratio" \
                -v lo="$(quantile 0.25 < "$tmp/ratio")" -v hi="$(quantile 0.75 < "$tmp/ratio")" \
                'BEGIN { printf "%12.6f %12.6f %+9.2f%% %+8.2f%% .. %+8.2f%%", on, off,
                         (r - 1) * 100, (lo - 1) * 100, (hi - 1) * 100 }')
            printf '%-8s %-18s %7d %s\n' "$d" "$k" "$w" "$line"
            worst=$(awk -v w="$worst" -v r="$ratio" 'BEGIN { if (w == "" || r > w) print r; else print w }')
        done
    done
done
awk -v w="$worst" 'BEGIN { printf "largest median overhead: %+.2f%% (target: at most +2%%)\n", (w - 1) * 100 }'
