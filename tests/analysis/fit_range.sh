#!/usr/bin/env bash
# Amdahl fits use only worker counts that have a core each (p <= cores),
# except for the latency class, whose ideal is p: a compute series that is
# exactly T = 1/p up to the 2 cores and flat beyond must fit s = 0 on 2
# points; a latency series T = 1/p up to 4 workers must use all 3 points.
# usage: fit_range.sh SUMMARIZE_BIN HEADER_CSV
set -euo pipefail
bin=$1
header=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

row() {   # KERNEL CLASS WORKERS REP SECONDS
    printf 'r%s-%s,%s,pthread,strong,100,%s,%s,%s,0,1,Mitems/s,1,h,2026-11-23T00:00:00Z,%s,100,1,%s,1,2,static,,0,100,items,1,0,0.1.0,h:1,none,0-1\n' \
        "$1" "$3" "$1" "$3" "$4" "$5" "$2" "$3"
}
{
    cat "$header"
    for rep in 1 2 3; do
        row cpu compute 1 "$rep" 1
        row cpu compute 2 "$rep" 0.5
        row cpu compute 4 "$rep" 0.5
        row io latency 1 "$rep" 1
        row io latency 2 "$rep" 0.5
        row io latency 4 "$rep" 0.25
    done
} > "$tmp/raw.csv"
"$bin" --out "$tmp" "$tmp/raw.csv"
fit() { awk -F, -v k="$1" -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
                                   $col["kernel"] == k { print $col[c] }' "$tmp/fits.csv"; }
[[ $(fit cpu points) == 2 && $(fit cpu p_max) == 2 ]] || { echo "FAIL: compute fit must stop at the cores: $(cat "$tmp/fits.csv")"; exit 1; }
awk -v s="$(fit cpu serial_fraction)" 'BEGIN { exit !(s < 1e-9 && s > -1e-9) }' \
    || { echo "FAIL: compute serial fraction $(fit cpu serial_fraction), want 0"; exit 1; }
[[ $(fit io points) == 3 && $(fit io p_max) == 4 ]] || { echo "FAIL: latency fit must use every point"; exit 1; }
echo "fit_range: ok"
