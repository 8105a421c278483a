#!/usr/bin/env bash
# Fuzzes a driver's command line: a fixed list of hostile argument vectors,
# then random ones drawn from the real option table and pools of bad values
# (huge, negative, NaN/inf, empty, very long, non-UTF-8, missing values,
# repeated options, weird --param keys and values, suffix overflow, bad
# schedules), mutated, with a fixed seed, until the time budget is spent.
#
# Every run must: end by itself (no signal, no `timeout`), exit 0, 1, 2 or 3,
# report no sanitizer finding; on exit 2 print exactly one stderr line
# "parscale-DRIVER: ..." and nothing on stdout; on exit 1 say why on stderr;
# on exit 0 or 3 write well-formed CSV (the header's field count on every
# line, one row).
#
# Accepted vectors must not run long or big: each gets tiny-problem
# defaults first and "--reps 1 --warmup 0 --timeout 1" last (the last value
# of an option wins; a bad earlier value still fails first), valid sizes
# in the pools are tiny or far beyond any memory, and a non-sanitizer build
# runs under a virtual-memory limit. A run ended by its --timeout exits 1.
#
# usage: cli_fuzz.sh BUILD_DIR DRIVER
# env:   FUZZ_SEED (default 20261123), FUZZ_SECONDS (default 15),
#        FUZZ_VERBOSE=1 prints every vector
# exit:  0 pass, 1 fail (each failing vector printed, shell-quoted), 77 skip
# The value pools are read through pick's nameref, unseen by shellcheck:
# shellcheck disable=SC2034
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
BIN=${1:?usage: cli_fuzz.sh BUILD_DIR DRIVER}
DRIVER=${2:?usage: cli_fuzz.sh BUILD_DIR DRIVER}
# shellcheck source=tests/drivers/cases.sh
source "$here/../drivers/cases.sh"
: "${FUZZ_SEED:=20261123}"
: "${FUZZ_SECONDS:=15}"
: "${FUZZ_VERBOSE:=0}"
readonly EXE="$BIN/parscale-$DRIVER"
# Wall-clock bound of one vector (its --timeout is 1 s), and the most
# failures printed before giving up.
readonly CASE_TIMEOUT=${FUZZ_CASE_TIMEOUT:-20} MAX_FAILURES=10
# Virtual memory of one run in a non-sanitizer build (KiB): 8 GiB.
readonly VMEM_LIMIT_KB=8388608
# Sanitizer reports get exit codes of their own, so that they are never
# mistaken for a driver's exit 1.
readonly ASAN_EXIT=86 UBSAN_EXIT=87

[[ -x $EXE ]] || { echo "cli_fuzz: SKIP: no '$EXE'" >&2; exit 77; }
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=$ASAN_EXIT"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}halt_on_error=1:exitcode=$UBSAN_EXIT"
sanitized=0
grep -q -e '-fsanitize' -e '^PARSCALE_SANITIZE:BOOL=ON' "$BIN/CMakeCache.txt" 2>/dev/null && sanitized=1
export LC_ALL=C

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The CSV header's field count, from a run that must work.
env -u PARSCALE_FAULT timeout -k 2 "$CASE_TIMEOUT" "$EXE" --kernel sqrtpow --size 1000 --reps 1 --warmup 0 >"$tmp/ref" 2>/dev/null ||
    { echo "cli_fuzz: FAIL: a plain tiny run of $EXE fails" >&2; exit 1; }
NF_REF=$(awk -F, 'NR == 1 { print NF }' "$tmp/ref")
mapfile -t KERNELS < <("$EXE" --list-names)

# ---- pools -----------------------------------------------------------------

long_a=$(printf 'A%.0s' {1..5000})
long_x=$(printf '%100000s' '' | tr ' ' x)
id64=$(printf 'i%.0s' {1..64})
HOSTILE=("" " " "-" "--" "=" "," "-1" "%s%s%n%x" "\$(id)" "'" '"' "\\"
    $'\xff\xfe' $'\xc3\x28' $'\xed\xa0\x80' $'\xf4\x90\x80\x80' $'\x01\x02\x7f'
    $'\x1b[31m' $'a\tb' "é" "∞" "１" "٣" "$long_a" "$long_x")
NUMBERS=(0 1 2 3 4 -0 -1 +1 " 1" "1 " "1," 1.5 1e3 0x10 010 4096 4097 100000
    100001 2147483647 2147483648 -2147483649 9223372036854775807
    9223372036854775808 18446744073709551615 18446744073709551616
    99999999999999999999999999 nan NaN -nan inf -inf infinity 1e308 1e309
    -1e309 4.9e-324 1e-400 0.5 0x1p-2 "" " " two)
