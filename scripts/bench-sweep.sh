#!/usr/bin/env bash
# bench-sweep.sh: what scripts/sweep.sh costs beyond the runs it makes.
#
# In each round, interleaved so that drift of the machine hits both alike:
# a sweep of a small and of a large set of tiny configurations (each run a
# few milliseconds; the large set has more worker counts of the same
# kernels and drivers), and a plain bash loop that runs the same driver
# commands with their output to files. The sweep's overhead at N
# configurations is T_sweep(N) - T_loop(N); over the two sets it splits
# into a fixed part (start, the drivers' checks of each kernel, metadata,
# end) and a part per configuration (the slope). Wall time and CPU time
# (user + system of every process, which a busy machine disturbs less)
# are both shown: medians with min and max over the rounds.
set -euo pipefail
export LC_NUMERIC=C

PROG=bench-sweep.sh
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
ROOT=$(repo_root)
readonly ROOT
# The target of issue 10: at most this many ms per configuration.
readonly TARGET_MS=5

usage() {
	cat <<EOF
usage: scripts/bench-sweep.sh [--build DIR] [--rounds N] [--sweep PATH]

Measures scripts/sweep.sh's overhead per configuration against a plain loop
of the same driver commands, interleaved round by round (default 5 rounds),
at two plan sizes; prints the overhead per configuration (ms), its fixed
part, and the ratio sweep / loop. --sweep PATH measures another copy of
sweep.sh (say, an older one) with the same drivers.
EOF
}

build="$ROOT/build"
rounds=5
sweep="$ROOT/scripts/sweep.sh"
while (($#)); do
	case $1 in
	--build) build=${2:?}; shift ;;
	--rounds) rounds=${2:?}; shift ;;
	--sweep) sweep=${2:?}; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage_error "unknown option '$1' (see --help)" ;;
	esac
	shift
done
is_posint "$rounds" || usage_error "bad --rounds '$rounds'"
[[ -x $build/parscale-serial && -x $build/parscale-pthread ]] ||
	usage_error "no drivers in '$build' (build first, or give --build DIR)"
build=$(cd -- "$build" && pwd -P)

drivers=serial
for d in pthread openmp fork; do
	[[ ! -x $build/parscale-$d ]] || drivers+=",$d"
done
readonly KERNELS=sqrtpow,triad SMALL=2 LARGE=8
readonly SIZES=sqrtpow=2000,triad=2000
work=$(mktemp -d "${TMPDIR:-/tmp}/parscale-bench-sweep.XXXXXX")
trap 'rm -rf -- "$work"' EXIT

