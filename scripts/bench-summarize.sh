#!/usr/bin/env bash
# bench-summarize.sh — how the tools after the CSV scale with the study.
#
# Usage: scripts/bench-summarize.sh [--rounds N] [--build DIR]
#
# Generates synthetic raw rows (scripts/lib/synthetic-raw.awk) for two
# studies — a long one, about 1 M rows (7 kernels x 2 sizes x 21
# configurations x 3800 repetitions), and a wide one, about 200 000
# configurations x 10 repetitions — and times, round after round
# interleaved so that drift hits all alike, with /usr/bin/time:
#   summarise      parscale-summarize, tables only (--no-figure-data)
#   summarise+data parscale-summarize with the figures' data (long study)
#   plot.sh        summarise, draw every figure (png) and the report (long)
#   awk+sort       the reference: awk extracts key and time, sort groups
#                  them, awk takes each configuration's median
# and prints per task the median wall and CPU seconds, the peak memory and
# the ratio to the reference.  Targets: 1 M rows in <= 2 s and <= 100 MB;
# plot.sh on 1 M rows <= 5 s; 200 000 configurations in <= 10 s.
set -euo pipefail

prog=bench-summarize.sh
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PROG=$prog
USAGE_LINE="usage: $prog [--rounds N] [--build DIR]"
# shellcheck source=scripts/lib/common.sh
. "$root/scripts/lib/common.sh"

rounds=3
build="$root/build"
while (($# > 0)); do
    case $1 in
    --rounds | --build)
        (($# >= 2)) || usage_error "option '$1' needs a value"
        [[ $1 == --rounds ]] && rounds=$2 || build=$2
        shift 2
        ;;
    -h | --help)
        printf '%s\n' "$USAGE_LINE"
        exit 0
        ;;
    *) usage_error "unknown option '$1'" ;;
    esac
done
is_posint "$rounds" || usage_error "bad --rounds '$rounds' (want an integer >= 1)"
summarize="$build/parscale-summarize"
[[ -x $summarize ]] || die "'$summarize' is not built"
[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing (Debian package time: scripts/deps.sh bench)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
header=$("$build/parscale-serial" --kernel sqrtpow --size 1000 --reps 1 --warmup 0 2>/dev/null | head -n 1)
gen() {   # DIR KERNELS SIZES WMAX REPS
    mkdir -p "$1"
    awk -v HEADER="$header" -v SEED=1 -v KERNELS="$2" -v SIZES="$3" -v WMAX="$4" -v REPS="$5" \
        -f "$root/scripts/lib/synthetic-raw.awk" >"$1/raw.csv"
    printf '%s: %s: %d rows\n' "$prog" "${1##*/}" "$(($(wc -l <"$1/raw.csv") - 1))" >&2
}
gen "$tmp/long" 7 2 16 3800
gen "$tmp/wide" 1000 10 8 10

# reference: each configuration's median time with awk and sort
cat >"$tmp/ref.sh" <<'REF'
#!/usr/bin/env bash
set -euo pipefail
awk -F, 'NR > 1 { print $2 "," $3 "," $4 "," $5 "," $6 "," $17 "," $18 "," $22 "\t" $8 }' "$1" |
    sort -t "$(printf '\t')" -k1,1 -k2,2g |
    awk -F '\t' '$1 != key { if (n) print key, (n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2); key = $1; n = 0 }
                 { v[++n] = $2 }
                 END { if (n) print key, (n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2) }' >"$2"
REF
chmod +x "$tmp/ref.sh"

declare -A wall cpu mem
measure() {   # NAME COMMAND...: one timed run, appended to the task's lists
    local name=$1
    shift
    /usr/bin/time -f '%e %U %S %M' -o "$tmp/time" "$@" >/dev/null 2>"$tmp/err" ||
        die "$name failed: $(tail -n 3 "$tmp/err")"
    read -r e u s m <"$tmp/time"
    wall[$name]+="$e "
    cpu[$name]+="$(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }') "
    mem[$name]+="$m "
}
median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

for ((r = 1; r <= rounds; r++)); do
    printf '%s: round %d of %d\n' "$prog" "$r" "$rounds" >&2
    measure "long: summarise" "$summarize" --no-figure-data --out "$tmp/long" "$tmp/long/raw.csv"
    measure "long: awk+sort" "$tmp/ref.sh" "$tmp/long/raw.csv" "$tmp/long/ref.txt"
    measure "long: summarise+data" "$summarize" --out "$tmp/long" "$tmp/long/raw.csv"
    rm -rf "$tmp/long/data" "$tmp/long/plots"
    measure "long: plot.sh" "$root/scripts/plot.sh" "$tmp/long" --format png --summarize-bin "$summarize"
    measure "wide: summarise" "$summarize" --no-figure-data --out "$tmp/wide" "$tmp/wide/raw.csv"
    measure "wide: awk+sort" "$tmp/ref.sh" "$tmp/wide/raw.csv" "$tmp/wide/ref.txt"
done

printf '\n%-22s %10s %10s %12s %14s\n' task "wall_s" "cpu_s" "peak_MB" "vs awk+sort"
for name in "long: summarise" "long: summarise+data" "long: plot.sh" "long: awk+sort" \
    "wide: summarise" "wide: awk+sort"; do
    w=$(median <<<"${wall[$name]}")
    c=$(median <<<"${cpu[$name]}")
    m=$(median <<<"${mem[$name]}")
    ref=$(median <<<"${wall[${name%%:*}: awk+sort]}")
    printf '%-22s %10.2f %10.2f %12.1f %14s\n' "$name" "$w" "$c" "$(awk -v m="$m" 'BEGIN { print m / 1024 }')" \
        "$(awk -v w="$w" -v r="$ref" 'BEGIN { printf "%.2f", w / r }')"
done
printf '\ntargets: long summarise <= 2 s and <= 100 MB; long plot.sh <= 5 s; wide summarise <= 10 s\n'
