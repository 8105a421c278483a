# shellcheck shell=bash
# klib.sh: kernel libraries of the user's in a sweep (--kernel-lib PATH,
# repeatable, as the drivers' own option): a library built against
# kernel.h, or a folder of them. Every driver the sweep asks or starts
# (--list-names, --check-config, the runs, through mpirun too) is given
# them, so their kernels are swept by name like the built-in ones. The
# paths are made absolute when the sweep starts and kept in settings.txt,
# so a resume, a task or a collect uses them without being told; build.txt
# holds each library file's SHA-256, so a resume notices a rebuilt library
# as it notices a rebuilt driver; meta.txt names them. Programs of the
# user's (--exec) load no kernels: the two do not mix.

[[ -z ${PARSCALE_KLIB_SH:-} ]] || return 0
PARSCALE_KLIB_SH=1
# shellcheck source-path=SCRIPTDIR source=plan.sh
source "${BASH_SOURCE[0]%/*}/plan.sh"

opt_add <<'EOF'
--kernel-lib list kernel_lib new
EOF
setting_add kernel_lib list

KLIB_ARGS=()     # --kernel-lib PATH ... as every driver gets them

# klib_from_options: S[kernel_lib] = the --kernel-lib paths of a new sweep,
# each checked to exist and made absolute (realpath), each once. Called
# once the exec settings are known.
klib_from_options() {
	local p real list=""
	local -a paths
	opt_lines kernel_lib paths
	S[kernel_lib]=""
	((${#paths[@]})) || return 0
	! exec_mode ||
		usage_error "option '--kernel-lib' cannot be used with --exec (a program of yours loads no kernels)"
	for p in "${paths[@]}"; do
		[[ -n $p ]] || usage_error "empty --kernel-lib"
		[[ -e $p ]] || usage_error "--kernel-lib '$p' does not exist"
		[[ -f $p || -d $p ]] || usage_error "--kernel-lib '$p' is neither a file nor a folder"
		real=$(realpath -e -- "$p" 2>/dev/null) || usage_error "cannot resolve --kernel-lib '$p'"
		[[ $real != *$'\n'* ]] || usage_error "the real path of --kernel-lib '$p' holds a newline"
		[[ $'\n'$list$'\n' == *$'\n'$real$'\n'* ]] || list+="${list:+$'\n'}$real"
	done
	S[kernel_lib]=$list
}

# klib_check_values: the kernel_lib settings (from the options or
# settings.txt): absolute paths, not in a sweep of programs; sets KLIB_ARGS.
klib_check_values() {
	local p
	local -a paths=()
	KLIB_ARGS=()
	[[ -n ${S[kernel_lib]} ]] || return 0
	! exec_mode || bad_setting kernel_lib "a sweep of --exec programs loads no kernel library"
	mapfile -t paths <<<"${S[kernel_lib]}"
	for p in "${paths[@]}"; do
		[[ $p == /* ]] || bad_setting kernel_lib "want an absolute path"
		KLIB_ARGS+=(--kernel-lib "$p")
	done
}

# klib_check_files: every library of the settings is still there (before a
# resume or a task runs anything; a collect runs no driver and needs none).
klib_check_files() {
	local p
	local -a paths=()
	[[ -n ${S[kernel_lib]} ]] || return 0
	mapfile -t paths <<<"${S[kernel_lib]}"
	for p in "${paths[@]}"; do
		[[ -f $p || -d $p ]] ||
			usage_error "kernel library '$p' of '$DIR' no longer exists (the sweep was started with --kernel-lib '$p'; put it back)"
	done
}

# klib_lister_failed LISTER RC: the kernel list could not be had from
# LISTER (exit RC) given the libraries: a library it refuses (exit 2) is a
# usage error with its own message; anything else a failure.
klib_lister_failed() {
	local msg
	msg=$("$1" "${KLIB_ARGS[@]}" --list-names 2>&1 >/dev/null | grep '^parscale-' | tail -n 1) || true
	[[ -n $msg ]] || msg="'$1 --list-names' gave no message"
	(($2 != EXIT_USAGE)) || usage_error "$msg"
	die "'$1 --list-names' failed (exit $2): $msg"
}

# klib_files: each library file the drivers load from the settings' paths,
# one a line: a file as it is, a folder's *.so files in name order (as the
# drivers load them), each once.
klib_files() {
	local p f
	local -a paths=()
	[[ -n ${S[kernel_lib]} ]] || return 0
	mapfile -t paths <<<"${S[kernel_lib]}"
	for p in "${paths[@]}"; do
		if [[ -d $p ]]; then
			for f in "$p"/*.so; do
				[[ ! -f $f ]] || printf '%s\n' "$f"
			done
		else
			printf '%s\n' "$p"
		fi
	done | awk '!seen[$0]++'
}

# klib_sha256 FILE: FILE's SHA-256, or "missing".
klib_sha256() {
	local sum
	sum=$(sha256sum -- "$1" 2>/dev/null) || sum=missing
	printf '%s\n' "${sum%% *}"
}

# klib_fingerprint: the build.txt lines of the libraries:
# kernel_lib_PATH=SHA256, one a library file.
klib_fingerprint() {
	local f
	while IFS= read -r f; do
		printf 'kernel_lib_%s=%s\n' "$f" "$(klib_sha256 "$f")"
	done < <(klib_files)
}

# klib_meta: meta.txt lines on the libraries (meta_line format): the
# paths given, then kernel_lib_N and kernel_lib_N_sha256 per library file.
klib_meta() {
	local f n=0
	[[ -n ${S[kernel_lib]} ]] || return 0
	meta_line kernel_lib_paths "${S[kernel_lib]//$'\n'/;}"
	while IFS= read -r f; do
		n=$((n + 1))
		meta_line "kernel_lib_$n" "$f"
		meta_line "kernel_lib_${n}_sha256" "$(klib_sha256 "$f")"
	done < <(klib_files)
}