WORKERS=(1 2 3 4 0 -1 4097 1.5 "2 " 0x2 1e1 2147483648 9223372036854775808 "" two)
# Valid sizes are tiny, or so big that the run is refused for memory or
# ends at its --timeout; the rest are malformed or overflow.
SIZES=(1 2 3 7 16 33 100 1000 4096 1k 2k 4Ki 9007199254740992 8796093022208
    0 -1 -0 +1 " 1" 1.5 1e3 0x10 9007199254740993 18446744073709551615
    18446744073709551616 18446744073709551615k 17179869184Gi 17179869183Gi
    9007199254740992k 1Ti 1kk 1KiB 1m 1g 1ki k Ki "" " " nan inf)
SCHEDULES=(static dynamic "static,1" "dynamic,1" "dynamic,7" "static,3" "dynamic," "static,"
    "dynamic,-1" "dynamic,0" "static,0" "dynamic,,1" "dynamic,1,2" "," Dynamic
    "dynamic ,1" "dynamic, 1" "dynamic,1k" "dynamic,4Ki" "dynamic,1Ti" "dynamic,nan"
    "dynamic,18446744073709551615" "dynamic,9007199254740993"
    "dynamic,9007199254740992" "static,18446744073709551616Gi" guided "" static:3)
SCALINGS=(strong weak Strong "weak " "" strongweak s w)
BINDS=(none cores "" core "cores,none" NONE)
ACCOUNTINGS=(on off alternate "" On 1 "on,off" of alt)
RUN_IDS=(abc a.b-c_d "$id64" "${id64}x" "" "a b" "a,b" "é" $'\xff' "../x" "-" "a/b")
TIMEOUTS=(1 0.5 0 -1 nan inf 1e7 10000001 1e-300 4.9e-324 1e-400 0x1p-2 "1,5" "" " 1")
PARAM_KEYS=(power class scalar wait_us spin maxiter iters bins mode "" "=" x
    POWER "power " "$long_a")
# kernel libraries that are none: missing, not a file, not a library, a
# folder without one, a path the CSV cannot hold, the driver itself
KERNEL_LIBS=(/nonexistent/libx.so /dev/null /etc/passwd / "" "a,b.so" /proc/self/exe "$long_a")
PARAM_VALUES=(3 0.5 8 8.0000001 0.49 0 -1 1 1e400 nan inf S Z none shared private
    "shared|private" "shared " "" "=3" 1048576 1048577 10000000 10000001 1e2 1.5)

# The real option table (see drivers/cli.c): long name, short letter or "",
# pool of values or "" for no value. --list, --help and --version are left
# out of the random vectors (their output is not CSV), and so is
# --topology; the fixed list has them.
OPT_NAMES=(kernel workers size scaling reps warmup schedule param run-id timeout
    no-header threads bind accounting kernel-lib)
declare -A OPT_SHORT=([kernel]=k [workers]=w [size]=n [reps]=r)
declare -A OPT_POOL=([kernel]=KERNELS [workers]=WORKERS [size]=SIZES [scaling]=SCALINGS
    [reps]=NUMBERS [warmup]=NUMBERS [schedule]=SCHEDULES [param]=PARAM [run-id]=RUN_IDS
    [timeout]=TIMEOUTS [no-header]="" [threads]=WORKERS [bind]=BINDS
    [accounting]=ACCOUNTINGS [kernel-lib]=KERNEL_LIBS)

# ---- generation -----------------------------------------------------------

# pick ARRAY-NAME: REPLY = a random element.
pick() {
    local -n _arr=$1
    REPLY=${_arr[RANDOM % ${#_arr[@]}]}
}

# mutate: REPLY = REPLY changed in one way that keeps sizes from growing.
mutate() {
    local s=$REPLY junk=(x . " " - "," ";" "#" e i Ti kk $'\xff' $'\t' "=")
    case $((RANDOM % 7)) in
    0) pick junk; REPLY=$s$REPLY ;;
    1) pick junk; REPLY=$REPLY$s ;;
    2) REPLY=${s:0:RANDOM % (${#s} + 1)} ;;
    3) REPLY=$s,$s ;;
    4) REPLY=${s^^} ;;
    5) REPLY=${s:0:${#s}/2}$'\x80'${s:${#s}/2} ;;
    6) REPLY=$s$s ;;
    esac
}

# value_for NAME: REPLY = a value for option NAME.
value_for() {
    local pool=${OPT_POOL[$1]} key
    case $((RANDOM % 10)) in
    0) pick HOSTILE; return ;;
    1) [[ $1 == size ]] || pool=NUMBERS ;;
    esac
    if [[ $pool == PARAM ]]; then
        pick PARAM_KEYS
        key=$REPLY
        pick PARAM_VALUES
        REPLY=$key=$REPLY
        ((RANDOM % 8)) || REPLY=${REPLY/=/}
    else
        pick "$pool"
    fi
    if ((RANDOM % 4 == 0)); then
        [[ $1 == size ]] || mutate
        [[ $1 != size ]] || { mutate; [[ $REPLY == *[!0-9kKMGi]* || -z $REPLY ]] || REPLY+=x; }
    fi
}

