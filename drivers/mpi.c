/*
 * mpi.c - workers are MPI ranks started by the launcher (mpirun, srun).
 * Every rank parses the same command line; only rank 0 writes.  Errors
 * are agreed on collectively, so every rank exits with the same code.
 * Start-up cost: from the start of MPI_Init on rank 0 until every rank has
 * passed the team's first barrier.
 */
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "mpi_team.h"

static const struct ps_driver info = {
    "mpi", "must match the ranks the launcher started (default: those)", 0 };

/* Agree on an error: the lowest failing rank prints its message, every
 * rank returns the largest code. */
static int agree(MPI_Comm comm, int rank, int size, int rc, const char *msg)
{
    int first = rc ? rank : size, worst;
    MPI_Allreduce(MPI_IN_PLACE, &first, 1, MPI_INT, MPI_MIN, comm);
    MPI_Allreduce(&rc, &worst, 1, MPI_INT, MPI_MAX, comm);
    if (worst && rank == first && msg)
        ps_error(info.name, "%s", msg);
    return worst;
}

/* Nodes = distinct host names; cores = online CPUs summed over them. */
static void where(MPI_Comm comm, int rank, int size, struct ps_where *w)
{
    struct { char host[PS_HOST_MAX + 1]; long cores; } me, *all;
    memset(&me, 0, sizeof me);
    ps_hostname(me.host, sizeof me.host);
    me.cores = ps_cores();
    all = rank == 0 ? calloc((size_t)size, sizeof *all) : NULL;
    MPI_Gather(&me, (int)sizeof me, MPI_BYTE, all, (int)sizeof me, MPI_BYTE, 0, comm);
    w->ranks = size;
    w->threads_per_rank = 1;
    memcpy(w->host, me.host, sizeof w->host);
    w->nodes = 1;
    w->cores = me.cores;
    if (!all)
        return;
    w->nodes = 0;
    w->cores = 0;
    for (int i = 0; i < size; i++) {
        int seen = 0;
        for (int k = 0; k < i && !seen; k++)
            seen = strcmp(all[k].host, all[i].host) == 0;
        if (!seen) {
            w->nodes++;
            w->cores += all[i].cores;
        }
    }
    free(all);
}

int main(int argc, char **argv)
{
    double t_launch = ps_now();
    struct ps_opts o;
    struct ps_job j;
    struct ps_team team;
    struct ps_where w;
    char err[PS_ERR_MAX] = "";
    int rank, size, local, rc;
    MPI_Comm node;

    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    rc = ps_cli_parse(argc, argv, &info, &o, rank != 0);
    if (rc != PS_CONTINUE) {
        MPI_Finalize();
        return rc;
    }
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank,
                        MPI_INFO_NULL, &node);
    MPI_Comm_size(node, &local);
    MPI_Comm_free(&node);
    if (o.workers && o.workers != size) {
        snprintf(err, sizeof err, "--workers %d contradicts the %d ranks the "
                 "launcher started", o.workers, size);
        rc = PS_EXIT_USAGE;
    } else {
        rc = ps_job_make(&o, size, local, &j, err, sizeof err);
    }
    rc = agree(MPI_COMM_WORLD, rank, size, rc, err);
    if (rc) {
        MPI_Finalize();
        return rc;
    }
    j.t_launch = t_launch;
    j.fault = getenv("PARSCALE_FAULT");
    ps_watchdog(info.name, o.timeout);

    struct ps_outcome *out = malloc(ps_outcome_bytes(j.reps));
    rc = out ? 0 : PS_EXIT_FAULT;
    if (!rc)
        rc = mpi_team_init(&team, MPI_COMM_WORLD, &o.sched) ? PS_EXIT_FAULT : 0;
    rc = agree(MPI_COMM_WORLD, rank, size, rc, "cannot allocate the run's memory");
    if (rc) {
        MPI_Abort(MPI_COMM_WORLD, rc);
        return rc;
    }
    ps_outcome_init(out, j.reps);
    ps_worker(&team, &j, out);
    where(MPI_COMM_WORLD, rank, size, &w);
    if (rank == 0) {
        if (out->failed) {
            ps_error(info.name, "out of memory setting up %s", j.kernel->name);
            rc = PS_EXIT_FAULT;
        } else {
            rc = ps_report(&o, &j, out, &w);
        }
    }
    MPI_Bcast(&rc, 1, MPI_INT, 0, MPI_COMM_WORLD);
    mpi_team_free(&team);
    free(out);
    MPI_Finalize();
    return rc;
}
