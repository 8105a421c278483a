#!/usr/bin/env bash
# Install the Debian packages parscale needs for a purpose, if missing.
#   scripts/deps.sh [run|test|bench]      (default: run)
# As root, missing packages are installed with apt-get; otherwise the exact
# command to run is printed and the script exits 1.  Exit 0: all present.
set -euo pipefail

purpose=${1:-run}
run_pkgs=(gcc make cmake pkgconf libc6-dev libhwloc-dev openmpi-bin libopenmpi-dev gnuplot-nox procps python3)
case $purpose in
run) pkgs=("${run_pkgs[@]}") ;;
# tests also lint scripts and the Python drivers, start a private Slurm and
# make network namespaces
test) pkgs=("${run_pkgs[@]}" shellcheck python3-pyflakes slurmctld slurmd slurm-client munge iproute2 util-linux valgrind strace) ;;
bench) pkgs=("${run_pkgs[@]}" likwid time) ;;
*)
    echo "deps.sh: unknown purpose '$purpose' (run, test or bench)" >&2
    exit 2
    ;;
esac

missing=()
for p in "${pkgs[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2> /dev/null || true)
    [[ $status == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]]; then
    echo "deps.sh: missing Debian packages; as root run:" >&2
    echo "  apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
fi
echo "deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# daemons (munge, slurm) must not start at install; tests start their own
policy=/usr/sbin/policy-rc.d
made_policy=0
if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod 755 "$policy"
    made_policy=1
fi
cleanup() { [[ $made_policy -eq 1 ]] && rm -f "$policy"; return 0; }
trap cleanup EXIT
if ! timeout 900 apt-get install -y -q --no-install-recommends "${missing[@]}" > /dev/null; then
    timeout 600 apt-get update -q > /dev/null
    timeout 900 apt-get install -y -q --no-install-recommends "${missing[@]}" > /dev/null
fi
