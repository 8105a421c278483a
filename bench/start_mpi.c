/*
 * start_mpi.c - reference: the cost of starting MPI ranks (and, with
 * THREADS > 1, an OpenMP team in each): from the start of main() on rank 0,
 * through MPI_Init_thread, until every rank (every thread) has passed a
 * barrier, the way parscale-mpi and parscale-hybrid define their start-up.
 *   mpirun -np N start_mpi [THREADS]     rank 0 prints the seconds
 */
#include <mpi.h>
#include <omp.h>

#include "bench.h"

int main(int argc, char **argv)
{
    double t0 = bench_now(), t_all = 0;
    int rank, provided;
    int threads = argc > 1 ? (int)bench_arg(argc, argv, 1, 1, 4096) : 1;
    MPI_Init_thread(&argc, &argv,
                    threads > 1 ? MPI_THREAD_SERIALIZED : MPI_THREAD_SINGLE, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (threads > 1) {
        omp_set_dynamic(0);
#pragma omp parallel num_threads(threads)
        {
#pragma omp barrier
#pragma omp master
            MPI_Barrier(MPI_COMM_WORLD);
#pragma omp barrier
#pragma omp master
            t_all = bench_now();
        }
    } else {
        MPI_Barrier(MPI_COMM_WORLD);
        t_all = bench_now();
    }
    if (rank == 0)
        printf("%.9g\n", t_all - t0);
    MPI_Finalize();
    return 0;
}
