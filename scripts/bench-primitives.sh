#!/usr/bin/env bash
# Benchmark (not a test): parscale's own primitives next to the best
# reference, both measured in this run, interleaved round by round so that
# drift of a shared machine hits both alike; prints every ratio (median of
# the rounds' paired ratios) against its target.
#   scripts/bench-primitives.sh [--rounds N] [--parts LIST] [--out FILE]
#       [--iters N] [--sync-workers LIST] [--mpi-workers LIST]
#       [--startup-workers LIST] [--startup-ref passed|arrived] [--triad-bytes N]
#       [--from FILE]   (print the tables of a file --out wrote; measure nothing)
# Parts (default all): sync, mpi, startup, compute, triad.  The reference
# programs are bench/*.c, built as target parscale-bench.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

rounds=5
parts=sync,mpi,startup,compute,triad
out=""
iters=20000                 # operations per sync loop
delay=100                   # the sync kernel's default delay
sync_workers=2,4            # 4: more workers than the 2 cores here
mpi_workers=2
startup_workers=1,2,4,8
triad_bytes=2000000000
# The start-up references print two figures: until every worker passed the
# first barrier, and until the last one arrived at it; compare with the one
# parscale's startup_seconds means: the last arrival for the drivers whose
# workers share one clock (MPI ranks have none: theirs is rank 0's clock
# after the barrier, and so is the MPI references').
startup_ref=arrived
from=""
usage() { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "bench-primitives.sh: $*" >&2; exit 2; }
while [[ $# -gt 0 ]]; do
    [[ $1 == -h || $1 == --help ]] && { usage; exit 0; }
    [[ $# -ge 2 ]] || die "option '$1' needs a value (see --help)"
    case $1 in
    --rounds) rounds=$2 ;;
    --parts) parts=$2 ;;
    --out) out=$2 ;;
    --iters) iters=$2 ;;
    --sync-workers) sync_workers=$2 ;;
    --mpi-workers) mpi_workers=$2 ;;
    --startup-workers) startup_workers=$2 ;;
    --triad-bytes) triad_bytes=$2 ;;
    --startup-ref) startup_ref=$2 ;;
    --from) from=$2 ;;
    *) die "unknown option '$1' (see --help)" ;;
    esac
    shift 2
done
for v in "$rounds" "$iters" "$triad_bytes"; do
    [[ $v =~ ^[1-9][0-9]*$ ]] || die "'$v' is not a positive integer"
done
for v in "$sync_workers" "$mpi_workers" "$startup_workers"; do
    [[ $v =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || die "'$v' is not a list of worker counts"
done
[[ $parts =~ ^(sync|mpi|startup|compute|triad)(,(sync|mpi|startup|compute|triad))*$ ]] \
    || die "--parts takes sync, mpi, startup, compute, triad, not '$parts'"
[[ $startup_ref =~ ^(passed|arrived)$ ]] || die "--startup-ref takes passed or arrived, not '$startup_ref'"
ref_field=1
[[ $startup_ref == arrived ]] && ref_field=2
want() { [[ ,$parts, == *,$1,* ]]; }

build=${PARSCALE_BUILD:-build}
measure_rounds=$rounds
if [[ -n $from ]]; then
    [[ -r $from ]] || die "cannot read '$from'"
    measure_rounds=0
else
    if [[ ! -x $build/parscale-serial ]]; then
        cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release > /dev/null
    fi
    cmake --build "$build" -j "$(nproc)" > /dev/null
    cmake --build "$build" -j "$(nproc)" --target parscale-bench > /dev/null
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [[ $(id -u) -eq 0 ]]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
export OMPI_MCA_pml="${OMPI_MCA_pml:-ob1}"
raw=$tmp/raw.csv
printf 'part,what,workers,round,parscale,reference\n' > "$raw"
[[ -z $from ]] || cp "$from" "$raw"
have() { [[ -x $build/$1 ]]; }
mpirun_np() { timeout 300 mpirun -np "$1" --oversubscribe "${@:2}"; }

# median of the numbers on stdin
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# col NAME < CSV : the values of the column called NAME
col() { awk -F, -v name="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i; next } { print $c }'; }
# record PART WHAT WORKERS ROUND PARSCALE REFERENCE
record() { printf '%s,%s,%s,%s,%s,%s\n' "$@" >> "$raw"; }

# parscale_sync DRIVER WORKERS OP [ENV...] : median seconds of one sync run
parscale_sync() {
    local d=$1 w=$2 op=$3 cmd
    shift 3
    if [[ $d == mpi ]]; then
        cmd=(mpirun_np "$w" "$build/parscale-mpi")
    else
        cmd=(timeout 300 env "$@" "$build/parscale-$d" --workers "$w")
    fi
    "${cmd[@]}" --kernel sync --size "$iters" --param op="$op" --param delay="$delay" \
        --reps 5 2> /dev/null | col seconds | median
}

# op_cost DRIVER WORKERS [ENV...] : seconds of one barrier + one allreduce of
# a double, EPCC's way: (T(barrier) + T(allreduce1) - 2 T(none)) / iters
op_cost() {
    local d=$1 w=$2 n b a
    shift 2
    n=$(parscale_sync "$d" "$w" none "$@")
    b=$(parscale_sync "$d" "$w" barrier "$@")
    a=$(parscale_sync "$d" "$w" allreduce1 "$@")
    awk -v n="$n" -v b="$b" -v a="$a" -v k="$iters" 'BEGIN { printf "%.6g", (b + a - 2 * n) / k }'
}

# ref_sum "B A" : the reference's barrier + reduction seconds
ref_sum() { awk '{ printf "%.6g", $1 + $2 }'; }

# startup DRIVER WORKERS [ENV...] : startup_seconds of one run
startup() {
    local d=$1 w=$2 cmd
    shift 2
    case $d in
    mpi) cmd=(mpirun_np "$w" "$build/parscale-mpi") ;;
    hybrid) cmd=(mpirun_np "$((w / 2))" "$build/parscale-hybrid" --threads 2) ;;
    *) cmd=(timeout 60 env "$@" "$build/parscale-$d" --workers "$w") ;;
    esac
    "${cmd[@]}" --kernel sync --size 1 --param op=none --reps 1 --warmup 0 2> /dev/null \
        | col startup_seconds
}

