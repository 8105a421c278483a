# shellcheck shell=bash
# folder.sh: the run folder itself: who owns it, whether a new one may be
# made at a path, its settings (settings.txt) and command.sh, and writing
# a file whole.
#
# One owner at a time: a sweep, a resume, a collect or a resubmit holds an
# exclusive flock on DIR/.lock for as long as it runs, taken before it
# looks at anything else in DIR (so the check that a new folder is empty
# and the claim are one step), and records who it is in DIR/.owner. A
# second one exits 2 naming the owner; it changes nothing. A process
# started by the owner for the same folder (submit.sh's collect) is given
# the locked descriptor and its number in PARSCALE_OWNER_FD.

[[ -z ${PARSCALE_FOLDER_SH:-} ]] || return 0
PARSCALE_FOLDER_SH=1
# shellcheck source-path=SCRIPTDIR source=options.sh
source "${BASH_SOURCE[0]%/*}/options.sh"

readonly OWNER_FD=9
# Files of the folder's own machinery, not results: a folder holding only
# these is empty.
readonly FOLDER_PRIVATE=".lock .owner"

# ---- settings: S[key], written to and read from settings.txt ---------------

declare -A S=() SETTINGS_LINE=() SETTING_LIST=()
SETTING_KEYS=()
SETTINGS_SRC=""   # the settings file being read ("" for the command line)

# setting_add KEY [list]: KEY is kept in settings.txt; a list key holds one
# value a line (S[KEY] joined by newlines).
setting_add() {
	SETTING_KEYS+=("$1")
	[[ ${2:-} != list ]] || SETTING_LIST[$1]=1
	S[$1]=${S[$1]:-}
}

# settings_write FILE: write every setting (format 1, key=value lines).
settings_write() {
	local key v
	local -a vals
	{
		printf 'format=1\n'
		for key in "${SETTING_KEYS[@]}"; do
			if [[ -n ${SETTING_LIST[$key]:-} ]]; then
				[[ -n ${S[$key]} ]] || continue
				mapfile -t vals <<<"${S[$key]}"
				for v in "${vals[@]}"; do
					printf '%s=%s\n' "$key" "$v"
				done
			else
				printf '%s=%s\n' "$key" "${S[$key]}"
			fi
		done
	} | write_atomic "$1"
}

# settings_load FILE: read settings.txt strictly into S: the format line
# first, then KEY=VALUE lines of known keys, a key given once unless it is
# a list; anything else is refused with FILE:LINE (exit 2). The values are
# checked by the libraries that use them, which name FILE:LINE too.
settings_load() {
	local f=$1 line key n=0
	local -A first=()
	# shellcheck disable=SC2034  # read by bad_setting (plan.sh)
	SETTINGS_SRC=$f
	[[ -z $(tail -c 1 "$f") ]] || usage_error "$f:$(($(wc -l <"$f") + 1)): cut line (no newline at the end)"
	while IFS= read -r line; do
		n=$((n + 1))
		[[ $line == *=* ]] || usage_error "$f:$n: not KEY=VALUE"
		key=${line%%=*}
		if ((n == 1)); then
			[[ $line == format=1 ]] || usage_error "$f:1: unknown format (want format=1)"
			continue
		fi
		[[ -n ${S[$key]+set} ]] || usage_error "$f:$n: unknown key '$key'"
		if [[ -n ${SETTING_LIST[$key]:-} ]]; then
			S[$key]+="${S[$key]:+$'\n'}${line#*=}"
		else
			[[ -z ${first[$key]:-} ]] || usage_error "$f:$n: '$key' given twice (first at line ${first[$key]})"
			S[$key]=${line#*=}
		fi
		first[$key]=$n
		# shellcheck disable=SC2034  # read by bad_setting (plan.sh)
		SETTINGS_LINE[$key]=$n
	done <"$f"
	((n)) || usage_error "$f: empty"
	for key in sweep_id reps; do
		[[ -n ${first[$key]:-} ]] || usage_error "$f: lacks '$key' (the folder is incomplete)"
	done
}

# ---- writing ------------------------------------------------------------------

# write_atomic FILE: copy stdin to FILE through a temporary file and rename.
write_atomic() {
	local tmp="$1.tmp.$$"
	cat >"$tmp" || { rm -f -- "$tmp"; die "cannot write '$1' (disk full?)"; }
	mv -f -- "$tmp" "$1"
}

# complete_lines FILE: print FILE without a last line that lacks its newline.
complete_lines() {
	local n
	n=$(wc -l <"$1")
	head -n "$n" -- "$1"
}

# ---- ownership ----------------------------------------------------------------

# folder_owner DIR: the owner recorded in DIR/.owner, in words. The winner
# of a race writes its record just after taking the lock: a missing record,
# or one of a dead process of this host (the owner before), is waited for a
# moment.
folder_owner() {
	local line pid="" host="" since="" what="" i
	for ((i = 0; i < 30; i++)); do
		if [[ -r $1/.owner ]]; then
			while IFS= read -r line; do
				case $line in
				pid=*) pid=${line#pid=} ;;
				host=*) host=${line#host=} ;;
				since=*) since=${line#since=} ;;
				what=*) what=${line#what=} ;;
				esac
			done <"$1/.owner"
			if [[ -n $pid ]] && { [[ $host != "$HOSTNAME" ]] || kill -0 "$pid" 2>/dev/null; }; then
				break
			fi
		fi
		sleep 0.1
	done
	if [[ -n $pid ]]; then
		printf '%s (pid %s on %s since %s)\n' "${what:-a sweep}" "$pid" "$host" "$since"
	else
		printf 'another process (it has not said which)\n'
	fi
}

# folder_claim DIR WHAT: become DIR's one owner for the rest of this
# process (see the file header); WHAT says what for. A folder owned by
# another is a usage error naming the owner.
folder_claim() {
	local dir=$1 what=$2 fd=${PARSCALE_OWNER_FD:-}
	if [[ $fd == "$OWNER_FD" && $(readlink -- "/proc/$$/fd/$fd" 2>/dev/null) == "$dir/.lock" ]]; then
		# handed down by the owner: the same open file keeps the lock
		flock -n "$OWNER_FD" || usage_error "'$dir' is in use by $(folder_owner "$dir")"
		return 0
	fi
	{ exec 9>>"$dir/.lock"; } 2>/dev/null || usage_error "cannot create '$dir/.lock' (is '$dir' writable?)"
	flock -n "$OWNER_FD" || usage_error "'$dir' is in use by $(folder_owner "$dir"); wait for it to end or stop it"
	{
		printf 'pid=%s\nhost=%s\nsince=%s\n' "$$" "$HOSTNAME" "$(iso_now)"
		printf 'what=%s\n' "$what"
	} >"$dir/.owner.tmp.$$" && mv -f -- "$dir/.owner.tmp.$$" "$dir/.owner"
}

# folder_shared_check DIR: true unless an owner holds DIR (tasks of a job
# array run side by side, but not beside a sweep or resume); waits a while
# for a collect to end. The lock is not kept.
folder_shared_check() {
	local dir=$1
	(
		exec 9>>"$dir/.lock" || exit 1
		flock -s -w 60 9
	) || usage_error "'$dir' is in use by $(folder_owner "$dir")"
}

# folder_is_empty DIR: true if DIR holds nothing but the folder's machinery.
folder_is_empty() {
	local e
	for e in "$1"/* "$1"/.*; do
		case ${e##*/} in
		. | ..) continue ;;
		esac
		[[ -e $e || -L $e ]] || continue
		[[ " $FOLDER_PRIVATE " == *" ${e##*/} "* ]] || return 1
	done
	return 0
}

