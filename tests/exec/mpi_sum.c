/*
 * mpi_sum.c - a small MPI program for parscale-exec's tests: the sum of i^2
 * for i = 1..N split in blocks over the ranks, reduced to rank 0, timed by
 * the program (the slowest rank's MPI_Wtime) and checked against
 * N(N+1)(2N+1)/6.  Rank 0 prints "ranks: R", "time: S s", "sum ok";
 * every rank exits 1 when the sum is wrong.
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000;
    MPI_Barrier(MPI_COMM_WORLD);
    double t0 = MPI_Wtime();
    long lo = 1 + n * rank / size, hi = n * (rank + 1) / size;
    unsigned long long part = 0, sum = 0;
    for (long i = lo; i <= hi; i++)
        part += (unsigned long long)i * (unsigned long long)i;
    MPI_Reduce(&part, &sum, 1, MPI_UNSIGNED_LONG_LONG, MPI_SUM, 0, MPI_COMM_WORLD);
    double t = MPI_Wtime() - t0, slowest;
    MPI_Reduce(&t, &slowest, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    /* exact in 128 bits; the sum wraps modulo 2^64 as the loop's does */
    unsigned long long want = (unsigned long long)((unsigned __int128)n * (n + 1) * (2 * n + 1) / 6);
    int ok = rank != 0 || sum == want;
    MPI_Bcast(&ok, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (rank == 0)
        printf("ranks: %d\ntime: %.9e s\n%s\n", size, slowest, ok ? "sum ok" : "sum WRONG");
    MPI_Finalize();
    return ok ? 0 : 1;
}
