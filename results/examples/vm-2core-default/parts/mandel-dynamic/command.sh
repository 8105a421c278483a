#!/usr/bin/env bash
# Repeats the sweep recorded in this folder (into a new folder unless --out
# names one; finish this one with: /tmp/fc4/scripts/sweep.sh --resume /tmp/fc4/results/vm-20261202T040053Z-default/parts/mandel-dynamic).
set -euo pipefail
cd /tmp/fc4
exec /tmp/fc4/scripts/sweep.sh --kernels sqrtpow\,ep\,triad\,sleep\,mandel\,stencil\,histogram --drivers c --scaling strong --workers 1\,2\,4\,8 --threads 2 --size sqrtpow=8M\,ep=4Mi\,triad=16M\,sleep=96\,mandel=512\,stencil=1536\,histogram=2M\,sync=2000 --reps 7 --warmup 1 --timeout 60 --kernels mandel --schedule dynamic --no-probe --build /tmp/fc4/build --out /tmp/fc4/results/vm-20261202T040053Z-default/parts/mandel-dynamic --no-plot
