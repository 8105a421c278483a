# shellcheck shell=bash
# One option parser for the parscale scripts (sweep.sh, submit.sh); source it.
#
# A script describes its options in a table, one per line:
#
#   NAME[|ALIAS...] KIND KEY [new]
#
# KIND is "value" (takes one value: --opt V or --opt=V), "list" (the same,
# repeatable; the values are kept in order), "flag" (no value), or "rest"
# (everything after it is left for the script, as after `--`). opt_parse
# fills the associative array OPTV: OPTV[KEY] is the value (a list's values
# joined by newlines; 1 for a flag). "new" marks an option that only a new
# sweep takes (opt_new_given). OPT_GIVEN lists the option names given,
# in order, and OPT_REST what followed a "rest" option. Every mistake is a
# usage error (one line, exit 2): an unknown option (the message ends with
# OPT_HINT, default "see --help"), a missing value, a value given to a flag,
# a newline inside a value. Libraries add their own rows with opt_add.

[[ -z ${PARSCALE_OPTIONS_SH:-} ]] || return 0
PARSCALE_OPTIONS_SH=1
# shellcheck source-path=SCRIPTDIR source=common.sh
source "${BASH_SOURCE[0]%/*}/common.sh"

declare -A OPT_KIND=() OPT_KEY=() OPT_NEW=() OPTV=()
OPT_GIVEN=()
OPT_REST=()
OPT_HINT="see --help"

# opt_add < TABLE: add the rows of an option table (read from stdin).
opt_add() {
	local names kind key new name
	local -a alias
	while read -r names kind key new; do
		[[ -n $names && $names != \#* ]] || continue
		IFS='|' read -r -a alias <<<"$names"
		for name in "${alias[@]}"; do
			OPT_KIND[$name]=$kind
			OPT_KEY[$name]=$key
			[[ $new != new ]] || OPT_NEW[$name]=1
		done
	done
}

# opt_parse ARG...: parse ARGs against the table (see the file header).
opt_parse() {
	local opt val inline kind key
	while (($#)); do
		opt=$1
		val=""
		inline=0
		if [[ $opt == --*=* ]]; then
			val=${opt#*=}
			opt=${opt%%=*}
			inline=1
		fi
		kind=${OPT_KIND[$opt]:-}
		[[ -n $kind ]] || usage_error "unknown option '$1' ($OPT_HINT)"
		key=${OPT_KEY[$opt]}
		shift
		case $kind in
		rest)
			((!inline)) || usage_error "option '$opt' takes no value"
			# shellcheck disable=SC2034  # read by the scripts
			OPT_REST=("$@")
			OPT_GIVEN+=("$opt")
			return 0
			;;
		flag)
			((!inline)) || usage_error "option '$opt' takes no value"
			val=1
			;;
		*)
			if ((!inline)); then
				(($#)) || usage_error "option '$opt' needs a value"
				val=$1
				shift
			fi
			[[ $val != *$'\n'* ]] || usage_error "newline in the value of '$opt'"
			;;
		esac
		if [[ $kind == list && -n ${OPTV[$key]+set} ]]; then
			OPTV[$key]+=$'\n'"$val"
		else
			OPTV[$key]=$val
		fi
		OPT_GIVEN+=("$opt")
	done
}

# opt_given NAME: true if option NAME was given.
opt_given() {
	local o
	for o in "${OPT_GIVEN[@]}"; do
		[[ $o != "$1" ]] || return 0
	done
	return 1
}

# opt_new_given: print the first option given that only a new sweep takes.
opt_new_given() {
	local o
	for o in "${OPT_GIVEN[@]}"; do
		if [[ -n ${OPT_NEW[$o]:-} ]]; then
			printf '%s\n' "$o"
			return 0
		fi
	done
	return 1
}

# opt_lines KEY ARRAY: put the values of list KEY into the array named ARRAY.
opt_lines() {
	local -n into=$2
	# shellcheck disable=SC2034  # a name reference: the caller's array
	into=()
	# shellcheck disable=SC2034
	[[ -z ${OPTV[$1]+set} ]] || mapfile -t into <<<"${OPTV[$1]}"
}
