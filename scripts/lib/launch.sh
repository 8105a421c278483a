# shellcheck shell=bash
# launch.sh: how a configuration is started: the driver's executable, its
# arguments, and for the drivers an MPI launcher starts (launch "mpi" in
# share/drivers.csv) the mpirun or srun line with its environment. Also
# asks a driver to check a group of configurations (--check-config), and
# says in meta.txt how ranks and threads were placed.

[[ -z ${PARSCALE_LAUNCH_SH:-} ]] || return 0
PARSCALE_LAUNCH_SH=1
# shellcheck source-path=SCRIPTDIR source=exec.sh
source "${BASH_SOURCE[0]%/*}/exec.sh"
# shellcheck source-path=SCRIPTDIR source=klib.sh
source "${BASH_SOURCE[0]%/*}/klib.sh"

readonly DEF_LAUNCHER=mpirun

opt_add <<'EOF'
--build value build
--mpi-args value mpi_args new
--hostfile value hostfile new
--launcher value launcher new
EOF
setting_add build
setting_add hostfile
setting_add launcher
setting_add mpi_pml
setting_add mpi_arg list

MPI_ARGS=()
MPI_ENV=()
DARGS=()
CMD=()
CORES=$(nproc 2>/dev/null || echo 1)    # until the build folder is known
HOSTFILE_SLOTS="" HOSTFILE_TOTAL=0 HOSTFILE_HOSTS=0 USER_PLACES=0

# launch_from_options: the launch settings of a new sweep (OPTV -> S).
launch_from_options() {
	local list
	S[build]=${OPTV[build]:-$(parscale_bin_dir)}
	S[launcher]=${OPTV[launcher]:-$DEF_LAUNCHER}
	S[hostfile]=${OPTV[hostfile]:-}
	list=$(split_words "${OPTV[mpi_args]:-}") ||
		usage_error "bad --mpi-args '${OPTV[mpi_args]}' (unbalanced quotes)"
	S[mpi_arg]=$list
	[[ -n ${OMPI_MCA_pml+set} ]] || S[mpi_pml]=ob1
	if [[ -n ${S[hostfile]} ]]; then
		[[ -f ${S[hostfile]} && -r ${S[hostfile]} ]] ||
			usage_error "--hostfile '${S[hostfile]}' is not a readable file"
		S[hostfile]=$(cd -- "$(dirname -- "${S[hostfile]}")" && pwd -P)/$(basename -- "${S[hostfile]}")
	fi
	launch_check_values
}

# launch_check_values: the launch settings, from the options or settings.txt;
# caches what every command line needs.
launch_check_values() {
	[[ ${S[launcher]} == mpirun || ${S[launcher]} == srun ]] ||
		bad_setting launcher "want mpirun or srun"
	[[ ${S[launcher]} == mpirun || -z ${S[hostfile]} ]] ||
		usage_error "option '--hostfile' needs --launcher mpirun (srun takes its hosts from the allocation)"
	[[ -d ${S[build]} ]] ||
		usage_error "build folder '${S[build]}' does not exist (build first, or give --build DIR)"
	S[build]=$(cd -- "${S[build]}" && pwd -P)
	CORES=$(online_cores "${S[build]}")   # as these drivers count them
	build_cache_load
	MPI_ARGS=()
	[[ -z ${S[mpi_arg]} ]] || mapfile -t MPI_ARGS <<<"${S[mpi_arg]}"
	if [[ -n ${S[hostfile]} ]]; then
		# a resumed folder whose hostfile went away uses its copy
		[[ -r ${S[hostfile]} || ! -r ${DIR:-/nonexistent}/hostfile ]] || S[hostfile]=$DIR/hostfile
		HOSTFILE_SLOTS=$(hostfile_slots)
		[[ -n $HOSTFILE_SLOTS ]] || usage_error "--hostfile '${S[hostfile]}' names no host"
		HOSTFILE_HOSTS=$(wc -l <<<"$HOSTFILE_SLOTS")
		HOSTFILE_TOTAL=$(awk -F: '{ s += $NF } END { print s + 0 }' <<<"$HOSTFILE_SLOTS")
	fi
	if [[ ${S[launcher]} == srun && -n ${SLURM_CPUS_PER_TASK+set} ]]; then
		is_posint "$SLURM_CPUS_PER_TASK" ||
			usage_error "bad SLURM_CPUS_PER_TASK '$SLURM_CPUS_PER_TASK' (srun's --cpus-per-task; want an integer >= 1)"
	fi
	USER_PLACES=0
	! user_places_ranks || USER_PLACES=1
	set_mpi_env
}

