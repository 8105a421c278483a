/*
 * sqrtpow_loop.c - reference: kernels/sqrtpow.c's sum of pow(sqrt(i), 3)
 * for i = 1..N as a plain C loop (no team, no blocks).
 *   sqrtpow_loop N REPS
 * prints the median rate over REPS repetitions in millions of items per
 * second, and the sum to stderr.
 */
#include <math.h>

#include "bench.h"

#define POWER 3.0

int main(int argc, char **argv)
{
    long n = bench_arg(argc, argv, 1, 1, 1L << 50);
    int reps = (int)bench_arg(argc, argv, 2, 1, 100000);
    double *rate = malloc((size_t)reps * sizeof *rate), sum = 0;
    volatile double power = POWER;    /* a run-time parameter, as in the kernel */
    if (!rate)
        return 1;
    for (int r = 0; r < reps; r++) {
        double t0 = bench_now(), p = power;
        sum = 0;
        for (long i = 1; i <= n; i++)
            sum += pow(sqrt((double)i), p);
        rate[r] = (double)n / (bench_now() - t0) / 1e6;
    }
    printf("%.6g\n", bench_median(rate, reps));
    fprintf(stderr, "sqrtpow_loop: sum %.15e\n", sum);
    free(rate);
    return 0;
}
