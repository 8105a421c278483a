/*
 * openmp.c - workers are the threads of one OpenMP parallel region that
 * lasts the whole run; barriers are OpenMP barriers.  OMP_* variables are
 * honoured: without --workers the team size is omp_get_max_threads().
 * --bind none leaves placement to OMP_PROC_BIND/OMP_PLACES; --bind cores
 * pins thread i to the i-th allowed CPU.
 * Start-up cost: from just before the parallel region (the first region
 * creates the thread pool) until the last thread has begun its worker
 * body, each thread recording its own arrival; the threads then meet in a
 * barrier that sleeps, not in an OpenMP barrier that spins (runner.c).
 */
#include <omp.h>
#include <stdlib.h>

#include "shm_main.h"

static void omp_team_barrier(struct ps_team *t)
{
    (void)t;
#pragma omp barrier
}

static int max_threads(void) { return omp_get_max_threads(); }

static int launch(const struct ps_opts *o, struct ps_job *j,
                  struct shm_arena *a, struct ps_outcome *out)
{
    int n = j->workers, got = 0;
    struct ps_team *teams = calloc((size_t)n, sizeof *teams);
    if (!teams) {
        ps_error("openmp", "out of memory for %d workers", n);
        return PS_EXIT_FAULT;
    }
    omp_set_dynamic(0);
    j->t_launch = ps_now();
#pragma omp parallel num_threads(n)
    {
        /* no "omp single" here: its barrier would spin before the
         * threads have recorded their arrival (runner.c, start-up) */
        int me = omp_get_thread_num(), team = omp_get_num_threads();
        if (me == 0)
            got = team;
        if (team == n) {
            shm_team_init(&teams[me], a, me, n, &o->sched, omp_team_barrier);
            ps_bind_self(o->bind, me, out->affinity + (size_t)me * PS_AFF_LEN);
            ps_worker(&teams[me], j, out);
        }
    }
    free(teams);
    if (got != n) {
        ps_error("openmp", "requested %d threads but the OpenMP runtime gave %d "
                 "(check OMP_THREAD_LIMIT)", n, got);
        return PS_EXIT_FAULT;
    }
    return 0;
}

static const struct ps_shm_driver driver = {
    .info = { .name = "openmp", .workers_help = "threads (default: "
              "omp_get_max_threads(), i.e. OMP_NUM_THREADS)", .binds = 1,
              .default_env = "OMP_NUM_THREADS" },
    .default_workers = max_threads,
    .launch = launch,
    .runtime_env = ps_omp_env,
};

int main(int argc, char **argv) { return ps_shm_main(argc, argv, &driver); }
