/*
 * ep_loop.c - reference: NAS EP as a plain C loop, the same math as
 * kernels/ep.c (the NPB generator x <- 5^13 x mod 2^46 from seed 271828183,
 * batches of 2^16 pairs seeded by jumping ahead, Marsaglia's polar method,
 * sums and annulus counts), with no team, descriptor or state struct.
 *   ep_loop PAIRS REPS
 * prints the median rate over REPS repetitions in millions of pairs per
 * second, and writes sx to stderr (class S, 2^24 pairs: -3247.834652034740).
 */
#include <math.h>
#include <stdint.h>

#include "bench.h"

#define NK 65536                 /* pairs per batch */
#define A 1220703125ULL
#define SEED 271828183ULL
#define MASK ((1ULL << 46) - 1)

static uint64_t mul46(uint64_t a, uint64_t b)
{
    return (uint64_t)(((unsigned __int128)a * b) & MASK);
}

static uint64_t pow46(uint64_t a, uint64_t e)
{
    uint64_t r = 1;
    for (; e; e >>= 1, a = mul46(a, a))
        if (e & 1)
            r = mul46(r, a);
    return r;
}

static double x[2 * NK];

int main(int argc, char **argv)
{
    long pairs = bench_arg(argc, argv, 1, NK, 1L << 40);
    int reps = (int)bench_arg(argc, argv, 2, 1, 100000);
    double *rate = malloc((size_t)reps * sizeof *rate), sx = 0, sy = 0;
    uint64_t q[10];
    if (!rate || pairs % NK) {
        fprintf(stderr, "ep_loop: PAIRS must be a multiple of %d\n", NK);
        return 2;
    }
    uint64_t jump = pow46(A, 2 * NK);
    for (int r = 0; r < reps; r++) {
        double t0 = bench_now();
        sx = sy = 0;
        memset(q, 0, sizeof q);
        for (long k = 0; k < pairs / NK; k++) {
            uint64_t v = mul46(SEED, pow46(jump, (uint64_t)k));
            for (int i = 0; i < 2 * NK; i++) {
                v = mul46(v, A);
                x[i] = (double)v / (double)(1ULL << 46);
            }
            for (int i = 0; i < NK; i++) {
                double x1 = 2 * x[2 * i] - 1, x2 = 2 * x[2 * i + 1] - 1;
                double t1 = x1 * x1 + x2 * x2;
                if (t1 <= 1) {
                    double t2 = sqrt(-2 * log(t1) / t1);
                    double t3 = x1 * t2, t4 = x2 * t2;
                    double m = fabs(t3) > fabs(t4) ? fabs(t3) : fabs(t4);
                    q[(int)m]++;
                    sx += t3;
                    sy += t4;
                }
            }
        }
        rate[r] = (double)pairs / (bench_now() - t0) / 1e6;
    }
    printf("%.6g\n", bench_median(rate, reps));
    fprintf(stderr, "ep_loop: sx %.15e sy %.15e q0 %llu\n", sx, sy,
            (unsigned long long)q[0]);
    free(rate);
    return 0;
}
