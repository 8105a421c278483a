/*
 * job.c - what one process of a run does, made from the parsed options: its
 * workers, its share of the size, the kernel's parameters and the faults
 * asked for (ps_job_make); and --check-config, which asks the same checks
 * of a configuration without running it (ps_cli_check).  Every rejected
 * value gets one line on stderr and exit 2.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "plugin.h"

/* Parse parameter i's value into plan->param[i]. */
static int parse_param(const struct ps_param *p, const char *s, double *out)
{
    long long v;
    if (p->type == PS_PINT) {
        if (ps_parse_int(s, (long long)p->min, (long long)p->max, &v))
            return -1;
        *out = (double)v;
        return 0;
    }
    if (p->type == PS_PREAL)
        return ps_parse_real(s, p->min, p->max, out);
    size_t len = strlen(s);
    int idx = 0;
    for (const char *c = p->choices; *c; idx++) {
        size_t n = strcspn(c, "|");
        if (n == len && strncmp(c, s, n) == 0) {
            *out = idx;
            return 0;
        }
        c += n + (c[n] == '|');
    }
    return -1;
}

/* Read the test-only PARSCALE_FAULT=RANK:KIND (runner.c) into j; -1 if it
 * is set but malformed, so a test cannot silently inject nothing. */
static int parse_fault(const char *spec, int workers, struct ps_job *j)
{
    static const char *const kinds[] = {
        [PS_FAULT_KILL] = "kill", [PS_FAULT_SEGV] = "segv", [PS_FAULT_EXIT] = "exit",
        [PS_FAULT_HANG] = "hang", [PS_FAULT_SKIP] = "skip" };
    const char *colon = spec ? strchr(spec, ':') : NULL;
    char rank[16];
    long long r;
    if (!spec || !*spec)
        return 0;
    if (!colon || (size_t)(colon - spec) >= sizeof rank)
        return -1;
    memcpy(rank, spec, (size_t)(colon - spec));
    rank[colon - spec] = '\0';
    if (ps_parse_int(rank, 0, workers - 1, &r))
        return -1;
    for (int k = PS_FAULT_KILL; k <= PS_FAULT_SKIP; k++)
        if (strcmp(colon + 1, kinds[k]) == 0) {
            j->fault_rank = (int)r;
            j->fault = k;
            return 0;
        }
    return -1;
}

/* Physical memory of this host, in bytes. */
static double host_memory(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    return pages > 0 && page > 0 ? (double)pages * (double)page : INFINITY;
}

int ps_job_make(const struct ps_opts *o, int workers, int local,
                struct ps_job *j, char *err, size_t errlen)
{
    const struct ps_kernel *k = o->kernel;
    uint64_t per = o->size ? o->size : k->default_size;
    memset(j, 0, sizeof *j);
    j->kernel = k;
    j->workers = workers;
    j->warmup = o->warmup;
    j->accounting = o->accounting;
    j->reps = o->reps;
    j->plan.size_given = o->size != 0;
    if (parse_fault(getenv("PARSCALE_FAULT"), workers, j)) {
        snprintf(err, errlen, "PARSCALE_FAULT must be RANK:KIND with a worker rank "
                 "from 0 to %d and KIND kill, segv, exit, hang or skip (test only)",
                 workers - 1);
        return PS_EXIT_USAGE;
    }
    j->plan.reps_total = o->warmup + o->reps;
    j->plan.sched_kind = o->sched.kind;
    j->plan.sched_chunk = o->sched.chunk;
    if (o->weak) {
        double grow = k->dims == 2 ? sqrt((double)workers) : (double)workers;
        double total = nearbyint((double)per * grow);
        if (total > (double)PS_MAX_SIZE) {
            snprintf(err, errlen, "weak scaling size %llu x %d workers overflows "
                     "(at most 2^53)", (unsigned long long)per, workers);
            return PS_EXIT_USAGE;
        }
        j->plan.size = (uint64_t)total;
    } else {
        j->plan.size = per;
    }
    const struct ps_param *p;
    for (int i = 0; (p = ps_param_at(k, o->driver, i)); i++) {
        const char *val = o->param[i] ? o->param[i] : p->def;
        if (parse_param(p, val, &j->plan.param[i])) {
            snprintf(err, errlen, "--param %s=%s: must be ", p->name, val);
            size_t n = strlen(err);
            if (p->type == PS_PCHOICE)
                snprintf(err + n, errlen - n, "one of %s", p->choices);
            else
                snprintf(err + n, errlen - n, "%s from %.15g to %.15g",
                         p->type == PS_PINT ? "an integer" : "a number",
                         p->min, p->max);
            return PS_EXIT_USAGE;
        }
    }
    if (k->validate && k->validate(&j->plan, workers, err, errlen))
        return PS_EXIT_USAGE;
    if (o->driver->validate && o->driver->validate(j, err, errlen))
        return PS_EXIT_USAGE;
    if (j->plan.size < k->min_size) {
        snprintf(err, errlen, "%s: size must be at least %llu", k->name,
                 (unsigned long long)k->min_size);
        return PS_EXIT_USAGE;
    }
    double need = k->memory(&j->plan, workers) * local / workers;
    double have = host_memory();
    if (need > have) {
        snprintf(err, errlen, "%s size %llu needs %.3g GB on this host, which has "
                 "%.3g GB", k->name, (unsigned long long)j->plan.size,
                 need / 1e9, have / 1e9);
        return PS_EXIT_USAGE;
    }
    return 0;
}