# add_option NAME LAST: append one occurrence of option NAME to ARGS, in a
# random spelling; LAST=1 when nothing follows it.
add_option() {
    local name=$1 last=$2 short=${OPT_SHORT[$1]:-} form
    if [[ -z ${OPT_POOL[$name]+set} || -z ${OPT_POOL[$name]} ]]; then
        case $((RANDOM % 4)) in
        0) ARGS+=("--$name=x") ;;
        1) ARGS+=("--${name:0:1 + RANDOM % ${#name}}") ;;
        *) ARGS+=("--$name") ;;
        esac
        return
    fi
    value_for "$name"
    form=$((RANDOM % 10))
    if ((form == 9)) && ((last || RANDOM % 2)); then
        ARGS+=("--$name")                 # the value is missing
        return
    fi
    case $form in
    0 | 1 | 2 | 3) ARGS+=("--$name" "$REPLY") ;;
    4 | 5) ARGS+=("--$name=$REPLY") ;;
    6) ARGS+=("--${name:0:1 + RANDOM % ${#name}}" "$REPLY") ;;
    7) if [[ -n $short ]]; then ARGS+=("-$short" "$REPLY"); else ARGS+=("--$name" "$REPLY"); fi ;;
    *) if [[ -n $short ]]; then ARGS+=("-$short$REPLY"); else ARGS+=("--$name=$REPLY"); fi ;;
    esac
}

