# shellcheck shell=bash
# meta.sh: what the run folder records about where and how it ran: meta.txt
# (machine, build, settings, outcome, placements and bindings) and build.txt
# (the build and environment the runs depend on: each driver's checksum and
# version, the git revision, the runtime variables), which a resume
# compares before it runs anything.

[[ -z ${PARSCALE_META_SH:-} ]] || return 0
PARSCALE_META_SH=1
# shellcheck source-path=SCRIPTDIR source=probe.sh
source "${BASH_SOURCE[0]%/*}/probe.sh"

opt_add <<'EOF'
--allow-changed-build flag allow_changed
EOF

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

# git_state: GIT_REV and GIT_DIRTY of the tree the scripts come from (asked
# once).
GIT_REV=""
GIT_DIRTY=""
git_state() {
	[[ -z $GIT_REV ]] || return 0
	GIT_REV=$(git -C "$ROOT" rev-parse --verify -q HEAD 2>/dev/null) || GIT_REV=none
	GIT_DIRTY=0
	[[ -z $(git -C "$ROOT" status --porcelain 2>/dev/null) ]] || GIT_DIRTY=1
}

# meta_line KEY VALUE: one key=value line, the value on one line.
meta_line() {
	local v=${2//$'\n'/ }
	printf '%s=%s\n' "$1" "${v//$'\r'/}"
}

# effective_flags: the C flags the drivers were compiled with (the build's
# flags.make holds what add_compile_options added to the cache's flags).
effective_flags() {
	local f
	for f in "${S[build]}"/CMakeFiles/parscale-pthread.dir/flags.make "${S[build]}"/CMakeFiles/parscale-serial.dir/flags.make; do
		if [[ -r $f ]]; then
			awk '/^C_FLAGS = / { sub(/^C_FLAGS = /, ""); print; exit }' "$f"
			return 0
		fi
	done
}

# plan_column N: the distinct values of field N (1-based) of the plan lines.
plan_column() {
	printf '%s\n' "${PLAN[@]}" | awk -v n="$1" '!s[$n]++ { print $n }'
}

# meta_sizes: KERNEL=SIZE[+SIZE...] joined by ',', from the plan.
meta_sizes() {
	printf '%s\n' "${PLAN[@]}" | awk '!seen[$2 " " $5]++ {
			if (!c[$2]++) { o[++n] = $2; z[$2] = $5 } else z[$2] = z[$2] "+" $5 }
		END { for (i = 1; i <= n; i++) printf "%s%s=%s", (i > 1 ? "," : ""), o[i], z[o[i]]; print "" }'
}