int ps_check_default(const struct ps_driver *d, const char *option, int value,
                     char *err, size_t errlen)
{
    const char *env = d->default_env ? getenv(d->default_env) : NULL;
    char from[64] = "";
    if (value >= 1 && value <= PS_MAX_WORKERS)
        return 0;
    if (env)
        snprintf(from, sizeof from, " (from %s=%.24s)", d->default_env, env);
    snprintf(err, errlen, "%s not given, and its default %d%s is not from 1 to %d",
             option, value, from, PS_MAX_WORKERS);
    return PS_EXIT_USAGE;
}

int ps_cli_wants_check(int argc, char **argv)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
        if (strcmp(argv[i], "--check-config") == 0
            || strncmp(argv[i], "--check-config=", 15) == 0)
            return 1;
    return 0;
}

/* One configuration of --check-config: w workers, local of them here. */
static int check_one(const struct ps_opts *o, int w, int local, int threads)
{
    const struct ps_driver *d = o->driver;
    struct ps_job j;
    char err[PS_ERR_MAX];
    if (d->max_workers && w > d->max_workers) {
        ps_error(d->name, "the %s driver runs exactly %d worker, not %d", d->name,
                 d->max_workers, w);
        return PS_EXIT_USAGE;
    }
    if (w % threads) {
        ps_error(d->name, "--workers %d is not a multiple of --threads %d", w, threads);
        return PS_EXIT_USAGE;
    }
    if (ps_job_make(o, w, local, &j, err, sizeof err)) {
        ps_error(d->name, "%s", err);
        return PS_EXIT_USAGE;
    }
    return 0;
}

int ps_cli_check(const struct ps_opts *o, int workers, int threads)
{
    const struct ps_driver *d = o->driver;
    const char *s = o->check;
    char item[32];
    long long w, local;
    if (!*s)
        return check_one(o, workers, workers, threads);
    for (;;) {
        size_t n = strcspn(s, ",");
        char *at;
        if (n == 0 || n >= sizeof item) {
            ps_error(d->name, "--check-config wants worker counts N or N@LOCAL, "
                     "comma-separated, not '%s'", o->check);
            return PS_EXIT_USAGE;
        }
        memcpy(item, s, n);
        item[n] = '\0';
        at = strchr(item, '@');
        if (at)
            *at++ = '\0';
        if (ps_parse_int(item, 1, PS_MAX_WORKERS, &w)) {
            ps_error(d->name, "--workers must be an integer from 1 to %d, not '%s'",
                     PS_MAX_WORKERS, item);
            return PS_EXIT_USAGE;
        }
        local = w;
        if (at && ps_parse_int(at, 1, w, &local)) {
            ps_error(d->name, "--check-config %s@%s: the workers on this host must "
                     "be from 1 to %lld", item, at, w);
            return PS_EXIT_USAGE;
        }
        int rc = check_one(o, (int)w, (int)local, threads);
        if (rc)
            return rc;
        if (!s[n])
            return 0;
        s += n + 1;
    }
}
