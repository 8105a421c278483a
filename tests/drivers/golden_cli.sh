#!/usr/bin/env bash
# Golden tests of the command line: --help, --list, --list-names, the CSV
# header, and every bad input in tests/golden/bad_input.txt, or in the file
# given (exit code, the exact one-line message, nothing on stdout).
# usage: golden_cli.sh BUILD_DIR [BAD_INPUT_FILE]
set -euo pipefail
BIN=$1
here=$(cd "$(dirname "$0")" && pwd)
golden=$here/../golden
bad_input=${2:-$golden/bad_input.txt}
# shellcheck source=tests/lib/driver.sh
. "$here/../lib/driver.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

same() {   # LABEL FILE GOLDEN
    diff -u "$3" "$2" > "$tmp/diff" || fail "$1 differs from $3: $(cat "$tmp/diff")"
}

"$BIN/parscale-serial" --help > "$tmp/help" 2> "$tmp/err" || fail "--help exit $?"
[[ ! -s $tmp/err ]] || fail "--help wrote to stderr"
same "--help" "$tmp/help" "$golden/help-serial.txt"
"$BIN/parscale-serial" --list > "$tmp/list" || fail "--list exit $?"
same "--list" "$tmp/list" "$golden/list.txt"
"$BIN/parscale-serial" --list-names > "$tmp/names" || fail "--list-names exit $?"
[[ $(awk 'NR > 1 && !/^ / { print $1 }' "$tmp/list") == "$(cat "$tmp/names")" ]] \
    || fail "--list-names does not match --list"
"$BIN/parscale-serial" --kernel sleep --size 2 --param wait_us=0 --reps 1 > "$tmp/run.csv" 2>/dev/null
head -1 "$tmp/run.csv" > "$tmp/header"
same "CSV header" "$tmp/header" "$golden/header.csv"
"$BIN/parscale-serial" --kernel sleep --size 2 --param wait_us=0 --reps 1 --no-header > "$tmp/nohdr.csv" 2>/dev/null
[[ $(wc -l < "$tmp/nohdr.csv") -eq 1 && $(head -c 7 "$tmp/nohdr.csv") != run_id, ]] || fail "--no-header"
for d in pthread openmp fork mpi; do
    [[ -x $BIN/parscale-$d ]] || continue
    ps_mpi "$BIN/parscale-$d" --version | grep -q "^parscale-$d [0-9]" || fail "$d --version"
    ps_mpi "$BIN/parscale-$d" --help | grep -q "^usage: parscale-$d --kernel" || fail "$d --help"
done

cases=0
while IFS='|' read -r code driver args want; do
    [[ -z $code || $code == \#* ]] && continue
    read -ra argv <<< "$args"
    rc=0
    timeout 30 "$BIN/parscale-$driver" "${argv[@]}" > "$tmp/out" 2> "$tmp/err" || rc=$?
    label="parscale-$driver $args"
    [[ $rc -eq $code ]] || fail "$label: exit $rc, want $code ($(cat "$tmp/err"))"
    [[ ! -s $tmp/out ]] || fail "$label: wrote to stdout"
    [[ $(wc -l < "$tmp/err") -eq 1 ]] || fail "$label: stderr is not one line: $(cat "$tmp/err")"
    got=$(cat "$tmp/err")
    case $want in
    =*) [[ $got == "${want#=}" ]] || fail "$label: said '$got', want '${want#=}'" ;;
    ~*) [[ $got =~ ^${want#\~}$ ]] || fail "$label: said '$got', want /${want#\~}/" ;;
    *) fail "bad golden line: $want" ;;
    esac
    cases=$((cases + 1))
done < "$bad_input"
echo "golden: help, list, header and $cases bad inputs as expected"
