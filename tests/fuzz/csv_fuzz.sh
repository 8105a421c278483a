#!/usr/bin/env bash
# Fuzzes parscale-summarize's CSV reader with malformed raw files made from
# good ones (the analysis fixture, 28 columns, and fresh driver output with
# every column): torn and truncated lines, missing and extra fields, quotes,
# NUL bytes, carriage returns, huge fields, foreign and mixed headers,
# non-numeric / NaN / negative / overflowing numbers, duplicated rows, blank
# lines, binary junk; a fixed list of edits on chosen lines, then random
# byte edits with a fixed seed until the time budget is spent.
#
# Every run must end by itself (no signal, no `timeout`) with no sanitizer
# report, and either exit 0 having written well-formed summary.csv and
# fits.csv, or exit 2 with exactly one stderr line
# "parscale-summarize: FILE:LINE: what" naming an input and a line in it
# (the only other exit-2 line allowed is the whole-input "no data rows").
# Edits that certainly break a row must be rejected, at that line.
#
# usage: csv_fuzz.sh BUILD_DIR [FIXTURE.csv]
# env:   FUZZ_SEED (default 20261123), FUZZ_SECONDS (default 10)
# exit:  0 pass, 1 fail (each failing input kept and named), 77 skip
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
BIN=${1:?usage: csv_fuzz.sh BUILD_DIR [FIXTURE.csv]}
FIXTURE=${2:-$here/../analysis/fixture.csv}
: "${FUZZ_SEED:=20261123}"
: "${FUZZ_SECONDS:=10}"
readonly EXE="$BIN/parscale-summarize"
readonly CASE_TIMEOUT=30 MAX_FAILURES=10
readonly ASAN_EXIT=86 UBSAN_EXIT=87
# A field this long is "huge" (bytes).
readonly HUGE=1000000

[[ -x $EXE ]] || { echo "csv_fuzz: SKIP: no '$EXE'" >&2; exit 77; }
[[ -r $FIXTURE ]] || { echo "csv_fuzz: SKIP: no fixture '$FIXTURE'" >&2; exit 77; }
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=$ASAN_EXIT"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}halt_on_error=1:exitcode=$UBSAN_EXIT"
export LC_ALL=C

tmp=$(mktemp -d)
keep=""
trap 'rm -rf "$tmp"' EXIT

# ---- the good inputs -------------------------------------------------------

bases=("$tmp/fixture.csv")
cp "$FIXTURE" "$tmp/fixture.csv"
if [[ -x $BIN/parscale-serial && -x $BIN/parscale-pthread ]]; then
    {
        timeout 60 "$BIN/parscale-serial" --kernel sqrtpow --size 1000 --reps 3 --warmup 0 --run-id fz-s
        for w in 1 2; do
            timeout 60 "$BIN/parscale-pthread" --kernel sqrtpow --size 1000 --reps 3 --warmup 0 \
                --workers "$w" --run-id "fz-p$w" --no-header
        done
    } >"$tmp/drivers.csv" 2>/dev/null && bases+=("$tmp/drivers.csv")
fi
for b in "${bases[@]}"; do
    "$EXE" --out "$tmp" "$b" 2>"$tmp/err" ||
        { cat "$tmp/err" >&2; echo "csv_fuzz: FAIL: the good input '$b' is rejected" >&2; exit 1; }
done

# ---- running and checking ------------------------------------------------------

failures=0
cases=0
declare -A RCS=()

# report WHY FILE...: say what failed and keep the inputs for a look.
report() {
    local why=$1 f
    shift
    [[ -n $keep ]] || keep=$(mktemp -d "${TMPDIR:-/tmp}/parscale-csv-fuzz.XXXXXX")
    for f in "$@"; do
        cp "$f" "$keep/case$cases-$(basename "$f")" 2>/dev/null || true
    done
    {
        printf 'csv_fuzz: FAIL: case %d (%s): %s\n  kept in %s\n  stderr: ' "$cases" "$WHAT" "$why" "$keep"
        head -c 400 "$tmp/err"
        printf '\n'
    } >&2
    failures=$((failures + 1))
    if ((failures >= MAX_FAILURES)); then
        echo "csv_fuzz: stopping after $failures failures" >&2
        exit 1
    fi
}

# well_formed FILE: FILE has a header and the same field count on every line.
well_formed() {
    [[ -s $1 ]] && awk -F, 'NR == 1 { nf = NF } NF != nf { bad = 1 } END { exit bad }' "$1"
}

