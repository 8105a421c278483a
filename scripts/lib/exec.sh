# shellcheck shell=bash
# exec.sh: sweeps of programs of the user's. Each --exec NAME='COMMAND' is
# one more driver of the study, exec:NAME, run by parscale-exec (one
# process per repetition, timed by parscale) with the sweep's exec options;
# everything after the plan (checks, runs, status, resume, tasks, Slurm)
# treats it as any other driver. Here: the options and settings, the
# variants' place in the driver arrays (plan.sh), and their arguments
# (launch.sh). What parscale-exec refuses is refused through
# --check-config, with its message, before anything runs.

[[ -z ${PARSCALE_EXEC_SH:-} ]] || return 0
PARSCALE_EXEC_SH=1
# shellcheck source-path=SCRIPTDIR source=plan.sh
source "${BASH_SOURCE[0]%/*}/plan.sh"

readonly DEF_EXEC_NAME=program

opt_add <<'EOF'
--exec list exec new
--name value exec_name new
--shell flag exec_shell new
--metric value exec_metric new
--metric-csv value exec_metric_csv new
--metric-unit value exec_metric_unit new
--from value exec_from new
--check-regex value exec_check_regex new
--check-cmd value exec_check_cmd new
--work value exec_work new
--work-unit value exec_work_unit new
--class value exec_class new
--dims value exec_dims new
EOF
setting_add exec list
setting_add exec_name
setting_add exec_shell
setting_add exec_dir

# The options passed on to parscale-exec as they were given: setting key,
# then option.
readonly EXEC_PASS=(exec_metric:--metric exec_metric_csv:--metric-csv
	exec_metric_unit:--metric-unit exec_from:--from exec_check_regex:--check-regex
	exec_check_cmd:--check-cmd exec_work:--work exec_work_unit:--work-unit
	exec_class:--class exec_dims:--dims)
for _kv in "${EXEC_PASS[@]}"; do
	setting_add "${_kv%%:*}"
done
unset _kv

# A driver's parscale-X when it is not its own name (exec:NAME -> exec);
# read by launch.sh.
declare -A DRV_BIN=()
declare -A EXEC_CMD=()      # exec:NAME -> its command template

# exec_mode: true in a sweep of --exec variants.
exec_mode() {
	[[ -n ${S[exec]} ]]
}

# exec_from_options: the exec settings of a new sweep (OPTV -> S). Options
# that only mean something for one kind of sweep are refused in the other.
exec_from_options() {
	local kv o
	S[exec]=${OPTV[exec]:-}
	S[exec_shell]=${OPTV[exec_shell]:-0}
	S[exec_name]=${OPTV[exec_name]:-}
	for kv in "${EXEC_PASS[@]}"; do
		S[${kv%%:*}]=${OPTV[${kv%%:*}]:-}
	done
	if ! exec_mode; then
		for o in --name --shell "${EXEC_PASS[@]#*:}"; do
			! opt_given "$o" || usage_error "option '$o' needs --exec NAME=COMMAND"
		done
		return 0
	fi
	for o in --kernels --drivers --schedule --mpi-args --hostfile; do
		! opt_given "$o" ||
			usage_error "option '$o' cannot be used with --exec (the command says what runs and how it is launched)"
	done
	[[ -n ${S[exec_name]} ]] || S[exec_name]=$DEF_EXEC_NAME
	# commands run where the sweep was started, wherever it is resumed
	S[exec_dir]=$(pwd -P)
	[[ ${S[exec_dir]} != *$'\n'* ]] || usage_error "the current folder's name holds a newline"
}

