#!/usr/bin/env bash
# summarize_test.sh — tests parscale-summarize: the hand-worked fixture
# (tests/analysis/EXPECTED.md), the order-statistic CI ranks, hostile input
# and the command line.
# usage: summarize_test.sh BINARY FIXTURE.csv [fixture|ci|hostile|cli|all]
set -euo pipefail

if [[ $# -lt 2 || $# -gt 3 ]]; then
    echo "usage: $0 BINARY FIXTURE.csv [fixture|ci|hostile|cli|all]" >&2
    exit 2
fi
bin=$1
fixture=$2
group=${3:-all}
: "${REL_TOL:=1e-6}"   # relative tolerance of numeric comparisons
: "${ABS_TOL:=1e-12}"  # absolute slack for expected values near zero

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

# Records one failed check.
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# Prints line N of the fixture.
fixture_line() {
    sed -n "${1}p" "$fixture"
}

# Prints column COL of the row of CSV file FILE whose columns named in KEYS
# (comma-separated) have the values in VALS (comma-separated); exit 1 if none.
lookup() {
    local file=$1 keys=$2 vals=$3 col=$4
    awk -F, -v keys="$keys" -v vals="$vals" -v col="$col" '
        NR == 1 {
            for (i = 1; i <= NF; i++) idx[$i] = i
            nk = split(keys, k, ","); split(vals, v, ",")
            if (!(col in idx)) exit 1
            next
        }
        {
            for (i = 1; i <= nk; i++) if ($idx[k[i]] != v[i]) next
            print $idx[col]; found = 1; exit
        }
        END { exit !found }' "$file"
}

# Checks that GOT matches WANT: "-" means empty, a number means within
# REL_TOL (relative) + ABS_TOL, anything else must match exactly.
check() {
    local what=$1 got=$2 want=$3
    if [[ $want == "-" ]]; then
        [[ -z $got ]] || fail "$what: got '$got', expected empty"
    elif [[ $want =~ ^-?[0-9.]+([eE][-+]?[0-9]+)?$ ]]; then
        if [[ -z $got ]] || ! awk -v g="$got" -v w="$want" -v r="$REL_TOL" -v a="$ABS_TOL" \
            'BEGIN { d = g - w; if (d < 0) d = -d; m = w < 0 ? -w : w; exit !(d <= r * m + a) }'; then
            fail "$what: got '$got', expected $want"
        fi
    elif [[ $got != "$want" ]]; then
        fail "$what: got '$got', expected '$want'"
    fi
}

# Reads "KERNEL DRIVER SCALING WORKERS COLUMN VALUE" lines on stdin and checks
# each against summary.csv in directory DIR.
check_summary() {
    local dir=$1 kernel driver scaling workers col want got
    while read -r kernel driver scaling workers col want; do
        [[ -z $kernel || $kernel == \#* ]] && continue
        if ! got=$(lookup "$dir/summary.csv" kernel,driver,scaling,workers \
            "$kernel,$driver,$scaling,$workers" "$col"); then
            fail "summary $kernel/$driver/$scaling/$workers: no row or no column $col"
            continue
        fi
        check "summary $kernel/$driver/$scaling/$workers $col" "$got" "$want"
    done
}

# Reads "KERNEL DRIVER SCALING MODEL COLUMN VALUE" lines on stdin and checks
# each against fits.csv in directory DIR.
check_fits() {
    local dir=$1 kernel driver scaling model col want got
    while read -r kernel driver scaling model col want; do
        [[ -z $kernel || $kernel == \#* ]] && continue
        if ! got=$(lookup "$dir/fits.csv" kernel,driver,scaling,model \
            "$kernel,$driver,$scaling,$model" "$col"); then
            fail "fit $kernel/$driver/$scaling/$model: no row or no column $col"
            continue
        fi
        check "fit $kernel/$driver/$scaling/$model $col" "$got" "$want"
    done
}

# Checks that file FILE has exactly N lines.
check_lines() {
    local file=$1 want=$2 got
    got=$(wc -l <"$file")
    [[ $got -eq $want ]] || fail "$file: $got lines, expected $want"
}

# The fixture against the values worked out by hand in EXPECTED.md.
test_fixture() {
    local out=$tmp/fixture
    mkdir -p "$out"
    if ! "$bin" --out "$out" "$fixture" >"$tmp/stdout" 2>"$tmp/stderr"; then
        fail "fixture: exit status $?: $(cat "$tmp/stderr")"
        return
    fi
    [[ ! -s $tmp/stderr ]] || fail "fixture: unexpected stderr: $(cat "$tmp/stderr")"
    [[ ! -s $tmp/stdout ]] || fail "fixture: stdout not empty without --table"

    local want_summary="kernel,driver,scaling,size,total_size,workers,ranks,threads_per_rank,nodes,cores,physical_cores,class,schedule,params,rate_unit,n,median,ci_low,ci_high,ci_level,min,max,mean,stddev,startup_median,startup_per_worker,empty_median,rate_median,verified_all,baseline_serial,speedup_serial,speedup_serial_low,speedup_serial_high,efficiency_serial,efficiency_serial_low,efficiency_serial_high,baseline_self"
    local r
    for r in speedup_self efficiency_self karp_flatt weak_efficiency load_balance comm_efficiency \
        parallel_efficiency comp_scaling_self comp_scaling_serial global_efficiency_self \
        global_efficiency_serial; do
        want_summary+=",$r,${r}_low,${r}_high"
    done
    want_summary+=",team_share,working_set_bytes,llc_bytes,flags,host,series,case"
    check "summary header" "$(head -n 1 "$out/summary.csv")" "$want_summary"
    check "fits header" "$(head -n 1 "$out/fits.csv")" \
        "kernel,driver,scaling,size,params,schedule,series,case,model,fitted,reason,points,distinct,p_min,p_max,t1,t1_low,t1_high,serial_fraction,serial_fraction_low,serial_fraction_high,kappa,kappa_low,kappa_high,p_peak,rms_rel_residual,max_rel_residual,preferred,criterion,resamples,seed"
    check_lines "$out/summary.csv" 12
    check_lines "$out/fits.csv" 10
    for f in residuals.csv findings.csv data/figures.tsv; do
        [[ -s $out/$f ]] || fail "fixture: no $f"
    done

    check_summary "$out" <<'EOF'
# A. triad, serial baseline: n = 3 (odd, < 6)
triad serial strong 1 n 3
triad serial strong 1 flags few-reps
triad serial strong 1 series serial
triad serial strong 1 case triad-strong-1000000-scalar_3
triad serial strong 1 median 4.1
triad serial strong 1 ci_low 4.0
triad serial strong 1 ci_high 4.2
triad serial strong 1 ci_level 0.75
triad serial strong 1 mean 4.1
triad serial strong 1 stddev 0.1
triad serial strong 1 startup_median 0
triad serial strong 1 rate_median 5.85365854
triad serial strong 1 verified_all 1
triad serial strong 1 baseline_serial serial
triad serial strong 1 speedup_serial 1
triad serial strong 1 baseline_self serial@1
triad serial strong 1 speedup_self 1
triad serial strong 1 karp_flatt -
triad serial strong 1 weak_efficiency -
triad serial strong 1 class memory
triad serial strong 1 host node1
# B. triad pthread@1: n = 4 (even, < 6)
triad pthread strong 1 n 4
triad pthread strong 1 median 4.3
triad pthread strong 1 ci_low 4.0
triad pthread strong 1 ci_high 4.6
triad pthread strong 1 ci_level 0.875
triad pthread strong 1 min 4.0
triad pthread strong 1 max 4.6
triad pthread strong 1 mean 4.3
triad pthread strong 1 stddev 0.258198890
triad pthread strong 1 startup_median 0.0001
triad pthread strong 1 rate_median 5.58441558
triad pthread strong 1 speedup_serial 0.953488372
triad pthread strong 1 efficiency_serial 0.953488372
triad pthread strong 1 baseline_self pthread@1
triad pthread strong 1 speedup_self 1
triad pthread strong 1 efficiency_self 1
triad pthread strong 1 karp_flatt -
# C. triad pthread@2: n = 6 (even, >= 6)
triad pthread strong 2 n 6
triad pthread strong 2 median 2.25
triad pthread strong 2 ci_low 2.0
triad pthread strong 2 ci_high 2.6
triad pthread strong 2 ci_level 0.95
triad pthread strong 2 mean 2.26666667
triad pthread strong 2 stddev 0.216024690
triad pthread strong 2 rate_median 10.6719368
triad pthread strong 2 baseline_serial serial
triad pthread strong 2 speedup_serial 1.82222222
triad pthread strong 2 efficiency_serial 0.911111111
triad pthread strong 2 speedup_self 1.91111111
triad pthread strong 2 efficiency_self 0.955555556
triad pthread strong 2 karp_flatt 0.0465116279
triad pthread strong 2 speedup_serial_low 1.6058538
triad pthread strong 2 speedup_serial_high 2.06774354
triad pthread strong 2 efficiency_serial_low 0.8029269
triad pthread strong 2 speedup_self_low 1.64644747
triad pthread strong 2 speedup_self_high 2.21831898
triad pthread strong 2 flags -
triad pthread strong 2 threads_per_rank 2
# D. triad pthread@4: n = 11 (odd, >= 6), two runs
triad pthread strong 4 n 11
triad pthread strong 4 median 1.25
triad pthread strong 4 ci_low 1.05
triad pthread strong 4 ci_high 1.45
triad pthread strong 4 ci_level 0.95
triad pthread strong 4 min 1.0
triad pthread strong 4 max 2.0
triad pthread strong 4 mean 1.29545455
triad pthread strong 4 stddev 0.274275906
triad pthread strong 4 startup_median 0.0005
triad pthread strong 4 rate_median 19.2
triad pthread strong 4 speedup_serial 3.28
triad pthread strong 4 efficiency_serial 0.82
triad pthread strong 4 speedup_self 3.44
triad pthread strong 4 efficiency_self 0.86
triad pthread strong 4 karp_flatt 0.0542635659
triad pthread strong 4 speedup_serial_low 2.87382456
triad pthread strong 4 speedup_serial_high 3.74358273
triad pthread strong 4 speedup_self_low 2.94897901
triad pthread strong 4 speedup_self_high 4.01277864
triad pthread strong 4 flags -
triad pthread strong 1 speedup_serial_low 0.864064529
triad pthread strong 1 speedup_serial_high 1.05216688
triad pthread strong 1 speedup_self_low -
triad serial strong 1 speedup_serial_low -
# E. triad pthread weak scaling: n = 2
triad pthread weak 1 median 1.1
triad pthread weak 1 ci_level 0.5
triad pthread weak 1 stddev 0.141421356
triad pthread weak 1 baseline_serial -
triad pthread weak 1 speedup_serial -
triad pthread weak 1 baseline_self pthread@1
triad pthread weak 1 speedup_self -
triad pthread weak 1 karp_flatt -
triad pthread weak 1 weak_efficiency 1
triad pthread weak 2 total_size 2000000
triad pthread weak 2 median 1.2
triad pthread weak 2 rate_median 40.2797203
triad pthread weak 2 efficiency_self -
triad pthread weak 2 weak_efficiency 0.916666667
triad pthread weak 2 weak_efficiency_low -
# F. stencil openmp: n = 1, no serial baseline, super-linear, one failed check
stencil openmp strong 1 n 1
stencil openmp strong 1 ci_low 4.0
stencil openmp strong 1 ci_high 4.0
stencil openmp strong 1 ci_level 0
stencil openmp strong 1 stddev -
stencil openmp strong 1 baseline_serial -
stencil openmp strong 1 speedup_serial -
stencil openmp strong 2 speedup_self 2.22222222
stencil openmp strong 2 efficiency_self 1.11111111
stencil openmp strong 2 karp_flatt -0.1
stencil openmp strong 4 speedup_self 5
stencil openmp strong 4 karp_flatt -0.0666666667
stencil openmp strong 4 verified_all 0
stencil openmp strong 4 flags few-reps;unverified
stencil openmp strong 4 speedup_self_low -
stencil openmp strong 2 verified_all 1
# G. counter pthread: empty params, slower with more workers
counter pthread strong 2 params -
counter pthread strong 2 schedule dynamic:64
counter pthread strong 2 series pthread/dynamic:64
counter pthread strong 2 speedup_self 0.666666667
counter pthread strong 2 efficiency_self 0.333333333
counter pthread strong 2 karp_flatt 2
counter pthread strong 2 rate_unit Mitems/s
EOF

    check_fits "$out" <<'EOF'
triad pthread strong amdahl fitted 1
triad pthread strong amdahl points 3
triad pthread strong amdahl distinct 3
triad pthread strong amdahl t1 4.28684969
triad pthread strong amdahl serial_fraction 0.0547612826
triad pthread strong amdahl rms_rel_residual 0.0034428967
triad pthread strong amdahl max_rel_residual 0.00480068276
triad pthread strong amdahl p_min 1
triad pthread strong amdahl p_max 4
triad pthread strong amdahl preferred 1
triad pthread strong usl fitted 0
triad pthread strong usl preferred 0
triad pthread weak gustafson fitted 0
stencil openmp strong amdahl t1 3.54074375
stencil openmp strong amdahl serial_fraction 0
stencil openmp strong amdahl rms_rel_residual 0.0909060119
stencil openmp strong amdahl max_rel_residual 0.114814062
counter pthread strong amdahl fitted 0
counter pthread strong amdahl distinct 2
counter pthread strong amdahl serial_fraction -
triad serial strong amdahl fitted 0
EOF
    # bootstrap intervals bracket their estimate and are repeatable from the seed
    local lo est hi
    lo=$(lookup "$out/fits.csv" kernel,driver,scaling,model triad,pthread,strong,amdahl t1_low)
    est=$(lookup "$out/fits.csv" kernel,driver,scaling,model triad,pthread,strong,amdahl t1)
    hi=$(lookup "$out/fits.csv" kernel,driver,scaling,model triad,pthread,strong,amdahl t1_high)
    awk -v l="$lo" -v e="$est" -v h="$hi" 'BEGIN { exit !(l <= e && e <= h && l < h) }' ||
        fail "t1 interval [$lo, $hi] does not bracket $est"
    lookup "$out/fits.csv" kernel,driver,scaling,model counter,pthread,strong,amdahl reason |
        grep -q 'too few worker counts to fit: 2 distinct' ||
        fail "counter/pthread: no 'too few worker counts' reason"
    local again=$tmp/again other=$tmp/other
    mkdir -p "$again" "$other"
    "$bin" --out "$again" "$fixture" || fail "second run: exit status $?"
    cmp -s "$out/fits.csv" "$again/fits.csv" || fail "fits.csv differs between two runs with the same seed"
    "$bin" --seed 7 --out "$other" "$fixture" || fail "--seed 7: exit status $?"
    if cmp -s "$out/fits.csv" "$other/fits.csv"; then
        fail "fits.csv does not change with --seed"
    fi

    # The same rows split over two files, and concatenated with the header
    # repeated in the middle, give byte-identical summaries.
    local split=$tmp/split cat=$tmp/cat
    mkdir -p "$split" "$cat"
    head -n 15 "$fixture" >"$split/a.csv"
    { fixture_line 1; tail -n +16 "$fixture"; } >"$split/b.csv"
    cat "$split/a.csv" "$split/b.csv" >"$cat/raw.csv"
    "$bin" --out "$split" "$split/b.csv" "$split/a.csv" || fail "split: exit status $?"
    "$bin" "$cat/raw.csv" || fail "concatenated (default --out): exit status $?"
    for f in summary.csv fits.csv residuals.csv findings.csv; do
        cmp -s "$out/$f" "$split/$f" || fail "split input: $f differs"
        cmp -s "$out/$f" "$cat/$f" || fail "concatenated input: $f differs"
    done

    # --table: a header, one line per configuration, files still written.
    local table=$tmp/table
    mkdir -p "$table"
    "$bin" --table --out "$table" "$fixture" >"$tmp/table.txt" || fail "--table: exit status $?"
    check "--table data lines" "$(grep -c -E '^(triad|stencil|counter) ' "$tmp/table.txt")" 11
    grep -q -E '^kernel +series' "$tmp/table.txt" || fail "--table: no column header"
    cmp -s "$out/summary.csv" "$table/summary.csv" || fail "--table: summary.csv differs"

    # A field far longer than any fixed buffer is read whole.
    local long
    long=$(head -c 100000 /dev/zero | tr '\0' k)
    { fixture_line 1; fixture_line 2 | sed "s/^fx-serial,triad,/fx-serial,$long,/"; } \
        >"$tmp/long.csv"
    "$bin" --out "$tmp" "$tmp/long.csv" || fail "long line: exit status $?"
    check "long kernel name" "$(cut -d, -f1 "$tmp/summary.csv" | tail -n 1 | wc -c)" 100001
}

# CI of the median: seconds 1..n, so each bound equals its 1-based rank.
test_ci() {
    local out=$tmp/ci n i
    mkdir -p "$out"
    {
        fixture_line 1
        for n in 1 2 3 4 5 6 7 10 11 25 100 625; do
            for ((i = n; i >= 1; i--)); do
                echo "ci$n,k$n,serial,strong,1,1,$i,$i,0,1,Mitems/s,1,h,2026-01-01T00:00:00Z,compute,1,1,1,1,1,static,,0,1,items,0,0,0.1.0"
            done
        done
    } >"$out/raw.csv"
    "$bin" "$out/raw.csv" || { fail "ci: exit status $?"; return; }
    # n, ci_low, ci_high, ci_level, median (ranks worked out in EXPECTED.md)
    local low high level median
    while read -r n low high level median; do
        check_summary "$out" <<EOF
k$n serial strong 1 ci_low $low
k$n serial strong 1 ci_high $high
k$n serial strong 1 ci_level $level
k$n serial strong 1 median $median
EOF
    done <<'EOF'
1 1 1 0 1
2 1 2 0.5 1.5
3 1 3 0.75 2
4 1 4 0.875 2.5
5 1 5 0.9375 3
6 1 6 0.95 3.5
7 1 7 0.95 4
10 1 10 0.95 5.5
11 2 10 0.95 6
25 7 19 0.95 13
100 40 61 0.95 50.5
625 288 338 0.95 313
EOF
}

# Runs the binary on the inputs after NAME and LOCATION and checks: exit 2,
# one line on stderr naming LOCATION ("FILE:LINE:"), no summary written.
expect_bad() {
    local name=$1 where=$2 rc=0
    shift 2
    local out=$tmp/bad-$name
    mkdir -p "$out"
    "$bin" --out "$out" "$@" >"$tmp/stdout" 2>"$tmp/stderr" || rc=$?
    [[ $rc -eq 2 ]] || fail "$name: exit status $rc, expected 2"
    [[ $(wc -l <"$tmp/stderr") -eq 1 ]] \
        || fail "$name: expected one line on stderr, got: $(cat "$tmp/stderr")"
    grep -q -F -- "parscale-summarize: $where" "$tmp/stderr" \
        || fail "$name: message lacks '$where': $(cat "$tmp/stderr")"
    [[ ! -e $out/summary.csv && ! -e $out/fits.csv ]] || fail "$name: wrote output"
    [[ ! -s $tmp/stdout ]] || fail "$name: wrote to stdout"
}

# Writes FILE: the fixture header, line 2, then line 3 with field F set to V.
mutate() {
    local file=$1 f=$2 v=$3
    {
        fixture_line 1
        fixture_line 2
        fixture_line 3 | awk -F, -v OFS=, -v f="$f" -v v="$v" '{ $f = v; print }'
    } >"$file"
}

# Malformed input: each case must be refused with its file and line.
test_hostile() {
    local d=$tmp/hostile f
    mkdir -p "$d"

    { fixture_line 1; fixture_line 2; fixture_line 3 | cut -d, -f1-27; } >"$d/short.csv"
    expect_bad short "$d/short.csv:3: expected 28 fields, found 27" "$d/short.csv"
    { fixture_line 1; fixture_line 2; fixture_line 3 | sed 's/$/,extra/'; } >"$d/long.csv"
    expect_bad long "$d/long.csv:3: expected 28 fields, found 29" "$d/long.csv"

    # field 8 is seconds
    local v i=0
    for v in abc -1 nan NaN inf -inf 0 "" " 1.0" 1.0x 1e999 0x; do
        i=$((i + 1))
        f=$d/seconds$i.csv
        mutate "$f" 8 "$v"
        expect_bad "seconds-'$v'" "$f:3: seconds is" "$f"
    done
    mutate "$d/rate.csv" 10 -5
    expect_bad rate-negative "$d/rate.csv:3: rate is" "$d/rate.csv"
    mutate "$d/startup.csv" 9 inf
    expect_bad startup-inf "$d/startup.csv:3: startup_seconds is" "$d/startup.csv"
    for v in abc 0 2.5 -4 99999999999999999999; do
        i=$((i + 1))
        f=$d/workers$i.csv
        mutate "$f" 6 "$v"
        expect_bad "workers-'$v'" "$f:3: workers is" "$f"
    done
    mutate "$d/verified.csv" 12 2
    expect_bad verified "$d/verified.csv:3: verified is '2'" "$d/verified.csv"
    mutate "$d/scaling.csv" 4 medium
    expect_bad scaling "$d/scaling.csv:3: scaling is 'medium'" "$d/scaling.csv"
    mutate "$d/kernel.csv" 2 ""
    expect_bad kernel-empty "$d/kernel.csv:3: kernel is empty" "$d/kernel.csv"
    mutate "$d/layout.csv" 18 3
    expect_bad layout "$d/layout.csv:3: workers 1 is not ranks 1 x threads_per_rank 3" "$d/layout.csv"

    { fixture_line 1; fixture_line 2 | sed 's/triad/"triad"/'; } >"$d/quoted.csv"
    expect_bad quoted "$d/quoted.csv:2: line contains a quote" "$d/quoted.csv"
    { fixture_line 1; fixture_line 2 | sed 's/$/\r/'; } >"$d/crlf.csv"
    expect_bad crlf "$d/crlf.csv:2: line contains a carriage return" "$d/crlf.csv"
    { fixture_line 1; fixture_line 2; fixture_line 3 | tr 'i' '\000'; } >"$d/nul.csv"
    expect_bad nul "$d/nul.csv:3: line contains a nul byte" "$d/nul.csv"
    { fixture_line 1; fixture_line 2; echo; fixture_line 3; } >"$d/blank.csv"
    expect_bad blank "$d/blank.csv:3: expected 28 fields, found 1" "$d/blank.csv"

    : >"$d/empty.csv"
    expect_bad empty "$d/empty.csv:1: empty file" "$d/empty.csv"
    { fixture_line 1 | sed 's/,seconds,/,time,/'; fixture_line 2; } >"$d/foreign.csv"
    expect_bad foreign "$d/foreign.csv:1: foreign header, not a raw parscale csv: column 8 is 'time', expected 'seconds'" "$d/foreign.csv"
    { fixture_line 1 | cut -d, -f1-27; fixture_line 2; } >"$d/short-header.csv"
    expect_bad short-header "$d/short-header.csv:1: foreign header, not a raw parscale csv: 27 columns, expected 28" "$d/short-header.csv"
    fixture_line 2 >"$d/headless.csv"
    expect_bad headless "$d/headless.csv:1: foreign header" "$d/headless.csv"
    # a summary given back as input is not raw rows
    "$bin" --out "$d" "$fixture"
    expect_bad summary-as-input "$d/summary.csv:1: foreign header" "$fixture" "$d/summary.csv"
    # a later file is checked as strictly as the first
    expect_bad second-file "$d/short.csv:3: expected 28 fields" "$fixture" "$d/short.csv"

    # the same rows twice would double n silently
    { fixture_line 1; fixture_line 2; } >"$d/again.csv"
    expect_bad duplicate "$d/again.csv:2: repetition 1 of run 'fx-serial' already read at $fixture:2" \
        "$fixture" "$d/again.csv"
    { fixture_line 1; fixture_line 2; fixture_line 3 | sed 's/,node1,/,node2,/'; } >"$d/host.csv"
    expect_bad host "$d/host.csv:3: host 'node2' differs from 'node1' at $d/host.csv:2" "$d/host.csv"
    { fixture_line 1; fixture_line 2; fixture_line 3 | sed 's/,GB\/s,/,MB\/s,/'; } >"$d/unit.csv"
    expect_bad unit "$d/unit.csv:3: rate_unit 'MB/s' differs" "$d/unit.csv"

    local long
    long=$(head -c 200000 /dev/zero | tr '\0' ,)
    { fixture_line 1; echo "$long"; } >"$d/commas.csv"
    expect_bad commas "$d/commas.csv:2: expected 28 fields, found 200001" "$d/commas.csv"

    fixture_line 1 >"$d/header-only.csv"
    expect_bad header-only "no data rows" "$d/header-only.csv"
    expect_bad missing "cannot open '$d/missing.csv'" "$d/missing.csv"
}

# Runs the binary with ARGS; checks exit status WANT and that stderr is one
# line matching PATTERN (or empty when PATTERN is "-").
expect_cli() {
    local name=$1 want=$2 pattern=$3 rc=0
    shift 3
    "$bin" "$@" >"$tmp/stdout" 2>"$tmp/stderr" || rc=$?
    [[ $rc -eq $want ]] || fail "$name: exit status $rc, expected $want"
    if [[ $pattern == "-" ]]; then
        [[ ! -s $tmp/stderr ]] || fail "$name: unexpected stderr: $(cat "$tmp/stderr")"
    else
        [[ $(wc -l <"$tmp/stderr") -eq 1 ]] || fail "$name: expected one stderr line: $(cat "$tmp/stderr")"
        grep -q -E -- "$pattern" "$tmp/stderr" || fail "$name: stderr '$(cat "$tmp/stderr")' !~ $pattern"
    fi
}

# Options, usage errors and output failures.
test_cli() {
    expect_cli help 0 - --help
    grep -q '^usage: parscale-summarize ' "$tmp/stdout" || fail "--help: no usage line on stdout"
    expect_cli help-short 0 - -h
    expect_cli bogus 2 "^parscale-summarize: unknown option '--bogus'" --bogus "$fixture"
    expect_cli bogus-short 2 "^parscale-summarize: unknown option '-x'" -x "$fixture"
    expect_cli out-missing 2 "^parscale-summarize: option '--out' needs a value" "$fixture" --out
    expect_cli out-empty 2 "^parscale-summarize: option '--out' needs a directory" --out "" "$fixture"
    expect_cli no-input 2 "^parscale-summarize: no input files" --table
    expect_cli out-absent 1 "^parscale-summarize: cannot write '$tmp/absent/summary.csv.tmp'" \
        --out "$tmp/absent" "$fixture"
    expect_cli ok 0 - -o "$tmp" "$fixture"
    [[ -s $tmp/summary.csv && -s $tmp/fits.csv ]] || fail "-o: outputs missing"
    [[ ! -e $tmp/summary.csv.tmp ]] || fail "temporary file left behind"
}

case $group in
    fixture) test_fixture ;;
    ci) test_ci ;;
    hostile) test_hostile ;;
    cli) test_cli ;;
    all) test_fixture; test_ci; test_hostile; test_cli ;;
    *) echo "$0: unknown group '$group'" >&2; exit 2 ;;
esac

if [[ $failures -gt 0 ]]; then
    echo "$failures check(s) failed" >&2
    exit 1
fi
echo "ok: $group"