# hostfile_slots: "host:slots" per distinct host of the hostfile, in order
# of first appearance (Open MPI syntax: "host [slots=N] ...", '#' comments;
# a line without slots= counts as one slot).
hostfile_slots() {
	[[ -n ${S[hostfile]} && -r ${S[hostfile]} ]] || return 0
	awk '{ sub(/#.*/, "") } NF {
		n = 1
		for (i = 2; i <= NF; i++) if ($i ~ /^slots=[0-9]+$/) { n = substr($i, 7) + 0 }
		if (!($1 in slots)) order[++k] = $1
		slots[$1] += n
	} END { for (i = 1; i <= k; i++) print order[i] ":" slots[order[i]] }' "${S[hostfile]}"
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

# build_cache_load: read the build's CMakeCache.txt into BUILD_CACHE (once,
# in this shell: build_cache_value is mostly called in $(...)).
declare -A BUILD_CACHE=()
build_cache_load() {
	local key val
	BUILD_CACHE=()
	[[ -r ${S[build]}/CMakeCache.txt ]] || return 0
	while IFS='=' read -r key val; do
		BUILD_CACHE[${key%%:*}]=$val
	done < <(awk '/^[A-Za-z_][A-Za-z0-9_]*(:[A-Z]+)?=/' "${S[build]}/CMakeCache.txt")
}

# build_cache_value KEY: a value from the build's CMakeCache.txt, or nothing.
build_cache_value() {
	printf '%s\n' "${BUILD_CACHE[$1]:-}"
}

# set_mpi_env: the variables the sweep adds for MPI launchers, in MPI_ENV.
set_mpi_env() {
	MPI_ENV=()
	if ((EUID == 0)); then
		MPI_ENV+=(OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1)
	fi
	if [[ -z ${OMPI_MCA_pml+set} && -n ${S[mpi_pml]} ]]; then
		MPI_ENV+=("OMPI_MCA_pml=${S[mpi_pml]}")
	fi
	# A host that falls silent (a cut link, a crashed node) would otherwise
	# hold mpirun for as long as TCP retransmits: probe idle connections
	# between mpirun and its daemons every second and give up after 3
	# missed probes, so the job aborts naming the host and the daemon
	# there ends too. The sweep's watchdog is the bound behind this.
	local kv name
	if [[ ${S[launcher]} == mpirun ]]; then
		for kv in oob_tcp_keepalive_time=1 oob_tcp_keepalive_intvl=1 oob_tcp_keepalive_probes=3; do
			name="OMPI_MCA_${kv%%=*}"
			[[ -n ${!name+set} ]] || MPI_ENV+=("$name=${kv#*=}")
		done
	fi
	# In a sanitizer build, LeakSanitizer cannot attribute (or suppress) the
	# allocations Open MPI keeps in the components it dlopen()s and unloads:
	# MPI runs keep AddressSanitizer and UBSan but not the leak check.
	if [[ $(build_cache_value PARSCALE_SANITIZE) == ON ]]; then
		MPI_ENV+=("ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0")
	fi
}

# ---- drivers -------------------------------------------------------------------

# driver_binary D: the executable of driver D.
driver_binary() {
	printf '%s\n' "${S[build]}/parscale-${DRV_BIN[$1]:-$1}"
}

# driver_missing D: true, printing why, if driver D cannot run here.
driver_missing() {
	local why=""
	local bin=${S[build]}/parscale-${DRV_BIN[$1]:-$1}
	[[ -x $bin ]] || why="no '$bin'"
	if is_mpi_driver "$1" && ! command -v "${S[launcher]}" >/dev/null; then
		why+="${why:+ or }no ${S[launcher]}"
	fi
	[[ -n $why ]] && printf '%s\n' "$why"
}

# kernel_lister: a built driver that needs no launcher, to list the kernels.
kernel_lister() {
	local d
	for d in "${ALL_DRIVERS[@]}"; do
		if [[ ${DRV_LAUNCH[$d]} == direct && ${DRV_FAMILY[$d]} == c && -x ${S[build]}/parscale-$d ]]; then
			printf '%s\n' "${S[build]}/parscale-$d"
			return 0
		fi
	done
	return 1
}

