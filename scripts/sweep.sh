#!/usr/bin/env bash
# sweep.sh: run parscale kernels × drivers × worker counts into a run folder.
#
# Each configuration (kernel, driver, size, workers) is one driver run with
# its own run id. Rows go to DIR/raw.csv whole, and only after the run ended
# (exit 0, or 3 for a failed verification); DIR/status.csv then records that
# the configuration is complete. An interrupted sweep is finished with
# --resume DIR. See --help and the README's "Sweeps and studies" section.
set -euo pipefail
# Numbers with a decimal point in everything printed here and by the tools
# run from here; the user's character set is kept (gnuplot needs it).
if [[ -n ${LC_ALL:-} ]]; then
	export LANG="$LC_ALL"
	unset LC_ALL
fi
export LC_NUMERIC=C

PROG=sweep.sh
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
ROOT=$(repo_root)
readonly ROOT
readonly SELF="$ROOT/scripts/sweep.sh"

# Every driver, and those started by an MPI launcher (mpirun or srun), from
# the table of driver facts (share/drivers.csv).
mapfile -t ALL_DRIVERS < <(driver_list)
((${#ALL_DRIVERS[@]})) || die "cannot read the drivers from $ROOT/share/drivers.csv"
mapfile -t MPI_DRIVERS < <(driver_list launch=mpi)
readonly ALL_DRIVERS MPI_DRIVERS
ALL_DRIVER_NAMES=$(IFS=,; printf '%s' "${ALL_DRIVERS[*]}")
readonly ALL_DRIVER_NAMES
readonly STATUS_HEADER=config,run_id,kernel,driver,scaling,size,workers,exit_code,state,reason,seconds
readonly STATUS_FIELDS=11
readonly PLAN_HEADER=order,run_id,kernel,driver,scaling,size,workers
readonly PROBE_HEADER=workers,seconds,speedup,delivered,phase
readonly PROBE_KERNEL=sqrtpow
readonly PROBE_REPS=3
# A probe run has this long; it is meant to take a fraction of a second.
readonly PROBE_TIMEOUT=60
# Speedup a probe must reach, as a fraction of min(workers, cores).
readonly PROBE_DELIVERED=0.8
# The hard limit on a run is its --timeout plus this, then SIGKILL after
# HARD_KILL_AFTER more: it catches a launcher that hangs before the driver's
# own timer starts.
readonly HARD_MARGIN=30 HARD_KILL_AFTER=10
readonly REASON_MAX=200
# Free space a driver's output needs (bytes): with less, a failed run is
# taken for a full disk (see has_room).
readonly ROOM_BYTES=65536

usage() {
	cat <<EOF
usage: scripts/sweep.sh [OPTION]...
       scripts/sweep.sh --resume DIR [--retry-failed] [--build DIR] [--no-plot]
                        [--no-probe] [--dry-run] [--task N]
       scripts/sweep.sh --collect DIR

Runs every kernel × driver × worker count × size as one driver run and
collects the CSV rows in a run folder (raw.csv, status.csv, plan.txt,
settings.txt, meta.txt, probe.csv, sweep.log, command.sh).

What to run:
  --kernels LIST      comma-separated kernel names, or all (default: all)
  --drivers LIST      comma-separated drivers, or all (default), c or python:
                      every built driver, or of that family (mpi and hybrid
                      also need the launcher); the drivers are
                      $ALL_DRIVER_NAMES
  --workers LIST      worker counts: N, A-B, pow2:N, comma-separated
                      (default: $DEF_WORKERS); the serial driver runs once at 1
  --threads T         OpenMP threads per MPI rank of the hybrid driver: W
                      workers run as W/T ranks x T threads, and counts that
                      T does not divide are skipped for it (default:
                      \$SLURM_CPUS_PER_TASK inside Slurm, else $DEF_THREADS)
  --scaling MODE      strong or weak (default: $DEF_SCALING)
  --size SPEC         SIZE for every kernel, or KERNEL=SIZE items, comma-
                      separated, mixable (1000,triad=2M); a kernel named twice
                      is swept over both sizes; kernels with no size use the
                      driver's default. SIZE takes k/M/G or Ki/Mi/Gi suffixes
  --reps N            timed repetitions per run (default: $DEF_REPS)
  --warmup N          warm-up repetitions per run (default: $DEF_WARMUP)
  --timeout SECONDS   per-run limit passed to the driver (default: $DEF_TIMEOUT)
  --schedule S        static, static,CHUNK, dynamic or dynamic,CHUNK
  --param [KERNEL:]KEY=VALUE
                      kernel parameter, repeatable; with KERNEL: only for it
  --mpi-args "ARGS"   extra mpirun arguments, split like a shell would split
                      them (quotes honoured), never evaluated
  --hostfile FILE     passed to mpirun as --hostfile (a copy and its hosts
                      and slots are recorded in the run folder)
  --launcher L        how mpi and hybrid runs start: mpirun (default) or
                      srun (inside a Slurm allocation: srun --mpi=pmix
                      --ntasks=WORKERS --cpus-per-task=\$SLURM_CPUS_PER_TASK,
                      default 1; hybrid --ntasks=WORKERS/T --cpus-per-task=T)
  --build DIR         where the parscale-* binaries are (default: build)

Where and how:
  --out DIR           run folder, new or empty (default:
                      results/<host>-<UTC time>)
  --shuffle           run the configurations in random order
  --seed N            seed for --shuffle (the seed used is always recorded)
  --probe-size SIZE   per-worker size of the capacity probe
                      ($PROBE_KERNEL, weak scaling; default: $DEF_PROBE_SIZE)
  --no-probe          skip the capacity probe before and after the sweep
  --no-plot           do not run scripts/plot.sh on the run folder afterwards
  --dry-run           print the plan and the commands; write nothing
  --prepare           write the run folder (plan, settings, meta) and run
                      nothing; run it later with --resume DIR or --task N
  --resume DIR        finish the sweep recorded in DIR: completed
                      configurations are skipped, interrupted ones rerun
  --retry-failed      with --resume: also rerun failed and verify-failed ones
  --task N            with --resume: run only configuration N of plan.txt
                      (its order number), writing its rows, status and log
                      to DIR/tasks/ instead of raw.csv and status.csv, so
                      that many tasks (a Slurm job array) can run at once
  --collect DIR       merge the finished results in DIR/tasks/ into raw.csv,
                      status.csv, sweep.log and jobs.csv (a newer result of
                      a configuration replaces the older one)
  -h, --help          print this help and exit

Environment: OMPI_MCA_pml defaults to ob1 for mpi runs when unset (MPI_Init
~10x faster here); as root the OMPI_ALLOW_RUN_AS_ROOT* variables are set for
mpirun. Both are recorded in meta.txt. Hybrid runs get OMP_NUM_THREADS=T
(and OMP_WAIT_POLICY=passive when oversubscribed, unless set) and, from
mpirun without a --bind-to or --map-by of yours, --map-by slot:PE=T (T cores
per rank) where the workers fit the cores, else --bind-to none. Under Slurm
(SLURM_JOB_ID set) each run's job id, array job and task id, node list and
host go to DIR/jobs.csv.

Exit status: 0 all configurations ok, 1 a run failed (or a runtime error),
2 usage error, 3 a run failed verification (and none failed otherwise).
EOF
}

readonly DEF_WORKERS=1,2,4 DEF_SCALING=strong DEF_REPS=5 DEF_WARMUP=1
readonly DEF_TIMEOUT=300 DEF_PROBE_SIZE=2M DEF_LAUNCHER=mpirun DEF_THREADS=2
# Most threads per rank (the drivers' own limit on workers).
readonly THREADS_MAX=4096
readonly JOBS_HEADER=run_id,job_id,array_job_id,array_task_id,job_nodelist,host,finished

# The environment as the user gave it, for meta.txt and command.sh.
USER_ENV=()
capture_user_env() {
	local name val
	while IFS= read -r name; do
		if [[ $name =~ ^(OMP_|GOMP_|KMP_|OMPI_|PMIX_|SLURM_|MPICH_|I_MPI_|PARSCALE_) ]]; then
			val=${!name}
			USER_ENV+=("$name=${val//$'\n'/ }")
		fi
	done < <(compgen -e | LC_ALL=C sort)
}
capture_user_env

# ---- options ---------------------------------------------------------------

kernels_spec=all
drivers_spec=""
workers_spec=$DEF_WORKERS
scaling=$DEF_SCALING
size_spec=""
reps=$DEF_REPS
warmup=$DEF_WARMUP
timeout_s=$DEF_TIMEOUT
schedule=""
params=()
mpi_args_str=""
hostfile=""
launcher=$DEF_LAUNCHER
threads=""
build="$ROOT/build"
out=""
shuffle=0
seed=""
probe_size=$DEF_PROBE_SIZE
probe=1
plot=1
dry_run=0
resume=""
retry_failed=0
prepare=0
task=""
collect=""
build_given=0
out_given=0
plan_opts=()

ORIG_ARGS=("$@")
ORIG_PWD=$PWD

# need_value OPT REMAINING: die unless OPT has a value after it.
need_value() {
	(($2 >= 2)) || usage_error "option '$1' needs a value"
}

while (($#)); do
	opt=$1
	val=""
	has_inline=0
	if [[ $opt == --*=* ]]; then
		val=${opt#*=}
		opt=${opt%%=*}
		has_inline=1
	fi
	case $opt in
	--kernels | --drivers | --workers | --scaling | --size | --reps | --warmup | \
		--timeout | --schedule | --param | --mpi-args | --hostfile | --build | \
		--out | --seed | --probe-size | --resume | --launcher | --task | --collect | \
		--threads)
		if ((!has_inline)); then
			need_value "$opt" "$#"
			val=$2
			shift
		fi
		;;
	--shuffle | --no-probe | --no-plot | --dry-run | --retry-failed | --prepare | -h | --help)
		((!has_inline)) || usage_error "option '$opt' takes no value"
		;;
	*)
		usage_error "unknown option '$1' (see --help)"
		;;
	esac
	shift
	[[ $val != *$'\n'* ]] || usage_error "newline in the value of '$opt'"
	case $opt in
	--kernels) kernels_spec=$val ;;
	--drivers) drivers_spec=$val ;;
	--workers) workers_spec=$val ;;
	--scaling) scaling=$val ;;
	--size) size_spec=$val ;;
	--reps) reps=$val ;;
	--warmup) warmup=$val ;;
	--timeout) timeout_s=$val ;;
	--schedule) schedule=$val ;;
	--param) params+=("$val") ;;
	--mpi-args) mpi_args_str=$val ;;
	--hostfile) hostfile=$val ;;
	--launcher) launcher=$val ;;
	--threads) threads=$val ;;
	--prepare) prepare=1 ;;
	--task) task=$val ;;
	--collect) collect=$val ;;
	--build)
		build=$val
		build_given=1
		;;
	--out)
		out=$val
		out_given=1
		;;
	--shuffle) shuffle=1 ;;
	--seed) seed=$val ;;
	--probe-size) probe_size=$val ;;
	--no-probe) probe=0 ;;
	--no-plot) plot=0 ;;
	--dry-run) dry_run=1 ;;
	--resume) resume=$val ;;
	--retry-failed) retry_failed=1 ;;
	-h | --help)
		usage
		exit 0
		;;
	esac
	case $opt in
	--kernels | --drivers | --workers | --scaling | --size | --reps | --warmup | \
		--timeout | --schedule | --param | --mpi-args | --hostfile | --out | \
		--shuffle | --seed | --probe-size | --launcher | --prepare | --threads)
		plan_opts+=("$opt")
		;;
	esac
