/*
 * omp_sync.c - reference: what an OpenMP barrier and an OpenMP reduction
 * cost inside one parallel region, by EPCC's method (the loop with the
 * construct minus the same loop without it, per iteration).
 *   omp_sync THREADS ITERS DELAY REPS
 * prints "barrier_seconds reduction_seconds": medians over REPS of
 * (T(loop) - T(reference loop)) / ITERS.  The reduction is
 * `omp for reduction(+:sum)` over one item per thread, whose implied
 * barrier gives every thread the sum, as an allreduce does; it is checked
 * against its closed form every iteration.
 */
#include <omp.h>

#include "bench.h"

enum { REF, BARRIER, REDUCE, LOOPS };

int main(int argc, char **argv)
{
    int threads = (int)bench_arg(argc, argv, 1, 1, 4096);
    long iters = bench_arg(argc, argv, 2, 1, 100000000);
    long delay = bench_arg(argc, argv, 3, 0, 1000000);
    int reps = (int)bench_arg(argc, argv, 4, 1, 100000);
    double *t = calloc((size_t)reps * LOOPS, sizeof *t);
    double sum0 = 0, sum1 = 0, sink = 0;
    long bad = 0;
    if (!t)
        return 1;
    omp_set_dynamic(0);
#pragma omp parallel num_threads(threads) reduction(+:bad, sink)
    {
        int me = omp_get_thread_num(), p = omp_get_num_threads();
        double x = 1, seen[2] = { 0, 0 };
        double want = (double)p * (p + 1) / 2;
        for (int r = -1; r < reps; r++) {            /* r = -1: warm-up */
            for (int loop = 0; loop < LOOPS; loop++) {
                double t0 = 0;
#pragma omp barrier
                if (me == 0)
                    t0 = bench_now();
                for (long i = 0; i < iters; i++) {
                    x = bench_delay(x, delay);
                    if (loop == BARRIER) {
#pragma omp barrier
                    } else if (loop == REDUCE) {
                        /* two running sums by parity: nobody still reads
                         * one while the next-but-one iteration adds to it */
                        double got;
                        if (i & 1) {
#pragma omp for reduction(+:sum1) schedule(static, 1)
                            for (int k = 0; k < p; k++)
                                sum1 += k + 1;
                            got = sum1;
                        } else {
#pragma omp for reduction(+:sum0) schedule(static, 1)
                            for (int k = 0; k < p; k++)
                                sum0 += k + 1;
                            got = sum0;
                        }
                        bad += got - seen[i & 1] != want;
                        seen[i & 1] = got;
                    }
                }
#pragma omp barrier
                if (me == 0 && r >= 0)
                    t[(size_t)r * LOOPS + loop] = bench_now() - t0;
            }
        }
        sink += x;
    }
    if (bad) {
        fprintf(stderr, "omp_sync: %ld wrong reduction sums\n", bad);
        return 3;
    }
    double med[LOOPS], *v = malloc((size_t)reps * sizeof *v);
    for (int loop = 0; loop < LOOPS; loop++) {
        for (int r = 0; r < reps; r++)
            v[r] = t[(size_t)r * LOOPS + loop];
        med[loop] = bench_median(v, reps);
    }
    printf("%.9g %.9g\n", (med[BARRIER] - med[REF]) / (double)iters,
           (med[REDUCE] - med[REF]) / (double)iters);
    fprintf(stderr, "omp_sync: %d threads, sink %g\n", threads, sink);
    free(v);
    free(t);
    return 0;
}
