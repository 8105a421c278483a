# shellcheck shell=bash
# plan.sh: what a sweep runs. The driver table (share/drivers.csv), the
# options that choose kernels, drivers, worker counts and sizes, their
# checks, the plan (PLAN: "run_id kernel driver scaling size workers" per
# configuration, in run order) and its file, plan.txt. A sweep of programs
# of the user's (--exec) plans its variants as drivers; exec.sh and klib.sh
# (kernel libraries, --kernel-lib), sourced after this file, hold the
# exec_* and klib_* functions called here.
#
# A driver is a row of share/drivers.csv; its family and launch columns say
# how launch.sh starts it. Limits are the drivers' own: every group of
# configurations is shown to its driver (launch_check_group) before the
# first run.

[[ -z ${PARSCALE_PLAN_SH:-} ]] || return 0
PARSCALE_PLAN_SH=1
# shellcheck source-path=SCRIPTDIR source=folder.sh
source "${BASH_SOURCE[0]%/*}/folder.sh"

readonly PLAN_HEADER=order,run_id,kernel,driver,scaling,size,workers
readonly DRIVERS_HEADER=driver,order,family,workers_are,launch,color,point,label
readonly DEF_WORKERS=1,2,4 DEF_SCALING=strong DEF_REPS=5 DEF_WARMUP=1
readonly DEF_TIMEOUT=300 DEF_THREADS=2

opt_add <<'EOF'
--kernels value kernels new
--drivers value drivers new
--workers value workers new
--threads value threads new
--scaling value scaling new
--size value size new
--reps value reps new
--warmup value warmup new
--timeout value timeout new
--schedule value schedule new
--param list param new
--shuffle flag shuffle new
--seed value seed new
EOF
setting_add sweep_id
setting_add reps
setting_add warmup
setting_add timeout
setting_add schedule
setting_add threads
setting_add shuffle
setting_add seed
setting_add param list
setting_add plan_lines
setting_add plan_sum

# ---- the driver table ------------------------------------------------------

ALL_DRIVERS=()              # by the table's order column
declare -A DRV_FAMILY=() DRV_WORKERS_ARE=() DRV_LAUNCH=()