# samples N CMD... : the median of N runs of CMD (each prints one number)
samples() {
    local n=$1 i
    shift
    for ((i = 0; i < n; i++)); do "$@"; done | median
}

# ref_startup PROGRAM ARGS... : the reference's start-up figure (--startup-ref)
ref_startup() { "$@" 2> /dev/null | awk -v f="$ref_field" '{ print $f }'; }

# per_worker SECONDS WORKERS
per_worker() { awk -v s="$1" -v w="$2" 'BEGIN { if (s != "") printf "%.9g", s / w }'; }
# record_startup PART WHAT WORKERS ROUND PARSCALE_SECONDS REFERENCE_SECONDS
record_startup() { record "$1" "$2" "$3" "$4" "$(per_worker "$5" "$3")" "$(per_worker "$6" "$3")"; }

IFS=, read -ra sw <<< "$sync_workers"
IFS=, read -ra mw <<< "$mpi_workers"
IFS=, read -ra uw <<< "$startup_workers"
fork_steps=(pdeathsig signals affinity arena "pdeathsig,signals,affinity,arena")
for ((r = 1; r <= measure_rounds; r++)); do
    echo "  round $r/$rounds" >&2
    if want sync && have bench-omp_sync; then
        for w in "${sw[@]}"; do
            ref=$("$build/bench-omp_sync" "$w" "$iters" "$delay" 5 2> /dev/null | ref_sum)
            record sync "pthread (spin barrier)" "$w" "$r" "$(op_cost pthread "$w")" "$ref"
            record sync "fork (spin barrier)" "$w" "$r" "$(op_cost fork "$w")" "$ref"
            record sync "pthread (PARSCALE_BARRIER=futex)" "$w" "$r" \
                "$(op_cost pthread "$w" PARSCALE_BARRIER=futex)" "$ref"
            record sync "fork (PARSCALE_BARRIER=futex)" "$w" "$r" \
                "$(op_cost fork "$w" PARSCALE_BARRIER=futex)" "$ref"
            have parscale-openmp && record sync "openmp driver" "$w" "$r" "$(op_cost openmp "$w")" "$ref"
        done
    fi
    if want mpi && have bench-mpi_sync && have parscale-mpi; then
        for w in "${mw[@]}"; do
            ref=$(mpirun_np "$w" "$build/bench-mpi_sync" "$iters" "$delay" 5 2> /dev/null | ref_sum)
            record mpi "mpi barrier+allreduce" "$w" "$r" "$(op_cost mpi "$w")" "$ref"
        done
    fi
    if want startup; then
        for w in "${uw[@]}"; do
            record_startup startup "pthread vs pthread_create to a barrier" "$w" "$r" \
                "$(samples 3 startup pthread "$w")" "$(samples 3 ref_startup "$build/bench-start_pthread" "$w")"
            ref=$(samples 3 ref_startup "$build/bench-start_fork" "$w")
            record_startup startup "fork vs fork to a barrier" "$w" "$r" "$(samples 3 startup fork "$w")" "$ref"
            record_startup startup "fork (PARSCALE_BARRIER=futex) vs fork to a barrier" "$w" "$r" \
                "$(samples 3 startup fork "$w" PARSCALE_BARRIER=futex)" "$ref"
            for s in "${fork_steps[@]}"; do
                record_startup forksteps "fork to a barrier + ${s//,/ + }" "$w" "$r" \
                    "$(samples 3 ref_startup "$build/bench-start_fork" "$w" "$s")" "$ref"
            done
            if have parscale-openmp && have bench-start_omp; then
                record_startup startup "openmp vs first parallel region to a barrier" "$w" "$r" \
                    "$(samples 3 startup openmp "$w")" "$(samples 3 ref_startup "$build/bench-start_omp" "$w")"
            fi
            if have parscale-mpi && have bench-start_mpi; then
                record_startup startup "mpi vs MPI_Init to a barrier" "$w" "$r" "$(startup mpi "$w")" \
                    "$(mpirun_np "$w" "$build/bench-start_mpi" 2> /dev/null)"
                if have parscale-hybrid && ((w % 2 == 0)); then
                    record_startup startup "hybrid (2 threads/rank) vs MPI_Init + region" "$w" "$r" \
                        "$(startup hybrid "$w")" \
                        "$(mpirun_np "$((w / 2))" "$build/bench-start_mpi" 2 2> /dev/null)"
                fi
            fi
        done
    fi
    if want compute; then
        p=$("$build/parscale-serial" --kernel ep --param class=S --reps 3 2> /dev/null | col rate | median)
        record compute "ep (class S) serial" 1 "$r" "$p" "$("$build/bench-ep_loop" 16777216 3 2> /dev/null)"
        p=$("$build/parscale-pthread" --workers 1 --kernel ep --param class=S --reps 3 2> /dev/null | col rate | median)
        record compute "ep (class S) pthread 1 worker" 1 "$r" "$p" "$("$build/bench-ep_loop" 16777216 3 2> /dev/null)"
        p=$("$build/parscale-serial" --kernel sqrtpow --size 20000000 --reps 3 2> /dev/null | col rate | median)
        record compute "sqrtpow serial" 1 "$r" "$p" "$("$build/bench-sqrtpow_loop" 20000000 3 2> /dev/null)"
    fi
