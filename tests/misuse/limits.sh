#!/usr/bin/env bash
# One set of limits: what a driver refuses, a sweep refuses before its first
# run, with the driver's own message (sweep.sh asks with --check-config),
# and creates nothing; a worker list beyond the drivers' limit is refused
# before it is expanded, so even --dry-run answers at once; values taken
# from the environment (SLURM_CPUS_PER_TASK for the sweep, OMP_NUM_THREADS
# for the OpenMP drivers' defaults) are checked like the options they stand
# for, and a huge OMP_NUM_THREADS gets a message, not a crash in libgomp.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
setup "$@"

out="$WORK/never"
sweep=("$SWEEP" --build "$BUILD" --kernels sqrtpow --drivers "serial,pthread" --no-probe --no-plot --out "$out")
n=0

# no_folder: the refused sweep made no run folder.
no_folder() {
	[[ ! -e $out ]] || fail "a refused sweep created '$out'"
	n=$((n + 1))
}

# Worker counts beyond the drivers' limit: refused before expansion.
refused "parscale-pthread refuses kernel sqrtpow .*--workers must be an integer from 1 to 4096, not '5000'" \
	"${sweep[@]}" --workers 1-5000
no_folder
refused "--workers must be an integer from 1 to 4096, not '999999999'" \
	"${sweep[@]}" --workers 1-999999999 --dry-run
no_folder
refused "--workers must be an integer from 1 to 4096, not '999999999'" \
	"${sweep[@]}" --workers pow2:999999999 --dry-run
no_folder
# The drivers' maximum itself is fine, and its dry run is bounded.
timeout 60 "$SWEEP" --build "$BUILD" --kernels sqrtpow --drivers pthread --workers 1-4096 \
	--out "$out" --dry-run >"$WORK/plan" 2>"$WORK/err" || fail "--workers 1-4096 --dry-run exited $? ($(tail -n 1 "$WORK/err"))"
[[ $(grep -c '^\[[0-9]*/4096\] ' "$WORK/plan") == 4096 ]] || fail "the 1-4096 plan does not list 4096 runs"
no_folder

# Values every driver refuses: refused by the sweep with the driver's words.
refused "--reps must be an integer from 1 to 100000, not '100001'" "${sweep[@]}" --reps 100001
no_folder
refused "--warmup must be an integer from 0 to 100000, not '100001'" "${sweep[@]}" --warmup 100001
no_folder
refused "--timeout must be seconds above 0 and at most 1e\+07, not '99999999'" "${sweep[@]}" --timeout 99999999
no_folder
refused "triad size 4000000000 needs 96 GB on this host" \
	"$SWEEP" --build "$BUILD" --kernels triad --drivers serial --size triad=4G --no-probe --no-plot --out "$out"
no_folder
refused "stencil: size 3 gives fewer rows than the 4 workers" \
	"$SWEEP" --build "$BUILD" --kernels stencil --drivers pthread --workers 2,4 --size stencil=3 --no-probe --no-plot --out "$out"
no_folder
refused "--param wait_us=-1: must be an integer from" \
	"$SWEEP" --build "$BUILD" --kernels sleep --drivers serial --param sleep:wait_us=-1 --no-probe --no-plot --out "$out"
no_folder
refused "owns its data in static blocks" "${sweep[@]/sqrtpow/triad}" --schedule dynamic
no_folder

# From the environment: SLURM_CPUS_PER_TASK is --threads' default and
# srun's --cpus-per-task.
refused "bad SLURM_CPUS_PER_TASK 'abc' \(the default of --threads" env SLURM_CPUS_PER_TASK=abc "${sweep[@]}"
no_folder
if [[ -x $BUILD/parscale-hybrid ]] && command -v mpirun >/dev/null; then
	refused "parscale-hybrid refuses .*--threads must be an integer from 1 to 4096, not '5000'" \
		env SLURM_CPUS_PER_TASK=5000 "$SWEEP" --build "$BUILD" --kernels sqrtpow --drivers hybrid \
		--workers 5000 --no-probe --no-plot --out "$out"
	no_folder
fi

# OMP_NUM_THREADS as the OpenMP drivers' default: checked, not a crash.
if [[ -x $BUILD/parscale-openmp ]]; then
	for v in 100000 4097 99999999999; do
		refused "^parscale-openmp: --workers not given, and its default -?[0-9]+ \(from OMP_NUM_THREADS=$v\) is not from 1 to 4096$" \
			env OMP_NUM_THREADS="$v" "$BUILD/parscale-openmp" --kernel sqrtpow --size 1000 --reps 1
		refused "^parscale-openmp: --workers not given" \
			env OMP_NUM_THREADS="$v" "$BUILD/parscale-openmp" --kernel sqrtpow --size 1000 --check-config
		n=$((n + 2))
	done
	# a sweep gives --workers itself: the variable does not matter to it
	env OMP_NUM_THREADS=100000 timeout 120 "$SWEEP" --build "$BUILD" --kernels sqrtpow --drivers openmp \
		--workers 1,2 --size "$TINY_SIZES" --reps 2 --warmup 0 --no-probe --no-plot --out "$WORK/omp" \
		>/dev/null 2>"$WORK/err" || fail "a sweep with OMP_NUM_THREADS=100000 exited $? ($(tail -n 1 "$WORK/err"))"
	check_complete "$WORK/omp" 2
fi
if [[ -x $BUILD/parscale-hybrid ]]; then
	refused "^parscale-hybrid: --threads not given, and its default 100000 \(from OMP_NUM_THREADS=100000\) is not from 1 to 4096$" \
		env OMP_NUM_THREADS=100000 "$BUILD/parscale-hybrid" --kernel sqrtpow --check-config=4
	n=$((n + 1))
fi
printf '%s: ok (%d refusals)\n' "$TEST_NAME" "$n"