# write_meta [KEY]: write meta.txt; KEY (default started) names the time
# stamp: "prepared" for a folder made by --prepare, whose meta.txt is
# written again (on the machine that runs it) when it is first run.
write_meta() {
	local cc omp mpi="" gp="" e aff bt stamp_key=${1:-started}
	cc=$(build_cache_value CMAKE_C_COMPILER)
	omp=$(build_cache_value OpenMP_C_SPEC_DATE)
	if [[ -z $omp && -n $cc && -x $cc ]]; then
		omp=$(printf '_OPENMP\n' | "$cc" -fopenmp -E -P -x c - 2>/dev/null | tail -n 1) || omp=""
	fi
	! command -v mpirun >/dev/null || mpi=$(mpirun --version 2>/dev/null | head -n 1) || mpi=""
	! command -v gnuplot >/dev/null || gp=$(gnuplot --version 2>/dev/null) || gp=""
	git_state
	aff=$(awk -F: '$1 == "Cpus_allowed_list" { gsub(/[ \t]/, "", $2); print $2 }' /proc/self/status)
	bt=$(build_cache_value CMAKE_BUILD_TYPE)
	{
		meta_line sweep_id "${S[sweep_id]}"
		utc_now
		meta_line "$stamp_key" "$NOW"
		meta_line host "$HOSTNAME"
		meta_line cpu_model "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
		meta_line cores "$CORES"
		meta_line cpus_allowed "$aff"
		meta_line mem_kib "$(awk '$1 == "MemTotal:" { print $2 }' /proc/meminfo)"
		meta_line kernel_release "$(uname -r)"
		meta_line build_dir "${S[build]}"
		meta_line build_type "$bt"
		meta_line compiler "$cc"
		if [[ -n $cc && -x $cc ]]; then
			meta_line compiler_version "$("$cc" -dumpfullversion 2>/dev/null || "$cc" -dumpversion 2>/dev/null || true)"
		fi
		meta_line c_flags "$(build_cache_value CMAKE_C_FLAGS)"
		meta_line c_flags_build_type "$(build_cache_value "CMAKE_C_FLAGS_${bt^^}")"
		meta_line c_flags_effective "$(effective_flags)"
		meta_line cmake_options "$(awk -F'[:=]' '/^PARSCALE_[A-Z_]*:BOOL=/ { printf "%s%s=%s", sep, $1, $3; sep = ";" }' "${S[build]}/CMakeCache.txt" 2>/dev/null || true)"
		meta_line openmp_version "$omp"
		meta_line openmp_flags "$(build_cache_value OpenMP_C_FLAGS)"
		meta_line mpi_library "$mpi"
		meta_line mpi_c_compiler "$(build_cache_value MPI_C_COMPILER)"
		meta_line gnuplot_version "$gp"
		meta_line git_revision "$GIT_REV"
		meta_line git_dirty "$GIT_DIRTY"
		meta_line kernels "$(plan_column 2 | paste -sd, -)"
		meta_line drivers "$(plan_column 3 | paste -sd, -)"
		meta_line workers "$(plan_column 6 | sort -n | paste -sd, -)"
		meta_line scaling "${S[scaling]}"
		meta_line sizes "$(meta_sizes)"
		meta_line configurations "${#PLAN[@]}"
		meta_line reps "${S[reps]}"
		meta_line warmup "${S[warmup]}"
		meta_line timeout "${S[timeout]}"
		meta_line schedule "${S[schedule]:-driver default}"
		meta_line params "${S[param]//$'\n'/;}"
		klib_meta
		meta_line shuffle "${S[shuffle]}"
		meta_line seed "${S[seed]}"
		meta_line mpi_args "$(quote_cmd "${MPI_ARGS[@]}")"
		meta_line hostfile "${S[hostfile]}"
		if [[ -n ${S[hostfile]} ]]; then
			# What mpirun was given: the entries (comments dropped), the
			# distinct hosts and their slots; where the ranks of each run
			# went is in raw.csv (nodes, and hosts as host:ranks;...).
			meta_line hostfile_contents "$(awk '{ sub(/#.*/, ""); $1 = $1 } NF' "${S[hostfile]}" 2>/dev/null | paste -sd';' -)"
			meta_line hostfile_nodes "$HOSTFILE_HOSTS"
			meta_line hostfile_slots "${HOSTFILE_SLOTS//$'\n'/;}"
		fi
		launch_meta
		for e in "${USER_ENV[@]}"; do
			meta_line "env_${e%%=*}" "${e#*=}"
		done
	} | write_atomic "$DIR/meta.txt"
}

