#!/usr/bin/env bash
# study.sh: the main job. Installs what is missing, builds, runs a preset
# sweep (scripts/sweep.sh), draws and reports it, and says where the report is.
set -euo pipefail
# Numbers with a decimal point in everything printed here and by the tools
# run from here; the user's character set is kept (gnuplot needs it).
if [[ -n ${LC_ALL:-} ]]; then
	export LANG="$LC_ALL"
	unset LC_ALL
fi
export LC_NUMERIC=C

PROG=study.sh
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
ROOT=$(repo_root)
readonly ROOT

# Presets: name, one-line description, sweep.sh arguments. The sizes are
# picked so that the default study finishes well inside 3 minutes on a 2-core
# machine (measured; see the README's "Sweeps and studies" section).
readonly PRESET_NAMES=(default weak threads-vs-processes python primitives smoke)
declare -A PRESET_HELP=(
	[default]="strong scaling of every kernel with every driver at 1, 2, 4 and 8 workers, hybrid as 2 threads per rank at 2, 4 and 8 (~1.5 min on 2 cores)"
	[weak]="weak scaling of every kernel with every driver at 1, 2, 4 and 8 workers, hybrid as 2 threads per rank at 2, 4 and 8 (~1.5 min)"
	[threads-vs-processes]="sleep (latency-bound) and sqrtpow (compute-bound), pthread vs fork at 1, 2, 4, 5, 10 and 50 workers; a table of time and start-up cost (~30 s)"
	[python]="Python's threads vs processes claims: I/O-like sleep at 1, 5, 10, 50 workers and CPU-bound sqrtpow at 1, 2, 4, as Python threads, fork and spawn processes (Python loops, and the C kernel through ctypes) beside the C pthread and fork drivers (~1 min)"
	[primitives]="what one barrier, allreduce of 1 and 8 doubles, halo exchange, queue grab and shared update costs on pthread, OpenMP, fork and MPI at 1, 2 and 4 workers, and with the futex-only barrier (~2 min)"
	[smoke]="every C kernel and driver at 1 and 2 workers with tiny sizes (seconds)"
)
readonly DEFAULT_SIZES=sqrtpow=8M,ep=4Mi,triad=16M,sleep=96,mandel=512,stencil=1536,histogram=2M,sync=2000
# The default and weak studies' kernels: every kernel of a class that scales
# (sync, the primitive-cost kernel, has a preset of its own: alone it
# measures a barrier's scaling, not a cost, and hybrid's oversubscribed
# barriers take most of the study's time).
readonly STUDY_KERNELS=sqrtpow,ep,triad,sleep,mandel,stencil,histogram
readonly WEAK_SIZES=sqrtpow=2M,ep=1Mi,triad=1M,sleep=16,mandel=256,stencil=320,histogram=1M,sync=1000
readonly TVP_SIZES=sqrtpow=12M,sleep=200
# Threads per MPI rank of the hybrid driver in the default and weak studies
# (so it runs at 2, 4 and 8 workers, not at 1).
readonly HYBRID_THREADS=2
readonly SMOKE_SIZES=sqrtpow=100k,ep=64Ki,triad=100k,sleep=8,mandel=64,stencil=64,histogram=100k,sync=500
# The python preset: sqrtpow's Python loop takes ~0.2 s per repetition at 1
# worker at this size, the C kernel ~16 ms; sleep items wait 1 ms each
# (100 ms per repetition at 1 worker, 2 ms at 50) and compute nothing.
readonly PY_SIZES=sqrtpow=1M,sleep=100
# It runs one sweep per part into DIR/parts/PART and merges their rows, as a
# sweep passes the same --param to every driver: the C drivers have no impl,
# and py-thread runs both impl=python and impl=c.
readonly PY_PARTS=(io cpu-python cpu-c-python cpu-c)
# The primitives preset: every sync operation and the reference loop, each
# a part (a sweep passes one --param op= to every run), then the
# futex-only barrier (PARSCALE_BARRIER=futex) on the shared-memory drivers.
readonly PRIM_OPS=(none barrier allreduce1 allreduce8 halo grab update)
readonly PRIM_PARTS=("${PRIM_OPS[@]}" futex-none futex-barrier futex-allreduce1)
readonly PRIM_SIZE=sync=4000
# The default study's extra parts, so that it shows each kind of loss: the
# imbalance kernel under a dynamic schedule beside the static one, the
# contention kernel with private counts beside shared ones, and hybrid at 1
# rank x 1 thread, its measured 1-worker baseline.
readonly DEFAULT_PARTS=(main mandel-dynamic histogram-private hybrid-1x1)

