#!/usr/bin/env bash
# Benchmark (not a test): triad bandwidth of every driver at 1 and 2
# workers next to likwid-bench's stream_avx measured in the same run, as a
# ratio (target: at least 0.95), plus the compiler's report that the inner
# loops are vectorised.  Runs are interleaved (parscale, likwid, parscale,
# ...) so slow drift of a shared machine hits both alike; reported are the
# medians, their ratio, and the median of each round's paired ratio.
#   scripts/bench-triad.sh [--bytes N] [--rounds N] [--workers LIST] [--out FILE]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bytes=2000000000       # all three arrays together; far beyond any L3 here
rounds=5
workers_list=1,2
out=""
usage() { sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; }
while [[ $# -gt 0 ]]; do
    case $1 in
    --bytes) bytes=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --workers) workers_list=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "bench-triad.sh: unknown option '$1'" >&2; exit 2 ;;
    esac
done
[[ $bytes =~ ^[0-9]+$ && $rounds =~ ^[1-9][0-9]*$ && $workers_list =~ ^[0-9]+(,[0-9]+)*$ ]] \
    || { echo "bench-triad.sh: --bytes, --rounds and --workers must be positive integers" >&2; exit 2; }

scripts/deps.sh bench
build=${PARSCALE_BUILD:-build}
[[ -x $build/parscale-serial ]] || {
    cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release > /dev/null
    cmake --build "$build" -j "$(nproc)" > /dev/null
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [[ $(id -u) -eq 0 ]]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
export OMPI_MCA_pml="${OMPI_MCA_pml:-ob1}"
elements=$((bytes / 24))

echo "== vectorisation report for the inner loops (gcc -fopt-info-vec-optimized)"
for k in triad stencil; do
    gcc -std=gnu11 -O3 -march=native -fno-math-errno -Iinclude -fopt-info-vec-optimized \
        -c "kernels/$k.c" -o "$tmp/$k.o" 2>&1 | grep -E "loop vectorized" | sed "s|^|  |" || true
done

# median of the numbers on stdin
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# parscale GB/s for DRIVER WORKERS: median rate of one run's repetitions
parscale_rate() {
    local d=$1 w=$2 cmd
    if [[ $d == mpi ]]; then
        cmd=(timeout 300 mpirun -np "$w" --oversubscribe "$build/parscale-mpi")
    else
        cmd=(timeout 300 "$build/parscale-$d" --workers "$w")
    fi
    "${cmd[@]}" --kernel triad --size "$elements" --reps 5 2> /dev/null \
        | awk -F, 'NR > 1 { print $10 }' | median
}

# likwid-bench stream_avx GB/s with W threads over the same bytes
likwid_rate() {
    timeout 300 likwid-bench -t stream_avx -W "N:${bytes}B:$1" 2> /dev/null \
        | awk '/^MByte\/s:/ { print $2 / 1000 }'
}

IFS=, read -ra workers <<< "$workers_list"
drivers=(serial pthread openmp fork mpi)
printf 'driver,workers,round,parscale_gbs,likwid_gbs\n' > "$tmp/raw.csv"
for ((r = 1; r <= rounds; r++)); do
    for w in "${workers[@]}"; do
        for d in "${drivers[@]}"; do
            [[ $d == serial && $w -ne 1 ]] && continue
            [[ -x $build/parscale-$d ]] || continue
            p=$(parscale_rate "$d" "$w")
            l=$(likwid_rate "$w")
            printf '%s,%s,%s,%s,%s\n' "$d" "$w" "$r" "$p" "$l" >> "$tmp/raw.csv"
            printf '  round %d/%d: %-7s workers=%s  parscale %6.2f GB/s  likwid %6.2f GB/s\n' \
                "$r" "$rounds" "$d" "$w" "$p" "$l" >&2
        done
    done
done

echo "== triad bandwidth, $(nproc) cores, $((bytes / 1000000)) MB, medians of $rounds interleaved rounds"
printf '%-8s %7s %14s %14s %7s %13s\n' driver workers "parscale GB/s" "likwid GB/s" ratio "paired ratio"
for w in "${workers[@]}"; do
    for d in "${drivers[@]}"; do
        grep -q "^$d,$w," "$tmp/raw.csv" || continue
        p=$(awk -F, -v d="$d" -v w="$w" '$1 == d && $2 == w { print $4 }' "$tmp/raw.csv" | median)
        l=$(awk -F, -v d="$d" -v w="$w" '$1 == d && $2 == w { print $5 }' "$tmp/raw.csv" | median)
        # each round's parscale/likwid pair ran back to back: its ratio
        # cancels the machine's drift better than the ratio of medians
        pr=$(awk -F, -v d="$d" -v w="$w" '$1 == d && $2 == w && $5 > 0 { print $4 / $5 }' \
            "$tmp/raw.csv" | median)
        awk -v d="$d" -v w="$w" -v p="$p" -v l="$l" -v pr="$pr" 'BEGIN {
            printf "%-8s %7s %14.2f %14.2f %7.2f %13.2f%s\n", d, w, p, l, p / l, pr,
                pr < 0.95 ? "  below 0.95" : "" }'
    done
done
[[ -z $out ]] || cp "$tmp/raw.csv" "$out"