# gen_case: ARGS = one random argument vector.
gen_case() {
    local n i k letters=(k w n r x q 0 '?' ':' '-' W)
    local -a base
    ARGS=()
    if ((RANDOM % 10 < 8)); then          # mostly a runnable base first
        pick KERNELS
        k=$REPLY
        ARGS+=(--kernel "$k")
        read -r -a base <<<"${CASE[$k]:-}"
        ARGS+=("${base[@]}")
        [[ $DRIVER == serial ]] || ARGS+=(--workers $((1 + RANDOM % 3)))
    fi
    n=$((RANDOM % 5))
    for ((i = 0; i < n; i++)); do
        case $((RANDOM % 10)) in
        0) pick HOSTILE; ARGS+=("$REPLY") ;;
        1)
            REPLY=-
            for ((k = 1 + RANDOM % 4; k > 0; k--)); do
                REPLY+=${letters[RANDOM % ${#letters[@]}]}
            done
            ARGS+=("$REPLY")
            ;;
        *) pick OPT_NAMES; add_option "$REPLY" $((i == n - 1)) ;;
        esac
    done
}

# ---- the fixed list ----------------------------------------------------------

FIXED=()
# fixed RC ARGS...: a vector that must exit RC ("-" for any allowed code).
fixed() {
    local rc=$1 q
    shift
    printf -v q '%q ' "$@"
    FIXED+=("$rc $q")
}
t=(--kernel sqrtpow --size 1000)
fixed 2
fixed 2 ""
fixed 2 --kernel
fixed 2 --kernel ""
fixed 2 --kernel nosuch
fixed 2 --kernel $'\xff\xfe'
fixed 2 --kernel "$long_x"
fixed 2 "${t[@]}" --schedule "dynamic,"
fixed 2 "${t[@]}" --schedule "dynamic,-1"
fixed 2 "${t[@]}" --schedule "dynamic,0"
fixed 2 "${t[@]}" --schedule "static,"
fixed 2 "${t[@]}" --schedule ","
fixed 2 "${t[@]}" --schedule "dynamic,1,2"
fixed 2 "${t[@]}" --schedule "dynamic,9007199254740993"
fixed 0 "${t[@]}" --schedule "dynamic,9007199254740992"
fixed 0 "${t[@]}" --schedule "dynamic"
fixed 2 --kernel triad --size 1000 --schedule dynamic
fixed 2 --kernel sqrtpow --size 0
fixed 2 --kernel sqrtpow --size -1
fixed 2 --kernel sqrtpow --size 18446744073709551615
fixed 2 --kernel sqrtpow --size 18446744073709551616
fixed 2 --kernel sqrtpow --size 18446744073709551615k
fixed 2 --kernel sqrtpow --size 17179869184Gi
fixed 2 --kernel sqrtpow --size 9007199254740993
fixed 2 --kernel sqrtpow --size 1Ti
fixed 2 --kernel sqrtpow --size 1.5
fixed 2 --kernel sqrtpow --size nan
fixed 2 --kernel sqrtpow --size inf
fixed 2 --kernel triad --size 9007199254740992
fixed 2 --kernel sqrtpow --size 9007199254740992 --scaling weak --workers 2
fixed 2 "${t[@]}" --reps 0
fixed 2 "${t[@]}" --reps -1
fixed 2 "${t[@]}" --reps 100001
fixed 2 "${t[@]}" --reps nan
fixed 2 "${t[@]}" --warmup -1
fixed 2 "${t[@]}" --workers 0
fixed 2 "${t[@]}" --workers 4097
fixed 2 "${t[@]}" --workers 9223372036854775808
fixed - "${t[@]}" --workers 64
fixed 2 "${t[@]}" --timeout 0
fixed 2 "${t[@]}" --timeout -1
fixed 2 "${t[@]}" --timeout nan
fixed 2 "${t[@]}" --timeout inf
fixed 2 "${t[@]}" --timeout 1e308
fixed 2 "${t[@]}" --timeout 10000001
fixed 2 "${t[@]}" --timeout ""
fixed 2 "${t[@]}" --scaling ""
fixed 2 "${t[@]}" --scaling Strong
fixed 2 "${t[@]}" --bind core
fixed 2 "${t[@]}" --threads 2
fixed 2 "${t[@]}" --run-id ""
fixed 2 "${t[@]}" --run-id "${id64}x"
fixed 2 "${t[@]}" --run-id "a,b"
fixed 2 "${t[@]}" --run-id $'\xff'
fixed 0 "${t[@]}" --run-id "$id64"
fixed 2 "${t[@]}" --param ""
fixed 2 "${t[@]}" --param "="
fixed 2 "${t[@]}" --param "=3"
fixed 2 "${t[@]}" --param power
fixed 2 "${t[@]}" --param power=
fixed 2 "${t[@]}" --param power==3
fixed 2 "${t[@]}" --param power=nan
fixed 2 "${t[@]}" --param power=inf
fixed 2 "${t[@]}" --param power=1e400
fixed 2 "${t[@]}" --param power=0.49
fixed 2 "${t[@]}" --param power=8.0000001
fixed 2 "${t[@]}" --param nosuch=1
fixed 2 "${t[@]}" --param "$long_a=1"
fixed 0 "${t[@]}" --param power=1 --param power=2
fixed 2 --kernel histogram --size 1000 --param bins=0
fixed 2 --kernel histogram --size 1000 --param bins=1048577
fixed 2 --kernel histogram --size 1000 --param "mode=shared|private"
fixed 2 --kernel histogram --size 1000 --param "mode=shared "
fixed 2 --kernel ep --size 1000 --param class=Z
fixed 2 --kernel sleep --size 2 --param wait_us=-1
fixed 2 --kernel stencil --size 32 --param iters=1.5
many=()
for ((i = 0; i < 33; i++)); do many+=(--param power=2); done
fixed 2 "${t[@]}" "${many[@]}"
fixed 2 "${t[@]}" --no-header=1
fixed 2 "${t[@]}" --reps
fixed 2 "${t[@]}" -w
fixed 2 "${t[@]}" --t 1
fixed 2 "${t[@]}" --lis
fixed 2 "${t[@]}" -x
fixed 2 "${t[@]}" extra
fixed 2 "${t[@]}" -- --reps 1
fixed 0 --kernel sqrtpow --si 1000 --rep=1 -r1 -n1000 -ksqrtpow
fixed 2 "${t[@]}" --kern sqrtpow
fixed 2 "${t[@]}" --kernel-lib /nonexistent/libx.so
fixed 0 "${t[@]}" --kernel sqrtpow --kernel sqrtpow --size 7 --size 1000
fixed 0 "${t[@]}" --no-header
fixed 0 --help --bogus
fixed 0 --version
fixed 0 --list
fixed 0 --list-names
fixed 0 --topology
fixed 0 --topology --bogus
fixed 2 --bogus --help
fixed 2 --kernel $'a\nb'
fixed 2 "${t[@]}" --run-id $'x\ny'
fixed 2 "${t[@]}" --param $'power=1\n2'

# ---- running and checking ----------------------------------------------------

failures=0
cases=0
accepted=0
declare -A RCS=()

# report WHY: print the failing vector and its output; count it.
report() {
    local q
    printf -v q '%q ' "$EXE" "${ARGS[@]}"
    {
        printf 'cli_fuzz: FAIL: %s\n  vector: %s\n' "$1" "${q:0:600}"
        printf '  stderr: '; head -c 600 "$tmp/err"; printf '\n  stdout: '; head -c 300 "$tmp/out"
        printf '\n'
    } >&2
    failures=$((failures + 1))
    if ((failures >= MAX_FAILURES)); then
        echo "cli_fuzz: stopping after $failures failures" >&2
        exit 1
    fi
}

# terminal_option_given: true if ARGS may hold --help, --version, --list or
# --topology.
terminal_option_given() {
    local a
    for a in "${ARGS[@]}"; do
        [[ $a == --h* || $a == --v* || $a == --l* || $a == --top* || $a =~ ^-[^-]*[hlV] ]] && return 0
    done
    return 1
}

# run_case WANT: run ARGS plus the bounding options and check the result;
# WANT is the exit code the vector must have, or "-".
run_case() {
    local want=$1 rc=0 lines
    cases=$((cases + 1))
    ((FUZZ_VERBOSE == 0)) || { printf '%q ' "${ARGS[@]}"; printf '\n'; } >&2
    (
        ((sanitized)) || ulimit -v "$VMEM_LIMIT_KB"
        exec timeout -k 2 "$CASE_TIMEOUT" "$EXE" --workers 1 "${ARGS[@]}" \
            --reps 1 --warmup 0 --timeout 1
    ) >"$tmp/out" 2>"$tmp/err" || rc=$?
    RCS[$rc]=$((${RCS[$rc]:-0} + 1))
    if grep -q -e 'Sanitizer' -e 'runtime error:' "$tmp/err"; then
        report "sanitizer report (exit $rc)"
        return
    fi
    case $rc in
    124 | 137) report "hung: no exit within ${CASE_TIMEOUT}s"; return ;;
    0 | 1 | 2 | 3) ;;
    *)
        if ((rc > 128)); then report "killed by signal $((rc - 128))"; else report "exit $rc"; fi
        return
        ;;
    esac
    if [[ $want != - && $rc != "$want" ]]; then
        report "exit $rc, expected $want"
        return
    fi
    case $rc in
    2)
        lines=$(wc -l <"$tmp/err")
        mapfile -t errl <"$tmp/err"
        if ((lines != 1 || ${#errl[@]} != 1)); then
            report "usage error with ${#errl[@]} stderr lines, expected 1"
        elif [[ ${errl[0]} != "parscale-$DRIVER: "?* ]]; then
            report "usage error message does not start with 'parscale-$DRIVER: '"
        elif [[ -s $tmp/out ]]; then
            report "usage error with output on stdout"
        fi
        ;;
    1)
        grep -q "^parscale-$DRIVER: " "$tmp/err" || report "exit 1 without a parscale-$DRIVER message"
        ;;
    0 | 3)
        accepted=$((accepted + 1))
        # a header (unless --no-header) and the one row, all of NF_REF fields
        awk -F, -v nf="$NF_REF" 'NF != nf { bad = 1 } /^run_id,/ { h++; if (NR > 1) bad = 1 }
            !/^run_id,/ { r++ } END { exit bad || h > 1 || r != 1 }' "$tmp/out" ||
            terminal_option_given ||
            report "exit $rc without well-formed CSV (want $NF_REF fields a line, one row)"
        ;;
    esac
}

start=$SECONDS
for line in "${FIXED[@]}"; do
    eval "ARGS=(${line#* })"
    run_case "${line%% *}"
done
nfixed=$cases
RANDOM=$FUZZ_SEED
while ((SECONDS - start < FUZZ_SECONDS)); do
    gen_case
    run_case -
done
codes=""
for rc in "${!RCS[@]}"; do codes+=" exit $rc: ${RCS[$rc]};"; done
echo "cli_fuzz: parscale-$DRIVER: $cases vectors ($nfixed fixed, seed $FUZZ_SEED) in" \
    "$((SECONDS - start)) s; $accepted ran;${codes%;}; $failures failures"
((failures == 0))