# check MUST LINES FILE...: run the summariser on the FILEs. MUST=1: the
# input must be rejected. LINES: the lines a rejection may name (in the
# last FILE), or "" for any line.
check() {
    local must=$1 lines=$2 rc=0 msg where file lineno f named
    shift 2
    cases=$((cases + 1))
    rm -f "$tmp/out/summary.csv" "$tmp/out/fits.csv"
    mkdir -p "$tmp/out"
    timeout -k 2 "$CASE_TIMEOUT" "$EXE" --out "$tmp/out" "$@" >"$tmp/stdout" 2>"$tmp/err" || rc=$?
    RCS[$rc]=$((${RCS[$rc]:-0} + 1))
    if grep -q -e 'Sanitizer' -e 'runtime error:' "$tmp/err"; then
        report "sanitizer report (exit $rc)" "$@"
        return
    fi
    case $rc in
    0)
        if ((must)); then
            report "malformed input accepted" "$@"
        elif ! well_formed "$tmp/out/summary.csv" || ! well_formed "$tmp/out/fits.csv"; then
            report "exit 0 without well-formed summary.csv and fits.csv" "$@"
        fi
        ;;
    2)
        mapfile -t errl <"$tmp/err"
        if ((${#errl[@]} != 1)) || [[ $(wc -l <"$tmp/err") != 1 ]]; then
            report "exit 2 with ${#errl[@]} stderr lines, expected 1" "$@"
            return
        fi
        msg=${errl[0]}
        [[ $msg == "parscale-summarize: no data rows in the input, only headers" ]] && return
        for f in "$@"; do
            [[ $msg == "parscale-summarize: cannot open '$f': "?* ]] && return
        done
        where=${msg#parscale-summarize: }
        named=0
        for f in "$@"; do
            if [[ $where == "$f:"[0-9]*": "* ]]; then
                named=1
                file=$f
                lineno=${where#"$f:"}
                lineno=${lineno%%:*}
            fi
        done
        if ((!named)); then
            report "exit 2 without 'parscale-summarize: FILE:LINE: ' naming an input" "$@"
        elif [[ -n $lines && $file == "${!#}" && " $lines " != *" $lineno "* ]]; then
            report "rejected at line $lineno, expected line ${lines// / or }" "$@"
        elif ((lineno < 1 || lineno > $(wc -l <"$file") + 1)); then
            report "line $lineno is not in '$file'" "$@"
        fi
        ;;
    1)
        if [[ -z ${MAY_FAIL:-} || $(wc -l <"$tmp/err") != 1 ]] ||
            ! grep -q "^parscale-summarize: cannot read " "$tmp/err"; then
            report "exit 1 (an I/O failure) on a readable file" "$@"
        fi
        ;;
    124 | 137) report "hung: no exit within ${CASE_TIMEOUT}s" "$@" ;;
    *)
        if ((rc > 128)); then report "killed by signal $((rc - 128))" "$@"; else report "exit $rc" "$@"; fi
        ;;
    esac
}

# edit_line SRC L DST CMD...: DST = SRC with line L replaced by what CMD
# prints given the old line as $1 (CMD may print NUL bytes).
edit_line() {
    local src=$1 l=$2 dst=$3 old
    shift 3
    old=$(sed -n "${l}p" "$src")
    {
        head -n "$((l - 1))" "$src"
        "$@" "$old"
        tail -n "+$((l + 1))" "$src"
    } >"$dst"
}

# field_set N VALUE LINE: print LINE with field N (1-based) set to VALUE;
# VALUE "@huge" is HUGE bytes of 'a' (too long for an argument).
field_set() {
    awk -F, -v OFS=, -v n="$1" -v v="$2" -v huge="$HUGE" 'BEGIN {
            if (v == "@huge") { v = "a"; while (length(v) < huge) v = v v }
        } { $n = v; print }' <<<"$3"
}
# Helpers for edit_line: each prints the changed line.
drop_field() { awk -F, -v OFS=, -v n="$1" '{ for (i = n; i < NF; i++) $i = $(i + 1); NF--; print }' <<<"$2"; }
extra_field() { printf '%s,x\n' "$1"; }
insert_at() { printf '%s%s%s\n' "${3:0:$1}" "$2" "${3:$1}"; }
nul_at() { printf '%s\0%s\n' "${2:0:$1}" "${2:$1}"; }
crlf() { printf '%s\r\n' "$1"; }
twice() { printf '%s\n%s\n' "$1" "$1"; }
blank_before() { printf '\n%s\n' "$1"; }
# overflow_workers R T W LINE: ranks and threads whose product overflows.
overflow_workers() {
    awk -F, -v OFS=, -v r="$1" -v t="$2" -v w="$3" '{ $r = 3037000500; $t = 3037000500; $w = 1; print }' <<<"$4"
}
commas() { printf '%s\n' "${1//[^,]/}"; }

