#!/usr/bin/env bash
# Repeats the sweep recorded in this folder (into a new folder unless --out
# names one; finish this one with: /tmp/cc2/scripts/sweep.sh --resume /tmp/cc2/results/vm-20261123T235234Z-default).
set -euo pipefail
cd /tmp/cc2
exec /tmp/cc2/scripts/sweep.sh --scaling strong --workers 1\,2\,4\,8 --threads 2 --size sqrtpow=12M\,ep=8Mi\,triad=16M\,sleep=96\,mandel=512\,stencil=1536\,histogram=4M --reps 5 --warmup 1 --timeout 60 --build /tmp/cc2/build --out /tmp/cc2/results/vm-20261123T235234Z-default
