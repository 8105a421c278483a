/*
 * mpi.c - workers are MPI ranks started by the launcher (mpirun, srun);
 * one worker per rank.  Binding is the launcher's (--bind-to, --cpu-bind);
 * the CPUs each rank got are recorded.
 */
#include "mpi_main.h"
#include "mpi_team.h"

static int one_thread(const struct ps_opts *o)
{
    (void)o;
    return 1;
}

static void run(const struct ps_opts *o, const struct ps_job *j,
                struct ps_outcome *out, int threads)
{
    struct ps_team team = { .sched = &o->sched };
    (void)threads;
    ps_bind_self(PS_BIND_NONE, 0, out->affinity);
    mpi_level_init(&team.l, MPI_COMM_WORLD, o->sched.kind == PS_SCHED_DYNAMIC);
    ps_worker(&team, j, out);
    mpi_level_free(&team.l);
}

static const struct ps_mpi_driver driver = {
    .info = { .name = "mpi", .workers_help = "must match the ranks the launcher "
              "started (default: those)" },
    .thread_level = MPI_THREAD_SINGLE,
    .threads = one_thread,
    .run = run,
};

int main(int argc, char **argv) { return ps_mpi_main(argc, argv, &driver); }
