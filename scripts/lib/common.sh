# shellcheck shell=bash
# Shared shell functions for the parscale scripts; source it, do not run it.
#
# The sourcing script sets PROG (its name, used as the message prefix) before
# calling anything here. Only the sourcing script's top level exits on
# purpose; functions report errors with die/usage_error, which exit, so call
# them from the main shell, not from inside $(...) unless the caller checks
# the status.

[[ -z ${PARSCALE_COMMON_SH:-} ]] || return 0
PARSCALE_COMMON_SH=1

# The exit codes of the whole suite (see DESIGN.md).
# shellcheck disable=SC2034  # used by the scripts that source this file
readonly EXIT_OK=0 EXIT_FAILURE=1 EXIT_USAGE=2 EXIT_VERIFY=3

# warn MSG: print "PROG: MSG" on stderr.
warn() {
	printf '%s: %s\n' "${PROG:-parscale}" "$*" >&2
}

# die MSG: print the message and exit 1 (a runtime failure).
die() {
	warn "$*"
	exit "$EXIT_FAILURE"
}

# usage_error MSG: print the message (and "; $USAGE_LINE" when the sourcing
# script set one) and exit 2 (a bad option or value).
usage_error() {
	warn "$*${USAGE_LINE:+; $USAGE_LINE}"
	exit "$EXIT_USAGE"
}