# plan MAX_WORKERS: the "driver workers kernel" lines both sides run.
plan() {
	local k d w
	for k in ${KERNELS//,/ }; do
		for d in ${drivers//,/ }; do
			for ((w = 1; w <= $1; w++)); do
				[[ $d != serial || $w == 1 ]] || continue
				printf '%s %s %s\n' "$d" "$w" "$k"
			done
		done
	done
}

# clock: WALL = microseconds now, CPU = microseconds of CPU (user + system)
# used by this shell's finished children.
clock() {
	local line
	local -a t
	WALL=${EPOCHREALTIME/[.,]/}
	WALL=$((10#$WALL))
	times >"$work/times"   # here, not in a subshell: this shell's children
	line=$(tail -n 1 "$work/times")
	read -r -a t <<<"${line//[ms]/ }"
	CPU=$(awk -v a="${t[0]}" -v b="${t[1]}" -v c="${t[2]}" -v d="${t[3]}" \
		'BEGIN { printf "%d", (a * 60 + b + c * 60 + d) * 1e6 }')
}

# time_sweep MAX_WORKERS: "wall cpu" microseconds of one sweep of the plan.
time_sweep() {
	local w0 c0 out="$work/run.$RANDOM$RANDOM"
	clock
	w0=$WALL c0=$CPU
	"$sweep" --build "$build" --kernels "$KERNELS" --drivers "$drivers" --workers "1-$1" \
		--size "$SIZES" --reps 1 --warmup 0 --no-probe --no-plot --out "$out" \
		>/dev/null 2>"$work/sweep.err" || die "the sweep failed: $(tail -n 1 "$work/sweep.err")"
	clock
	printf '%s %s\n' "$((WALL - w0))" "$((CPU - c0))"
	rm -rf -- "$out"
}

# time_loop MAX_WORKERS: "wall cpu" microseconds of the plain loop over the
# same runs.
time_loop() {
	local w0 c0 d w k size i=0
	clock
	w0=$WALL c0=$CPU
	while read -r d w k; do
		i=$((i + 1))
		size=${SIZES#*"$k"=}
		size=${size%%,*}
		"$build/parscale-$d" --workers "$w" --kernel "$k" --scaling strong --reps 1 \
			--warmup 0 --timeout 300 --run-id "bench-$i" --size "$size" \
			>"$work/loop.csv" 2>"$work/loop.err" || die "a loop run failed: $(cat "$work/loop.err")"
	done < <(plan "$1")
	clock
	printf '%s %s\n' "$((WALL - w0))" "$((CPU - c0))"
}

n_small=$(plan "$SMALL" | wc -l)
n_large=$(plan "$LARGE" | wc -l)
printf 'bench-sweep: %s against a plain loop; %d and %d configurations (kernels %s, drivers %s, workers 1-%d and 1-%d, 1 rep each); %d rounds, interleaved\n' \
	"$sweep" "$n_small" "$n_large" "$KERNELS" "$drivers" "$SMALL" "$LARGE" "$rounds"
time_sweep "$SMALL" >/dev/null   # warm the caches once
: >"$work/rounds"
for ((r = 1; r <= rounds; r++)); do
	ss=$(time_sweep "$SMALL")
	ls=$(time_loop "$SMALL")
	sl=$(time_sweep "$LARGE")
	ll=$(time_loop "$LARGE")
	printf '%s %s %s %s\n' "$ss" "$ls" "$sl" "$ll" >>"$work/rounds"   # wall cpu x 4
done

# One row per figure: median, min, max over the rounds (ms unless said).
# Columns of a round: wall and cpu of sweep small, loop small, sweep large,
# loop large.
awk -v n1="$n_small" -v n2="$n_large" -v target="$TARGET_MS" '
	function stat(name, v, k,   i, j, t, med) {
		for (i = 2; i <= k; i++) for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
		med = (k % 2) ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2
		printf "%-50s %10.3f %10.3f %10.3f\n", name, med, v[1], v[k]
		return med
	}
	{
		k++
		sweep_l[k] = $5 / 1000; loop_l[k] = $7 / 1000
		ratio[k] = $5 / $7
		per[k] = ($5 - $7) / 1000 / n2
		slope[k] = (($5 - $7) - ($1 - $3)) / 1000 / (n2 - n1)
		fixed[k] = ($1 - $3) / 1000 - slope[k] * n1
		cslope[k] = (($6 - $8) - ($2 - $4)) / 1000 / (n2 - n1)
		cfixed[k] = ($2 - $4) / 1000 - cslope[k] * n1
	}
	END {
		printf "%-50s %10s %10s %10s\n", "figure", "median", "min", "max"
		stat("loop, " n2 " configurations, wall (ms)", loop_l, k)
		stat("sweep, " n2 " configurations, wall (ms)", sweep_l, k)
		stat("ratio sweep / loop, wall (" n2 " configurations)", ratio, k)
		stat("overhead per configuration at " n2 ", wall (ms)", per, k)
		m = stat("overhead per configuration, marginal, wall (ms)", slope, k)
		stat("overhead per configuration, marginal, cpu (ms)", cslope, k)
		stat("overhead, fixed part of a sweep, wall (ms)", fixed, k)
		stat("overhead, fixed part of a sweep, cpu (ms)", cfixed, k)
		printf "target: marginal overhead <= %s ms per configuration; measured median %.2f ms (wall)\n", target, m
	}' "$work/rounds"
