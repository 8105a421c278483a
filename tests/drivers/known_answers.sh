#!/usr/bin/env bash
# Each kernel's result against an answer known without running it:
# closed forms, NPB's published EP sums, and an independent awk model.
# usage: known_answers.sh BUILD_DIR
set -euo pipefail
BIN=$1
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/driver.sh
. "$here/../lib/driver.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# checksum KERNEL ARGS... : the serial driver's checksum (reps 2, warmup 1)
checksum() {
    timeout 120 "$BIN/parscale-serial" --reps 2 --warmup 1 --kernel "$@" > "$tmp/out.csv" \
        || fail "serial $*: exit $?"
    [[ $(csv_col "$tmp/out.csv" verified | sort -u) == 1 ]] || fail "$*: not verified"
    csv_col "$tmp/out.csv" checksum | head -1
}

expect() {   # LABEL GOT WANT RELTOL
    close_enough "$2" "$3" "$4" || fail "$1: got $2, want $3 (tolerance $4)"
    echo "ok: $1 = $2"
}

n=10000
# sqrt(i)^2 = i and sqrt(i)^4 = i^2: Gauss and the square pyramidal numbers.
expect "sqrtpow power=2" "$(checksum sqrtpow --size $n --param power=2)" \
    "$(awk -v n=$n 'BEGIN { printf "%.17g", n * (n + 1) / 2 }')" 1e-12
expect "sqrtpow power=4" "$(checksum sqrtpow --size $n --param power=4)" \
    "$(awk -v n=$n 'BEGIN { printf "%.17g", n * (n + 1) * (2 * n + 1) / 6 }')" 1e-12
# NPB 3.x, EP class S: sx = -3.247834652034740e+3, relative 1e-8.
expect "ep class S" "$(checksum ep --param class=S)" -3.247834652034740e+3 1e-8
# triad: a[i] = (i mod 1000) + 3 * ((i mod 7) + 0.5), summed.
expect "triad sum" "$(checksum triad --size $n)" \
    "$(awk -v n=$n 'BEGIN { for (i = 0; i < n; i++) s += i % 1000 + 3 * (i % 7 + 0.5); printf "%.17g", s }')" 1e-14
# sleep: item indices 0..n-1, each exactly once.
expect "sleep index sum" "$(checksum sleep --size 50 --param wait_us=10)" 1225 0
# histogram: every item counted in every pass (warm-up + reps = 3).
expect "histogram total" "$(checksum histogram --size 99991 --param bins=7)" $((99991 * 3)) 0
# stencil: sum u^2 = lambda^(2K) ((n+1)/2)^2, K = 3 passes x iters sweeps.
expect "stencil energy" "$(checksum stencil --size 63 --param iters=4)" \
    "$(awk 'BEGIN { n = 63; pi = atan2(0, -1); h = 1 / (n + 1)
        l = (cos(pi * h) + cos(2 * pi * h)) / 2; k = 12
        printf "%.17g", l ^ (2 * k) * ((n + 1) / 2) ^ 2 }')" 1e-10
# mandel: an independent escape-time model in awk, exactly: the kernel is
# compiled without fused multiply-adds (-ffp-contract=off), so both do the
# same IEEE double operations.  The default window and the symmetric one.
mandel_awk() {   # SIZE MAXITER Y_MIN
    awk -v s="$1" -v m="$2" -v y0="$3" 'BEGIN { dx = 2.5 / s; dy = 2.5 / s
        for (j = 0; j < s; j++) for (i = 0; i < s; i++) {
            cx = -2 + (i + 0.5) * dx; cy = y0 + (j + 0.5) * dy; x = 0; y = 0; k = 0
            while (k < m && x * x + y * y <= 4) { t = x * x - y * y + cx; y = 2 * x * y + cy; x = t; k++ }
            tot += k }
        printf "%d", tot }'
}
expect "mandel iterations" "$(checksum mandel --size 41 --param maxiter=100)" "$(mandel_awk 41 100 -0.75)" 0
expect "mandel iterations, symmetric window" \
    "$(checksum mandel --size 57 --param maxiter=300 --param y_min=-1.25)" "$(mandel_awk 57 300 -1.25)" 0
