/*
 * mpi_sync.c - reference: what MPI_Barrier and MPI_Allreduce of one double
 * cost, by EPCC's method (the loop with the call minus the same loop
 * without it, per iteration), timed as parscale times a repetition:
 * barrier, loop, barrier, the slowest rank's time.
 *   mpirun -np N mpi_sync ITERS DELAY REPS
 * rank 0 prints "barrier_seconds allreduce_seconds", medians over REPS of
 * (T(loop) - T(reference loop)) / ITERS.  Every sum is checked against
 * its closed form.
 */
#include <mpi.h>

#include "bench.h"

enum { REF, BARRIER, ALLREDUCE, LOOPS };

int main(int argc, char **argv)
{
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    long iters = bench_arg(argc, argv, 1, 1, 100000000);
    long delay = bench_arg(argc, argv, 2, 0, 1000000);
    int reps = (int)bench_arg(argc, argv, 3, 1, 100000);
    double *t = calloc((size_t)reps * LOOPS, sizeof *t), x = 1;
    double want = (double)size * (size + 1) / 2;
    long bad = 0;
    if (!t)
        MPI_Abort(MPI_COMM_WORLD, 1);
    for (int r = -1; r < reps; r++) {               /* r = -1: warm-up */
        for (int loop = 0; loop < LOOPS; loop++) {
            MPI_Barrier(MPI_COMM_WORLD);
            double t0 = bench_now();
            for (long i = 0; i < iters; i++) {
                x = bench_delay(x, delay);
                if (loop == BARRIER) {
                    MPI_Barrier(MPI_COMM_WORLD);
                } else if (loop == ALLREDUCE) {
                    double v = rank + 1;
                    MPI_Allreduce(MPI_IN_PLACE, &v, 1, MPI_DOUBLE, MPI_SUM,
                                  MPI_COMM_WORLD);
                    bad += v != want;
                }
            }
            MPI_Barrier(MPI_COMM_WORLD);
            double dt = bench_now() - t0;
            MPI_Allreduce(MPI_IN_PLACE, &dt, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
            if (r >= 0)
                t[(size_t)r * LOOPS + loop] = dt;
        }
    }
    MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
    if (rank == 0) {
        double med[LOOPS], *v = malloc((size_t)reps * sizeof *v);
        for (int loop = 0; loop < LOOPS; loop++) {
            for (int r = 0; r < reps; r++)
                v[r] = t[(size_t)r * LOOPS + loop];
            med[loop] = bench_median(v, reps);
        }
        if (bad)
            fprintf(stderr, "mpi_sync: %ld wrong sums\n", bad);
        else
            printf("%.9g %.9g\n", (med[BARRIER] - med[REF]) / (double)iters,
                   (med[ALLREDUCE] - med[REF]) / (double)iters);
        fprintf(stderr, "mpi_sync: %d ranks, x %g\n", size, x);
        free(v);
    }
    free(t);
    MPI_Finalize();
    return bad ? 3 : 0;
}