# folder_check_new DIR: die unless a new run folder can be made at DIR
# (nothing is made: the dry run uses this alone).
folder_check_new() {
	local dir=$1 anc
	[[ -n $dir ]] || usage_error "empty --out"
	if [[ -e $dir || -L $dir ]]; then
		[[ -d $dir ]] || usage_error "--out '$dir' exists and is not a folder"
		if ! folder_is_empty "$dir"; then
			[[ ! -f $dir/.lock ]] || flock -n "$dir/.lock" true ||
				usage_error "--out '$dir' is in use by $(folder_owner "$dir")"
			usage_error "--out '$dir' exists and is not empty (finish a sweep there with --resume)"
		fi
		[[ -w $dir ]] || usage_error "--out '$dir' is not writable"
		return 0
	fi
	anc=$(dirname -- "$dir")
	while [[ ! -e $anc ]]; do
		anc=$(dirname -- "$anc")
	done
	[[ -d $anc && -w $anc ]] || usage_error "cannot create --out '$dir' ('$anc' is not a writable folder)"
}

# folder_make_new DIR: make and claim the new run folder DIR; sets DIR to
# its absolute path. The emptiness check is made again under the lock.
folder_make_new() {
	folder_check_new "$1"
	mkdir -p -- "$1" 2>/dev/null || usage_error "cannot create --out '$1'"
	DIR=$(cd -- "$1" && pwd -P)
	folder_claim "$DIR" "sweep.sh (new sweep)"
	folder_is_empty "$DIR" ||
		usage_error "--out '$DIR' is not empty: another sweep wrote it first (finish it with --resume)"
}

# folder_open DIR WHAT FILES...: the existing run folder DIR (which must
# hold FILES); sets DIR to its absolute path. Claims it unless WHAT is "".
folder_open() {
	local dir=$1 what=$2 f opt=$3
	shift 3
	for f in "$@"; do
		[[ -d $dir && -f $dir/$f ]] ||
			usage_error "$opt '$dir' is not a sweep folder (no $(printf '%s and ' "$@" | sed 's/ and $//'))"
	done
	DIR=$(cd -- "$dir" && pwd -P)
	[[ -z $what ]] || folder_claim "$DIR" "$what"
}

# ---- command.sh -----------------------------------------------------------------

# folder_write_command: DIR/command.sh repeats the sweep (ORIG_ARGS, with
# the seed a shuffle drew) in ORIG_PWD with the user's environment.
folder_write_command() {
	local -a args=("${ORIG_ARGS[@]}")
	if ((S[shuffle])) && ! opt_given --seed; then
		args+=(--seed "${S[seed]}")
	fi
	{
		printf '#!/usr/bin/env bash\n'
		printf '# Repeats the sweep recorded in this folder (into a new folder unless --out\n'
		printf '# names one; finish this one with: %s --resume %s).\n' \
			"$(quote_cmd "$SELF")" "$(quote_cmd "$DIR")"
		printf 'set -euo pipefail\n'
		printf 'cd %s\n' "$(quote_cmd "$ORIG_PWD")"
		if ((${#USER_ENV[@]})); then
			printf 'exec env %s %s %s\n' "$(quote_cmd "${USER_ENV[@]}")" \
				"$(quote_cmd "$SELF")" "$(quote_cmd "${args[@]}")"
		else
			printf 'exec %s %s\n' "$(quote_cmd "$SELF")" "$(quote_cmd "${args[@]}")"
		fi
	} | write_atomic "$DIR/command.sh"
	chmod +x -- "$DIR/command.sh"
}
