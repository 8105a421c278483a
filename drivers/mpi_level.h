/*
 * mpi_level.h - the operations between MPI processes that the MPI team and
 * the hybrid team share: collectives, halo Sendrecv, the dynamic queue
 * (fetch-and-op on rank 0) and shared counters (accumulate into windows
 * spread over all ranks), all in passive-target lock_all epochs.
 */
#ifndef PARSCALE_MPI_LEVEL_H
#define PARSCALE_MPI_LEVEL_H

#include <mpi.h>

#include "team.h"

struct mpi_level {
    MPI_Comm comm;
    int rank, size;
    MPI_Win queue_win;          /* one counter on rank 0 (dynamic schedule) */
    uint64_t *queue;
    MPI_Win ctr_win;            /* counter i lives on rank i mod size */
    uint64_t *ctr;
    size_t ncounters, nlocal;
};

/* Collective over comm; makes the queue window when `dynamic`. */
void mpi_level_init(struct mpi_level *l, MPI_Comm comm, int dynamic);
/* Collective: free the windows. */
void mpi_level_free(struct mpi_level *l);
/* Complete this process's counter updates, then MPI_Barrier. */
void mpi_level_barrier(struct mpi_level *l);
/* MPI_Allreduce in place of n 8-byte values. */
void mpi_level_allreduce(struct mpi_level *l, void *v, size_t n, int is_f64,
                         enum ps_op op);
/* Send first up and last down; receive the neighbours' rows. */
void mpi_level_halo(struct mpi_level *l, size_t n, const double *first,
                    const double *last, double *above, double *below);
/* Collective: the queue back to 0. */
void mpi_level_queue_reset(struct mpi_level *l);
/* Take chunk items; returns the first. */
uint64_t mpi_level_queue_take(struct mpi_level *l, uint64_t chunk);
/* Collective: n counters, zeroed.  Returns 0 or -1. */
int mpi_level_counters_create(struct mpi_level *l, size_t n);
/* Add v to counter i. */
void mpi_level_counter_add(struct mpi_level *l, size_t i, uint64_t v);
/* Collective: every counter to 0. */
void mpi_level_counters_zero(struct mpi_level *l);
/* Collective: every counter into out[0..n). */
void mpi_level_counters_read(struct mpi_level *l, uint64_t *out);

#endif