# exec_check_values: the syntax of the exec settings (from the options or
# settings.txt), and each variant registered as driver exec:NAME. What a
# variant's workers are follows from the placeholders its command names:
# {ranks} and {threads} both: ranks x --threads (skipped where --threads
# does not divide, like hybrid); {ranks}: processes; else threads.
exec_check_values() {
	local line name cmd d are
	local -a lines
	exec_mode || return 0
	((${#EXEC_CMD[@]} == 0)) || return 0    # registered already
	if ! is_name "${S[exec_name]}" || ((${#S[exec_name]} > 32)); then
		bad_setting exec_name "want 1 to 32 characters of [A-Za-z0-9._-]"
	fi
	[[ ${S[exec_shell]} == [01] ]] || bad_setting exec_shell "want 0 or 1"
	[[ ${S[exec_dir]} == /* ]] || bad_setting exec_dir "want the absolute path of a folder"
	mapfile -t lines <<<"${S[exec]}"
	for line in "${lines[@]}"; do
		name=${line%%=*} cmd=${line#*=}
		if [[ $line != *=* || -z $name ]] || ! is_name "$name" || ((${#name} > 32)); then
			usage_error "${SETTINGS_SRC:+$SETTINGS_SRC:${SETTINGS_LINE[exec]}: }bad --exec '$line' (want NAME=COMMAND, NAME of [A-Za-z0-9._-], at most 32)"
		fi
		[[ -n ${cmd//[[:space:]]/} ]] || usage_error "--exec '$name': the command is empty"
		d=exec:$name
		[[ -z ${EXEC_CMD[$d]+set} ]] || usage_error "--exec '$name' is given twice"
		are=thread
		[[ $cmd != *"{ranks}"* ]] || are=process
		[[ $cmd != *"{ranks}"* || $cmd != *"{threads}"* ]] || are=hybrid
		EXEC_CMD[$d]=$cmd
		ALL_DRIVERS+=("$d")
		# shellcheck disable=SC2034  # DRV_BIN: read by launch.sh
		DRV_FAMILY[$d]=exec DRV_LAUNCH[$d]=direct DRV_WORKERS_ARE[$d]=$are DRV_BIN[$d]=exec
	done
}

# exec_kernels: KERNELS = the study's name (--name); a --param KERNEL:
# prefix must name it.
exec_kernels() {
	local p
	KERNELS=("${S[exec_name]}")
	KNOWN_KERNELS=" ${S[exec_name]} "
	for p in "${PARAMS[@]}"; do
		if [[ $p =~ ^([A-Za-z0-9_-]+): && ${BASH_REMATCH[1]} != "${S[exec_name]}" ]]; then
			usage_error "--param '$p' names '${BASH_REMATCH[1]}', not the study's --name '${S[exec_name]}'"
		fi
	done
}

# exec_drivers: DRIVERS = the variants, in the order given.
exec_drivers() {
	local d why
	[[ -z ${OPTV[drivers]:-} ]] || usage_error "option '--drivers' cannot be used with --exec"
	DRIVERS=()
	for d in "${ALL_DRIVERS[@]}"; do
		[[ ${DRV_FAMILY[$d]} == exec ]] || continue
		! why=$(driver_missing "$d") || die "parscale-exec is not available ($why)"
		DRIVERS+=("$d")
	done
}

# exec_args KERNEL SCALING SIZE RUN_ID DRIVER: DARGS = what parscale-exec
# gets for a configuration but the worker count and the output.
exec_args() {
	local kv p
	DARGS=(--name "$1" --variant "${5#exec:}" --scaling "$2" --reps "${S[reps]}"
		--warmup "${S[warmup]}" --timeout "${S[timeout]}")
	[[ -z $4 ]] || DARGS+=(--run-id "$4")
	[[ $3 == default ]] || DARGS+=(--size "$3")
	for p in "${PARAMS[@]}"; do
		if [[ $p == *:* && ${p%%:*} != *=* ]]; then
			[[ ${p%%:*} == "$1" ]] || continue
			p=${p#*:}
		fi
		DARGS+=(--param "$p")
	done
	for kv in "${EXEC_PASS[@]}"; do
		[[ -z ${S[${kv%%:*}]} ]] || DARGS+=("${kv#*:}" "${S[${kv%%:*}]}")
	done
	((!S[exec_shell])) || DARGS+=(--shell)
	DARGS+=(--chdir "${S[exec_dir]}")
	DARGS+=(--command "${EXEC_CMD[$5]}")
}

# exec_programs: the files the variants run (parscale-exec --which), one a
# line, so that build.txt records their SHA-256 and a resume notices a
# rebuilt program as it notices a rebuilt driver.
exec_programs() {
	local d
	local -a shell=()
	exec_mode || return 0
	((!S[exec_shell])) || shell=(--shell --name "${S[exec_name]}")
	for d in "${ALL_DRIVERS[@]}"; do
		[[ -n ${EXEC_CMD[$d]+set} ]] || continue
		"${S[build]}/parscale-exec" --which --chdir "${S[exec_dir]}" "${shell[@]}" \
			--command "${EXEC_CMD[$d]}" 2>/dev/null || true
	done | awk '!seen[$0]++'
}

# exec_meta: meta.txt lines on the variants (meta_line format).
exec_meta() {
	local d kv
	exec_mode || return 0
	meta_line exec_name "${S[exec_name]}"
	meta_line exec_dir "${S[exec_dir]}"
	meta_line exec_shell "$( ((S[exec_shell])) && printf 'yes: /bin/sh -c' || printf 'no: fork + exec, nothing evaluated')"
	for d in "${ALL_DRIVERS[@]}"; do
		[[ -z ${EXEC_CMD[$d]+set} ]] || meta_line "exec_command_${d#exec:}" "${EXEC_CMD[$d]}"
	done
	for kv in "${EXEC_PASS[@]}"; do
		[[ -z ${S[${kv%%:*}]} ]] || meta_line "${kv%%:*}" "${S[${kv%%:*}]}"
	done
}