done

# summary PART UNIT SCALE DIRECTION TARGET : one table of PART's rows; the
# ratio is the median over rounds of each round's parscale / reference, and
# "of best" is parscale's best round over the reference's best (smallest
# time, largest rate): on a machine other programs share, that is the
# closer look at what each costs when nothing interferes.
# DIRECTION max: a time, the ratio must stay at most TARGET; min: a rate,
# at least TARGET; none: no target (diagnostic rows)
summary() {
    local part=$1 unit=$2 scale=$3 dir=$4 target=${5:-}
    awk -F, -v part="$part" -v unit="$unit" -v scale="$scale" -v dir="$dir" -v target="$target" '
        function med(list,   n, a, i, j, t) {
            n = split(list, a, " ")
            for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
                t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
            return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
        function best(list,   n, a, i, b) {
            n = split(list, a, " "); b = a[1] + 0
            for (i = 2; i <= n; i++)
                if (dir == "min" ? a[i] + 0 > b : a[i] + 0 < b) b = a[i] + 0
            return b }
        NR > 1 && $1 == part && $5 != "" && $6 != "" && $6 + 0 != 0 {
            k = $2 SUBSEP $3
            if (!(k in seen)) { seen[k] = 1; order[++n] = k }
            p[k] = p[k] " " $5; r[k] = r[k] " " $6; q[k] = q[k] " " $5 / $6 }
        END {
            printf "%-54s %7s %10s %10s %6s %8s  %s\n", "what", "workers", "parscale",
                "reference", "ratio", "of best", "target"
            for (i = 1; i <= n; i++) {
                k = order[i]
                split(k, kk, SUBSEP)
                ratio = med(q[k])
                rb = best(r[k]) != 0 ? best(p[k]) / best(r[k]) : 0
                miss = (dir == "max" && ratio > target) || (dir == "min" && ratio < target)
                printf "%-54s %7s %10.4g %10.4g %6.2f %8.2f  %s%s\n", kk[1], kk[2],
                    med(p[k]) * scale, med(r[k]) * scale, ratio, rb,
                    dir == "max" ? "<= " target : dir == "min" ? ">= " target : "-",
                    miss ? "  MISSED" : "" } }' "$raw"
}

echo "== parscale primitives vs references, $(nproc) CPUs, medians of $rounds interleaved rounds"
echo "   ratio: the median over rounds of each round's parscale / reference (the target"
echo "   applies to it); of best: parscale's best round / the reference's best round"
if want sync; then
    echo "-- shared memory: one barrier + one allreduce of a double, us, EPCC method"
    echo "   ($iters iterations, delay $delay flops; reference: omp barrier + omp for reduction)"
    summary sync us 1e6 max 1.3
fi
if want mpi; then
    echo "-- MPI: one barrier + one allreduce of a double, us, vs MPI_Barrier + MPI_Allreduce"
    summary mpi us 1e6 max 1.3
fi
if want startup; then
    echo "-- start-up per worker, us: first worker started -> the last one began (MPI: rank 0 past the first barrier)"
    summary startup us 1e6 max 1.3
    echo "-- where fork's start-up goes: the reference plus, one at a time, what"
    echo "   parscale-fork's children do before their first barrier (us per worker)"
    summary forksteps us 1e6 none
fi
if want compute; then
    echo "-- compute kernels vs the same math as a plain C loop, same flags (Mitems/s)"
    summary compute Mitems/s 1 min 0.97
fi
[[ -z $out ]] || cp "$raw" "$out"
if want triad && [[ -z $from ]]; then
    echo "-- triad vs likwid-bench stream_avx (scripts/bench-triad.sh)"
    scripts/bench-triad.sh --bytes "$triad_bytes" --rounds "$rounds" --workers 1,2
fi
