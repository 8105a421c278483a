#!/usr/bin/env bash
# The tiny problem each kernel runs in the tests: odd sizes on purpose, so
# blocks split unevenly and remainders are exercised.
# shellcheck disable=SC2034  # read by the sourcing script
declare -A CASE=(
    [sqrtpow]="--size 200001"
    [ep]="--size 1Mi"
    [triad]="--size 100003"
    [sleep]="--size 41 --param wait_us=200 --param spin=100"
    [mandel]="--size 101 --param maxiter=200"
    [stencil]="--size 67 --param iters=5"
    [histogram]="--size 100003 --param bins=16"
    [sync]="--size 301 --param op=allreduce8 --param delay=7"
)
# Extra schedules tried on the kernels that take one.
SCHEDULES=("dynamic,4" "static,3")