done

if [[ -n $collect ]]; then
	[[ -z $resume ]] || usage_error "option '--collect' cannot be used with --resume"
	if ((${#plan_opts[@]} || retry_failed || dry_run)) || [[ -n $task ]]; then
		usage_error "option '--collect DIR' takes no other option but --build"
	fi
elif [[ -n $resume ]]; then
	((${#plan_opts[@]} == 0)) ||
		usage_error "option '${plan_opts[0]}' cannot be used with --resume (the plan is in the run folder)"
	if [[ -n $task ]]; then
		is_posint "$task" || usage_error "bad --task '$task' (want a plan order number >= 1)"
		((!retry_failed)) || usage_error "option '--retry-failed' cannot be used with --task"
	fi
else
	((!retry_failed)) || usage_error "option '--retry-failed' needs --resume DIR"
	[[ -z $task ]] || usage_error "option '--task' needs --resume DIR"
	((!prepare || !dry_run)) || usage_error "options '--prepare' and '--dry-run' exclude each other"
fi

# ---- checks on values --------------------------------------------------------

# check_common_values: the checks shared by a new sweep and a resumed one.
check_common_values() {
	[[ -d $build ]] || usage_error "build folder '$build' does not exist (build first, or give --build DIR)"
	build=$(cd "$build" && pwd -P)
}

# first_driver_binary: a built non-MPI driver to ask for kernel names.
first_driver_binary() {
	local d
	for d in serial pthread openmp fork; do
		if [[ -x $build/parscale-$d ]]; then
			printf '%s\n' "$build/parscale-$d"
			return 0
		fi
	done
	return 1
}

# is_mpi_driver D: true if driver D is started by an MPI launcher.
is_mpi_driver() {
	[[ " ${MPI_DRIVERS[*]} " == *" $1 "* ]]
}

# driver_available D: true if driver D can run here.
driver_available() {
	[[ -x $build/parscale-$1 ]] || return 1
	! is_mpi_driver "$1" || command -v "$launcher" >/dev/null
}

# hostfile_slots: print "host:slots" per distinct host of the hostfile, in
# order of first appearance (Open MPI syntax: "host [slots=N] ...", '#'
# comments; a line without slots= counts as one slot).
hostfile_slots() {
	[[ -n $hostfile && -r $hostfile ]] || return 0
	awk '{ sub(/#.*/, "") } NF {
		n = 1
		for (i = 2; i <= NF; i++) if ($i ~ /^slots=[0-9]+$/) { n = substr($i, 7) + 0 }
		if (!($1 in slots)) order[++k] = $1
		slots[$1] += n
	} END { for (i = 1; i <= k; i++) print order[i] ":" slots[order[i]] }' "$hostfile"
}

# hostfile_total_slots: the slots of all hosts of the hostfile (0 if none).
hostfile_total_slots() {
	hostfile_slots | awk -F: '{ s += $NF } END { print s + 0 }'
}

# check_out DIR: die unless DIR is a path a new run folder can be made at.
check_out() {
	local dir=$1 anc
	[[ -n $dir ]] || usage_error "empty --out"
	if [[ -e $dir || -L $dir ]]; then
		[[ -d $dir ]] || usage_error "--out '$dir' exists and is not a folder"
		[[ -z $(ls -A "$dir") ]] ||
			usage_error "--out '$dir' exists and is not empty (finish a sweep there with --resume)"
		[[ -w $dir ]] || usage_error "--out '$dir' is not writable"
		return 0
	fi
	anc=$(dirname "$dir")
	while [[ ! -e $anc ]]; do
		anc=$(dirname "$anc")
	done
	[[ -d $anc && -w $anc ]] || usage_error "cannot create --out '$dir' ('$anc' is not a writable folder)"
}

KERNELS=()
DRIVERS=()
WORKERS=()
MPI_ARGS=()
declare -A SIZES=()

# check_new_sweep: check every option of a new sweep; fill KERNELS, DRIVERS,
# WORKERS, MPI_ARGS and SIZES.
check_new_sweep() {
	local k d item name sz p list lister known
	[[ $scaling == strong || $scaling == weak ]] ||
		usage_error "bad --scaling '$scaling' (want strong or weak)"
	is_posint "$reps" || usage_error "bad --reps '$reps' (want an integer >= 1)"
	is_uint "$warmup" || usage_error "bad --warmup '$warmup' (want an integer >= 0)"
	is_posint "$timeout_s" || usage_error "bad --timeout '$timeout_s' (want whole seconds >= 1)"
	if [[ -n $schedule ]]; then
		[[ $schedule =~ ^(static|dynamic)(,([1-9][0-9]{0,8}))?$ ]] ||
			usage_error "bad --schedule '$schedule' (want static, static,CHUNK, dynamic or dynamic,CHUNK)"
	fi
	for p in "${params[@]}"; do
		[[ $p =~ ^([A-Za-z0-9_-]+:)?[A-Za-z_][A-Za-z0-9_]*=[^[:space:]]+$ ]] ||
			usage_error "bad --param '$p' (want [KERNEL:]KEY=VALUE)"
	done
	if [[ -n $seed ]]; then
		is_uint "$seed" || usage_error "bad --seed '$seed' (want an integer >= 0)"
	fi
	is_size "$probe_size" || usage_error "bad --probe-size '$probe_size'"
	list=$(parse_int_list "$workers_spec" 2>&1) ||
		usage_error "bad --workers: ${list#"$PROG: "}"
	mapfile -t WORKERS <<<"$list"
	list=$(split_words "$mpi_args_str") ||
		usage_error "bad --mpi-args '$mpi_args_str' (unbalanced quotes)"
	[[ -z $list ]] || mapfile -t MPI_ARGS <<<"$list"
	if [[ -n $hostfile ]]; then
		[[ -f $hostfile && -r $hostfile ]] || usage_error "--hostfile '$hostfile' is not a readable file"
		hostfile=$(cd "$(dirname "$hostfile")" && pwd -P)/$(basename "$hostfile")
		[[ -n $(hostfile_slots) ]] || usage_error "--hostfile '$hostfile' names no host"
	fi
	[[ $launcher == mpirun || $launcher == srun ]] ||
		usage_error "bad --launcher '$launcher' (want mpirun or srun)"
	[[ $launcher == mpirun || -z $hostfile ]] ||
		usage_error "option '--hostfile' needs --launcher mpirun (srun takes its hosts from the allocation)"
	if [[ -z $threads ]]; then
		# Inside Slurm the allocation says how many CPUs a task has.
		threads=$DEF_THREADS
		if is_posint "${SLURM_CPUS_PER_TASK:-}" && ((10#$SLURM_CPUS_PER_TASK <= THREADS_MAX)); then
			threads=$((10#$SLURM_CPUS_PER_TASK))
		fi
	elif ! is_posint "$threads" || ((10#$threads > THREADS_MAX)); then
		usage_error "bad --threads '$threads' (want an integer from 1 to $THREADS_MAX)"
	else
		threads=$((10#$threads))
	fi

	# Drivers: names first (a usage error), then whether they are built.
	# all, or a family of share/drivers.csv (c, python): those built.
	local -a want=()
	local some=0
	if [[ -z $drivers_spec || $drivers_spec == all ]]; then
		want=("${ALL_DRIVERS[@]}")
		some=1
	elif is_name "$drivers_spec" && mapfile -t want < <(driver_list "family=$drivers_spec") &&
		((${#want[@]})); then
		some=1
	else
		IFS=, read -r -a want <<<"$drivers_spec"
		[[ $drivers_spec != *, ]] || usage_error "empty item in --drivers '$drivers_spec'"
		for d in "${want[@]}"; do
			[[ " ${ALL_DRIVERS[*]} " == *" $d "* && -n $d ]] ||
				usage_error "unknown driver '$d' (want one of ${ALL_DRIVER_NAMES//,/, })"
		done
	fi
	check_common_values
	local why
	local -a skipped=()   # said once every option is known to be good
	for d in "${ALL_DRIVERS[@]}"; do
		[[ " ${want[*]} " == *" $d "* ]] || continue
		if driver_available "$d"; then
			DRIVERS+=("$d")
			continue
		fi
		why="no '$build/parscale-$d'"
		! is_mpi_driver "$d" || why+=" or no $launcher"
		if ((some)); then
			skipped+=("skipping driver '$d' ($why)")
		else
			die "driver '$d' is not available ($why)"
		fi
	done
	((${#DRIVERS[@]})) || die "no driver is built in '$build'"

	# Kernels: checked against the drivers' own list.
	lister=$(first_driver_binary) || die "no non-MPI driver in '$build' to list the kernels"
	known=$("$lister" --list-names) || die "'$lister --list-names' failed"
	local -a known_list
	mapfile -t known_list <<<"$known"
	if [[ $kernels_spec == all ]]; then
		KERNELS=("${known_list[@]}")
	else
		[[ -n $kernels_spec && $kernels_spec != *, && $kernels_spec != ,* && $kernels_spec != *,,* ]] ||
			usage_error "empty item in --kernels '$kernels_spec'"
		mapfile -t KERNELS < <(tr ',' '\n' <<<"$kernels_spec" | awk '!seen[$0]++')
		for k in "${KERNELS[@]}"; do
			[[ " ${known_list[*]} " == *" $k "* ]] ||
				usage_error "unknown kernel '$k' (known: $(printf '%s ' "${known_list[@]}" | sed 's/ $//; s/ /, /g'))"
		done
	fi
	for p in "${params[@]}"; do
		if [[ $p =~ ^([A-Za-z0-9_-]+): ]]; then
			[[ " ${known_list[*]} " == *" ${BASH_REMATCH[1]} "* ]] ||
				usage_error "unknown kernel '${BASH_REMATCH[1]}' in --param '$p'"
		fi
	done

	# Sizes: SIZE or KERNEL=SIZE items.
	local default_sizes=""
	if [[ -n $size_spec ]]; then
		[[ $size_spec != *, && $size_spec != ,* && $size_spec != *,,* ]] ||
			usage_error "empty item in --size '$size_spec'"
		local -a items
		IFS=, read -r -a items <<<"$size_spec"
		for item in "${items[@]}"; do
			if [[ $item == *=* ]]; then
				name=${item%%=*}
				sz=${item#*=}
				[[ " ${known_list[*]} " == *" $name "* ]] ||
					usage_error "unknown kernel '$name' in --size '$size_spec'"
				is_size "$sz" || usage_error "bad size '$sz' for kernel '$name' in --size"
				SIZES[$name]+="${SIZES[$name]:+ }$sz"
			else
				is_size "$item" || usage_error "bad size '$item' in --size (want N[k|M|G|Ki|Mi|Gi])"
				default_sizes+="${default_sizes:+ }$item"
			fi
		done
	fi
	for k in "${KERNELS[@]}"; do
		[[ -n ${SIZES[$k]:-} ]] || SIZES[$k]=${default_sizes:-default}
	done

	if ((!out_given)); then
		out="$ROOT/results/$(short_host)-$(stamp_now)"
	fi
	check_out "$out"
	for why in "${skipped[@]}"; do
		warn "$why"
	done
}

# ---- the plan ----------------------------------------------------------------

PLAN=()   # "run_id kernel driver scaling size workers", in run order

# make_plan: fill PLAN from KERNELS × SIZES × DRIVERS × WORKERS; warn once
# about the worker counts the hybrid driver skips. A plan with nothing to
# run is a usage error.
make_plan() {
	local sweep_id=$1 k sz d w idx=0 id
	local -a ws hybrid_ws=() skipped=()
	# The hybrid driver runs the counts that --threads divides.
	for w in "${WORKERS[@]}"; do
		if ((w % threads)); then
			skipped+=("$w")
		else
			hybrid_ws+=("$w")
		fi
	done
	for k in "${KERNELS[@]}"; do
		for sz in ${SIZES[$k]}; do
			for d in "${DRIVERS[@]}"; do
				case $d in
				serial) ws=(1) ;;
				hybrid) ws=("${hybrid_ws[@]}") ;;
				*) ws=("${WORKERS[@]}") ;;
				esac
				for w in "${ws[@]}"; do
					idx=$((idx + 1))
					printf -v id '%s-%03d-%s-%s-w%s' "$sweep_id" "$idx" "$k" "$d" "$w"
					PLAN+=("${id:0:64} $k $d $scaling $sz $w")
				done
			done
		done
	done
	((${#PLAN[@]})) ||
		usage_error "nothing to run: no worker count of --workers '$workers_spec' is a multiple of --threads $threads"
	if [[ " ${DRIVERS[*]} " == *" hybrid "* ]] && ((${#skipped[@]})); then
		warn "skipping hybrid at workers $(printf '%s\n' "${skipped[@]}" | paste -sd, -) (not a multiple of --threads $threads)"
	fi
}

# shuffle_plan SEED: put PLAN in a random order fixed by SEED (Fisher-Yates).
shuffle_plan() {
	local i j tmp
	RANDOM=$1
	for ((i = ${#PLAN[@]} - 1; i > 0; i--)); do
		j=$((((RANDOM << 15) | RANDOM) % (i + 1)))
		tmp=${PLAN[i]}
		PLAN[i]=${PLAN[j]}
		PLAN[j]=$tmp
	done
}

# cmd_for RUN_ID KERNEL DRIVER SCALING SIZE WORKERS: set CMD to the command
# line of one configuration.
CMD=()
cmd_for() {
	local id=$1 k=$2 d=$3 sc=$4 sz=$5 w=$6 p
	local -a args=(--kernel "$k" --scaling "$sc" --reps "$reps" --warmup "$warmup"
		--timeout "$timeout_s" --run-id "$id")
	[[ $sz == default ]] || args+=(--size "$sz")
	[[ -z $schedule ]] || args+=(--schedule "$schedule")
	for p in "${params[@]}"; do
		if [[ $p =~ ^([A-Za-z0-9_-]+):(.*)$ ]]; then
			[[ ${BASH_REMATCH[1]} == "$k" ]] || continue
			p=${BASH_REMATCH[2]}
		fi
		args+=(--param "$p")
	done
	if ! is_mpi_driver "$d"; then
		CMD=("$build/parscale-$d" --workers "$w" "${args[@]}")
		return 0
	fi
	# mpi: w ranks; hybrid: w/threads ranks of threads threads each.
	local ranks=$w per_rank=1 cpus="${SLURM_CPUS_PER_TASK:-1}" slots=$CORES over=0 v
	local -a env_add=()
	if [[ $d == hybrid ]]; then
		ranks=$((w / threads)) per_rank=$threads cpus=$threads
		args=(--workers "$w" --threads "$threads" "${args[@]}")
	fi
	# Oversubscribed (mpirun only): more workers than the cores here, or
	# than the hostfile's slots (one rank each) times the threads of a rank.
	[[ -z $hostfile ]] || slots=$(($(hostfile_total_slots) * per_rank))
	[[ $launcher != mpirun ]] || ((w <= slots)) || over=1
	if [[ $d == hybrid ]]; then
		env_add=("OMP_NUM_THREADS=$threads")
		# libgomp stops spinning at barriers when a process has more threads
		# than CPUs, but cannot see the other ranks' threads: when
		# oversubscribed, tell it (as Open MPI yields then), unless the user
		# chose a wait policy.
		if ((over)) && [[ -z ${OMP_WAIT_POLICY+set} ]]; then
			env_add+=(OMP_WAIT_POLICY=passive)
		fi
	fi
	if [[ $launcher == srun ]]; then
		# srun no longer passes the allocation's --cpus-per-task on to steps
		# (Slurm 22.05+): give it explicitly. srun exports the environment.
		CMD=(env "${MPI_ENV[@]}" "${env_add[@]}" srun --mpi=pmix --ntasks="$ranks"
			--cpus-per-task="$cpus" "${MPI_ARGS[@]}"
			"$build/parscale-$d" "${args[@]}")
		return 0
	fi
	CMD=(env "${MPI_ENV[@]}" "${env_add[@]}" mpirun -np "$ranks")
	if ((over)) && [[ " ${MPI_ARGS[*]} " != *" --oversubscribe "* ]]; then
		CMD+=(--oversubscribe)
	fi
	if [[ -n $hostfile ]]; then
		CMD+=(--hostfile "$hostfile")
		# Ranks on other hosts get only the variables named with -x.
		for v in "${env_add[@]}"; do
			CMD+=(-x "${v%%=*}")
		done
	fi
	if [[ $d == hybrid ]] && ! user_places_ranks; then
		# Open MPI binds a rank to one core by default (np <= 2), which would
		# stack its threads there: give each rank its own cores where they
		# are known to fit (no hostfile, not oversubscribed), else leave the
		# threads free.
		if ((over)) || [[ -n $hostfile ]]; then
			CMD+=(--bind-to none)
		else
			CMD+=(--map-by "slot:PE=$threads")
		fi
	fi
	CMD+=("${MPI_ARGS[@]}" "$build/parscale-$d" "${args[@]}")
}

# user_places_ranks: true if --mpi-args choose how mpirun maps or binds
# ranks (then the sweep adds no placement of its own).
user_places_ranks() {
	local a
	for a in "${MPI_ARGS[@]}"; do
		case $a in
		--bind-to | --bind-to=* | -bind-to | --map-by | --map-by=* | -map-by | \
			--cpus-per-proc | --cpus-per-rank | --cpu-set | --cpu-list | --rankfile | -rf)
			return 0
			;;
		esac
	done
	return 1
}

# set_mpi_env: the variables the sweep adds for mpirun, in MPI_ENV.
MPI_ENV=()
set_mpi_env() {
	MPI_ENV=()
	if ((EUID == 0)); then
		MPI_ENV+=(OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1)
	fi
	if [[ -z ${OMPI_MCA_pml+set} && -n $mpi_pml ]]; then
		MPI_ENV+=("OMPI_MCA_pml=$mpi_pml")
	fi
	# In a sanitizer build, LeakSanitizer cannot attribute (or suppress) the
	# allocations Open MPI keeps in the components it dlopen()s and unloads:
	# MPI runs keep AddressSanitizer and UBSan but not the leak check.
	if [[ $(cache_value PARSCALE_SANITIZE) == ON ]]; then
		MPI_ENV+=("ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0")
	fi
}

# probe_counts: the worker counts the probe measures (1 and the sweep's).
probe_counts() {
	local line
	{
		printf '1\n'
		for line in "${PLAN[@]}"; do
			printf '%s\n' "${line##* }"
		done
	} | sort -n -u
}

print_plan() {
	local n=${#PLAN[@]} i line
	local -a f
	printf '# %d configurations, %d timed + %d warm-up repetitions each, into %s\n' \
		"$n" "$reps" "$warmup" "$out"
	if ((probe)); then
		printf '# capacity probe before and after: %s --kernel %s --scaling weak --size %s at workers %s\n' \
			"$build/parscale-pthread" "$PROBE_KERNEL" "$probe_size" "$(probe_counts | paste -sd, -)"
	fi
	if printf '%s\n' "${PLAN[@]}" | awk '$3 == "hybrid" { f = 1 } END { exit !f }'; then
		printf '# hybrid: WORKERS/%s ranks x %s threads\n' "$threads" "$threads"
	fi
	for ((i = 0; i < n; i++)); do
		read -r -a f <<<"${PLAN[i]}"
		cmd_for "${f[@]}"
		printf '[%d/%d] %s %s workers=%s size=%s: %s\n' "$((i + 1))" "$n" \
			"${f[1]}" "${f[2]}" "${f[5]}" "${f[4]}" "$(quote_cmd "${CMD[@]}")"
	done
}

# ---- the run folder ----------------------------------------------------------

# write_atomic FILE: copy stdin to FILE through a temporary file and rename.
write_atomic() {
	local tmp="$1.tmp.$$"
	cat >"$tmp"
	mv -f "$tmp" "$1"
}

write_settings() {
	local p a
	{
		printf 'format=1\n'
		printf 'sweep_id=%s\n' "$sweep_id"
		printf 'build=%s\n' "$build"
		printf 'reps=%s\nwarmup=%s\ntimeout=%s\n' "$reps" "$warmup" "$timeout_s"
		printf 'schedule=%s\nhostfile=%s\n' "$schedule" "$hostfile"
		printf 'launcher=%s\n' "$launcher"
		printf 'threads=%s\n' "$threads"
		printf 'shuffle=%s\nseed=%s\n' "$shuffle" "$seed"
		printf 'probe_size=%s\n' "$probe_size"
		printf 'mpi_pml=%s\n' "$mpi_pml"
		for p in "${params[@]}"; do
			printf 'param=%s\n' "$p"
		done
		for a in "${MPI_ARGS[@]}"; do
			printf 'mpi_arg=%s\n' "$a"
		done
	} | write_atomic "$dir/settings.txt"
}

# load_settings DIR: read settings.txt and plan.txt of a run folder.
load_settings() {
	local key val line id k d sc sz w order
	local -a seen=()
	params=()
	MPI_ARGS=()
	while IFS= read -r line; do
		key=${line%%=*}
		val=${line#*=}
		case $key in
		format) [[ $val == 1 ]] || usage_error "'$dir/settings.txt' has unknown format '$val'" ;;
		sweep_id) sweep_id=$val ;;
		build) ((build_given)) || build=$val ;;
		reps) reps=$val ;;
		warmup) warmup=$val ;;
		timeout) timeout_s=$val ;;
		schedule) schedule=$val ;;
		hostfile) hostfile=$val ;;
		launcher) launcher=$val ;;
		threads) threads=$val ;;
		shuffle) shuffle=$val ;;
		seed) seed=$val ;;
		probe_size) probe_size=$val ;;
		mpi_pml) mpi_pml=$val ;;
		param) params+=("$val") ;;
		mpi_arg) MPI_ARGS+=("$val") ;;
		*) usage_error "'$dir/settings.txt' has unknown key '$key'" ;;
		esac
		seen+=("$key")
	done <"$dir/settings.txt"
	[[ " ${seen[*]} " == *" reps "* && " ${seen[*]} " == *" sweep_id "* ]] ||
		usage_error "'$dir/settings.txt' is incomplete"
	# Folders from before the hybrid driver have no threads (and no hybrid
	# configuration).
	[[ -n $threads ]] || threads=$DEF_THREADS
	if ! is_posint "$reps" || ! is_uint "$warmup" || ! is_posint "$timeout_s" ||
		! is_posint "$threads" || ((10#$threads > THREADS_MAX)); then
		usage_error "'$dir/settings.txt' has bad values"
	fi
	threads=$((10#$threads))
	PLAN=()
	while IFS=, read -r order id k d sc sz w; do
		[[ $order == order ]] && continue
		if ! is_name "$id" || ! is_name "$k" || ! is_name "$d" || ! is_posint "$w" ||
			{ [[ $d == hybrid ]] && ((10#$w % threads)); }; then
			usage_error "'$dir/plan.txt' has a bad line: $order,$id,$k,$d,$sc,$sz,$w"
		fi
		PLAN+=("$id $k $d $sc $sz $w")
		scaling=$sc
	done <"$dir/plan.txt"
	((${#PLAN[@]})) || usage_error "'$dir/plan.txt' lists no configuration"
}

write_plan() {
	local i line
	local -a f
	{
		printf '%s\n' "$PLAN_HEADER"
		for ((i = 0; i < ${#PLAN[@]}; i++)); do
			read -r -a f <<<"${PLAN[i]}"
			printf '%d,%s,%s,%s,%s,%s,%s\n' "$((i + 1))" "${f[@]}"
		done
	} | write_atomic "$dir/plan.txt"
}

write_command() {
	local -a args=("${ORIG_ARGS[@]}")
	if ((shuffle)) && [[ " ${plan_opts[*]} " != *" --seed "* ]]; then
		args+=(--seed "$seed")
	fi
	{
		printf '#!/usr/bin/env bash\n'
		printf '# Repeats the sweep recorded in this folder (into a new folder unless --out\n'
		printf '# names one; finish this one with: %s --resume %s).\n' \
			"$(quote_cmd "$SELF")" "$(quote_cmd "$dir")"
		printf 'set -euo pipefail\n'
		printf 'cd %s\n' "$(quote_cmd "$ORIG_PWD")"
		if ((${#USER_ENV[@]})); then
			printf 'exec env %s %s %s\n' "$(quote_cmd "${USER_ENV[@]}")" \
				"$(quote_cmd "$SELF")" "$(quote_cmd "${args[@]}")"
		else
			printf 'exec %s %s\n' "$(quote_cmd "$SELF")" "$(quote_cmd "${args[@]}")"
		fi
	} | write_atomic "$dir/command.sh"
	chmod +x "$dir/command.sh"
}

# cache_value KEY: a value from the build's CMakeCache.txt, or nothing.
cache_value() {
	[[ -r $build/CMakeCache.txt ]] || return 0
	awk -v key="$1" 'index($0, key ":") == 1 || index($0, key "=") == 1 {
		sub(/^[^=]*=/, ""); print; exit }' "$build/CMakeCache.txt"
}

# effective_flags: the C flags the drivers were compiled with (the build's
# flags.make holds what add_compile_options added to the cache's flags).
effective_flags() {
	local f
	for f in "$build"/CMakeFiles/parscale-pthread.dir/flags.make "$build"/CMakeFiles/parscale-serial.dir/flags.make; do
		if [[ -r $f ]]; then
			awk '/^C_FLAGS = / { sub(/^C_FLAGS = /, ""); print; exit }' "$f"
			return 0
		fi
	done
}

# meta_sizes: KERNEL=SIZE[+SIZE...] joined by ',': from KERNELS and SIZES in
# a new sweep, from the plan when the folder is resumed.
meta_sizes() {
	local k
	if ((${#KERNELS[@]})); then
		for k in "${KERNELS[@]}"; do
			printf '%s=%s\n' "$k" "${SIZES[$k]// /+}"
		done | paste -sd, -
		return 0
	fi
	printf '%s\n' "${PLAN[@]}" | awk '!seen[$2 " " $5]++ {
			if (!c[$2]++) { o[++n] = $2; z[$2] = $5 } else z[$2] = z[$2] "+" $5 }
		END { for (i = 1; i <= n; i++) printf "%s%s=%s", (i > 1 ? "," : ""), o[i], z[o[i]]; print "" }'
}

# meta_line KEY VALUE: one key=value line, the value on one line.
meta_line() {
	local v=${2//$'\n'/ }
	printf '%s=%s\n' "$1" "${v//$'\r'/}"
}

# write_meta [KEY]: write meta.txt; KEY (default started) names the time
# stamp: "prepared" for a folder made by --prepare, whose meta.txt is
# written again (on the machine that runs it) when it is first run.
write_meta() {
	local cc omp mpi gp rev dirty e aff stamp_key=${1:-started}
	cc=$(cache_value CMAKE_C_COMPILER)
	omp=$(cache_value OpenMP_C_SPEC_DATE)
	if [[ -z $omp && -n $cc && -x $cc ]]; then
		omp=$(printf '_OPENMP\n' | "$cc" -fopenmp -E -P -x c - 2>/dev/null | tail -n 1) || omp=""
	fi
	if command -v mpirun >/dev/null; then
		mpi=$(mpirun --version 2>/dev/null | head -n 1) || mpi=""
	fi
	if command -v gnuplot >/dev/null; then
		gp=$(gnuplot --version 2>/dev/null) || gp=""
	fi
	rev=$(git -C "$ROOT" rev-parse --verify -q HEAD 2>/dev/null) || rev=none
	dirty=0
	[[ -z $(git -C "$ROOT" status --porcelain 2>/dev/null) ]] || dirty=1
	aff=$(awk -F: '$1 == "Cpus_allowed_list" { gsub(/[ \t]/, "", $2); print $2 }' /proc/self/status)
	{
		meta_line sweep_id "$sweep_id"
		meta_line "$stamp_key" "$(iso_now)"
		meta_line host "$(hostname)"
		meta_line cpu_model "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
		meta_line cores "$CORES"
		meta_line cpus_allowed "$aff"
		meta_line mem_kib "$(awk '$1 == "MemTotal:" { print $2 }' /proc/meminfo)"
		meta_line kernel_release "$(uname -r)"
		meta_line build_dir "$build"
		meta_line build_type "$(cache_value CMAKE_BUILD_TYPE)"
		meta_line compiler "$cc"
		if [[ -n $cc && -x $cc ]]; then
			meta_line compiler_version "$("$cc" -dumpfullversion 2>/dev/null || "$cc" -dumpversion 2>/dev/null || true)"
		fi
		meta_line c_flags "$(cache_value CMAKE_C_FLAGS)"
		meta_line c_flags_build_type "$(cache_value "CMAKE_C_FLAGS_$(cache_value CMAKE_BUILD_TYPE | tr '[:lower:]' '[:upper:]')")"
		meta_line c_flags_effective "$(effective_flags)"
		meta_line cmake_options "$(awk -F'[:=]' '/^PARSCALE_[A-Z_]*:BOOL=/ { printf "%s%s=%s", sep, $1, $3; sep = ";" }' "$build/CMakeCache.txt" 2>/dev/null || true)"
		meta_line openmp_version "$omp"
		meta_line openmp_flags "$(cache_value OpenMP_C_FLAGS)"
		meta_line mpi_library "${mpi:-}"
		meta_line mpi_c_compiler "$(cache_value MPI_C_COMPILER)"
		meta_line gnuplot_version "${gp:-}"
		meta_line git_revision "$rev"
		meta_line git_dirty "$dirty"
		meta_line kernels "$(printf '%s\n' "${PLAN[@]}" | awk '{ print $2 }' | awk '!s[$0]++' | paste -sd, -)"
		meta_line drivers "$(printf '%s\n' "${PLAN[@]}" | awk '{ print $3 }' | awk '!s[$0]++' | paste -sd, -)"
		meta_line workers "$(printf '%s\n' "${PLAN[@]}" | awk '{ print $6 }' | sort -n -u | paste -sd, -)"
		meta_line scaling "$scaling"
		meta_line sizes "$(meta_sizes)"
		meta_line configurations "${#PLAN[@]}"
		meta_line reps "$reps"
		meta_line warmup "$warmup"
		meta_line timeout "$timeout_s"
		meta_line schedule "${schedule:-driver default}"
		meta_line params "$(printf '%s;' "${params[@]}" | sed 's/;$//')"
		meta_line shuffle "$shuffle"
		meta_line seed "$seed"
		meta_line mpi_args "$(quote_cmd "${MPI_ARGS[@]}")"
		meta_line hostfile "$hostfile"
		if [[ -n $hostfile ]]; then
			# What mpirun was given: the entries (comments dropped), the
			# distinct hosts and their slots; where the ranks of each run
			# went is in raw.csv (nodes, and hosts as host:ranks;...).
			meta_line hostfile_contents "$(awk '{ sub(/#.*/, ""); $1 = $1 } NF' "$hostfile" 2>/dev/null | paste -sd';' -)"
			meta_line hostfile_nodes "$(hostfile_slots | wc -l)"
			meta_line hostfile_slots "$(hostfile_slots | paste -sd';' -)"
		fi
		meta_line launcher "$launcher"
		meta_line threads_per_rank_hybrid "$threads"
		meta_line mpi_env_added "${MPI_ENV[*]}"
		meta_line binding_omp_proc_bind "${OMP_PROC_BIND:-unset}"
		meta_line binding_omp_places "${OMP_PLACES:-unset}"
		if [[ $launcher == srun ]]; then
			meta_line binding_mpi "slurm default for srun --cpus-per-task=\$SLURM_CPUS_PER_TASK unless --cpu-bind is in mpi_args"
		else
			meta_line binding_mpi "open mpi default unless --bind-to is in mpi_args (core for np<=2, socket above, none when oversubscribed)"
		fi
		# How hybrid ranks are placed (cmd_for); the threads move freely
		# inside their rank's CPUs (the drivers' --bind none).
		if [[ $launcher == srun ]]; then
			meta_line binding_hybrid "srun --cpus-per-task=$threads: slurm's default for the rank's $threads cpus unless --cpu-bind is in mpi_args; threads unbound inside them"
		elif user_places_ranks; then
			meta_line binding_hybrid "as mpi_args say; threads unbound inside each rank's cpus"
		else
			meta_line binding_hybrid "mpirun --map-by slot:PE=$threads ($threads cores per rank) where workers <= cores and no hostfile, else --bind-to none; threads unbound inside each rank's cpus"
		fi
		if [[ $launcher == mpirun && -z ${OMP_WAIT_POLICY+set} ]]; then
			meta_line hybrid_env_added "OMP_NUM_THREADS=$threads; OMP_WAIT_POLICY=passive when oversubscribed (as --oversubscribe)"
		else
			meta_line hybrid_env_added "OMP_NUM_THREADS=$threads"
		fi
		meta_line binding_threads_fork "none (the kernel scheduler places workers)"
		for e in "${USER_ENV[@]}"; do
			meta_line "env_${e%%=*}" "${e#*=}"
		done
	} | write_atomic "$dir/meta.txt"
}

# ---- runs --------------------------------------------------------------------

# one_line FILE: why a run failed, from its stderr FILE, made safe for a CSV
# field: the last message of a parscale driver (not its summary line), else
# the last line with words in it (launchers print banners of dashes).
one_line() {
	local s
	s=$(awk '/^parscale-[a-z]+: / && !/: median / { d = $0 }
		/[A-Za-z0-9]/ { l = $0 }
		END { print (d != "") ? d : l }' "$1" 2>/dev/null | tr -d '\r')
	s=${s//,/;}
	s=${s//\"/\'}
	printf '%s\n' "${s:0:REASON_MAX}"
}

# Where run_config writes: the folder's files, or a task's own (--task).
RAW_FILE="" STATUS_FILE="" LOG_FILE="" JOBS_FILE="" PART_DIR=""
set_outputs() {
	RAW_FILE="$dir/raw.csv"
	STATUS_FILE="$dir/status.csv"
	LOG_FILE="$dir/sweep.log"
	JOBS_FILE="$dir/jobs.csv"
	PART_DIR="$dir/.runs"
}

# write_failed FILE [SIZE]: cut FILE back to SIZE bytes (what it held before
# a failed append, so no torn line is left) and stop: the disk is full.
write_failed() {
	[[ -z ${2:-} ]] || truncate -s "$2" "$1" 2>/dev/null || true
	die "cannot write '$1': the disk is full (or an I/O error); what was recorded before is intact; free space, then finish with: $(quote_cmd "$SELF" --resume "$dir")"
}

# has_room: true if the run folder's disk takes a few more pages (a driver
# that failed may have failed for want of space to write its rows).
has_room() {
	local probe="$PART_DIR/.room.$$" ok=0
	head -c "$ROOM_BYTES" /dev/zero 2>/dev/null >"$probe" || ok=1
	rm -f "$probe"
	return "$ok"
}

# append_status FIELD...: append one line to the status file (one write).
append_status() {
	local line size
	printf -v line '%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n' "$@"
	size=$(stat -c %s "$STATUS_FILE" 2>/dev/null || echo 0)
	printf '%s' "$line" 2>/dev/null >>"$STATUS_FILE" || write_failed "$STATUS_FILE" "$size"
}

# append_rows PART RUN_ID: append PART's rows of RUN_ID to the raw file; the
# header goes first when it has none. Returns 1 if the headers differ.
append_rows() {
	local part=$1 id=$2 head size
	head=$(head -n 1 "$part")
	if [[ ! -s $RAW_FILE ]]; then
		printf '%s\n' "$head" 2>/dev/null >"$RAW_FILE" || write_failed "$RAW_FILE" 0
	elif [[ $(head -n 1 "$RAW_FILE") != "$head" ]]; then
		return 1
	fi
	size=$(stat -c %s "$RAW_FILE")
	awk -F, -v id="$id" -v nf="$(awk -F, 'NR == 1 { print NF; exit }' "$part")" \
		'NR > 1 && $1 == id && NF == nf' "$part" 2>/dev/null >>"$RAW_FILE" ||
		write_failed "$RAW_FILE" "$size"
}

# csv_safe S: S with the characters that would break a CSV field replaced.
csv_safe() {
	local v=${1//,/;}
	v=${v//$'\n'/ }
	printf '%s\n' "${v//\"/\'}"
}

# append_job RUN_ID: under Slurm, record which job, array task and nodes ran
# RUN_ID in the jobs file (jobs.csv, or the task's own).
append_job() {
	[[ -n ${SLURM_JOB_ID:-} ]] || return 0
	[[ -s $JOBS_FILE ]] || printf '%s\n' "$JOBS_HEADER" >>"$JOBS_FILE"
	printf '%s,%s,%s,%s,%s,%s,%s\n' "$1" "$(csv_safe "$SLURM_JOB_ID")" \
		"$(csv_safe "${SLURM_ARRAY_JOB_ID:-}")" "$(csv_safe "${SLURM_ARRAY_TASK_ID:-}")" \
		"$(csv_safe "${SLURM_JOB_NODELIST:-${SLURM_NODELIST:-}}")" "$(csv_safe "$(hostname)")" \
		"$(iso_now)" >>"$JOBS_FILE"
}

CHILD=""
# on_signal SIG: stop the running driver and exit; the folder stays resumable.
# shellcheck disable=SC2317  # called from the traps
on_signal() {
	local sig=$1
	if [[ -n $CHILD ]]; then
		kill -TERM "$CHILD" 2>/dev/null || true
		wait "$CHILD" 2>/dev/null || true
	fi
	warn "interrupted by SIG$sig; finish with: $(quote_cmd "$SELF" --resume "$dir")"
	[[ $sig == INT ]] && exit 130
	exit 143
}

# run_config K N RUN_ID KERNEL DRIVER SCALING SIZE WORKERS: run one
# configuration and record it.
run_config() {
	local k=$1 n=$2 id=$3 kernel=$4 driver=$5 sc=$6 sz=$7 w=$8
	local part="$PART_DIR/$id.csv" errf="$PART_DIR/$id.err"
	local rc=0 t0 secs state reason rows bad vcol hard
	cmd_for "$id" "$kernel" "$driver" "$sc" "$sz" "$w"
	{
		printf '### %s [%d/%d] %s\n' "$(iso_now)" "$k" "$n" "$id"
		printf '$ %s\n' "$(quote_cmd "${CMD[@]}")"
	} 2>/dev/null >>"$LOG_FILE" || write_failed "$LOG_FILE"
	hard=$((timeout_s + HARD_MARGIN))
	t0=$(now_s)
	timeout --foreground --kill-after="$HARD_KILL_AFTER" "$hard" "${CMD[@]}" \
		>"$part" 2>"$errf" 9>&- &
	CHILD=$!
	wait "$CHILD" || rc=$?
	CHILD=""
	secs=$(elapsed_s "$t0")
	{
		cat "$errf"
		printf '### exit %d after %ss\n' "$rc" "$secs"
	} 2>/dev/null >>"$LOG_FILE" || write_failed "$LOG_FILE"
	# a run that failed for want of space is not a failed configuration
	[[ $rc == 0 || $rc == 3 ]] || has_room || write_failed "$part"

	rows=0
	bad=0
	if [[ -s $part ]] && vcol=$(csv_col "$part" verified); then
		read -r rows bad < <(awk -F, -v id="$id" -v c="$vcol" \
			'NR > 1 && $1 == id { n++; if ($c != 1) b++ } END { print n + 0, b + 0 }' "$part")
	fi
	case $rc in
	0)
		if ((rows != reps)); then
			state=failed reason="expected $reps rows; got $rows"
		elif ((bad)); then
			state=verify-failed reason="verified=0 on $bad of $rows rows"
		else
			state=ok reason=""
		fi
		;;
	3)
		state=verify-failed
		reason=$(one_line "$errf")
		((rows == reps)) || state=failed reason="verification failed and expected $reps rows; got $rows"
		;;
	124) state=failed reason="no exit within the hard limit of ${hard}s (SIGTERM)" ;;
	137) state=failed reason="killed after the hard limit of ${hard}s" ;;
	*)
		state=failed
		reason=$(one_line "$errf")
		((rc <= 128)) || reason="killed by signal $((rc - 128))${reason:+: $reason}"
		[[ -n $reason ]] || reason="exit $rc"
		;;
	esac
	if [[ $state != failed ]] && ! append_rows "$part" "$id"; then
		state=failed reason="CSV header differs from raw.csv's"
	fi
	append_job "$id"
	append_status "$kernel:$driver:$sc:$sz:$w" "$id" "$kernel" "$driver" "$sc" "$sz" "$w" \
		"$rc" "$state" "$reason" "$secs"
	rm -f "$part" "$errf"
	case $state in
	ok) ;;
	verify-failed) warn "$id: verification failed: $reason" ;;
	failed) warn "$id: failed (exit $rc): $reason" ;;
	esac
}

# finish_meta KEY: append the time (as KEY), the configuration counts, the
# probe's verdict and where the MPI ranks ran to meta.txt. Sets n_ok,
# n_failed, n_verify and n_missing.
finish_meta() {
	local ids
	read -r n_ok n_failed n_verify < <(awk -F, 'NR > 1 { c[$9]++ }
		END { print c["ok"] + 0, c["failed"] + 0, c["verify-failed"] + 0 }' "$dir/status.csv")
	ids=$(awk -F, 'NR > 1 { print $2 }' "$dir/status.csv")
	n_missing=$(printf '%s\n' "${PLAN[@]}" | awk -v ids="$ids" '
		BEGIN { n = split(ids, a, "\n"); for (i = 1; i <= n; i++) d[a[i]] = 1 }
		!($1 in d) { m++ } END { print m + 0 }')
	{
		meta_line "$1" "$(iso_now)"
		meta_line configurations_ok "$n_ok"
		meta_line configurations_failed "$n_failed"
		meta_line configurations_verify_failed "$n_verify"
		meta_line configurations_missing "$n_missing"
		if [[ -s $dir/probe.csv ]]; then
			meta_line probe_delivered "$(awk -F, 'NR > 1 && !$4 { bad = 1 } END { print bad ? 0 : 1 }' "$dir/probe.csv")"
		fi
		placement_lines
		affinity_lines
	} >>"$dir/meta.txt"
}

# placement_lines: for each multi-process driver and worker count in
# raw.csv, where the processes ran: "placement_DRIVER_wN=HOSTS" with HOSTS
# from the hosts column (host:ranks;...), or "nodes=N" from the nodes column
# where the drivers write no hosts column; distinct placements joined by ' | '.
placement_lines() {
	[[ -s $dir/raw.csv ]] || return 0
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		{
			if (!c["ranks"] || $c["ranks"] + 0 < 2) next
			v = c["hosts"] ? $c["hosts"] : "nodes=" $c["nodes"]
			k = "placement_" $c["driver"] "_w" $c["workers"]
			if (seen[k, v]++) next
			if (!cnt[k]++) { order[++n] = k; val[k] = v } else val[k] = val[k] " | " v
		}
		END { for (i = 1; i <= n; i++) print order[i] "=" val[order[i]] }' "$dir/raw.csv"
}

# affinity_lines: for each driver and worker count above 1 in raw.csv, the
# binding the workers got: "bind_DRIVER_wN=POLICY" from the bind column and
# "affinity_DRIVER_wN=CPUS" from the affinity column (CPU lists per worker);
# distinct values joined by ' | '. Rows written before those columns existed
# give nothing.
affinity_lines() {
	[[ -s $dir/raw.csv ]] || return 0
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; if (!c["bind"] || !c["affinity"]) exit; next }
		function add(k, v) {
			if (seen[k, v]++) return
			if (!cnt[k]++) { order[++n] = k; val[k] = v } else val[k] = val[k] " | " v
		}
		$c["workers"] + 0 >= 2 {
			w = $c["driver"] "_w" $c["workers"]
			add("bind_" w, $c["bind"])
			add("affinity_" w, $c["affinity"])
		}
		END { for (i = 1; i <= n; i++) print order[i] "=" val[order[i]] }' "$dir/raw.csv"
}

# refresh_prepared_meta: a folder made by --prepare gets its meta.txt written
# again by the first run on the machine that runs it (under a lock, as
# tasks of a job array may start together).
refresh_prepared_meta() {
	local prepared
	(
		flock -w 30 7 || exit 0
		grep -q '^started=' "$dir/meta.txt" 2>/dev/null && exit 0
		# Kept: when and where the folder was prepared and submitted.
		prepared=$(grep -E '^(prepared|slurm_submitted)=' "$dir/meta.txt" 2>/dev/null) || prepared=""
		write_meta started
		[[ -z $prepared ]] || printf '%s\n' "$prepared" >>"$dir/meta.txt"
	) 7>>"$dir/.meta.lock"
}

# ---- tasks: one configuration at a time, many at once ----------------------

# run_task N: run configuration N of the plan into DIR/tasks/RUN_ID.* (rows
# .csv, log .log, Slurm job .job, and last, as the sign it is complete, the
# status line .status). Exits 0 ok, 3 verify-failed, 1 failed.
run_task() {
	local line=${PLAN[$1 - 1]} id t state
	local -a f
	read -r -a f <<<"$line"
	id=${f[0]}
	mkdir -p "$dir/tasks" || die "cannot create '$dir/tasks'"
	exec 8>>"$dir/tasks/$id.lock"
	flock -n 8 || die "configuration $1 ('$id') is being run by another task"
	rm -f "$dir/tasks/$id.status" "$dir/tasks/$id.csv" "$dir/tasks/$id.log" "$dir/tasks/$id.job"
	refresh_prepared_meta
	t="$dir/tasks/.$id.$$"
	RAW_FILE="$t.csv" STATUS_FILE="$t.status" LOG_FILE="$t.log" JOBS_FILE="$t.job"
	PART_DIR="$t.runs"
	mkdir "$PART_DIR"
	# shellcheck disable=SC2064  # the names are fixed now
	trap "rm -rf -- '$t.runs' '$t.csv' '$t.status' '$t.log' '$t.job'" EXIT
	trap 'on_signal INT' INT
	trap 'on_signal TERM' TERM
	trap 'on_signal HUP' HUP
	printf '[%d/%d] %s %s workers=%s (task)\n' "$1" "${#PLAN[@]}" "${f[1]}" "${f[2]}" "${f[5]}" >&2
	run_config "$1" "${#PLAN[@]}" "${f[@]}"
	rmdir "$PART_DIR" 2>/dev/null || true
	[[ ! -e $t.csv ]] || mv -f "$t.csv" "$dir/tasks/$id.csv"
	[[ ! -e $t.job ]] || mv -f "$t.job" "$dir/tasks/$id.job"
	mv -f "$t.log" "$dir/tasks/$id.log"
	state=$(awk -F, '{ s = $9 } END { print s }' "$t.status")
	mv -f "$t.status" "$dir/tasks/$id.status"
	case $state in
	ok) exit "$EXIT_OK" ;;
	verify-failed) exit "$EXIT_VERIFY" ;;
	*) exit "$EXIT_FAILURE" ;;
	esac
}

# collect_tasks: merge DIR/tasks/ results into raw.csv, status.csv,
# sweep.log and jobs.csv; a result replaces what the folder held for its run
# id. Results of a task still running (its lock held) are left for later.
collect_tasks() {
	local line id tmp head want_head="" n_new=0 st
	exec 9>>"$dir/.lock"
	flock -n 9 || die "'$dir' is in use by another sweep"
	tmp=$(mktemp -d "$dir/.collect.XXXXXX")
	# shellcheck disable=SC2064  # the name is fixed now
	trap "rm -rf -- '$tmp'" EXIT
	touch "$tmp/ids" "$tmp/status" "$tmp/rows" "$tmp/log" "$tmp/jobs"
	[[ ! -s $dir/raw.csv ]] || want_head=$(head -n 1 "$dir/raw.csv")
	for line in "${PLAN[@]}"; do
		id=${line%% *}
		[[ -f $dir/tasks/$id.status ]] || continue
		exec 8>>"$dir/tasks/$id.lock"
		if ! flock -n 8; then
			warn "configuration '$id' is running; not collected"
			continue
		fi
		st=$(awk -F, -v id="$id" -v nf="$STATUS_FIELDS" 'NR == 1 && NF == nf && $2 == id' \
			"$dir/tasks/$id.status")
		if [[ -z $st ]]; then
			warn "'$dir/tasks/$id.status' is malformed; not collected"
			continue
		fi
		if [[ $(cut -d, -f9 <<<"$st") != failed && -s $dir/tasks/$id.csv ]]; then
			head=$(head -n 1 "$dir/tasks/$id.csv")
			[[ -n $want_head ]] || want_head=$head
			if [[ $head == "$want_head" ]]; then
				tail -n +2 "$dir/tasks/$id.csv" >>"$tmp/rows"
			else
				st=$(awk -F, -v OFS=, '{ $9 = "failed"; $10 = "CSV header differs from raw.csv'"'"'s" } 1' <<<"$st")
			fi
		fi
		printf '%s\n' "$st" >>"$tmp/status"
		printf '%s\n' "$id" >>"$tmp/ids"
		if [[ -f $dir/tasks/$id.log ]]; then
			printf '### %s collected task %s\n' "$(iso_now)" "$id" >>"$tmp/log"
			cat "$dir/tasks/$id.log" >>"$tmp/log"
		fi
		[[ ! -f $dir/tasks/$id.job ]] || tail -n +2 "$dir/tasks/$id.job" >>"$tmp/jobs"
		n_new=$((n_new + 1))
	done
	exec 8>&-
	if ((n_new)); then
		if [[ -n $want_head ]]; then
			{
				printf '%s\n' "$want_head"
				if [[ -s $dir/raw.csv ]]; then
					complete_lines "$dir/raw.csv" | awk -F, -v idsf="$tmp/ids" '
						BEGIN { while ((getline l < idsf) > 0) drop[l] = 1 }
						NR > 1 && !($1 in drop)'
				fi
				cat "$tmp/rows"
			} | write_atomic "$dir/raw.csv"
		fi
		{
			printf '%s\n' "$STATUS_HEADER"
			if [[ -s $dir/status.csv ]]; then
				complete_lines "$dir/status.csv" | awk -F, -v idsf="$tmp/ids" -v nf="$STATUS_FIELDS" '
					BEGIN { while ((getline l < idsf) > 0) drop[l] = 1 }
					NR > 1 && NF == nf && !($2 in drop)'
			fi
			cat "$tmp/status"
		} | write_atomic "$dir/status.csv"
		cat "$tmp/log" >>"$dir/sweep.log"
		if [[ -s $tmp/jobs ]]; then
			[[ -s $dir/jobs.csv ]] || printf '%s\n' "$JOBS_HEADER" >>"$dir/jobs.csv"
			cat "$tmp/jobs" >>"$dir/jobs.csv"
		fi
		while IFS= read -r id; do
			rm -f "$dir/tasks/$id.status"
			rm -f "$dir/tasks/$id.csv" "$dir/tasks/$id.log" "$dir/tasks/$id.job" "$dir/tasks/$id.lock"
		done <"$tmp/ids"
		rmdir "$dir/tasks" 2>/dev/null || true
	fi
	finish_meta collected
	warn "collected $n_new results; ${#PLAN[@]} configurations: $n_ok ok, $n_failed failed, $n_verify verify-failed, $n_missing missing; results in $dir"
	((n_failed == 0 && n_missing == 0)) || exit "$EXIT_FAILURE"
	((n_verify == 0)) || exit "$EXIT_VERIFY"
	exit "$EXIT_OK"
}

# ---- resume: make the folder consistent ------------------------------------

# complete_lines FILE: print FILE without a last line that lacks its newline.
complete_lines() {
	local n
	n=$(wc -l <"$1")
	head -n "$n" "$1"
}

# repair_folder: drop a torn last line, status lines of configurations to
# rerun, and raw rows of every run id that status.csv does not list as done.
repair_folder() {
	local f e
	for f in "$dir"/*.tmp.*; do
		[[ -e $f ]] && rm -f "$f"
	done
	for e in "$dir"/.runs/*.err; do
		[[ -e $e ]] || continue
		{
			printf '### %s interrupted run %s; its stderr was:\n' "$(iso_now)" "$(basename "$e" .err)"
			cat "$e"
		} >>"$dir/sweep.log"
	done
	rm -f "$dir"/.runs/*
	if [[ -s $dir/status.csv ]]; then
		complete_lines "$dir/status.csv" |
			awk -F, -v nf="$STATUS_FIELDS" -v retry="$retry_failed" -v hdr="$STATUS_HEADER" '
				NR == 1 { print hdr; next }
				NF != nf { next }
				$9 == "ok" || (!retry && ($9 == "failed" || $9 == "verify-failed")) { last[$2] = $0; order[++n] = $2 }
				END { for (i = 1; i <= n; i++) if (order[i] in last) { print last[order[i]]; delete last[order[i]] } }' |
			write_atomic "$dir/status.csv"
	else
		printf '%s\n' "$STATUS_HEADER" | write_atomic "$dir/status.csv"
	fi
	if [[ -s $dir/raw.csv ]]; then
		complete_lines "$dir/raw.csv" |
			awk -F, -v statusf="$dir/status.csv" '
				BEGIN { while ((getline l < statusf) > 0) { split(l, f, ","); if (f[9] != "failed") keep[f[2]] = 1 } }
				NR == 1 { nf = NF; print; next }
				NF == nf && ($1 in keep) && !seen[$0]++' |
			write_atomic "$dir/raw.csv"
	fi
}

# ---- the capacity probe ------------------------------------------------------

# run_probe PHASE: measure what parallelism the machine delivers now.
run_probe() {
	local phase=$1 p tmp t1="" tp sp del bin="$build/parscale-pthread" scol
	if [[ ! -x $bin ]]; then
		warn "no '$bin': skipping the capacity probe"
		return 0
	fi
	tmp=$(mktemp "$dir/.runs/probe.XXXXXX")
	[[ -s $dir/probe.csv ]] || printf '%s\n' "$PROBE_HEADER" | write_atomic "$dir/probe.csv"
	printf '### %s capacity probe (%s)\n' "$(iso_now)" "$phase" >>"$dir/sweep.log"
	while IFS= read -r p; do
		if ! timeout --foreground --kill-after="$HARD_KILL_AFTER" "$PROBE_TIMEOUT" \
			"$bin" --kernel "$PROBE_KERNEL" --scaling weak --size "$probe_size" \
			--workers "$p" --reps "$PROBE_REPS" --warmup 1 --timeout "$PROBE_TIMEOUT" \
			--run-id "probe-$phase-$p" >"$tmp" 2>>"$dir/sweep.log" 9>&-; then
			warn "capacity probe at $p workers failed (see sweep.log)"
			continue
		fi
		scol=$(csv_col "$tmp" seconds) || {
			warn "capacity probe output has no seconds column"
			break
		}
		tp=$(awk -F, -v c="$scol" 'NR > 1 { print $c }' "$tmp" | sort -g |
			awk '{ v[NR] = $1 } END { if (NR) printf "%.6f\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
		[[ -n $tp ]] || continue
		[[ -n $t1 ]] || t1=$tp
		read -r sp del < <(awk -v p="$p" -v t1="$t1" -v tp="$tp" -v c="$CORES" -v f="$PROBE_DELIVERED" \
			'BEGIN { s = p * t1 / tp; m = (p < c) ? p : c; printf "%.3f %d\n", s, (s >= f * m) }')
		printf '%s,%s,%s,%s,%s\n' "$p" "$tp" "$sp" "$del" "$phase" >>"$dir/probe.csv"
		if ((!del)); then
			warn "capacity probe ($phase): $p workers gave speedup $sp, below $PROBE_DELIVERED × min($p, $CORES cores); the machine is not delivering its cores"
		fi
	done < <(probe_counts)
	rm -f "$tmp"
}

# ---- main --------------------------------------------------------------------

CORES=$(online_cores)
mpi_pml=""
sweep_id=""

if [[ -n $collect ]]; then
	dir=$collect
	[[ -d $dir && -f $dir/plan.txt && -f $dir/settings.txt && -f $dir/status.csv ]] ||
		usage_error "--collect '$dir' is not a sweep folder (no plan.txt, settings.txt and status.csv)"
	dir=$(cd "$dir" && pwd -P)
	load_settings
	KERNELS=()
	collect_tasks
fi

if [[ -n $resume ]]; then
	dir=$resume
	[[ -d $dir && -f $dir/plan.txt && -f $dir/settings.txt ]] ||
		usage_error "--resume '$dir' is not a sweep folder (no plan.txt and settings.txt)"
	dir=$(cd "$dir" && pwd -P)
	out=$dir
	load_settings
	check_common_values
	KERNELS=()
	set_mpi_env
	if [[ -n $task ]]; then
		((task <= ${#PLAN[@]})) ||
			usage_error "bad --task '$task' ('$dir/plan.txt' has ${#PLAN[@]} configurations)"
		((!dry_run)) || PLAN=("${PLAN[task - 1]}")
	fi
else
	check_new_sweep
	# Seed from the clock when none is given; recorded either way.
	[[ -n $seed ]] || seed=$(((${SRANDOM:-$RANDOM} + $$) % 2147483647))
	sweep_id="$(stamp_now)-$(printf '%04x' $((RANDOM % 65536)))"
	[[ -n ${OMPI_MCA_pml+set} ]] || mpi_pml=ob1
	set_mpi_env
	make_plan "$sweep_id"
	((shuffle)) && shuffle_plan "$seed"
	dir=$out
fi

if ((dry_run)); then
	if [[ -n $resume && -z $task && -f $dir/status.csv ]]; then
		mapfile -t done_ids < <(awk -F, -v retry="$retry_failed" \
			'NR > 1 && ($9 == "ok" || (!retry && $9 != "")) { print $2 }' "$dir/status.csv")
		remaining=()
		for line in "${PLAN[@]}"; do
			[[ " ${done_ids[*]} " == *" ${line%% *} "* ]] || remaining+=("$line")
		done
		printf '# resuming %s: %d of %d configurations left\n' "$dir" "${#remaining[@]}" "${#PLAN[@]}"
		PLAN=("${remaining[@]}")
	fi
	print_plan
	exit 0
fi

if [[ -n $task ]]; then
	run_task "$task"
fi

mkdir -p "$dir/.runs" 2>/dev/null || usage_error "cannot create --out '$dir'"
dir=$(cd "$dir" && pwd -P)
exec 9>>"$dir/.lock"
flock -n 9 || die "'$dir' is in use by another sweep"
trap 'on_signal INT' INT
trap 'on_signal TERM' TERM
trap 'on_signal HUP' HUP
set_outputs

probe_phase=before
if [[ -n $resume ]]; then
	repair_folder
	if grep -q '^started=' "$dir/meta.txt" 2>/dev/null; then
		printf 'resumed=%s\n' "$(iso_now)" >>"$dir/meta.txt"
		probe_phase=resume
	else
		refresh_prepared_meta
	fi
else
	write_settings
	write_plan
	write_command
	if [[ -n $hostfile ]]; then
		cp -- "$hostfile" "$dir/hostfile" || die "cannot copy '$hostfile' into '$dir'"
	fi
	write_meta "$( ((prepare)) && printf prepared || printf started)"
	printf '%s\n' "$STATUS_HEADER" | write_atomic "$dir/status.csv"
	: >>"$dir/sweep.log"
	if ((prepare)); then
		rmdir "$dir/.runs" 2>/dev/null || true
		warn "prepared ${#PLAN[@]} configurations in $dir; run them with: $(quote_cmd "$SELF" --resume "$dir") (or --task N for one)"
		exit "$EXIT_OK"
	fi
fi

mapfile -t done_ids < <(awk -F, 'NR > 1 { print $2 }' "$dir/status.csv")
declare -A COMPLETED=()
for id in "${done_ids[@]}"; do
	COMPLETED[$id]=1
done
n=${#PLAN[@]}
todo=$((n - ${#COMPLETED[@]}))
if [[ -n $resume ]]; then
	warn "resuming '$dir': $todo of $n configurations left"
fi

if ((probe && todo > 0)); then
	run_probe "$probe_phase"
fi

t_start=$(now_s)
ran=0
k=0
for line in "${PLAN[@]}"; do
	k=$((k + 1))
	read -r -a f <<<"$line"
	[[ -z ${COMPLETED[${f[0]}]:-} ]] || continue
	el=$(elapsed_s "$t_start")
	if ((ran)); then
		eta=$(awk -v e="$el" -v r="$ran" -v t="$todo" 'BEGIN { printf "%.0f", e / r * (t - r) }')
	else
		eta="?"
	fi
	printf '[%d/%d] %s %s workers=%s elapsed %.0fs, ETA %ss\n' "$k" "$n" "${f[1]}" "${f[2]}" \
		"${f[5]}" "$el" "$eta" >&2
	run_config "$k" "$n" "${f[@]}"
	ran=$((ran + 1))
done

if ((probe && ran > 0)); then
	run_probe after
fi

finish_meta finished
rmdir "$dir/.runs" 2>/dev/null || true
warn "$n configurations: $n_ok ok, $n_failed failed, $n_verify verify-failed; ran $ran in $(elapsed_s "$t_start")s; results in $dir"

rc=$EXIT_OK
((n_verify == 0)) || rc=$EXIT_VERIFY
((n_failed == 0)) || rc=$EXIT_FAILURE

if ((plot)) && [[ -x $ROOT/scripts/plot.sh && -s $dir/raw.csv ]]; then
	if ! PARSCALE_BUILD="$build" "$ROOT/scripts/plot.sh" "$dir" 9>&-; then
		warn "scripts/plot.sh failed on '$dir'"
		((rc != EXIT_OK)) || rc=$EXIT_FAILURE
	fi
fi
exit "$rc"