# finish_meta KEY: append the time (as KEY), the configuration counts, the
# probe's verdict and where the MPI ranks ran to meta.txt. Sets N_OK,
# N_FAILED, N_VERIFY and N_MISSING.
finish_meta() {
	read -r N_OK N_FAILED N_VERIFY N_MISSING < <(awk -F, '
		NR == FNR { if (FNR > 1) { c[$9]++; done[$2] = 1 } next }
		FNR > 1 && !($2 in done) { m++ }
		END { print c["ok"] + 0, c["failed"] + 0, c["verify-failed"] + 0, m + 0 }' \
		"$DIR/status.csv" "$DIR/plan.txt")
	{
		utc_now
		meta_line "$1" "$NOW"
		meta_line configurations_ok "$N_OK"
		meta_line configurations_failed "$N_FAILED"
		meta_line configurations_verify_failed "$N_VERIFY"
		meta_line configurations_missing "$N_MISSING"
		probe_meta
		placement_lines
		affinity_lines
	} >>"$DIR/meta.txt"
}

# placement_lines: for each multi-process driver and worker count in
# raw.csv, where the processes ran: "placement_DRIVER_wN=HOSTS" with HOSTS
# from the hosts column (host:ranks;...), or "nodes=N" from the nodes column
# where the drivers write no hosts column; distinct placements joined by ' | '.
placement_lines() {
	[[ -s $DIR/raw.csv ]] || return 0
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		{
			if (!c["ranks"] || $c["ranks"] + 0 < 2) next
			v = c["hosts"] ? $c["hosts"] : "nodes=" $c["nodes"]
			k = "placement_" $c["driver"] "_w" $c["workers"]
			if (seen[k, v]++) next
			if (!cnt[k]++) { order[++n] = k; val[k] = v } else val[k] = val[k] " | " v
		}
		END { for (i = 1; i <= n; i++) print order[i] "=" val[order[i]] }' "$DIR/raw.csv"
}

# affinity_lines: for each driver and worker count above 1 in raw.csv, the
# binding the workers got: "bind_DRIVER_wN=POLICY" from the bind column and
# "affinity_DRIVER_wN=CPUS" from the affinity column (CPU lists per worker);
# distinct values joined by ' | '. Rows written before those columns existed
# give nothing.
affinity_lines() {
	[[ -s $DIR/raw.csv ]] || return 0
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
		END { for (i = 1; i <= n; i++) print order[i] "=" val[order[i]] }' "$DIR/raw.csv"
}

# refresh_prepared_meta: a folder made by --prepare gets its meta.txt written
# again by the first run on the machine that runs it (under a lock, as
# tasks of a job array may start together).
refresh_prepared_meta() {
	local prepared
	(
		flock -w 30 7 || exit 0
		grep -q '^started=' "$DIR/meta.txt" 2>/dev/null && exit 0
		# Kept: when and where the folder was prepared and submitted.
		prepared=$(grep -E '^(prepared|slurm_submitted)=' "$DIR/meta.txt" 2>/dev/null) || prepared=""
		write_meta started
		[[ -z $prepared ]] || printf '%s\n' "$prepared" >>"$DIR/meta.txt"
	) 7>>"$DIR/.meta.lock"
}

# ---- build.txt: what a resume must find unchanged -------------------------

# fingerprint: the build.txt lines of this build and environment: each
# driver's SHA-256 (its version, build flags and all) and each kernel
# library's (--kernel-lib, klib.sh), the git revision
# and whether the tree was dirty, and the variables that change how runs
# behave (OMP_NUM_THREADS and the sweep's own aside: the sweep sets those
# per run).
fingerprint() {
	local v name
	local -a bins
	git_state
	printf 'git_revision=%s\ngit_dirty=%s\n' "$GIT_REV" "$GIT_DIRTY"
	mapfile -t bins < <(launch_binaries)
	if ((${#bins[@]})); then
		sha256sum -- "${bins[@]}" | awk '{ n = $2; sub(/.*\//, "", n); print "binary_" n "=" $1 }'
	fi
	klib_fingerprint
	while IFS= read -r name; do
		case $name in
		OMP_NUM_THREADS | OMPI_ALLOW_RUN_AS_ROOT* | PARSCALE_OWNER_FD) continue ;;
		esac
		if [[ $name =~ ^(OMP_|GOMP_|KMP_|OMPI_|PMIX_MCA_|MPICH_|I_MPI_|PARSCALE_|LD_PRELOAD$|LD_LIBRARY_PATH$) ]]; then
			v=${!name}
			printf 'env_%s=%s\n' "$name" "${v//$'\n'/ }"
		fi
	done < <(compgen -e | LC_ALL=C sort)
}

# fingerprint_write: record this build and environment in DIR/build.txt.
fingerprint_write() {
	fingerprint | write_atomic "$DIR/build.txt"
}

# fingerprint_check MODE: compare this build and environment with
# DIR/build.txt. A difference is refused (exit 2) unless
# --allow-changed-build was given; then it is said on stderr and recorded:
# MODE "resume" in meta.txt and the log, and build.txt is rewritten;
# "task" in the task's log; "dry" nowhere. A folder from before build.txt
# gets one (MODE resume).
fingerprint_check() {
	local now diff
	if [[ ! -f $DIR/build.txt ]]; then
		[[ $1 != resume ]] || fingerprint_write
		return 0
	fi
	now=$(fingerprint)
	diff=$(awk -F= 'NR == FNR { was[$1] = substr($0, length($1) + 2); next }
		{ now[$1] = substr($0, length($1) + 2) }
		END {
			for (k in was) if (!(k in now)) print k " was '\''" was[k] "'\'', now unset"
			for (k in now) if (!(k in was)) print k " was unset, now '\''" now[k] "'\''"
			for (k in now) if ((k in was) && was[k] != now[k]) print k " changed"
		}' "$DIR/build.txt" - <<<"$now" | LC_ALL=C sort | paste -sd';' - | sed 's/;/; /g')
	[[ -n $diff ]] || return 0
	[[ ${OPTV[allow_changed]:-} == 1 ]] ||
		usage_error "the build or environment differs from the one '$DIR' recorded in build.txt ($diff); resume with --allow-changed-build to go on with it (the change is then recorded)"
	utc_now
	warn "going on with a changed build or environment ($diff)"
	[[ $1 != dry ]] || return 0
	printf '### %s build or environment changed (--allow-changed-build): %s\n' "$NOW" "$diff" >>"$LOG_FILE"
	[[ $1 == resume ]] || return 0
	meta_line build_changed "$NOW: $diff" >>"$DIR/meta.txt"
	printf '%s\n' "$now" | write_atomic "$DIR/build.txt"
}
