#!/usr/bin/env bash
# Benchmark (not a test): what the per-worker time accounting costs.  Every
# kernel at 1 and 2 workers runs with --accounting on and with --accounting
# off in the same run, in paired rounds whose order alternates (on, off;
# off, on; ...) so slow drift of a shared machine hits both alike.  Each run's
# figure is the median of its repetitions' seconds; per kernel and worker
# count the script prints the medians, the median of the rounds' on/off
# ratios as the overhead (target: at most 2 %), and its range over rounds.
#   scripts/bench-accounting.sh [--build DIR] [--drivers LIST] [--kernels LIST]
#                               [--rounds N] [--reps N]
# Drivers: serial, pthread, openmp, fork, mpi (default pthread).
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
reps=7
usage() { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; }
while [[ $# -gt 0 ]]; do
    case $1 in
    --build | --drivers | --kernels | --rounds | --reps)
        [[ $# -ge 2 ]] || usage_error "option '$1' needs a value"
        case $1 in
        --build) build=$2 ;;
        --drivers) drivers=$2 ;;
        --kernels) kernels=$2 ;;
        --rounds) rounds=$2 ;;
        --reps) reps=$2 ;;
        esac
        shift 2
        ;;
    -h | --help) usage; exit 0 ;;
    *) usage_error "unknown option '$1'" ;;
    esac
done
[[ $rounds =~ ^[1-9][0-9]{0,2}$ && $reps =~ ^[1-9][0-9]{0,3}$ ]] ||
    usage_error "--rounds and --reps must be integers from 1"
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
    [stencil]="--kernel stencil --size 512"
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

# seconds DRIVER WORKERS MODE KERNEL: median seconds of one run's repetitions
seconds() {
    local d=$1 w=$2 mode=$3 cmd args
    read -r -a args <<< "${ARGS[$4]}"
    if [[ $d == mpi ]]; then
        cmd=(timeout 300 mpirun -np "$w" --oversubscribe "$build/parscale-mpi")
    else
        cmd=(timeout 300 "$build/parscale-$d" --workers "$w")
    fi
    "${cmd[@]}" "${args[@]}" --reps "$reps" --warmup 1 --accounting "$mode" \
        > "$tmp/out.csv" 2> "$tmp/err" || die "$d $4 workers=$w --accounting $mode failed: $(tail -1 "$tmp/err")"
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "seconds") c = i; next } { print $c }' \
        "$tmp/out.csv" | median
}

echo "# accounting on vs off, $rounds paired rounds, median of $reps repetitions a run"
printf '%-8s %-18s %7s %12s %12s %10s %19s\n' driver kernel workers on_s off_s overhead "range over rounds"
worst=""
for d in "${driver_list[@]}"; do
    for k in "${kernel_list[@]}"; do
        for w in 1 2; do
            [[ $d == serial && $w -gt 1 ]] && continue
            : > "$tmp/on"
            : > "$tmp/off"
            : > "$tmp/ratio"
            for ((r = 0; r < rounds; r++)); do
                if ((r % 2 == 0)); then
                    on=$(seconds "$d" "$w" on "$k")
                    off=$(seconds "$d" "$w" off "$k")
                else
                    off=$(seconds "$d" "$w" off "$k")
                    on=$(seconds "$d" "$w" on "$k")
                fi
                echo "$on" >> "$tmp/on"
                echo "$off" >> "$tmp/off"
                awk -v a="$on" -v b="$off" 'BEGIN { printf "%.6f\n", a / b }' >> "$tmp/ratio"
            done
            line=$(awk -v on="$(median < "$tmp/on")" -v off="$(median < "$tmp/off")" \
                -v r="$(median < "$tmp/ratio")" -v lo="$(sort -g "$tmp/ratio" | head -1)" \
                -v hi="$(sort -g "$tmp/ratio" | tail -1)" \
                'BEGIN { printf "%12.6f %12.6f %+9.2f%% %+8.2f%% .. %+6.2f%%", on, off,
                         (r - 1) * 100, (lo - 1) * 100, (hi - 1) * 100 }')
            printf '%-8s %-18s %7d %s\n' "$d" "$k" "$w" "$line"
            worst=$(awk -v w="$worst" -v r="$(median < "$tmp/ratio")" \
                'BEGIN { if (w == "" || r > w) print r; else print w }')
        done
    done
done
awk -v w="$worst" 'BEGIN { printf "largest median overhead: %+.2f%% (target: at most +2%%)\n", (w - 1) * 100 }'
