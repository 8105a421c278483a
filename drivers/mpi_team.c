/*
 * mpi_team.c - the team on MPI ranks: every ps_* call is the MPI-level
 * operation between processes (mpi_level.c), one worker per rank, timed
 * for the worker's accounting (acct.h): collectives whole, queue grabs and
 * counter updates (one-sided, possibly one per item) sampled.
 */
#include "mpi_team.h"

int ps_rank(const ps_team *t) { return t->l.rank; }
int ps_size(const ps_team *t) { return t->l.size; }
const struct ps_sched *ps_team_sched(const ps_team *t) { return t->sched; }
struct ps_acct *ps_team_acct(ps_team *t) { return &t->acct; }
void ps_team_start_barrier(ps_team *t) { mpi_level_barrier(&t->l); }

void ps_barrier(ps_team *t)
{
    ps_acct_enter(&t->acct);
    mpi_level_barrier(&t->l);
    ps_acct_leave(&t->acct);
}

void ps_team_allreduce(ps_team *t, void *v, size_t n, int is_f64, enum ps_op op)
{
    ps_acct_enter(&t->acct);
    mpi_level_allreduce(&t->l, v, n, is_f64, op);
    ps_acct_leave(&t->acct);
}

void ps_halo(ps_team *t, size_t n, const double *first, const double *last,
             double *above, double *below)
{
    ps_acct_enter(&t->acct);
    mpi_level_halo(&t->l, n, first, last, above, below);
    ps_acct_leave(&t->acct);
}

void ps_team_queue_reset(ps_team *t)
{
    ps_acct_enter(&t->acct);
    mpi_level_queue_reset(&t->l);
    ps_acct_leave(&t->acct);
}

uint64_t ps_team_queue_take(ps_team *t, uint64_t chunk)
{
    struct ps_acct_call c = ps_acct_call_begin(&t->acct);
    if (c.state == 2)
        ps_acct_call_start(&c);
    uint64_t first = mpi_level_queue_take(&t->l, chunk);
    ps_acct_call_end(&t->acct, c);
    return first;
}

int ps_counters_create(ps_team *t, size_t n)
{
    ps_acct_enter(&t->acct);
    int rc = mpi_level_counters_create(&t->l, n);
    ps_acct_leave(&t->acct);
    return rc;
}

void ps_counter_add(ps_team *t, size_t i, uint64_t v)
{
    struct ps_acct_call c = ps_acct_call_begin(&t->acct);
    if (c.state == 2)
        ps_acct_call_start(&c);
    mpi_level_counter_add(&t->l, i, v);
    ps_acct_call_end(&t->acct, c);
}

void ps_counters_zero(ps_team *t)
{
    ps_acct_enter(&t->acct);
    mpi_level_counters_zero(&t->l);
    ps_acct_leave(&t->acct);
}

void ps_counters_read(ps_team *t, uint64_t *out)
{
    ps_acct_enter(&t->acct);
    mpi_level_counters_read(&t->l, out);
    ps_acct_leave(&t->acct);
}
