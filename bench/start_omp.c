/*
 * start_omp.c - reference: the cost of starting an OpenMP team of N
 * threads: from entering the program's first parallel region until every
 * thread has passed a barrier in it (measured by the master), the way
 * parscale-openmp defines its start-up.
 *   start_omp N
 * prints "passed arrived": seconds until all passed the barrier, and until
 * the last thread arrived at it.
 */
#include <omp.h>

#include "bench.h"

int main(int argc, char **argv)
{
    int n = (int)bench_arg(argc, argv, 1, 1, 4096);
    double t0, t_all = 0, last = 0;
    omp_set_dynamic(0);
    t0 = bench_now();
#pragma omp parallel num_threads(n) reduction(max:last)
    {
        last = bench_now();
#pragma omp barrier
#pragma omp master
        t_all = bench_now();
    }
    printf("%.9g %.9g\n", t_all - t0, last - t0);
    return 0;
}
