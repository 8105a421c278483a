/*
 * omp_sum.c - a small OpenMP program for parscale-exec's tests: the sum of
 * i^2 for i = 1..N over OMP_NUM_THREADS threads, timed by the program
 * itself (omp_get_wtime) and checked against N(N+1)(2N+1)/6.
 * usage: omp_sum N [LOG]  -- prints "threads: T", "time: S s", "sum ok";
 * appends "S" to LOG when given; exits 1 when the sum is wrong.
 */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    long n = strtol(argv[1], NULL, 10);
    int threads = 0;
    unsigned long long sum = 0;
    double t0 = omp_get_wtime();
#pragma omp parallel reduction(+ : sum)
    {
#pragma omp single
        threads = omp_get_num_threads();
#pragma omp for schedule(static)
        for (long i = 1; i <= n; i++)
            sum += (unsigned long long)i * (unsigned long long)i;
    }
    double t = omp_get_wtime() - t0;
    /* exact in 128 bits; the sum wraps modulo 2^64 as the loop's does */
    unsigned long long want = (unsigned long long)((unsigned __int128)n * (n + 1) * (2 * n + 1) / 6);
    printf("threads: %d\ntime: %.9e s\n%s\n", threads, t, sum == want ? "sum ok" : "sum WRONG");
    if (argc > 2) {
        FILE *f = fopen(argv[2], "a");
        if (!f)
            return 1;
        fprintf(f, "%.9e\n", t);
        fclose(f);
    }
    return sum == want ? 0 : 1;
}
