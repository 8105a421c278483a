/*
 * hybrid.c - workers are MPI ranks x OpenMP threads: the launcher starts
 * the ranks, each runs --threads threads (default OMP_NUM_THREADS, which a
 * Slurm job sets from SLURM_CPUS_PER_TASK) in one parallel region for the
 * whole run.  --bind cores pins thread i to the i-th CPU the launcher gave
 * the rank.
 */
#include <omp.h>
#include <stdlib.h>

#include "hybrid_team.h"
#include "mpi_main.h"

static int threads_per_rank(const struct ps_opts *o)
{
    return o->threads ? o->threads : omp_get_max_threads();
}

static void run(const struct ps_opts *o, const struct ps_job *j,
                struct ps_outcome *out, int threads)
{
    struct hybrid_node node;
    struct ps_team *teams = calloc((size_t)threads, sizeof *teams);
    int got = 0;
    if (hybrid_node_init(&node, MPI_COMM_WORLD, threads,
                         o->sched.kind == PS_SCHED_DYNAMIC) || !teams) {
        ps_error("hybrid", "out of memory for %d threads", threads);
        MPI_Abort(MPI_COMM_WORLD, PS_EXIT_FAULT);
    }
    omp_set_dynamic(0);
#pragma omp parallel num_threads(threads)
    {
        int me = omp_get_thread_num(), team = omp_get_num_threads();
        if (me == 0)          /* no "omp single": its barrier would spin */
            got = team;
        if (team == threads) {
            teams[me].node = &node;
            teams[me].tid = me;
            teams[me].sched = &o->sched;
            ps_bind_self(o->bind, me, out->affinity + (size_t)me * PS_AFF_LEN);
            ps_worker(&teams[me], j, out);
        }
    }
    if (got != threads) {
        ps_error("hybrid", "requested %d threads per rank but the OpenMP runtime "
                 "gave %d (check OMP_THREAD_LIMIT)", threads, got);
        MPI_Abort(MPI_COMM_WORLD, PS_EXIT_FAULT);
    }
    hybrid_node_free(&node);
    free(teams);
}

static const struct ps_mpi_driver driver = {
    .info = { .name = "hybrid", .workers_help = "must equal ranks x threads "
              "(default: that)", .takes_threads = 1, .binds = 1,
              .default_env = "OMP_NUM_THREADS" },
    .thread_level = MPI_THREAD_SERIALIZED,
    .threads = threads_per_rank,
    .run = run,
    .runtime_env = ps_omp_env,
};

int main(int argc, char **argv) { return ps_mpi_main(argc, argv, &driver); }
