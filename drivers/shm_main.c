/*
 * shm_main.c - parse, plan, start workers on one arena, report.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "shm_main.h"

int ps_shm_main(int argc, char **argv, const struct ps_shm_driver *d)
{
    struct ps_opts o;
    struct ps_job j;
    char err[PS_ERR_MAX];
    void *extra;
    struct ps_topo topo;
    int rc = ps_cli_parse(argc, argv, &d->info, &o, 0);
    if (rc != PS_CONTINUE && rc != PS_TOPOLOGY)
        return rc;
    if (rc == PS_TOPOLOGY) {
        ps_topo_init();
        ps_topo_of(ps_topo_allowed(), &topo);
        ps_topo_print(&topo, ps_topo_allowed());
        if (fflush(stdout) != 0) {
            ps_error(d->info.name, "cannot write the topology: %s", strerror(errno));
            return PS_EXIT_FAULT;
        }
        return PS_EXIT_OK;
    }
    int workers = o.workers;
    /* the default is not needed when --check-config lists the counts */
    if (!workers && !(o.check && *o.check)) {
        workers = d->default_workers();
        if (ps_check_default(&d->info, "--workers", workers, err, sizeof err)) {
            ps_error(d->info.name, "%s", err);
            return PS_EXIT_USAGE;
        }
    }
    /* read before --check-config answers and before --output is emptied */
    enum shm_barrier barrier;
    const char *barrier_env = getenv("PARSCALE_BARRIER");
    if (shm_barrier_parse(barrier_env, &barrier)) {
        ps_error(d->info.name, "PARSCALE_BARRIER must be spin or futex, not '%s'",
                 barrier_env);
        return PS_EXIT_USAGE;
    }
    if (o.check)
        return ps_cli_check(&o, workers, 1);
    if (ps_job_make(&o, workers, workers, &j, err, sizeof err)) {
        ps_error(d->info.name, "%s", err);
        return PS_EXIT_USAGE;
    }
    if (ps_output_open(&o))
        return PS_EXIT_FAULT;
    j.one_clock = 1;
    ps_topo_init();                 /* before any worker starts or is timed */
    ps_topo_of(ps_topo_allowed(), &topo);
    struct shm_arena *a = shm_arena_create(workers, d->process_shared, barrier,
                                           ps_outcome_bytes(j.reps, workers), &extra);
    if (!a) {
        ps_error(d->info.name, "cannot map shared memory for %d workers: %s",
                 workers, strerror(errno));
        return PS_EXIT_FAULT;
    }
    struct ps_outcome *out = extra;
    ps_outcome_init(out, j.reps, workers);
    ps_warn_oversubscribed(d->info.name, workers, topo.cores);
    if (!d->process_shared)
        ps_name_dying_workers(d->info.name);
    if (!d->own_timeout)
        ps_watchdog(d->info.name, o.timeout, out->phase, workers, 0, j.reps);
    rc = d->launch(&o, &j, a, out);
    if (rc == 0 && out->failed) {
        ps_error(d->info.name, "out of memory setting up %s", j.kernel->name);
        rc = PS_EXIT_FAULT;
    }
    if (rc == 0) {
        struct ps_where w = { .ranks = d->process_shared ? workers : 1,
                              .threads_per_rank = d->process_shared ? 1 : workers,
                              .nodes = 1, .topo = topo };
        char env[PS_ENV_MAX] = "";
        if (d->runtime_env)
            d->runtime_env(env);
        if (d->arena_barrier)
            ps_env_add(env, "PARSCALE_BARRIER", shm_barrier_name(barrier));
        w.runtime_env = env;
        ps_hostname(w.host, sizeof w.host);
        char *aff = ps_affinity_join(out->affinity, workers);
        w.affinity = aff;
        rc = ps_report(&o, &j, out, &w);
        free(aff);
    }
    shm_arena_destroy(a);
    return rc;
}