# col FILE NAME: index of column NAME in FILE's header.
col() { awk -F, -v n="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == n) print i; exit }' "$1"; }

start=$SECONDS
m=$tmp/m.csv

for b in "${bases[@]}"; do
    n=$(wc -l <"$b")
    mid=$(((n + 2) / 2))
    last=$n
    hdr=$(head -n 1 "$b")
    nf=$(awk -F, '{ print NF; exit }' "$b")

    WHAT="$(basename "$b") as is"; check 0 "" "$b"
    for l in 1 2 "$mid" "$last"; do
        len=$(sed -n "${l}p" "$b" | wc -c)
        WHAT="quote in line $l"; edit_line "$b" "$l" "$m" insert_at $((len / 2)) '"'; check 1 "$l" "$m"
        WHAT="NUL in line $l"; edit_line "$b" "$l" "$m" nul_at $((len / 3)); check 1 "$l" "$m"
        WHAT="CR ending line $l"; edit_line "$b" "$l" "$m" crlf; check 1 "$l" "$m"
        WHAT="extra field in line $l"; edit_line "$b" "$l" "$m" extra_field; check 1 "$l" "$m"
        WHAT="only the commas of line $l"; edit_line "$b" "$l" "$m" commas; check 1 "$l" "$m"
        WHAT="blank line before line $l"; edit_line "$b" "$l" "$m" blank_before; check 1 "$l" "$m"
        for f in 1 8 "$nf"; do
            # (the header without its last column may be an older, valid one)
            WHAT="field $f dropped from line $l"; edit_line "$b" "$l" "$m" drop_field "$f"
            check 1 "$l$( ((l > 1)) || echo " 2")" "$m"
        done
    done
    # a torn last line, cut at every few bytes
    size=$(wc -c <"$b")
    lastlen=$(tail -n 1 "$b" | wc -c)
    for ((cut = 1; cut < lastlen; cut += 7)); do
        WHAT="last line cut to $cut bytes"
        head -c "$((size - lastlen + cut))" "$b" >"$m"
        check 0 "$last" "$m"
    done
    WHAT="no newline at the end"; head -c "$((size - 1))" "$b" >"$m"; check 0 "" "$m"
    WHAT="CRLF everywhere"; sed 's/$/\r/' "$b" >"$m"; check 1 1 "$m"
    WHAT="empty file"; : >"$m"; check 1 1 "$m"
    WHAT="one newline"; printf '\n' >"$m"; check 1 1 "$m"
    WHAT="header only"; head -n 1 "$b" >"$m"; check 1 "" "$m"
    WHAT="header without newline"; printf '%s' "$hdr" >"$m"; check 1 "" "$m"
    WHAT="header twice"; { head -n 1 "$b"; cat "$b"; } >"$m"; check 0 "" "$m"
    WHAT="data without header"; tail -n +2 "$b" >"$m"; check 1 1 "$m"
    WHAT="header repeated mid-file"; edit_line "$b" "$mid" "$m" printf '%s\n%s\n' "$hdr"; check 0 "" "$m"
    WHAT="shorter header mid-file"; edit_line "$b" "$mid" "$m" printf '%s\n' "${hdr%,*}"; check 1 "$mid" "$m"
    WHAT="longer header mid-file"; edit_line "$b" "$mid" "$m" printf '%s,hosts,bind,affinity,extra\n' "$hdr"; check 1 "$mid" "$m"
    WHAT="duplicated row"; edit_line "$b" "$mid" "$m" twice; check 1 "$mid $((mid + 1))" "$m"
    WHAT="whole file twice"; { cat "$b"; tail -n +2 "$b"; } >"$m"; check 1 "" "$m"
    WHAT="huge line of commas"; { cat "$b"; printf '%*s\n' 100000 '' | tr ' ' ,; } >"$m"; check 1 "$((n + 1))" "$m"
    for f in 1 2 13 "$nf"; do
        WHAT="huge field $f in line $mid"; edit_line "$b" "$mid" "$m" field_set "$f" @huge; check 0 "$mid" "$m"
    done
    WHAT="huge header name"; edit_line "$b" 1 "$m" field_set 2 @huge; check 1 1 "$m"
    for f in 1 2 8 "$nf"; do
        WHAT="foreign header: column $f renamed"; edit_line "$b" 1 "$m" field_set "$f" "Seconds"; check 1 1 "$m"
    done
    WHAT="foreign header: columns swapped"; edit_line "$b" 1 "$m" field_set 7 seconds; check 1 1 "$m"
    WHAT="foreign header: another program's"; { printf 'time,threads,value\n'; tail -n +2 "$b"; } >"$m"; check 1 1 "$m"
    WHAT="foreign header: 27 columns"; edit_line "$b" 1 "$m" drop_field 27; check 1 1 "$m"

    # values: column name, value, must-reject (1) or may pass (0)
    while read -r name value must anyline; do
        [[ $value == '""' ]] && value=""
        c=$(col "$b" "$name")
        [[ -n $c ]] || continue
        WHAT="$name = '$value' in line $mid"
        edit_line "$b" "$mid" "$m" field_set "$c" "$value"
        check "$must" "$([[ -n $anyline ]] || echo "$mid")" "$m"
    done <<'EOF'
seconds NaN 1
seconds nan 1
seconds -nan 1
seconds inf 1
seconds -inf 1
seconds -1 1
seconds 0 1
seconds -0 1
seconds 1e400 1
seconds "" 1
seconds abc 1
seconds 1e 1
seconds 1.0.0 1
seconds 0x1p-3 0
seconds +1 0
seconds 1e-400 0
seconds 4.9e-324 0
seconds 1e300 0
startup_seconds -1 1
startup_seconds nan 1
rate -5 1
rate inf 1
work -1 1
workers 0 1
workers -1 1
workers 1.5 1
workers 99999999999999999999 1
workers "" 1
workers 1000 1
rep 0 1
rep -1 1
rep x 1
rep 9223372036854775807 0
ranks 0 1
ranks 9223372036854775807 1
threads_per_rank 9223372036854775807 1
nodes 0 1
cores -1 1
warmup -1 1
verified 2 1
verified yes 1
verified "" 1
verified -0 1
scaling Strong 1
scaling "" 1
run_id "" 1
kernel "" 1
driver "" 1
host "" 1
version "" 1
params "" 0
checksum nan 0
check_error garbage 0
host otherhost 0 any
EOF
    WHAT="ranks x threads overflow"
    edit_line "$b" "$mid" "$m" overflow_workers "$(col "$b" ranks)" "$(col "$b" threads_per_rank)" \
        "$(col "$b" workers)"
    check 1 "$mid" "$m"

    WHAT="binary junk after the rows"
    { cat "$b"; awk -v s="$FUZZ_SEED" 'BEGIN { srand(s); for (i = 0; i < 4096; i++) printf "%c", int(rand() * 256) }'; } >"$m"
    check 1 "$((n + 1))" "$m"
    WHAT="binary junk"
    awk -v s="$FUZZ_SEED" 'BEGIN { srand(s + 1); for (i = 0; i < 4096; i++) printf "%c", int(rand() * 256) }' >"$m"
    check 1 1 "$m"
    WHAT="good file then a bad one"; cp "$b" "$tmp/good.csv"; edit_line "$b" 2 "$m" extra_field
    check 1 2 "$tmp/good.csv" "$m"
    WHAT="bad file then a good one"; check 1 "" "$m" "$tmp/good.csv"
done
if ((${#bases[@]} > 1)) && [[ $(head -n 1 "${bases[0]}") != "$(head -n 1 "${bases[1]}")" ]]; then
    WHAT="old and new column sets in two files"; check 0 "" "${bases[@]}"
    WHAT="old and new column sets in one file"
    { cat "${bases[1]}"; cat "${bases[0]}"; } >"$m"
    check 1 "$(($(wc -l <"${bases[1]}") + 1))" "$m"
fi
WHAT="a folder"; MAY_FAIL=1 check 1 "" "$tmp/out"
WHAT="no such file"; check 1 "" "$tmp/nosuch.csv"
nfixed=$cases

# Random byte edits of the good inputs: flip, delete, insert or duplicate
# bytes at random places, with a fixed seed.
iter=0
while ((SECONDS - start < FUZZ_SECONDS)); do
    iter=$((iter + 1))
    b=${bases[iter % ${#bases[@]}]}
    WHAT="random edits #$iter of $(basename "$b")"
    awk -v s="$((FUZZ_SEED + iter))" -v RS='\001' 'BEGIN { srand(s) }
        { t = $0 }
        END {
            n = 1 + int(rand() * 6)
            for (k = 0; k < n; k++) {
                p = 1 + int(rand() * length(t)); op = int(rand() * 5)
                c = sprintf("%c", int(rand() * 256))
                if (op == 0) t = substr(t, 1, p - 1) c substr(t, p + 1)
                else if (op == 1) t = substr(t, 1, p - 1) substr(t, p + 1)
                else if (op == 2) t = substr(t, 1, p) c substr(t, p + 1)
                else if (op == 3) t = substr(t, 1, p) substr(t, p - 20, 40) substr(t, p + 1)
                else t = substr(t, 1, p) substr(",\"\r\n-.e0", 1 + int(rand() * 9), 1) substr(t, p + 1)
            }
            printf "%s", t
        }' "$b" >"$m"
    check 0 "" "$m"
done

codes=""
for rc in "${!RCS[@]}"; do codes+=" exit $rc: ${RCS[$rc]};"; done
echo "csv_fuzz: $cases inputs ($nfixed fixed, $iter random, seed $FUZZ_SEED) in" \
    "$((SECONDS - start)) s;${codes%;}; $failures failures"
((failures == 0))
