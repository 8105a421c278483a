/*
 * mpi_team.c - the team on MPI ranks.  Reductions are MPI_Allreduce, the
 * halo is MPI_Sendrecv with the neighbouring ranks, the dynamic queue is
 * MPI_Fetch_and_op on a counter at rank 0, and shared counters are
 * MPI_Accumulate into windows spread over all ranks (counter i lives on
 * rank i mod size), all in one passive-target lock_all epoch.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "mpi_team.h"

#define TAG_UP 1
#define TAG_DOWN 2

static const uint64_t one = 1;   /* origin buffer for the common +1 */

int mpi_team_init(struct ps_team *t, MPI_Comm comm, const struct ps_sched *s)
{
    memset(t, 0, sizeof *t);
    t->comm = comm;
    t->sched = s;
    t->queue_win = t->ctr_win = MPI_WIN_NULL;
    MPI_Comm_rank(comm, &t->rank);
    MPI_Comm_size(comm, &t->size);
    if (s->kind == PS_SCHED_DYNAMIC) {
        MPI_Aint bytes = t->rank == 0 ? (MPI_Aint)sizeof(uint64_t) : 0;
        if (MPI_Win_allocate(bytes, sizeof(uint64_t), MPI_INFO_NULL, comm,
                             &t->queue, &t->queue_win) != MPI_SUCCESS)
            return -1;
        if (t->rank == 0)
            *t->queue = 0;
        MPI_Win_lock_all(MPI_MODE_NOCHECK, t->queue_win);
    }
    return 0;
}

void mpi_team_free(struct ps_team *t)
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

int ps_rank(const ps_team *t) { return t->rank; }
int ps_size(const ps_team *t) { return t->size; }
const struct ps_sched *ps_team_sched(const ps_team *t) { return t->sched; }

/* A barrier also completes every outstanding counter update, so a timed
 * repetition includes the time its one-sided updates take to land. */
void ps_barrier(ps_team *t)
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
static void allreduce(ps_team *t, void *v, size_t n, MPI_Datatype type,
                      enum ps_op op)
{
    for (size_t off = 0; off < n; off += INT_MAX) {
        size_t m = n - off < INT_MAX ? n - off : INT_MAX;
        MPI_Allreduce(MPI_IN_PLACE, (char *)v + off * 8, (int)m, type,
                      mpi_op(op), t->comm);
    }
}

void ps_allreduce_f64(ps_team *t, double *v, size_t n, enum ps_op op)
{
    allreduce(t, v, n, MPI_DOUBLE, op);
}

void ps_allreduce_u64(ps_team *t, uint64_t *v, size_t n, enum ps_op op)
{
    allreduce(t, v, n, MPI_UINT64_T, op);
}

void ps_halo(ps_team *t, size_t n, const double *first, const double *last,
             double *above, double *below)
{
    int up = t->rank > 0 ? t->rank - 1 : MPI_PROC_NULL;
    int down = t->rank + 1 < t->size ? t->rank + 1 : MPI_PROC_NULL;
    MPI_Sendrecv(first, (int)n, MPI_DOUBLE, up, TAG_UP, below, (int)n, MPI_DOUBLE,
                 down, TAG_UP, t->comm, MPI_STATUS_IGNORE);
    MPI_Sendrecv(last, (int)n, MPI_DOUBLE, down, TAG_DOWN, above, (int)n,
                 MPI_DOUBLE, up, TAG_DOWN, t->comm, MPI_STATUS_IGNORE);
}

void ps_team_queue_reset(ps_team *t)
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

uint64_t ps_team_queue_take(ps_team *t, uint64_t chunk)
{
    uint64_t first;
    MPI_Fetch_and_op(&chunk, &first, MPI_UINT64_T, 0, 0, MPI_SUM, t->queue_win);
    MPI_Win_flush(0, t->queue_win);
    return first;
}

int ps_counters_create(ps_team *t, size_t n)
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

void ps_counter_add(ps_team *t, size_t i, uint64_t v)
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

void ps_counters_zero(ps_team *t)
{
    ps_barrier(t);
    MPI_Win_sync(t->ctr_win);
    memset(t->ctr, 0, t->nlocal * sizeof *t->ctr);
    MPI_Win_sync(t->ctr_win);
    ps_barrier(t);
}

void ps_counters_read(ps_team *t, uint64_t *out)
{
    ps_barrier(t);
    MPI_Win_sync(t->ctr_win);
    memset(out, 0, t->ncounters * sizeof *out);
    for (size_t k = 0; k < t->nlocal; k++) {
        size_t i = k * (size_t)t->size + (size_t)t->rank;
        if (i < t->ncounters)
            out[i] = t->ctr[k];
    }
    ps_allreduce_u64(t, out, t->ncounters, PS_SUM);
}
