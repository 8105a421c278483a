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

/* Every rank parsed the same command line, but loaded the kernel
 * libraries (--kernel-lib) from its own host's files: when that failed on
 * some rank but not on this one, stop too, with that rank's code, rather
 * than wait for it in the next collective call. */
static int agree_parse(const char *driver, int rank, int rc)
{
    int bad = rc > 0 ? rc : 0, worst;
    MPI_Allreduce(&bad, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (!worst || bad)
        return rc;
    if (rank == 0)
        ps_error(driver, "another rank could not load the kernel libraries this "
                 "one did (is every host's copy at the same path?)");
    return worst;
}

/* What each rank tells rank 0 about where it ran. */
struct placement {
    char host[PS_HOST_MAX + 1];
    struct ps_topo topo;       /* its host's: the union of the host's ranks' masks */
};

/* The CPUs of every rank on this rank's host joined, and their figures;
 * collective over node (the ranks sharing this host's memory). */
static void host_topology(MPI_Comm node, cpu_set_t *mask, struct ps_topo *f)
{
    *mask = *ps_topo_allowed();
    MPI_Allreduce(MPI_IN_PLACE, mask, (int)sizeof *mask, MPI_BYTE, MPI_BOR, node);
    ps_topo_of(mask, f);
}

/* Add one host's figures to a sum over hosts. */
static void add_topo(struct ps_topo *sum, const struct ps_topo *h, int first)
{
    sum->known = first ? h->known : sum->known && h->known;
    sum->cores += h->cores;
    sum->physical_cores += h->physical_cores;
    sum->numa_nodes += h->numa_nodes;
    sum->llc_bytes += h->llc_bytes;
}

/* Rank 0 gets every rank's placement in *all (NULL elsewhere, or when out
 * of memory: returns -1 on rank 0 then).  Collective. */
static int gather_placement(int rank, int size, const struct placement *me,
                            struct placement **all)
{
    *all = rank == 0 ? calloc((size_t)size, sizeof **all) : NULL;
    MPI_Gather(me, (int)sizeof *me, MPI_BYTE, *all, (int)sizeof *me, MPI_BYTE, 0,
               MPI_COMM_WORLD);
    return rank == 0 && !*all ? -1 : 0;
}

/* Distinct hosts in order of first appearance: count them, sum their
 * figures into w->topo and write hosts as host:ranks (when hosts != NULL). */
static void sum_hosts(const struct placement *all, int size, struct ps_where *w,
                      char *hosts)
{
    char *p = hosts;
    if (p)
        *p = '\0';
    for (int i = 0; i < size; i++) {
        int seen = 0, count = 0;
        for (int k = 0; k < i && !seen; k++)
            seen = strcmp(all[k].host, all[i].host) == 0;
        if (seen)
            continue;
        for (int k = i; k < size; k++)
            count += strcmp(all[k].host, all[i].host) == 0;
        add_topo(&w->topo, &all[i].topo, w->nodes == 0);
        w->nodes++;
        if (p)
            p += sprintf(p, "%s%s:%d", p == hosts ? "" : ";", all[i].host, count);
    }
}

/* Fill w on rank 0: nodes = distinct hosts, the hosts' figures summed,
 * hosts as host:ranks in order of first appearance, every worker's CPUs. */
static int where(int rank, int size, int threads, const struct placement *me,
                 const struct ps_outcome *out, struct ps_where *w)
{
    struct placement *all;
    char *aff = NULL;
    memset(w, 0, sizeof *w);
    w->ranks = size;
    w->threads_per_rank = threads;
    memcpy(w->host, me->host, sizeof w->host);
    int failed = gather_placement(rank, size, me, &all);
    if (rank == 0) {
        aff = malloc((size_t)size * (size_t)threads * PS_AFF_LEN);
        w->hosts = malloc((size_t)size * (PS_HOST_MAX + 12) + 1);
    }
    int bytes = threads * PS_AFF_LEN;
    MPI_Gather(out->affinity, bytes, MPI_BYTE, aff, bytes, MPI_BYTE, 0, MPI_COMM_WORLD);
    if (rank != 0)
        return 0;
    if (failed || !aff || !w->hosts) {
        free(all);
        free(aff);
        free(w->hosts);
        w->hosts = NULL;
        return -1;
    }
    sum_hosts(all, size, w, w->hosts);
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

/* --topology: rank 0 prints the figures summed over hosts and its own
 * host's CPU list.  Collective; returns the exit code. */
static int print_topology(int rank, int size, const struct placement *me,
                          const cpu_set_t *mask)
{
    struct placement *all;
    struct ps_where w;
    memset(&w, 0, sizeof w);
    if (gather_placement(rank, size, me, &all))
        return PS_EXIT_FAULT;
    if (rank != 0)
        return PS_EXIT_OK;
    sum_hosts(all, size, &w, NULL);
    free(all);
    ps_topo_print(&w.topo, mask);
    return fflush(stdout) == 0 ? PS_EXIT_OK : PS_EXIT_FAULT;
}

int ps_mpi_main(int argc, char **argv, const struct ps_mpi_driver *d)
{
    ps_topo_init();    /* asks hwloc before MPI starts: not start-up time */
    double t_launch = ps_now();
    const char *name = d->info.name;
    struct ps_opts o;
    struct ps_job j;
    struct ps_where w;
    struct placement me;
    cpu_set_t host_cpus;
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
    rc = agree_parse(name, rank, ps_cli_parse(argc, argv, &d->info, &o, rank != 0));
    if (rc == PS_CONTINUE && o.check)
        rc = check_config(d, &o);
    if (rc != PS_CONTINUE && rc != PS_TOPOLOGY) {
        MPI_Finalize();
        return rc;
    }
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank,
                        MPI_INFO_NULL, &node);
    MPI_Comm_size(node, &local);
    MPI_Comm_rank(node, &local_rank);
    memset(&me, 0, sizeof me);
    ps_hostname(me.host, sizeof me.host);
    host_topology(node, &host_cpus, &me.topo);
    MPI_Comm_free(&node);
    if (rc == PS_TOPOLOGY) {
        rc = print_topology(rank, size, &me, &host_cpus);
        MPI_Bcast(&rc, 1, MPI_INT, 0, MPI_COMM_WORLD);
        MPI_Finalize();
        return rc;
    }
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
    if (local_rank == 0)
        ps_warn_oversubscribed(name, local * threads, me.topo.cores);
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
    int placed = where(rank, size, threads, &me, out, &w);
    if (rank == 0) {
        if (out->failed) {
            ps_error(name, "out of memory setting up %s", j.kernel->name);
            rc = PS_EXIT_FAULT;
        } else if (placed) {
            ps_error(name, "out of memory gathering where ranks ran");
            rc = PS_EXIT_FAULT;
        } else {
            char env[PS_ENV_MAX] = "";
            if (d->runtime_env)
                d->runtime_env(env);
            w.runtime_env = env;
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
