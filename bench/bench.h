/*
 * bench.h - what the reference programs of scripts/bench-primitives.sh
 * share: the clock, argument parsing, a median, and the sync kernel's delay.
 * These programs are the "best reference" each parscale figure is compared
 * with; they are built only for the benchmark (target parscale-bench).
 */
#ifndef PARSCALE_BENCH_H
#define PARSCALE_BENCH_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The same delay as kernels/sync.c: a dependent chain of multiply-adds. */
#define BENCH_DELAY_A 0.999999
#define BENCH_DELAY_B 0.000001

static inline double bench_delay(double x, long n)
{
    for (long k = 0; k < n; k++)
        x = x * BENCH_DELAY_A + BENCH_DELAY_B;
    return x;
}

/* Seconds on the monotonic clock. */
static inline double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* argv[i] as a long from lo to hi, or exit 2 with a one-line message. */
static inline long bench_arg(int argc, char **argv, int i, long lo, long hi)
{
    char *end;
    if (i >= argc) {
        fprintf(stderr, "%s: missing argument %d\n", argv[0], i);
        exit(2);
    }
    errno = 0;
    long v = strtol(argv[i], &end, 10);
    if (errno || end == argv[i] || *end || v < lo || v > hi) {
        fprintf(stderr, "%s: argument %d must be an integer from %ld to %ld, not '%s'\n",
                argv[0], i, lo, hi, argv[i]);
        exit(2);
    }
    return v;
}

static int bench_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median of n values; sorts v. */
static inline double bench_median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, bench_cmp);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#endif
