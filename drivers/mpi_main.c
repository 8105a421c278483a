/*
 * mpi_main.c - start MPI, parse the same command line on every rank, agree
 * on errors collectively, run, and let rank 0 write.
 * Start-up cost: from the start of MPI_Init on rank 0 until every worker
 * has passed the team's first barrier.
 */
#include <mpi.h>
#include <stdlib.h>
#include <string.h>

#include "mpi_main.h"

/* Agree on an error: the lowest failing rank prints its message, every
 * rank returns the largest code. */
static int agree(const char *driver, int rank, int size, int rc, const char *msg)
{
    int first = rc ? rank : size, worst;
    MPI_Allreduce(MPI_IN_PLACE, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    MPI_Allreduce(&rc, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (worst && rank == first && msg)
        ps_error(driver, "%s", msg);
    return worst;
}

/* What each rank tells rank 0 about where it ran. */
struct placement {
    char host[PS_HOST_MAX + 1];
    long cores;
};

/* Fill w on rank 0: nodes = distinct hosts, cores summed over them, hosts
 * as host:ranks in order of first appearance, every worker's CPUs. */
static int where(int rank, int size, int threads, const struct ps_outcome *out,
                 struct ps_where *w)
{
    struct placement me, *all = NULL;
    char *aff = NULL;
    memset(&me, 0, sizeof me);
    memset(w, 0, sizeof *w);
    ps_hostname(me.host, sizeof me.host);
    me.cores = ps_cores();
    w->ranks = size;
    w->threads_per_rank = threads;
    memcpy(w->host, me.host, sizeof w->host);
    if (rank == 0) {
        all = calloc((size_t)size, sizeof *all);
        aff = malloc((size_t)size * (size_t)threads * PS_AFF_LEN);
        w->hosts = malloc((size_t)size * (PS_HOST_MAX + 12) + 1);
    }
    int bytes = threads * PS_AFF_LEN;
    MPI_Gather(&me, (int)sizeof me, MPI_BYTE, all, (int)sizeof me, MPI_BYTE, 0,
               MPI_COMM_WORLD);
    MPI_Gather(out->affinity, bytes, MPI_BYTE, aff, bytes, MPI_BYTE, 0, MPI_COMM_WORLD);
    if (rank != 0)
        return 0;
    if (!all || !aff || !w->hosts) {
        free(all);
        free(aff);
        free(w->hosts);
        w->hosts = NULL;
        return -1;
    }
    char *p = w->hosts;
    *p = '\0';
    for (int i = 0; i < size; i++) {
        int seen = 0, count = 0;
        for (int k = 0; k < i && !seen; k++)
            seen = strcmp(all[k].host, all[i].host) == 0;
        if (seen)
            continue;
        for (int k = i; k < size; k++)
            count += strcmp(all[k].host, all[i].host) == 0;
        w->nodes++;
        w->cores += all[i].cores;
        p += sprintf(p, "%s%s:%d", p == w->hosts ? "" : ";", all[i].host, count);
    }
    w->affinity = ps_affinity_join(aff, size * threads);
    free(all);
    free(aff);
    return w->affinity ? 0 : -1;
}

/* --check-config, answered before MPI_Init (no launcher needed) or, if
 * spelt so that argv did not show it, on every rank after it. */
static int check_config(const struct ps_mpi_driver *d, const struct ps_opts *o)
{
    char err[PS_ERR_MAX];
    int threads = d->threads(o);
    if (!o->threads && d->info.takes_threads
        && ps_check_default(&d->info, "--threads", threads, err, sizeof err)) {
        ps_error(d->info.name, "%s", err);
        return PS_EXIT_USAGE;
    }
    return ps_cli_check(o, o->workers ? o->workers : threads, threads);
}

int ps_mpi_main(int argc, char **argv, const struct ps_mpi_driver *d)
{
    double t_launch = ps_now();
    const char *name = d->info.name;
    struct ps_opts o;
    struct ps_job j;
    struct ps_where w;
    char err[PS_ERR_MAX] = "";
    int rank, size, local, local_rank, provided, rc;
    MPI_Comm node;

    if (ps_cli_wants_check(argc, argv)) {
        rc = ps_cli_parse(argc, argv, &d->info, &o, 0);
        return rc != PS_CONTINUE ? rc : check_config(d, &o);
    }
    MPI_Init_thread(&argc, &argv, d->thread_level, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    rc = ps_cli_parse(argc, argv, &d->info, &o, rank != 0);
    if (rc == PS_CONTINUE && o.check)
        rc = check_config(d, &o);
    if (rc != PS_CONTINUE) {
        MPI_Finalize();
        return rc;
    }
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank,
                        MPI_INFO_NULL, &node);
    MPI_Comm_size(node, &local);
    MPI_Comm_rank(node, &local_rank);
    MPI_Comm_free(&node);
    int threads = d->threads(&o);
    if (provided < d->thread_level) {
        snprintf(err, sizeof err, "the MPI library lacks the thread support "
                 "this driver needs (level %d, got %d)", d->thread_level, provided);
        rc = PS_EXIT_FAULT;
    } else if (!o.threads && d->info.takes_threads
               && ps_check_default(&d->info, "--threads", threads, err, sizeof err)) {
        rc = PS_EXIT_USAGE;
    } else if ((long long)size * threads > PS_MAX_WORKERS) {
        snprintf(err, sizeof err, "%d ranks x %d threads exceeds %d workers",
                 size, threads, PS_MAX_WORKERS);
        rc = PS_EXIT_USAGE;
    } else if (o.workers && o.workers != size * threads) {
        snprintf(err, sizeof err, "--workers %d contradicts the %d ranks the "
                 "launcher started%s", o.workers, size,
                 threads > 1 ? " times --threads" : "");
        rc = PS_EXIT_USAGE;
    } else {
        rc = ps_job_make(&o, size * threads, local * threads, &j, err, sizeof err);
    }
    rc = agree(name, rank, size, rc, err);
    if (rc) {
        MPI_Finalize();
        return rc;
    }
    /* rank 0 writes the CSV itself and sees its write errors */
    rc = agree(name, rank, size, rank == 0 ? ps_output_open(&o) : 0, NULL);
    if (rc) {
        MPI_Finalize();
        return rc;
    }
    j.t_launch = t_launch;
    ps_bind_init();
    if (local_rank == 0)
        ps_warn_oversubscribed(name, local * threads, ps_cores());
    j.first = rank * threads;

    struct ps_outcome *out = malloc(ps_outcome_bytes(j.reps, threads));
    rc = agree(name, rank, size, out ? 0 : PS_EXIT_FAULT, "out of memory");
    if (rc) {
        free(out);
        MPI_Finalize();
        return rc;
    }
    ps_outcome_init(out, j.reps, threads);
    ps_watchdog(name, o.timeout, out->phase, threads, j.first, j.reps);
    d->run(&o, &j, out, threads);
    int placed = where(rank, size, threads, out, &w);
    if (rank == 0) {
        if (out->failed) {
            ps_error(name, "out of memory setting up %s", j.kernel->name);
            rc = PS_EXIT_FAULT;
        } else if (placed) {
            ps_error(name, "out of memory gathering where ranks ran");
            rc = PS_EXIT_FAULT;
        } else {
            rc = ps_report(&o, &j, out, &w);
        }
        free(w.hosts);
        free((char *)w.affinity);
    }
    MPI_Bcast(&rc, 1, MPI_INT, 0, MPI_COMM_WORLD);
    free(out);
    MPI_Finalize();
    return rc;
}