# preset_args NAME: set ARGS to the sweep.sh arguments of preset NAME.
ARGS=()
preset_args() {
	case $1 in
	default)
		ARGS=(--kernels "$STUDY_KERNELS" --drivers c --scaling strong --workers "1,2,4,8" --threads "$HYBRID_THREADS"
			--size "$DEFAULT_SIZES" --reps 7 --warmup 1 --timeout 60)
		;;
	weak)
		ARGS=(--kernels "$STUDY_KERNELS" --drivers c --scaling weak --workers "1,2,4,8" --threads "$HYBRID_THREADS"
			--size "$WEAK_SIZES" --reps 7 --warmup 1 --timeout 60)
		;;
	python | primitives)
		ARGS=()   # part_args has each part's
		;;
	threads-vs-processes)
		ARGS=(--kernels "sleep,sqrtpow" --drivers "pthread,fork" --scaling strong
			--workers "1,2,4,5,10,50" --size "$TVP_SIZES" --reps 7 --warmup 1
			--timeout 60)
		;;
	smoke)
		ARGS=(--drivers c --scaling strong --workers "1,2" --size "$SMOKE_SIZES" --reps 6
			--warmup 1 --timeout 30)
		;;
	*)
		return 1
		;;
	esac
}

usage() {
	local p
	cat <<EOF
usage: scripts/study.sh [--preset NAME] [--out DIR] [--build DIR] [--no-deps]
                        [--no-build] [-- SWEEP-OPTION...]

Installs missing dependencies (scripts/deps.sh), configures and builds
(cmake, Release) when needed, runs a preset sweep with scripts/sweep.sh,
which summarises, plots and writes DIR/report.html, and prints where the
report is.

  --preset NAME     which study (default: default); see below
  --out DIR         run folder (default: results/<host>-<UTC time>-<preset>)
  --build DIR       build folder (default: build)
  --no-deps         do not run scripts/deps.sh
  --no-build        do not configure or build
  -h, --help        print this help and exit
  -- SWEEP-OPTION   everything after -- goes to scripts/sweep.sh after the
                    preset's options, so it overrides them (e.g. -- --reps 3)

Presets:
EOF
	for p in "${PRESET_NAMES[@]}"; do
		printf '  %-22s %s\n' "$p" "${PRESET_HELP[$p]}"
	done
	cat <<EOF

Exit status: that of scripts/sweep.sh (0 ok, 1 a run failed, 2 usage error,
3 a run failed verification), or 1 when installing or building failed.
EOF
}

preset=default
out=""
build="$ROOT/build"
deps=1
do_build=1
extra=()
while (($#)); do
	case $1 in
	--preset | --out | --build)
		(($# >= 2)) || usage_error "option '$1' needs a value"
		case $1 in
		--preset) preset=$2 ;;
		--out) out=$2 ;;
		--build) build=$2 ;;
		esac
		shift 2
		;;
	--preset=*) preset=${1#*=} && shift ;;
	--out=*) out=${1#*=} && shift ;;
	--build=*) build=${1#*=} && shift ;;
	--no-deps) deps=0 && shift ;;
	--no-build) do_build=0 && shift ;;
	-h | --help)
		usage
		exit 0
		;;
	--)
		shift
		extra=("$@")
		break
		;;
	*) usage_error "unknown option '$1' (see --help)" ;;
	esac
done
preset_args "$preset" ||
	usage_error "unknown preset '$preset' (want one of: $(printf '%s ' "${PRESET_NAMES[@]}" | sed 's/ $//; s/ /, /g'))"
[[ -n $build ]] || usage_error "empty --build"
if [[ -z $out ]]; then
	out="$ROOT/results/$(short_host)-$(stamp_now)-$preset"
fi

t0=$(now_s)
if ((deps)); then
	if [[ -f $ROOT/scripts/deps.sh ]]; then
		bash "$ROOT/scripts/deps.sh" || die "scripts/deps.sh failed; install what it names and rerun"
	else
		warn "no scripts/deps.sh: not checking dependencies"
	fi
fi
if ((do_build)); then
	if [[ ! -f $build/CMakeCache.txt ]]; then
		cmake -S "$ROOT" -B "$build" -DCMAKE_BUILD_TYPE=Release >&2 || die "cmake configure failed"
	fi
	cmake --build "$build" -j >&2 || die "build failed"
fi