# drivers_load: read share/drivers.csv (a broken table is a broken install).
drivers_load() {
	local f out
	f="$(parscale_data_dir)/drivers.csv"
	out=$(awk -F, -v want="$DRIVERS_HEADER" '
		NR == 1 { if ($0 != want) { print "ERR 1: header is not " want; exit } nf = NF; next }
		NF != nf || $1 !~ /^[a-z][a-z0-9-]*$/ || $2 !~ /^[0-9]+$/ || $5 !~ /^(direct|mpi)$/ ||
			$4 !~ /^(process|thread|hybrid)$/ || seen[$1]++ { print "ERR " NR ": bad row"; exit }
		{ print $2, $1, $3, $4, $5 }' "$f" 2>&1 | sort -n -k1,1) || true
	[[ -n $out && $out != ERR* && $out != *$'\n'ERR* ]] ||
		die "'$f' is not a driver table (${out#ERR }); reinstall parscale"
	local order name family are launch
	while read -r order name family are launch; do
		ALL_DRIVERS+=("$name")
		# shellcheck disable=SC2034  # read by launch.sh
		DRV_FAMILY[$name]=$family
		DRV_WORKERS_ARE[$name]=$are
		DRV_LAUNCH[$name]=$launch
	done <<<"$out"
}

# is_mpi_driver D: true if driver D is started by an MPI launcher.
is_mpi_driver() {
	[[ ${DRV_LAUNCH[$1]:-} == mpi ]]
}

# ---- values ------------------------------------------------------------------

# bad_setting KEY WHY: the usage error for setting KEY's value, named as the
# option on the command line, or as FILE:LINE when read from a run folder.
bad_setting() {
	local key=$1 val=${S[$1]:-}
	if [[ -n $SETTINGS_SRC ]]; then
		usage_error "$SETTINGS_SRC:${SETTINGS_LINE[$key]:-?}: bad $key '$val' ($2)"
	fi
	usage_error "bad --${key//_/-} '$val' ($2)"
}

# plan_check_values: the syntax of the settings that make the runs (the
# drivers check their ranges, launch_check_group); the same for a new sweep
# and for settings.txt.
plan_check_values() {
	local p
	is_posint "${S[reps]}" || bad_setting reps "want an integer >= 1"
	is_uint "${S[warmup]}" || bad_setting warmup "want an integer >= 0"
	is_posint "${S[timeout]}" || bad_setting timeout "want whole seconds >= 1"
	is_posint "${S[threads]}" || bad_setting threads "want an integer >= 1"
	if [[ -n ${S[schedule]} ]]; then
		[[ ${S[schedule]} =~ ^(static|dynamic)(,([1-9][0-9]{0,8}))?$ ]] ||
			bad_setting schedule "want static, static,CHUNK, dynamic or dynamic,CHUNK"
	fi
	for p in "${PARAMS[@]}"; do
		[[ $p =~ ^([A-Za-z0-9_-]+:)?[A-Za-z_][A-Za-z0-9_]*=[^[:space:]]+$ ]] ||
			usage_error "${SETTINGS_SRC:+$SETTINGS_SRC:${SETTINGS_LINE[param]}: }bad --param '$p' (want [KERNEL:]KEY=VALUE)"
	done
	[[ -z ${S[seed]} || ${S[seed]} =~ ^[0-9]{1,10}$ ]] || bad_setting seed "want an integer >= 0"
	[[ ${S[shuffle]} == [01] ]] || bad_setting shuffle "want 0 or 1"
	S[reps]=$((10#${S[reps]})) S[warmup]=$((10#${S[warmup]}))
	S[timeout]=$((10#${S[timeout]})) S[threads]=$((10#${S[threads]}))
	exec_check_values
	klib_check_values
}

# plan_default_threads: --threads when not given: SLURM_CPUS_PER_TASK in a
# Slurm allocation (checked like the option), else DEF_THREADS.
plan_default_threads() {
	if [[ -n ${SLURM_CPUS_PER_TASK+set} ]]; then
		is_posint "$SLURM_CPUS_PER_TASK" ||
			usage_error "bad SLURM_CPUS_PER_TASK '$SLURM_CPUS_PER_TASK' (the default of --threads; want an integer >= 1)"
		printf '%s\n' "$((10#$SLURM_CPUS_PER_TASK))"
		return 0
	fi
	printf '%s\n' "$DEF_THREADS"
}

# int_list_max SPEC: check SPEC (comma-separated N, A-B, pow2:N) and print
# the largest count it names, without expanding it. Returns 1 with one line
# on stderr when SPEC is malformed.
int_list_max() {
	local spec=$1 item max=0 hi
	local -a items
	if [[ -z $spec || $spec == *, || $spec == ,* || $spec == *,,* ]]; then
		warn "empty item in list '$spec'"
		return 1
	fi
	IFS=, read -r -a items <<<"$spec"
	for item in "${items[@]}"; do
		if [[ $item =~ ^[0-9]{1,9}$ ]]; then
			hi=$((10#$item))
			((hi >= 1)) || { warn "bad item '$item' in list '$spec' (counts start at 1)"; return 1; }
		elif [[ $item =~ ^([0-9]{1,9})-([0-9]{1,9})$ ]]; then
			hi=$((10#${BASH_REMATCH[2]}))
			((10#${BASH_REMATCH[1]} >= 1)) || { warn "bad item '$item' in list '$spec' (counts start at 1)"; return 1; }
			((hi >= 10#${BASH_REMATCH[1]})) || { warn "bad range '$item' in list '$spec' (end below start)"; return 1; }
		elif [[ $item =~ ^pow2:([0-9]{1,9})$ ]]; then
			hi=$((10#${BASH_REMATCH[1]}))
			((hi >= 1)) || { warn "bad item '$item' in list '$spec' (pow2 bound must be at least 1)"; return 1; }
		else
			warn "bad item '$item' in list '$spec' (want N, A-B or pow2:N)"
			return 1
		fi
		((hi <= max)) || max=$hi
	done
	printf '%s\n' "$max"
}

# int_list_expand SPEC: the counts a list checked by int_list_max names,
# ascending, each once (into WORKERS).
int_list_expand() {
	local item lo hi p
	local -a items
	local -A seen=()
	IFS=, read -r -a items <<<"$1"
	for item in "${items[@]}"; do
		case $item in
		pow2:*)
			for ((p = 1; p <= 10#${item#pow2:}; p *= 2)); do seen[$p]=1; done
			continue
			;;
		*-*) lo=$((10#${item%-*})) hi=$((10#${item#*-})) ;;
		*) lo=$((10#$item)) hi=$lo ;;
		esac
		for ((p = lo; p <= hi; p++)); do seen[$p]=1; done
	done
	mapfile -t WORKERS < <(printf '%s\n' "${!seen[@]}" | sort -n)
}

# ---- a new plan ----------------------------------------------------------------

KERNELS=()
DRIVERS=()
PLAN_WARNINGS=()   # said by plan_warnings once every value is known good
WORKERS=()
PARAMS=()
declare -A SIZES=()

# plan_from_options: check what to run (options in OPTV, settings in S);
# fill KERNELS, DRIVERS, WORKERS and SIZES.
plan_from_options() {
	S[scaling]=${OPTV[scaling]:-$DEF_SCALING}
	S[reps]=${OPTV[reps]:-$DEF_REPS}
	S[warmup]=${OPTV[warmup]:-$DEF_WARMUP}
	S[timeout]=${OPTV[timeout]:-$DEF_TIMEOUT}
	S[schedule]=${OPTV[schedule]:-}
	S[shuffle]=${OPTV[shuffle]:-0}
	S[seed]=${OPTV[seed]:-}
	S[threads]=${OPTV[threads]:-}
	[[ -n ${S[threads]} ]] || S[threads]=$(plan_default_threads)
	opt_lines param PARAMS
	exec_from_options
	klib_from_options
	[[ ${S[scaling]} == strong || ${S[scaling]} == weak ]] ||
		bad_setting scaling "want strong or weak"
	plan_check_values
	if exec_mode; then
		exec_drivers
		exec_kernels
	else
		plan_pick_drivers
		plan_pick_kernels
	fi
	plan_pick_sizes
	plan_pick_workers
}

# plan_pick_drivers: DRIVERS from --drivers: a list of names, or all, or a
# family of the table (c, python): those of them that are built (the rest
# skipped with a warning, said once every value is known to be good).
plan_pick_drivers() {
	local spec=${OPTV[drivers]:-all} d why some=0
	local -a want=()
	if [[ $spec == all ]]; then
		want=("${ALL_DRIVERS[@]}")
		some=1
	elif is_name "$spec" && [[ " ${DRV_FAMILY[*]} " == *" $spec "* ]]; then
		for d in "${ALL_DRIVERS[@]}"; do
			[[ ${DRV_FAMILY[$d]} != "$spec" ]] || want+=("$d")
		done
		some=1
	else
		[[ $spec != *, && $spec != ,* && $spec != *,,* ]] || usage_error "empty item in --drivers '$spec'"
		IFS=, read -r -a want <<<"$spec"
		for d in "${want[@]}"; do
			[[ -n ${DRV_LAUNCH[$d]:-} ]] ||
				usage_error "unknown driver '$d' (want $(printf '%s, ' "${ALL_DRIVERS[@]}" | sed 's/, $//; s/\(.*\), /\1 or /'))"
		done
	fi
	for d in "${ALL_DRIVERS[@]}"; do
		[[ " ${want[*]} " == *" $d "* ]] || continue
		if why=$(driver_missing "$d"); then
			if ((some)); then
				PLAN_WARNINGS+=("skipping driver '$d' ($why)")
				continue
			fi
			die "driver '$d' is not available ($why)"
		fi
		DRIVERS+=("$d")
	done
	((${#DRIVERS[@]})) || die "no driver is built in '${S[build]}'"
}

plan_pick_kernels() {
	local spec=${OPTV[kernels]:-all} k p lister known
	local -a known_list
	lister=$(kernel_lister) || die "no non-MPI driver in '${S[build]}' to list the kernels"
	known=$("$lister" "${KLIB_ARGS[@]}" --list-names 2>/dev/null) || klib_lister_failed "$lister" "$?"
	mapfile -t known_list <<<"$known"
	if [[ $spec == all ]]; then
		KERNELS=("${known_list[@]}")
	else
		[[ -n $spec && $spec != *, && $spec != ,* && $spec != *,,* ]] ||
			usage_error "empty item in --kernels '$spec'"
		mapfile -t KERNELS < <(tr ',' '\n' <<<"$spec" | awk '!seen[$0]++')
		for k in "${KERNELS[@]}"; do
			[[ " ${known_list[*]} " == *" $k "* ]] ||
				usage_error "unknown kernel '$k' (known: $(printf '%s ' "${known_list[@]}" | sed 's/ $//; s/ /, /g'))"
		done
	fi
	for p in "${PARAMS[@]}"; do
		if [[ $p =~ ^([A-Za-z0-9_-]+): ]]; then
			[[ " ${known_list[*]} " == *" ${BASH_REMATCH[1]} "* ]] ||
				usage_error "unknown kernel '${BASH_REMATCH[1]}' in --param '$p'"
		fi
	done
	KNOWN_KERNELS=" ${known_list[*]} "
}

# plan_pick_sizes: SIZES[kernel] = its sizes, space-separated ("default":
# the driver's).
plan_pick_sizes() {
	local spec=${OPTV[size]:-} item name sz k defaults=""
	local -a items
	if [[ -n $spec ]]; then
		[[ $spec != *, && $spec != ,* && $spec != *,,* ]] || usage_error "empty item in --size '$spec'"
		IFS=, read -r -a items <<<"$spec"
		for item in "${items[@]}"; do
			if [[ $item == *=* ]]; then
				name=${item%%=*} sz=${item#*=}
				[[ $KNOWN_KERNELS == *" $name "* ]] || usage_error "unknown kernel '$name' in --size '$spec'"
				is_size "$sz" || usage_error "bad size '$sz' for kernel '$name' in --size"
				SIZES[$name]+="${SIZES[$name]:+ }$sz"
			else
				is_size "$item" || usage_error "bad size '$item' in --size (want N[k|M|G|Ki|Mi|Gi])"
				defaults+="${defaults:+ }$item"
			fi
		done
	fi
	for k in "${KERNELS[@]}"; do
		[[ -n ${SIZES[$k]:-} ]] || SIZES[$k]=${defaults:-default}
	done
}

# plan_pick_workers: WORKERS from --workers. The largest count is shown to
# a driver first, so a list beyond the drivers' limit is refused before it
# is expanded.
plan_pick_workers() {
	local spec=${OPTV[workers]:-$DEF_WORKERS} max d k
	max=$(int_list_max "$spec" 2>&1) || usage_error "bad --workers: ${max#"$PROG: "}"
	k=${KERNELS[0]}
	for d in "${DRIVERS[@]}"; do
		# a driver of ranks x threads shows --threads on one rank
		[[ ${DRV_WORKERS_ARE[$d]} != hybrid ]] ||
			launch_check_group "$d" "$k" "${S[scaling]}" "${SIZES[$k]%% *}" "${S[threads]}"
	done
	for d in "${DRIVERS[@]}"; do
		[[ $d != serial && ${DRV_WORKERS_ARE[$d]} != hybrid ]] || continue
		launch_check_group "$d" "$k" "${S[scaling]}" "${SIZES[$k]%% *}" "$max"
		break
	done
	int_list_expand "$spec"
}

# plan_make SWEEP_ID: PLAN from KERNELS x SIZES x DRIVERS x WORKERS; warn
# once about the counts the hybrid driver skips (those --threads does not
# divide). A plan with nothing to run is a usage error.
PLAN=()
plan_make() {
	local sweep_id=$1 k sz d w idx=0 id t=${S[threads]}
	local -a ws hybrid_ws=() skipped=()
	for w in "${WORKERS[@]}"; do
		if ((w % t)); then skipped+=("$w"); else hybrid_ws+=("$w"); fi
	done
	for k in "${KERNELS[@]}"; do
		for sz in ${SIZES[$k]}; do
			for d in "${DRIVERS[@]}"; do
				if [[ $d == serial ]]; then
					ws=(1)
				elif [[ ${DRV_WORKERS_ARE[$d]} == hybrid ]]; then
					ws=("${hybrid_ws[@]}")
				else
					ws=("${WORKERS[@]}")
				fi
				for w in "${ws[@]}"; do
					idx=$((idx + 1))
					printf -v id '%s-%03d-%s-%s-w%s' "$sweep_id" "$idx" "$k" "${d/:/.}" "$w"
					PLAN+=("${id:0:64} $k $d ${S[scaling]} $sz $w")
				done
			done
		done
	done
	((${#PLAN[@]})) ||
		usage_error "nothing to run: no worker count of --workers '${OPTV[workers]:-$DEF_WORKERS}' is a multiple of --threads $t"
	if ((${#skipped[@]})) && plan_has_hybrid; then
		PLAN_WARNINGS+=("skipping hybrid at workers $(printf '%s\n' "${skipped[@]}" | paste -sd, -) (not a multiple of --threads $t)")
	fi
}

# plan_warnings: say what the plan leaves out (after the checks, so that a
# usage error stays one line).
plan_warnings() {
	local w
	for w in "${PLAN_WARNINGS[@]}"; do
		warn "$w"
	done
}

# plan_has_hybrid: true if a driver of the plan runs ranks x threads.
plan_has_hybrid() {
	local d
	for d in "${DRIVERS[@]}"; do
		[[ ${DRV_WORKERS_ARE[$d]} != hybrid ]] || return 0
	done
	return 1
}

# plan_shuffle SEED: put PLAN in a random order fixed by SEED (Fisher-Yates).
plan_shuffle() {
	local i j tmp
	RANDOM=$1
	for ((i = ${#PLAN[@]} - 1; i > 0; i--)); do
		j=$((((RANDOM << 15) | RANDOM) % (i + 1)))
		tmp=${PLAN[i]}
		PLAN[i]=${PLAN[j]}
		PLAN[j]=$tmp
	done
}

# plan_check_configs [LINE...]: show each group of configurations (driver,
# kernel, size; all its worker counts at once) to its driver before anything
# runs; the plan's lines, or the LINEs given.
plan_check_configs() {
	local line key
	local -a f order=()
	local -A groups=()
	(($#)) || set -- "${PLAN[@]}"
	for line in "$@"; do
		# shellcheck disable=SC2206  # checked names and numbers: no blanks, no patterns
		f=($line)
		key="${f[2]} ${f[1]} ${f[3]} ${f[4]}"
		[[ -n ${groups[$key]+set} ]] || order+=("$key")
		groups[$key]+="${groups[$key]:+,}${f[5]}"
	done
	for key in "${order[@]}"; do
		# shellcheck disable=SC2206  # checked names and numbers: no blanks, no patterns
		f=($key)
		launch_check_group "${f[@]}" "${groups[$key]}"
	done
}

# plan_sum: a checksum of the plan, recorded so that a cut or edited
# plan.txt is noticed.
plan_sum() {
	printf '%s\n' "${PLAN[@]}" | cksum | awk '{ print $1 "-" $2 }'
}

# ---- plan.txt ----------------------------------------------------------------

plan_write() {
	local i
	local -a f
	{
		printf '%s\n' "$PLAN_HEADER"
		for ((i = 0; i < ${#PLAN[@]}; i++)); do
			# shellcheck disable=SC2206  # checked names and numbers: no blanks, no patterns
			f=(${PLAN[i]})
			printf '%d,%s,%s,%s,%s,%s,%s\n' "$((i + 1))" "${f[@]}"
		done
	} | write_atomic "$DIR/plan.txt"
}

# plan_load: read DIR/plan.txt strictly into PLAN: the header, then lines
# numbered 1, 2, ... in order, each with a run id of this sweep, a known
# driver, one scaling; a cut, repeated, missing or edited line is refused
# with FILE:LINE (exit 2). Checked against settings.txt's count and checksum
# when it has them.
plan_load() {
	local file="$DIR/plan.txt" out drivers x
	[[ -z $(tail -c 1 "$file") ]] ||
		usage_error "$file:$(($(wc -l <"$file") + 1)): cut line (no newline at the end)"
	drivers=" ${ALL_DRIVERS[*]} "
	out=$(awk -F, -v want="$PLAN_HEADER" -v sid="${S[sweep_id]}" -v t="${S[threads]}" \
		-v drivers="$drivers" -v hybrid="$(plan_hybrid_names)" -v file="$file" '
		function bad(msg) { print "ERR " file ":" FNR ": " msg; exit 1 }
		NR == 1 { if ($0 != want) bad("not a plan header (want " want ")"); next }
		{
			if (NF != 7) bad("want 7 fields, found " NF)
			if ($1 != NR - 1) bad("configuration " $1 " where " NR - 1 " belongs (a line is missing or repeated)")
			if ($2 !~ /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/ || length($2) > 64) bad("bad run id")
			if (index($2, sid "-") != 1) bad("run id " $2 " is not of sweep " sid)
			if (($2 in ids)) bad("run id " $2 " repeats line " ids[$2])
			ids[$2] = FNR
			if ($3 !~ /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/) bad("bad kernel")
			if (index(drivers, " " $4 " ") == 0) bad("unknown driver " $4)
			if ($5 != "strong" && $5 != "weak") bad("bad scaling")
			if (sc != "" && $5 != sc) bad("scaling " $5 " in a " sc " sweep")
			sc = $5
			if ($6 != "default" && $6 !~ /^[0-9]+(k|M|G|Ki|Mi|Gi)?$/) bad("bad size")
			if ($7 !~ /^[1-9][0-9]*$/ || length($7) > 9) bad("bad worker count")
			if ($4 == "serial" && $7 != 1) bad("serial at " $7 " workers")
			if (index(hybrid, " " $4 " ") && $7 % t) bad($7 " workers are not a multiple of --threads " t)
			d = $4; sub(/:/, ".", d)
			tail = "-" $3 "-" d "-w" $7
			if (length($2) < 64 && substr($2, length($2) - length(tail) + 1) != tail)
				bad("run id " $2 " does not name this configuration")
			print $2, $3, $4, $5, $6, $7
		}
		END { if (NR < 2) { print "ERR " file ": lists no configuration"; exit 1 } }' "$file") ||
		usage_error "${out##*ERR }"
	mapfile -t PLAN <<<"$out"
	read -r -a x <<<"${PLAN[0]}"
	S[scaling]=${x[3]}
	if [[ -n ${S[plan_lines]} && ${S[plan_lines]} != "${#PLAN[@]}" ]]; then
		usage_error "$file: lists ${#PLAN[@]} configurations; settings.txt recorded ${S[plan_lines]} (lines lost or added)"
	fi
	if [[ -n ${S[plan_sum]} && ${S[plan_sum]} != "$(plan_sum)" ]]; then
		usage_error "$file: differs from the plan this sweep recorded (checksum ${S[plan_sum]}); it was edited"
	fi
}

# plan_hybrid_names: the drivers that run ranks x threads, space-separated.
plan_hybrid_names() {
	local d out=" "
	for d in "${ALL_DRIVERS[@]}"; do
		[[ ${DRV_WORKERS_ARE[$d]} != hybrid ]] || out+="$d "
	done
	printf '%s\n' "$out"
}

# plan_print: the dry run: the plan and each configuration's command.
plan_print() {
	local n=${#PLAN[@]} i q
	local -a f
	printf '# %d configurations, %d timed + %d warm-up repetitions each, into %s\n' \
		"$n" "${S[reps]}" "${S[warmup]}" "$DIR"
	probe_describe
	if printf '%s\n' "${PLAN[@]}" | awk -v h="$(plan_hybrid_names)" 'index(h, " " $3 " ") { f = 1 } END { exit !f }'; then
		printf '# hybrid: WORKERS/%s ranks x %s threads\n' "${S[threads]}" "${S[threads]}"
	fi
	for ((i = 0; i < n; i++)); do
		# shellcheck disable=SC2206  # checked names and numbers: no blanks, no patterns
		f=(${PLAN[i]})
		cmd_for "${f[@]}" "$DIR/.runs/run.csv"
		printf -v q '%q ' "${CMD[@]}"
		printf '[%d/%d] %s %s workers=%s size=%s: %s\n' "$((i + 1))" "$n" \
			"${f[1]}" "${f[2]}" "${f[5]}" "${f[4]}" "${q% }"
	done
}
