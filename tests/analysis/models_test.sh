#!/usr/bin/env bash
# models_test.sh — parscale-summarize on synthetic series whose answers are
# known by construction: fit ranges, a 2-point series (no fit), a retrograde
# series (USL preferred), a plain Amdahl series, a Gustafson series, the
# measurement-trap flags (cache, fixed cost, short, oversubscribed,
# undelivered), hybrid baselines, the POP identities, and the findings.
# The fitting threads (--jobs) change nothing in the outputs.
# usage: models_test.sh SUMMARIZE_BIN HEADER_CSV [fits|traps|baselines|pop|findings|primitives|claims|jobs|all]
set -euo pipefail

bin=$1
header=$2
group=${3:-all}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# jitter T FIRST LAST: T x a repeatable jitter of +-1 % for each rep FIRST..LAST
jitter() {
    awk -v t="$1" -v a="$2" -v b="$3" 'BEGIN { for (r = a; r <= b; r++)
        printf "%.9g%s", t * (1 + 0.005 * ((r * 7) % 5 - 2)), r < b ? " " : "" }'
}

# The columns appended after the 46 that row() writes, left empty.
pad=$(awk -F, 'NR == 1 { for (i = 47; i <= NF; i++) printf "," }' "$header")
# row KEY=VALUE...: one raw row; every column has a default (see below).
# Times: seconds is sec=, or T (t=) x the jitter of its rep.
row() {
    local -A v=([run]=r [kernel]=k [driver]=pthread [scaling]=strong [size]=100 [workers]=1
        [rep]=1 [t]=1 [startup]=0.0001 [class]=compute [ranks]=1 [threads]=1 [cores]=16
        [params]="" [sec]="" [ws]="" [llc]="" [empty]="" [umax]="" [umean]="" [umin]="" [tmax]="" [tmean]="" [verified]=1 [work]=100 [env]="" [instr]="" [cycles]="")
    local kv
    for kv in "$@"; do v[${kv%%=*}]=${kv#*=}; done
    local sec=${v[sec]:-}
    [[ -n $sec ]] || sec=$(jitter "${v[t]}" "${v[rep]}" "${v[rep]}")
    [[ ${v[driver]} == serial || ${v[driver]} == pthread || ${v[driver]} == openmp ]] && v[ranks]=1
    printf '%s,%s,%s,%s,%s,%s,%s,%s,%s,1,Mitems/s,%s,h,2026-01-01T00:00:00Z,%s,%s,%s,%s,1,%s,static,%s,1,%s,items,0,0,0.1.0,h:1,none,0,,,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,,%s\n' \
        "${v[run]}" "${v[kernel]}" "${v[driver]}" "${v[scaling]}" "${v[size]}" "${v[workers]}" \
        "${v[rep]}" "$sec" "${v[startup]}" "${v[verified]}" "${v[class]}" "${v[size]}" \
        "${v[ranks]}" "${v[threads]}" "${v[cores]}" "${v[params]}" "${v[work]}" "${v[llc]}" \
        "${v[ws]}" "${v[empty]}" "${v[env]}" "${v[umax]}" "${v[umean]}" "${v[umin]}" "${v[tmax]}" \
        "${v[tmean]}" "${v[instr]}" "${v[cycles]}" "$pad"
}

# series KERNEL DRIVER "P:T P:T ..." [KEY=VALUE...]: 7 repetitions per point
series_n=0
series() {
    local kernel=$1 driver=$2 pts=$3 pt p t r
    shift 3
    series_n=$((series_n + 1))
    for pt in $pts; do
        p=${pt%%:*}
        t=${pt#*:}
        local ranks=$p threads=1
        [[ $driver == pthread || $driver == openmp || $driver == serial || $driver == py-thread ]] && { ranks=1; threads=$p; }
        local -a secs
        read -r -a secs <<<"$(jitter "$t" 1 7)"
        for ((r = 1; r <= 7; r++)); do
            row run="$kernel-$driver-$p-$series_n" kernel="$kernel" driver="$driver" workers="$p" rep="$r" \
                sec="${secs[r - 1]}" ranks="$ranks" threads="$threads" "$@"
        done
    done
}

# col FILE KEYS VALS COLUMN: the value of COLUMN in the row of CSV FILE whose
# KEYS (comma-separated names) equal VALS (comma-separated).
col() {
    python3 - "$@" <<'EOF'
import csv, sys
path, keys, vals, name = sys.argv[1:5]
keys, vals = keys.split(","), vals.split(",")
for r in csv.DictReader(open(path, newline="")):
    if all(r[k] == v for k, v in zip(keys, vals)):
        print(r[name]); sys.exit(0)
sys.exit(1)
EOF
}

# near GOT WANT TOL WHAT: |GOT - WANT| <= TOL
near() {
    awk -v g="$1" -v w="$2" -v t="$3" 'BEGIN { d = g - w; if (d < 0) d = -d; exit !(g != "" && d <= t) }' ||
        fail "$4: got '$1', want $2 +- $3"
}
# inside LO X HI WHAT: LO <= X <= HI
inside() {
    awk -v l="$1" -v x="$2" -v h="$3" 'BEGIN { exit !(l != "" && h != "" && l <= x && x <= h) }' ||
        fail "$4: $2 not inside [$1, $3]"
}

summarize() {   # DIR: summarise DIR/raw.csv into DIR
    "$bin" --out "$1" "${@:2}" "$1/raw.csv" 2>"$1/err" || { fail "summarise $1: $(cat "$1/err")"; return 1; }
}

test_fits() {
    local d=$tmp/fits
    mkdir -p "$d"
    {
        cat "$header"
        # T(p) = T1 (1 + s(p-1) + k p(p-1)) / p, s = 0.05, k = 0.01: retrograde past ~10
        series usl pthread "$(awk 'BEGIN { for (p = 1; p <= 32; p *= 2) printf "%d:%.9g ", p, (1 + 0.05 * (p - 1) + 0.01 * p * (p - 1)) / p }')" cores=32
        # Amdahl T = 0.1 + 0.9/p
        series amd pthread "$(awk 'BEGIN { for (p = 1; p <= 16; p *= 2) printf "%d:%.9g ", p, 0.1 + 0.9 / p }')"
        # compute class, ideal to the 4 cores then flat: only p <= 4 is fitted
        series cpu pthread "1:1 2:0.5 4:0.25 8:0.25 16:0.25" cores=4
        # latency class: every count is fitted
        series io pthread "1:1 2:0.5 4:0.25 8:0.125" cores=2 class=latency
        # two worker counts only
        series two pthread "1:1 2:0.6"
        # weak scaling, Gustafson s = 0.2: T(p) = p / (0.2 + 0.8 p)
        series gus pthread "$(awk 'BEGIN { for (p = 1; p <= 8; p *= 2) printf "%d:%.9g ", p, p / (0.2 + 0.8 * p) }')" scaling=weak
    } >"$d/raw.csv"
    summarize "$d" || return 0
    local f=$d/fits.csv k=kernel,model
    [[ $(col "$f" $k usl,usl preferred) == 1 ]] || fail "retrograde series: USL not preferred"
    [[ $(col "$f" $k usl,amdahl preferred) == 0 ]] || fail "retrograde series: Amdahl preferred"
    near "$(col "$f" $k usl,usl serial_fraction)" 0.05 0.01 "USL sigma"
    near "$(col "$f" $k usl,usl kappa)" 0.01 0.002 "USL kappa"
    inside "$(col "$f" $k usl,usl kappa_low)" 0.01 "$(col "$f" $k usl,usl kappa_high)" "USL kappa interval"
    awk -v l="$(col "$f" $k usl,usl kappa_low)" 'BEGIN { exit !(l > 0) }' || fail "USL kappa interval includes 0"
    near "$(col "$f" $k usl,usl p_peak)" 9.75 1 "USL peak"
    [[ $(col "$f" $k amd,amdahl preferred) == 1 ]] || fail "Amdahl series: Amdahl not preferred"
    near "$(col "$f" $k amd,amdahl serial_fraction)" 0.1 0.01 "Amdahl serial fraction"
    inside "$(col "$f" $k amd,amdahl serial_fraction_low)" 0.1 "$(col "$f" $k amd,amdahl serial_fraction_high)" "Amdahl s interval"
    [[ $(col "$f" $k cpu,amdahl p_max) == 4 && $(col "$f" $k cpu,amdahl points) == 3 ]] ||
        fail "compute fit must stop at the 4 cores"
    near "$(col "$f" $k cpu,amdahl serial_fraction)" 0 0.005 "compute serial fraction"
    [[ $(col "$f" $k io,amdahl points) == 4 && $(col "$f" $k io,amdahl p_max) == 8 ]] ||
        fail "latency fit must use every point"
    [[ $(col "$f" $k two,amdahl fitted) == 0 ]] || fail "2-point series was fitted"
    col "$f" $k two,amdahl reason | grep -q '^too few worker counts to fit: 2 distinct' ||
        fail "2-point series: reason '$(col "$f" $k two,amdahl reason)'"
    near "$(col "$f" $k gus,gustafson serial_fraction)" 0.2 0.02 "Gustafson s"
    [[ $(col "$f" $k gus,gustafson preferred) == 1 ]] || fail "Gustafson not preferred"
    # the fitted curve and its band are in the figure data
    grep -q '^# series pthread' "$d/data/usl-strong-100-fit.dat" || fail "no fit curve file"
    [[ $(grep -c -v -E '^(#|$)' "$d/data/usl-strong-100-fit.dat") -ge 33 ]] || fail "fit curve too short"
    grep -q 'USL: σ' "$d/data/usl-strong-100.series.tsv" || fail "no USL legend"
    # residuals: one row per fitted point and model
    [[ $(grep -c '^usl,pthread,strong,100,,static,usl,' "$d/residuals.csv") == 6 ]] || fail "USL residual rows"
}

test_traps() {
    local d=$tmp/traps
    mkdir -p "$d"
    {
        cat "$header"
        series triad pthread "1:0.02 2:0.01" class=memory ws=2400000 llc=33554432 size=100000 cores=2
        series triad pthread "1:2 2:1" class=memory ws=480000000 llc=33554432 size=20000000 cores=2
        series sq pthread "1:1 2:0.5" ws=1000 llc=33554432 cores=2
        series fx pthread "1:0.01 2:0.001" empty=0.0002 cores=2
        series tiny pthread "1:0.00005 2:0.00003" cores=2
        series over pthread "1:1 4:0.5" cores=2
    } >"$d/raw.csv"
    printf 'workers,seconds,speedup,delivered,phase\n1,1,1,1,before\n4,1,1.1,0,before\n' >"$d/probe.csv"
    summarize "$d" --probe "$d/probe.csv" || return 0
    local s=$d/summary.csv k=kernel,size,workers
    [[ $(col "$s" $k triad,100000,2 flags) == cache ]] || fail "cache-resident triad not flagged: '$(col "$s" $k triad,100000,2 flags)'"
    [[ $(col "$s" $k triad,20000000,2 flags) == "" ]] || fail "triad in memory flagged"
    [[ $(col "$s" $k sq,100,2 flags) == "" ]] || fail "compute kernel flagged as cache-resident"
    [[ $(col "$s" $k fx,100,2 flags) == "fixed-cost" ]] || fail "fixed cost not flagged: '$(col "$s" $k fx,100,2 flags)'"
    [[ $(col "$s" $k fx,100,1 flags) == "" ]] || fail "a fixed cost of 2 % flagged"
    [[ $(col "$s" $k tiny,100,1 flags) == short ]] || fail "short repetition not flagged"
    [[ $(col "$s" $k over,100,4 flags) == "oversubscribed;undelivered" ]] ||
        fail "oversubscribed/undelivered: '$(col "$s" $k over,100,4 flags)'"
    grep -q '^traps,triad-strong-100000,.*last-level cache' "$d/findings.csv" || fail "no cache finding"
    grep -q 'warning: working set in cache' "$d/data/figures.tsv" || fail "no cache warning on the figure"
}

test_baselines() {
    local d=$tmp/base
    mkdir -p "$d"
    {
        cat "$header"
        series st serial "1:1" cores=8
        # hybrid with 2 threads per rank, no 1 x 1 run: no self baseline
        for p in 2 4 8; do
            for r in 1 2 3 4 5 6 7; do
                row run="h$p" kernel=st driver=hybrid workers=$p ranks=$((p / 2)) threads=2 rep=$r t="$(awk -v p=$p 'BEGIN { print 1.2 / p }')" cores=8
                row run="hb$p" kernel=hb driver=hybrid workers=$p ranks=$((p / 2)) threads=2 rep=$r t="$(awk -v p=$p 'BEGIN { print 1.2 / p }')" cores=8
            done
        done
        series hb serial "1:1" cores=8
        # hybrid with a measured 1 x 1 run
        for r in 1 2 3 4 5 6 7; do row run=hb1 kernel=hb driver=hybrid workers=1 rep=$r t=1.1 cores=8; done
    } >"$d/raw.csv"
    summarize "$d" || return 0
    local s=$d/summary.csv k=kernel,driver,workers
    [[ $(col "$s" $k st,hybrid,2 baseline_self) == "" ]] || fail "hybrid without 1x1 got a self baseline"
    [[ $(col "$s" $k st,hybrid,2 speedup_self) == "" ]] || fail "hybrid without 1x1 got a self speedup"
    near "$(col "$s" $k st,hybrid,2 speedup_serial)" 1.6667 0.01 "hybrid vs serial"
    [[ $(col "$s" $k hb,hybrid,2 baseline_self) == hybrid@1 ]] || fail "hybrid 1x1 baseline not used"
    near "$(col "$s" $k hb,hybrid,2 speedup_self)" 1.8333 0.01 "hybrid self speedup from 1x1"
    near "$(col "$s" $k hb,hybrid,2 efficiency_self)" 0.9167 0.01 "hybrid self efficiency is measured, not 1"
}

test_pop() {
    local d=$tmp/pop
    mkdir -p "$d"
    {
        cat "$header"
        series im serial "1:1" umax=1 umean=1 umin=1 tmax=0 tmean=0 instr=1000000 cycles=500000
        # p = 1: all useful; p = 2: one worker busy 0.7, the other 0.3, team
        # time fills the rest of a 0.72 s repetition; 25 % more instructions
        # at the same IPC of 2... then 1.6
        series im pthread "1:1" umax=1 umean=1 umin=1 tmax=0 tmean=0 instr=1000000 cycles=500000
        for r in 1 2 3 4 5 6 7; do
            row run=im2 kernel=im workers=2 threads=2 rep=$r t=0.72 umax=0.7 umean=0.5 umin=0.3 \
                tmax=0.42 tmean=0.22 instr=1250000 cycles=781250
        done
        # contended shared updates whose timed estimate took all the useful
        # time: computation scaling is undefined, not infinite
        series cu serial "1:1" umax=1 umean=1 umin=1 tmax=0 tmean=0
        series cu pthread "1:1" umax=1 umean=1 umin=1 tmax=0 tmean=0
        for r in 1 2 3 4 5 6; do
            row run=cu2 kernel=cu workers=2 threads=2 rep=$r t=2 umax=0 umean=0 umin=0 tmax=2 tmean=2
        done
        row run=cu2 kernel=cu workers=2 threads=2 rep=7 t=2 umax=0.0003 umean=0.00015 umin=0 tmax=2 tmean=2
    } >"$d/raw.csv"
    summarize "$d" || return 0
    # the jitter scales seconds by rep; take the medians from the summary
    local s=$d/summary.csv k=kernel,driver,workers
    local lb ce pe cs ge
    lb=$(col "$s" $k im,pthread,2 load_balance)
    ce=$(col "$s" $k im,pthread,2 comm_efficiency)
    pe=$(col "$s" $k im,pthread,2 parallel_efficiency)
    cs=$(col "$s" $k im,pthread,2 comp_scaling_serial)
    ge=$(col "$s" $k im,pthread,2 global_efficiency_serial)
    near "$lb" 0.7143 0.0001 "load balance 0.5/0.7"
    near "$ce" 0.9722 0.006 "communication efficiency 0.7/0.72"
    awk -v a="$pe" -v b="$lb" -v c="$ce" 'BEGIN { d = a - b * c; exit !(d < 0.006 && d > -0.006) }' ||
        fail "PE $pe != LB $lb x CommE $ce"
    near "$cs" 1 1e-9 "computation scaling (same useful sum)"
    awk -v g="$ge" -v p="$pe" -v c="$cs" 'BEGIN { d = g - p * c; exit !(d < 1e-6 && d > -1e-6) }' ||
        fail "GE $ge != PE $pe x CompS $cs"
    local m
    for m in load_balance comm_efficiency parallel_efficiency comp_scaling_self global_efficiency_self; do
        near "$(col "$s" $k im,pthread,1 $m)" 1 1e-6 "$m at one worker"
    done
    near "$(col "$s" $k im,pthread,2 instruction_scaling_serial)" 0.8 1e-6 "instruction scaling 1/1.25"
    near "$(col "$s" $k im,pthread,2 ipc_scaling_serial)" 0.8 1e-6 "IPC scaling 1.6/2"
    [[ $(col "$s" $k im,pthread,1 ipc_scaling_self) == 1 ]] || fail "IPC scaling at its own reference"
    grep -q '^pop,im-strong-100/pthread,.*load imbalance' "$d/findings.csv" || fail "POP finding does not name load imbalance"
    [[ -s $d/data/im-strong-100-pop.dat ]] || fail "no POP figure data"
    [[ -z $(col "$s" $k cu,pthread,2 comp_scaling_serial) ]] ||
        fail "computation scaling without useful time: '$(col "$s" $k cu,pthread,2 comp_scaling_serial)', want empty"
    grep -q '^pop,cu-strong-100/pthread,.*computation scaling undefined (no useful time left) — the loss is communication' \
        "$d/findings.csv" || fail "POP finding without useful time: $(grep '^pop,cu' "$d/findings.csv")"
    ! grep -Eq '[^a-z](inf|nan)[^a-z]' "$d/findings.csv" || fail "a finding prints inf or nan"
}

test_findings() {
    local d=$tmp/find
    mkdir -p "$d"
    {
        cat "$header"
        # threads clearly faster than processes
        series fast serial "1:1" cores=4
        series fast pthread "1:1 2:0.5 4:0.26" cores=4
        series fast fork "1:1 2:0.75 4:0.5" cores=4
        # no difference
        series same serial "1:1" cores=4
        series same pthread "1:1 2:0.55 4:0.4" cores=4
        series same fork "1:1 2:0.55 4:0.4" cores=4
    } >"$d/raw.csv"
    summarize "$d" || return 0
    local f=$d/findings.csv
    grep -q '^workers,fast-strong-100,.*threads faster: processes take 1.92× as long' "$f" ||
        fail "threads-faster finding: $(grep '^workers,fast' "$f")"
    grep -q '^workers,same-strong-100,.*no measurable difference' "$f" ||
        fail "no-difference finding: $(grep '^workers,same' "$f")"
    grep -q '^scaling,same-strong-100/pthread,.*scales to 2 workers.*then drops to 0.625.* at 4' "$f" ||
        fail "scaling-stops finding: $(grep '^scaling,same-strong-100/pthread' "$f")"
    grep -q '^scaling,fast-strong-100/pthread,.*stays at least 0.8 up to the largest run, 4 workers' "$f" ||
        fail "still-scales finding: $(grep '^scaling,fast-strong-100/pthread' "$f")"
    grep -q '^startup,pthread,.*25 µs to 100 µs per worker' "$f" || fail "start-up finding: $(grep '^startup' "$f")"
    grep -q '^models,fast-strong-100/fork,.*Amdahl, serial fraction' "$f" || fail "model finding"
}

test_primitives() {
    local d=$tmp/prim
    mkdir -p "$d"
    {
        cat "$header"
        # 1000 operations a repetition: barrier costs 0.5 µs on pthread,
        # 0.8 µs on fork; a halo that costs nothing measurable
        local drv t
        for drv in pthread fork; do
            t=$([[ $drv == pthread ]] && echo 0.0015 || echo 0.0018)
            series sync $drv "2:0.001" params="op=none;delay=100" work=1000 class=primitive
            series sync $drv "2:$t" params="op=barrier;delay=100" work=1000 class=primitive
        done
        series sync pthread "2:0.001" params="op=halo;delay=100" work=1000 class=primitive
        # fork's halo costs 0.3 µs: the free one is named first, apart
        series sync fork "2:0.0013" params="op=halo;delay=100" work=1000 class=primitive
        # the same driver with another barrier: its own reference, its own series
        series sync pthread "2:0.001" params="op=none;delay=100" work=1000 class=primitive env=barrier=futex
        series sync pthread "2:0.003" params="op=barrier;delay=100" work=1000 class=primitive env=barrier=futex
    } >"$d/raw.csv"
    summarize "$d" || return 0
    local p=$d/primitives.csv
    near "$(col "$p" op,driver,runtime_env barrier,pthread, cost_seconds)" 5e-7 1e-8 "pthread barrier cost"
    near "$(col "$p" op,driver barrier,fork cost_seconds)" 8e-7 1e-8 "fork barrier cost"
    near "$(col "$p" op,driver,runtime_env barrier,pthread,barrier=futex cost_seconds)" 2e-6 2e-8 "futex barrier cost"
    inside "$(col "$p" op,driver barrier,fork cost_low)" 8e-7 "$(col "$p" op,driver barrier,fork cost_high)" "fork cost interval"
    col "$p" op,driver halo,pthread flags | grep -q 'no-measurable-cost' || fail "free halo not flagged"
    grep -q '^primitives,barrier@2,"one barrier at 2 workers: pthread is cheapest, 0.5 µs.*; fork 0.8 µs.*1.6× as costly' "$d/findings.csv" ||
        fail "primitive finding: $(grep '^primitives' "$d/findings.csv")"
    grep -q 'pthread\[barrier=futex\]' "$d/findings.csv" || fail "the futex barrier is not its own series"
    grep -q '^primitives,halo@2,"one halo at 2 workers: no measurable cost on pthread .*; of the others, fork is cheapest, 0.3 µs' \
        "$d/findings.csv" || fail "primitive finding with a free runtime: $(grep '^primitives,halo' "$d/findings.csv")"
    grep -q '^primitives-barrier	cost	' "$d/data/figures.tsv" || fail "no cost figure listed"
    [[ $(grep -c '^# series' "$d/data/primitives-barrier.dat") == 3 ]] || fail "cost figure series"
}

test_claims() {
    local d=$tmp/claims
    mkdir -p "$d"
    {
        cat "$header"
        # the GIL: Python threads do not scale, C threads and Python processes do
        series sqrtpow pthread "1:1 2:0.5" cores=2
        series sqrtpow py-thread "1:10 2:10.5" params="power=3;impl=python" cores=2
        series sqrtpow py-thread "1:1 2:0.52" params="power=3;impl=c" cores=2
        series sqrtpow py-fork "1:10 2:5.2 4:6.5" params="power=3;impl=python" cores=2
        series sqrtpow py-spawn "1:10 2:5.3" params="power=3;impl=python" cores=2
        # I/O: equal waits, spawn start-up 100x fork's
        local p
        for p in 5 10 50; do
            series sleep py-thread "$p:0.02" params="wait_us=1000;spin=0;impl=python" startup=0.003 cores=2
            series sleep py-fork "$p:0.02" params="wait_us=1000;spin=0;impl=python" startup=0.04 cores=2
            series sleep py-spawn "$p:0.02" params="wait_us=1000;spin=0;impl=python" startup=4 cores=2
        done
    } >"$d/raw.csv"
    summarize "$d" || return 0
    local c=$d/claims.csv
    [[ -s $c ]] || { fail "no claims.csv"; return 0; }
    verdict() { python3 -c 'import csv,sys
for r in csv.DictReader(open(sys.argv[1])):
    if r["claim"].startswith(sys.argv[2]): print(r["verdict"])' "$c" "$1"; }
    verdict "CPU-bound Python code" | grep -q '^holds' || fail "GIL claim: $(verdict "CPU-bound Python code")"
    verdict "Processes give" | grep -q '^holds only up to the core count' || fail "processes claim: $(verdict "Processes give")"
    verdict "Threads win for I/O" | grep -q '^holds only when start-up is counted' || fail "I/O claim: $(verdict "Threads win")"
    verdict "Releasing the GIL" | grep -q '^holds' || fail "release claim: $(verdict "Releasing the GIL")"
    verdict "Starting processes with spawn" | grep -q '^holds: spawn takes 100×' || fail "spawn claim: $(verdict "Starting processes")"
    # without Python rows there is no table, and a stale one goes
    grep -v ',py-' "$d/raw.csv" >"$d/c-only.csv"
    mv "$d/c-only.csv" "$d/raw.csv"
    summarize "$d" || return 0
    [[ ! -e $c ]] || fail "claims.csv without Python rows"
}

# The fitting threads: a synthetic study of 240 series (enough for 3
# threads) gives byte-identical outputs with 1, 2 and 5 --jobs; bad --jobs
# values are refused.
test_jobs() {
    local d=$tmp/jobs j
    mkdir -p "$d"
    awk -v HEADER="$(head -n 1 "$header")" -v SEED=5 -v KERNELS=40 -v SIZES=1 -v WMAX=8 -v REPS=6 \
        -f "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/synthetic-raw.awk" >"$d/raw.csv"
    for j in 1 2 5; do
        mkdir -p "$d/j$j"
        "$bin" --jobs "$j" --resamples 100 --out "$d/j$j" "$d/raw.csv" 2>"$d/err" ||
            fail "--jobs $j: $(cat "$d/err")"
    done
    [[ $(grep -c ',1,.*,100,' "$d/j1/fits.csv") -gt 200 ]] || fail "--jobs: fewer than 200 fits in the study"
    for j in 2 5; do
        diff -r "$d/j1" "$d/j$j" >/dev/null || fail "--jobs $j: outputs differ from --jobs 1"
    done
    local bad
    for bad in 0 257 x -1 ""; do
        local rc=0
        "$bin" --jobs "$bad" --out "$d" "$d/raw.csv" 2>"$d/err" || rc=$?
        ((rc == 2)) || fail "--jobs '$bad': exit $rc, want 2"
        [[ $(wc -l <"$d/err") -eq 1 ]] || fail "--jobs '$bad': not one line: $(cat "$d/err")"
    done
}

case $group in
jobs) test_jobs ;;
fits) test_fits ;;
traps) test_traps ;;
baselines) test_baselines ;;
pop) test_pop ;;
findings) test_findings ;;
primitives) test_primitives ;;
claims) test_claims ;;
all) test_fits; test_traps; test_baselines; test_pop; test_findings; test_primitives; test_claims; test_jobs ;;
*) echo "usage: $0 BIN HEADER [fits|traps|baselines|pop|findings|primitives|claims|jobs|all]" >&2; exit 2 ;;
esac
if ((failures > 0)); then
    echo "models_test $group: $failures check(s) failed" >&2
    exit 1
fi
echo "models_test $group: ok"
