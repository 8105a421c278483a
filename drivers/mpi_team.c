/*
 * mpi_team.c - the team on MPI ranks: every ps_* call is the MPI-level
 * operation between processes (mpi_level.c), one worker per rank.
 */
#include "mpi_team.h"

int ps_rank(const ps_team *t) { return t->l.rank; }
int ps_size(const ps_team *t) { return t->l.size; }
const struct ps_sched *ps_team_sched(const ps_team *t) { return t->sched; }
void ps_barrier(ps_team *t) { mpi_level_barrier(&t->l); }
void ps_team_start_barrier(ps_team *t) { mpi_level_barrier(&t->l); }

void ps_team_allreduce(ps_team *t, void *v, size_t n, int is_f64, enum ps_op op)
{
    mpi_level_allreduce(&t->l, v, n, is_f64, op);
}

void ps_halo(ps_team *t, size_t n, const double *first, const double *last,
             double *above, double *below)
{
    mpi_level_halo(&t->l, n, first, last, above, below);
}

void ps_team_queue_reset(ps_team *t) { mpi_level_queue_reset(&t->l); }

uint64_t ps_team_queue_take(ps_team *t, uint64_t chunk)
{
    return mpi_level_queue_take(&t->l, chunk);
}

int ps_counters_create(ps_team *t, size_t n)
{
    return mpi_level_counters_create(&t->l, n);
}

void ps_counter_add(ps_team *t, size_t i, uint64_t v)
{
    mpi_level_counter_add(&t->l, i, v);
}

void ps_counters_zero(ps_team *t) { mpi_level_counters_zero(&t->l); }
void ps_counters_read(ps_team *t, uint64_t *out) { mpi_level_counters_read(&t->l, out); }