# driver_args KERNEL SCALING SIZE [RUN_ID [DRIVER]]: DARGS = what the
# driver of a configuration gets but the worker count and the output.
driver_args() {
	local k=$1 p
	if [[ ${DRV_FAMILY[${5:-}]:-} == exec ]]; then
		exec_args "$1" "$2" "$3" "${4:-}" "$5"
		return 0
	fi
	DARGS=("${KLIB_ARGS[@]}" --kernel "$k" --scaling "$2" --reps "${S[reps]}" --warmup "${S[warmup]}"
		--timeout "${S[timeout]}")
	[[ -z ${4:-} ]] || DARGS+=(--run-id "$4")
	[[ $3 == default ]] || DARGS+=(--size "$3")
	[[ -z ${S[schedule]} ]] || DARGS+=(--schedule "${S[schedule]}")
	for p in "${PARAMS[@]}"; do
		if [[ $p == *:* && ${p%%:*} != *=* ]]; then
			[[ ${p%%:*} == "$k" ]] || continue
			p=${p#*:}
		fi
		DARGS+=(--param "$p")
	done
}

# launch_check_group DRIVER KERNEL SCALING SIZE WORKERS,...: ask the driver
# whether it takes these configurations (parscale-X --check-config); a
# refusal is a usage error with the driver's own message.
launch_check_group() {
	local d=$1 list="" w n here out rc=0
	local -a extra=()
	driver_args "$2" "$3" "$4" "" "$d"
	if is_mpi_driver "$d"; then
		# the busiest host's share: all here, or spread over the hostfile's
		# hosts or the allocation's nodes (whole ranks)
		n=1
		((HOSTFILE_HOSTS <= 1)) || n=$HOSTFILE_HOSTS
		[[ ${S[launcher]} != srun ]] || ! is_posint "${SLURM_JOB_NUM_NODES:-}" || n=$((10#$SLURM_JOB_NUM_NODES))
		for w in ${5//,/ }; do
			here=$(((w / S[threads] + n - 1) / n))
			[[ ${DRV_WORKERS_ARE[$d]} == hybrid ]] || here=$(((w + n - 1) / n))
			[[ ${DRV_WORKERS_ARE[$d]} != hybrid ]] || here=$((here * S[threads]))
			((here <= w)) || here=$w
			list+="${list:+,}$w@$here"
		done
	else
		list=$5
	fi
	[[ ${DRV_WORKERS_ARE[$d]} != hybrid ]] || extra=(--threads "${S[threads]}")
	out=$("$(driver_binary "$d")" --check-config="$list" "${extra[@]}" "${DARGS[@]}" 2>&1 >/dev/null) || rc=$?
	((rc)) || return 0
	out=$(grep '^parscale-' <<<"$out" | tail -n 1) || true
	local bin=${DRV_BIN[$d]:-$d} what="kernel $2"
	[[ ${DRV_FAMILY[$d]} != exec ]] || what="--exec '${d#exec:}'"
	if ((rc == EXIT_USAGE)); then
		usage_error "parscale-$bin refuses $what (size $4, workers ${5//,/ }): ${out#parscale-"$bin": }"
	fi
	die "parscale-$bin --check-config failed (exit $rc): ${out:-no message}"
}

# cmd_for RUN_ID KERNEL DRIVER SCALING SIZE WORKERS [OUTPUT]: CMD = the
# command line of one configuration (writing its CSV to OUTPUT if given).
cmd_for() {
	local id=$1 k=$2 d=$3 w=$6 bin ranks per_rank=1 cpus slots=$CORES over=0 v
	local -a args env_add=()
	bin=${S[build]}/parscale-${DRV_BIN[$d]:-$d}
	driver_args "$k" "$4" "$5" "$id" "$d"
	args=("${DARGS[@]}")
	[[ -z ${7:-} ]] || args+=(--output "$7")
	if ! is_mpi_driver "$d"; then
		# a program of ranks x threads (exec) starts its ranks itself
		[[ ${DRV_WORKERS_ARE[$d]} != hybrid ]] || args=(--threads "${S[threads]}" "${args[@]}")
		CMD=("$bin" --workers "$w" "${args[@]}")
		return 0
	fi
	# mpi: w ranks; hybrid: w/threads ranks of threads threads each.
	ranks=$w cpus=${SLURM_CPUS_PER_TASK:-1}
	if [[ ${DRV_WORKERS_ARE[$d]} == hybrid ]]; then
		ranks=$((w / S[threads])) per_rank=${S[threads]} cpus=${S[threads]}
		args=(--workers "$w" --threads "${S[threads]}" "${args[@]}")
		env_add=("OMP_NUM_THREADS=${S[threads]}")
	fi
	# Oversubscribed (mpirun only): more workers than the cores here, or
	# than the hostfile's slots (one rank each) times the threads of a rank.
	[[ -z ${S[hostfile]} ]] || slots=$((HOSTFILE_TOTAL * per_rank))
	[[ ${S[launcher]} != mpirun ]] || ((w <= slots)) || over=1
	# libgomp stops spinning at barriers when a process has more threads
	# than CPUs, but cannot see the other ranks' threads: when
	# oversubscribed, tell it (as Open MPI yields then), unless the user
	# chose a wait policy.
	if ((over)) && [[ ${DRV_WORKERS_ARE[$d]} == hybrid && -z ${OMP_WAIT_POLICY+set} ]]; then
		env_add+=(OMP_WAIT_POLICY=passive)
	fi
	if [[ ${S[launcher]} == srun ]]; then
		# srun no longer passes the allocation's --cpus-per-task on to steps
		# (Slurm 22.05+): give it explicitly. srun exports the environment.
		CMD=(env "${MPI_ENV[@]}" "${env_add[@]}" srun --mpi=pmix --ntasks="$ranks"
			--cpus-per-task="$cpus" "${MPI_ARGS[@]}" "$bin" "${args[@]}")
		return 0
	fi
	# Open MPI's session folders in the run folder, not /tmp: two sweeps (or
	# a sweep and a test) starting mpirun at once raced there
	# ("orte_session_dir failed"). Local runs only: another host may not
	# see this folder.
	if [[ -z ${S[hostfile]} && -z ${OMPI_MCA_orte_tmpdir_base+set} ]]; then
		env_add+=("OMPI_MCA_orte_tmpdir_base=$DIR/.runs")
	fi
	CMD=(env "${MPI_ENV[@]}" "${env_add[@]}" mpirun -np "$ranks")
	if ((over)) && [[ " ${MPI_ARGS[*]} " != *" --oversubscribe "* ]]; then
		CMD+=(--oversubscribe)
	fi
	if [[ -n ${S[hostfile]} ]]; then
		CMD+=(--hostfile "${S[hostfile]}")
		# Ranks on other hosts get only the variables named with -x.
		for v in "${env_add[@]}"; do
			CMD+=(-x "${v%%=*}")
		done
	fi
	if [[ ${DRV_WORKERS_ARE[$d]} == hybrid ]] && ((!USER_PLACES)); then
		# Open MPI binds a rank to one core by default (np <= 2), which would
		# stack its threads there: give each rank its own cores where they
		# are known to fit (no hostfile, not oversubscribed), else leave the
		# threads free.
		if ((over)) || [[ -n ${S[hostfile]} ]]; then
			CMD+=(--bind-to none)
		else
			CMD+=(--map-by "slot:PE=${S[threads]}")
		fi
	fi
	CMD+=("${MPI_ARGS[@]}" "$bin" "${args[@]}")
}

# launch_binaries: the executables the plan's drivers run, one a line.
launch_binaries() {
	local d line
	local -A used=()
	local -a f
	for line in "${PLAN[@]}"; do
		# shellcheck disable=SC2206  # checked names and numbers
		f=($line)
		used[${f[2]}]=1
	done
	local -A bins=()
	for d in "${ALL_DRIVERS[@]}"; do
		[[ -n ${used[$d]:-} && -z ${bins[${DRV_BIN[$d]:-$d}]:-} ]] || continue
		bins[${DRV_BIN[$d]:-$d}]=1
		printf '%s\n' "${S[build]}/parscale-${DRV_BIN[$d]:-$d}"
	done
	exec_programs
}

# launch_meta: meta.txt lines on launchers and binding (meta_line format).
launch_meta() {
	local t=${S[threads]}
	meta_line launcher "${S[launcher]}"
	meta_line threads_per_rank_hybrid "$t"
	meta_line mpi_env_added "${MPI_ENV[*]}"
	meta_line binding_omp_proc_bind "${OMP_PROC_BIND:-unset}"
	meta_line binding_omp_places "${OMP_PLACES:-unset}"
	if [[ ${S[launcher]} == srun ]]; then
		meta_line binding_mpi "slurm default for srun --cpus-per-task=\$SLURM_CPUS_PER_TASK unless --cpu-bind is in mpi_args"
		meta_line binding_hybrid "srun --cpus-per-task=$t: slurm's default for the rank's $t cpus unless --cpu-bind is in mpi_args; threads unbound inside them"
	else
		meta_line binding_mpi "open mpi default unless --bind-to is in mpi_args (core for np<=2, socket above, none when oversubscribed)"
		if ((USER_PLACES)); then
			meta_line binding_hybrid "as mpi_args say; threads unbound inside each rank's cpus"
		else
			meta_line binding_hybrid "mpirun --map-by slot:PE=$t ($t cores per rank) where workers <= cores and no hostfile, else --bind-to none; threads unbound inside each rank's cpus"
		fi
	fi
	if [[ ${S[launcher]} == mpirun && -z ${OMP_WAIT_POLICY+set} ]]; then
		meta_line hybrid_env_added "OMP_NUM_THREADS=$t; OMP_WAIT_POLICY=passive when oversubscribed (as --oversubscribe)"
	else
		meta_line hybrid_env_added "OMP_NUM_THREADS=$t"
	fi
	meta_line binding_threads_fork "none (the kernel scheduler places workers)"
	exec_meta
}
