/*
 * mpi_level.c - operations between MPI processes.  Reductions are
 * MPI_Allreduce, the halo is MPI_Sendrecv with the neighbouring ranks, the
 * dynamic queue is MPI_Fetch_and_op on a counter at rank 0, and shared
 * counters are MPI_Accumulate into windows spread over all ranks (counter
 * i lives on rank i mod size), all in one passive-target lock_all epoch.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "mpi_level.h"

#define TAG_UP 1
#define TAG_DOWN 2

static const uint64_t one = 1;   /* origin buffer for the common +1 */

void mpi_level_init(struct mpi_level *t, MPI_Comm comm, int dynamic)
{
    memset(t, 0, sizeof *t);
    t->comm = comm;
    t->queue_win = t->ctr_win = MPI_WIN_NULL;
    MPI_Comm_rank(comm, &t->rank);
    MPI_Comm_size(comm, &t->size);
    if (dynamic) {
        MPI_Aint bytes = t->rank == 0 ? (MPI_Aint)sizeof(uint64_t) : 0;
        MPI_Win_allocate(bytes, sizeof(uint64_t), MPI_INFO_NULL, comm,
                         &t->queue, &t->queue_win);
        if (t->rank == 0)
            *t->queue = 0;
        MPI_Win_lock_all(MPI_MODE_NOCHECK, t->queue_win);
    }
}

void mpi_level_free(struct mpi_level *t)
{
    if (t->queue_win != MPI_WIN_NULL) {
        MPI_Win_unlock_all(t->queue_win);
        MPI_Win_free(&t->queue_win);
    }
    if (t->ctr_win != MPI_WIN_NULL) {
        MPI_Win_unlock_all(t->ctr_win);
        MPI_Win_free(&t->ctr_win);
    }
}

/* A barrier also completes every outstanding counter update, so a timed
 * repetition includes the time its one-sided updates take to land. */
void mpi_level_barrier(struct mpi_level *t)
{
    if (t->ctr_win != MPI_WIN_NULL)
        MPI_Win_flush_all(t->ctr_win);
    MPI_Barrier(t->comm);
}

static MPI_Op mpi_op(enum ps_op op)
{
    return op == PS_SUM ? MPI_SUM : op == PS_MAX ? MPI_MAX : MPI_MIN;
}

/* MPI counts are int: reduce in pieces that fit. */
void mpi_level_allreduce(struct mpi_level *t, void *v, size_t n, int is_f64,
                         enum ps_op op)
{
    MPI_Datatype type = is_f64 ? MPI_DOUBLE : MPI_UINT64_T;
    for (size_t off = 0; off < n; off += INT_MAX) {
        size_t m = n - off < INT_MAX ? n - off : INT_MAX;
        MPI_Allreduce(MPI_IN_PLACE, (char *)v + off * 8, (int)m, type,
                      mpi_op(op), t->comm);
    }
}

void mpi_level_halo(struct mpi_level *t, size_t n, const double *first, const double *last,
             double *above, double *below)
{
    int up = t->rank > 0 ? t->rank - 1 : MPI_PROC_NULL;
    int down = t->rank + 1 < t->size ? t->rank + 1 : MPI_PROC_NULL;
    MPI_Sendrecv(first, (int)n, MPI_DOUBLE, up, TAG_UP, below, (int)n, MPI_DOUBLE,
                 down, TAG_UP, t->comm, MPI_STATUS_IGNORE);
    MPI_Sendrecv(last, (int)n, MPI_DOUBLE, down, TAG_DOWN, above, (int)n,
                 MPI_DOUBLE, up, TAG_DOWN, t->comm, MPI_STATUS_IGNORE);
}

void mpi_level_queue_reset(struct mpi_level *t)
{
    uint64_t zero = 0;
    MPI_Barrier(t->comm);
    if (t->rank == 0) {
        MPI_Accumulate(&zero, 1, MPI_UINT64_T, 0, 0, 1, MPI_UINT64_T,
                       MPI_REPLACE, t->queue_win);
        MPI_Win_flush(0, t->queue_win);
    }
    MPI_Barrier(t->comm);
}

uint64_t mpi_level_queue_take(struct mpi_level *t, uint64_t chunk)
{
    uint64_t first;
    MPI_Fetch_and_op(&chunk, &first, MPI_UINT64_T, 0, 0, MPI_SUM, t->queue_win);
    MPI_Win_flush(0, t->queue_win);
    return first;
}

int mpi_level_counters_create(struct mpi_level *t, size_t n)
{
    t->ncounters = n;
    t->nlocal = (n + (size_t)t->size - 1) / (size_t)t->size;
    MPI_Aint bytes = (MPI_Aint)(t->nlocal ? t->nlocal : 1) * (MPI_Aint)sizeof(uint64_t);
    if (MPI_Win_allocate(bytes, sizeof(uint64_t), MPI_INFO_NULL, t->comm,
                         &t->ctr, &t->ctr_win) != MPI_SUCCESS)
        return -1;
    memset(t->ctr, 0, (size_t)bytes);
    MPI_Win_lock_all(MPI_MODE_NOCHECK, t->ctr_win);
    return 0;
}

void mpi_level_counter_add(struct mpi_level *t, size_t i, uint64_t v)
{
    int owner = (int)(i % (size_t)t->size);
    MPI_Aint disp = (MPI_Aint)(i / (size_t)t->size);
    if (v == 1) {
        MPI_Accumulate(&one, 1, MPI_UINT64_T, owner, disp, 1, MPI_UINT64_T,
                       MPI_SUM, t->ctr_win);
    } else {
        MPI_Accumulate(&v, 1, MPI_UINT64_T, owner, disp, 1, MPI_UINT64_T,
                       MPI_SUM, t->ctr_win);
        MPI_Win_flush_local(owner, t->ctr_win);   /* v is about to vanish */
    }
}

void mpi_level_counters_zero(struct mpi_level *t)
{
    mpi_level_barrier(t);
    MPI_Win_sync(t->ctr_win);
    memset(t->ctr, 0, t->nlocal * sizeof *t->ctr);
    MPI_Win_sync(t->ctr_win);
    mpi_level_barrier(t);
}

void mpi_level_counters_read(struct mpi_level *t, uint64_t *out)
{
    mpi_level_barrier(t);
    MPI_Win_sync(t->ctr_win);
    memset(out, 0, t->ncounters * sizeof *out);
    for (size_t k = 0; k < t->nlocal; k++) {
        size_t i = k * (size_t)t->size + (size_t)t->rank;
        if (i < t->ncounters)
            out[i] = t->ctr[k];
    }
    mpi_level_allreduce(t, out, t->ncounters, 0, PS_SUM);
}