# repo_root: print the absolute path of the repository holding this file
# (in an installed copy: PREFIX/share/parscale, which holds scripts/ and
# plots/ the same way).
repo_root() {
	(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
}

# Where things are.  In a source tree the programs are in build/ (or
# $PARSCALE_BUILD), the data files (drivers.csv, report.html.in) in share/
# and new runs go to results/.  An installed copy (cmake --install) has
# lib/installed.sh beside this file, which sets PARSCALE_INSTALLED_BIN: the
# scripts, plots/ and the data files share PREFIX/share/parscale, the
# programs are in PREFIX/bin (or $PARSCALE_BUILD) and new runs go to
# ./results.
PARSCALE_INSTALLED_BIN=""
if [[ -r ${BASH_SOURCE[0]%/*}/installed.sh ]]; then
	# shellcheck source=/dev/null
	. "${BASH_SOURCE[0]%/*}/installed.sh"
fi

# parscale_installed: true in an installed copy of the scripts.
parscale_installed() {
	[[ -n $PARSCALE_INSTALLED_BIN ]]
}

# parscale_bin_dir: the folder of the drivers and parscale-summarize.
parscale_bin_dir() {
	if [[ -n ${PARSCALE_BUILD:-} ]]; then
		printf '%s\n' "$PARSCALE_BUILD"
	elif parscale_installed; then
		(cd "$(repo_root)/$PARSCALE_INSTALLED_BIN" && pwd -P)
	else
		printf '%s\n' "$(repo_root)/build"
	fi
}

# parscale_data_dir: the folder of drivers.csv and report.html.in.
parscale_data_dir() {
	if parscale_installed; then
		repo_root
	else
		printf '%s\n' "$(repo_root)/share"
	fi
}

# parscale_results_dir: where a new run folder goes by default.
parscale_results_dir() {
	if parscale_installed; then
		printf '%s\n' "$PWD/results"
	else
		printf '%s\n' "$(repo_root)/results"
	fi
}

# is_uint S: true if S is a decimal integer >= 0 (at most 9 digits).
is_uint() {
	[[ $1 =~ ^[0-9]{1,9}$ ]]
}

# is_posint S: true if S is a decimal integer >= 1 (at most 9 digits).
is_posint() {
	is_uint "$1" && ((10#$1 >= 1))
}

# is_size S: true if S is a problem size the drivers accept: digits with an
# optional k/M/G (10^3..) or Ki/Mi/Gi (2^10..) suffix.
is_size() {
	[[ $1 =~ ^[0-9]{1,18}(k|M|G|Ki|Mi|Gi)?$ ]] && [[ ! $1 =~ ^0+[^0-9]*$ ]]
}

# is_name S: true if S is a plain identifier (letters, digits, '_', '-', '.').
is_name() {
	[[ $1 =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]*$ ]]
}

# split_words S: print the words of S one a line, honouring '...', "..." and
# backslash quoting the way a shell would, without evaluating anything
# (xargs does the splitting). Returns 1, printing nothing, on unbalanced
# quotes or a newline in S.
split_words() {
	local s=$1 words
	[[ $s != *$'\n'* ]] || return 1
	[[ -n ${s//[[:space:]]/} ]] || return 0
	words=$(printf '%s' "$s" | xargs -r printf '%s\n' 2>/dev/null) || return 1
	printf '%s\n' "$words"
}

# iso_now: the current UTC time, ISO 8601 (2026-11-23T22:10:05Z).
iso_now() {
	date -u +%Y-%m-%dT%H:%M:%SZ
}

# stamp_now: the current UTC time for file names (20261123T221005Z).
stamp_now() {
	date -u +%Y%m%dT%H%M%SZ
}

# now_s: seconds since the epoch with microseconds (for durations).
now_s() {
	printf '%s\n' "${EPOCHREALTIME/,/.}"
}

# elapsed_s START: seconds since START (a now_s value), 3 decimals.
elapsed_s() {
	awk -v a="$1" -v b="$(now_s)" 'BEGIN { printf "%.3f\n", b - a }'
}

# short_host: this machine's host name, reduced to [A-Za-z0-9.-].
short_host() {
	local h
	h=$(hostname 2>/dev/null || cat /proc/sys/kernel/hostname)
	h=${h%%.*}
	h=${h//[^A-Za-z0-9-]/}
	printf '%s\n' "${h:-host}"
}

# quote_cmd ARGS...: print ARGS as one shell-quoted command line.
quote_cmd() {
	local out
	printf -v out '%q ' "$@"
	printf '%s\n' "${out% }"
}

# csv_col FILE NAME: print the 1-based index of column NAME in the header
# (first line) of CSV FILE; returns 1 if there is no such column.
csv_col() {
	awk -F, -v name="$2" 'NR == 1 {
		for (i = 1; i <= NF; i++) if ($i == name) { print i; found = 1; exit }
		exit
	} END { exit !found }' "$1"
}

# online_cores [BIN_DIR]: the number of CPUs this process may run on, as the
# drivers count them for their `cores` column (parscale-pthread --topology:
# the CPUs in the affinity mask), so that the sweep's oversubscription
# decisions, the capacity probe and the rows use one figure; nproc (which
# also reads the affinity mask) when no driver is built yet.
online_cores() {
	local bin=${1:-$(parscale_bin_dir 2>/dev/null)} n=""
	if [[ -x $bin/parscale-pthread ]]; then
		n=$(timeout 10 "$bin/parscale-pthread" --topology 2>/dev/null | sed -n 's/^cores=//p')
	fi
	[[ $n =~ ^[0-9]+$ ]] || n=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN)
	printf '%s\n' "$n"
}

# driver_list [COLUMN=VALUE]: the drivers of drivers.csv (the one
# table of driver facts), in its order column, one a line; with
# COLUMN=VALUE only those whose COLUMN is VALUE (family=c, launch=mpi).
# Returns 1 when the table cannot be read or lacks a column.
driver_list() {
	local table filter=${1:-}
	table="$(parscale_data_dir)/drivers.csv"
	[[ -r $table ]] || return 1
	awk -F, -v want="${filter%%=*}" -v value="${filter#*=}" '
		NR == 1 {
			for (i = 1; i <= NF; i++) c[$i] = i
			if (!("driver" in c) || !("order" in c) || (want != "" && !(want in c))) exit 1
			next
		}
		want == "" || $c[want] == value { print $c["order"], $c["driver"] }' "$table" |
		sort -n -k1,1 | awk '{ print $2 }'
	return "${PIPESTATUS[0]}"
}