# tvp_notes: why threads or processes win, beside the figures of this run
# (the summariser's findings, printed before it).
tvp_notes() {
	cat <<'EOF'

Threads win when the work per worker is short or the workers are many:
creating a thread only adds a stack to an existing address space, while
fork() copies page tables and every written page faults in, so start-up
grows faster with the worker count; threads also share data for free.
For latency-bound work (sleep) more workers than cores keep helping with
either kind, because a waiting worker uses no core, and there the cheaper
start-up of threads is the difference that remains.
For compute-bound work (sqrtpow) both give the same speedup up to the
core count and none past it (C has no global lock, unlike Python); once
each worker has enough work the start-up cost disappears in the total.
Processes win on isolation: a crashing or leaking worker cannot corrupt
the others, there is no false sharing of heap data, and the same code
runs across hosts with MPI; they pay for it with start-up time and with
explicit shared memory or messages for anything they exchange.
EOF
}

# preset_parts NAME: set PARTS to the parts of preset NAME (empty: one sweep).
PARTS=()
preset_parts() {
	case $1 in
	default) PARTS=("${DEFAULT_PARTS[@]}") ;;
	python) PARTS=("${PY_PARTS[@]}") ;;
	primitives) PARTS=("${PRIM_PARTS[@]}") ;;
	*) PARTS=() ;;
	esac
}

# part_args PRESET PART: set ARGS (and PART_ENV, VAR=VALUE words) for one
# part of a preset that runs in parts.
PART_ENV=()
part_args() {
	PART_ENV=()
	case $1 in
	python) py_part_args "$2" ;;
	primitives) prim_part_args "$2" ;;
	default) default_part_args "$2" ;;
	esac
}

# default_part_args PART: the default study (DEFAULT_PARTS).
default_part_args() {
	preset_args default
	case $1 in
	main) ;;
	mandel-dynamic) ARGS+=(--kernels mandel --schedule dynamic --no-probe) ;;
	histogram-private) ARGS+=(--kernels histogram --param histogram:mode=private --no-probe) ;;
	hybrid-1x1) ARGS+=(--drivers hybrid --threads 1 --workers 1 --no-probe) ;;
	esac
}

# prim_part_args PART: one part of the primitives preset (PRIM_PARTS):
# 7 timed repetitions of N = 4000 operations; grab needs the dynamic queue.
prim_part_args() {
	local op=${1#futex-} drivers="pthread,openmp,fork,mpi" probe=(--no-probe)
	[[ $1 != futex-* ]] || { drivers="pthread,fork"; PART_ENV=(PARSCALE_BARRIER=futex); }
	[[ $1 != none ]] || probe=()
	ARGS=(--kernels sync --drivers "$drivers" --scaling strong --workers "1,2,4" --size "$PRIM_SIZE"
		--param "sync:op=$op" --reps 7 --warmup 1 --timeout 60 "${probe[@]}")
	[[ $op != grab ]] || ARGS+=(--schedule dynamic)
}

# py_part_args PART: set ARGS to the sweep.sh arguments of one part of the
# python preset (PY_PARTS).  Every part: strong scaling, 7 timed repetitions
# (a 95 % CI of the median needs at least 6), PY_SIZES.
py_part_args() {
	local ft="" common=(--scaling strong --size "$PY_SIZES" --reps 7 --warmup 1 --timeout 120)
	[[ ! -x $build/parscale-py-thread-ft ]] || ft=,py-thread-ft
	case $1 in
	io) # I/O-like work: threads vs processes vs the C drivers, start-up apart
		ARGS=(--kernels sleep --drivers "pthread,fork,py-thread,py-fork,py-spawn"
			--workers "1,5,10,50" --param sleep:wait_us=1000 --param sleep:spin=0 --no-probe) ;;
	cpu-python) # CPU-bound Python loops: the GIL vs processes (and the
		# capacity probe, at the counts the CPU-bound claims need)
		ARGS=(--kernels sqrtpow --drivers "py-thread,py-fork,py-spawn$ft" --workers "1,2,4"
			--param impl=python) ;;
	cpu-c-python) # the same work in the C kernel, the GIL released
		ARGS=(--kernels sqrtpow --drivers "py-thread,py-fork$ft" --workers "1,2,4"
			--param impl=c --no-probe) ;;
	cpu-c) # the C drivers on the same work
		ARGS=(--kernels sqrtpow --drivers "serial,pthread,fork" --workers "1,2,4" --no-probe) ;;
	esac
	ARGS+=("${common[@]}")
}

