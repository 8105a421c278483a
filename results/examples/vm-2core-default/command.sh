#!/usr/bin/env bash
# Repeats the sweep recorded in this folder (into a new folder unless --out
# names one; finish this one with: /tmp/cc/scripts/sweep.sh --resume /tmp/cc/results/vm-20261123T230420Z-default).
set -euo pipefail
cd /tmp/cc
exec /tmp/cc/scripts/sweep.sh --scaling strong --workers 1\,2\,4\,8 --size sqrtpow=12M\,ep=8Mi\,triad=16M\,sleep=96\,mandel=512\,stencil=1536\,histogram=4M --reps 5 --warmup 1 --timeout 60 --build /tmp/cc/build --out /tmp/cc/results/vm-20261123T230420Z-default