# py_facts: key=value lines for meta.txt about the Python the drivers use.
py_facts() {
	local py ft
	py=$(head -1 "$build/parscale-py-thread" 2>/dev/null | sed 's/^#!//')
	printf 'python=%s\n' "${py:-not built}"
	[[ -z $py ]] || printf 'python_version=%s\n' "$("$py" -c 'import platform; print(platform.python_version())' 2>/dev/null)"
	if [[ -x $build/parscale-py-thread-ft ]]; then
		ft=$(head -1 "$build/parscale-py-thread-ft" | sed 's/^#!//')
		printf 'python_free_threaded=%s (parscale-py-thread-ft)\n' "$ft"
	else
		printf 'python_free_threaded=not available: no free-threaded CPython (python3.13t or later) was found when parscale was built\n'
	fi
}

# merge_parts: a preset's parts into one run folder: raw.csv and status.csv
# (one header, every part's rows), the probe.csv of the part that ran the
# probe, and the first part's meta.txt with the parts (and for the python
# preset the Python facts) added.  Nothing to merge after a dry run.
merge_parts() {
	local part dir first=""
	for part in "${PARTS[@]}"; do
		dir=$out/parts/$part
		[[ ! -f $dir/probe.csv || -f $out/probe.csv ]] || cp "$dir/probe.csv" "$out/probe.csv"
		[[ -f $dir/raw.csv ]] || continue
		if [[ -z $first ]]; then
			first=$dir
			head -n 1 "$dir/raw.csv" >"$out/raw.csv"
			head -n 1 "$dir/status.csv" >"$out/status.csv"
		fi
		tail -n +2 "$dir/raw.csv" >>"$out/raw.csv"
		tail -n +2 "$dir/status.csv" >>"$out/status.csv"
	done
	[[ -n $first ]] || return 0
	{
		[[ ! -f $first/meta.txt ]] || cat "$first/meta.txt"
		[[ $preset != python ]] || py_facts
		printf 'study_parts=%s\n' "$(IFS=,; printf '%s' "${PARTS[*]}")"
	} >"$out/meta.txt"
}

sweep_rc=0
preset_parts "$preset"
if ((${#PARTS[@]} > 0)); then
	[[ ! -e $out ]] || [[ -d $out && -z $(ls -A "$out") ]] ||
		usage_error "--out '$out' must be new or empty"
	plot=1
	for a in "${extra[@]}"; do
		[[ $a != --no-plot && $a != --dry-run ]] || plot=0
	done
	for part in "${PARTS[@]}"; do
		part_args "$preset" "$part"
		printf '%s: part %s\n' "$PROG" "$part" >&2
		rc=0
		env "${PART_ENV[@]}" "$ROOT/scripts/sweep.sh" "${ARGS[@]}" --build "$build" \
			--out "$out/parts/$part" --no-plot "${extra[@]}" || rc=$?
		((rc != EXIT_USAGE)) || exit "$rc"
		((rc == 0 || sweep_rc != 0)) || sweep_rc=$rc
	done
	merge_parts
	if ((plot)) && [[ -s $out/raw.csv ]]; then
		"$ROOT/scripts/plot.sh" "$out" || ((sweep_rc)) || sweep_rc=$EXIT_FAILURE
	fi
else
	"$ROOT/scripts/sweep.sh" "${ARGS[@]}" --build "$build" --out "$out" "${extra[@]}" || sweep_rc=$?
	if ((sweep_rc == EXIT_USAGE)); then
		exit "$sweep_rc"
	fi
fi

if [[ $preset == threads-vs-processes && -s $out/raw.csv ]]; then
	# the summariser's findings (drawn already unless --no-plot)
	[[ -s $out/findings.csv ]] || "$build/parscale-summarize" --no-figure-data --out "$out" \
		--drivers "$ROOT/share/drivers.csv" -- "$out/raw.csv" || die "cannot summarise '$out/raw.csv'"
	{
		printf '\nthreads vs processes (from %s, medians with 95 %% intervals):\n\n' "$out/findings.csv"
		python3 "$ROOT/scripts/report.py" --text "$out" workers startup scaling
		printf '\n'
		tvp_notes
	} | tee "$out/threads-vs-processes.txt"
fi

printf '%s: finished in %ss\n' "$PROG" "$(elapsed_s "$t0")" >&2
if [[ -f $out/report.html ]]; then
	printf 'report: %s\n' "$out/report.html"
else
	printf 'results: %s\n' "$out"
fi
exit "$sweep_rc"
