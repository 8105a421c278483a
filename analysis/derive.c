/*
 * derive.c — per configuration: the time statistics, the two baselines
 * (the serial driver, and the same driver measured at one worker), speedup,
 * efficiency, Karp-Flatt and weak-scaling efficiency with their intervals,
 * the POP efficiency factors, and the measurement traps.  Then the report
 * order: cases (kernel, scaling, size, params) made of series (driver,
 * schedule) made of configurations by worker count.
 */
#define _POSIX_C_SOURCE 200809L

#include "analysis.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const struct ratio NO_RATIO = {NAN, NAN, NAN};

/* Where each kernel was first seen (kernels are reported in run order):
 * its position among the distinct kernels seen[0..*n), added when new. */
static size_t kernel_rank(const char **seen, size_t *n, const char *kernel)
{
    for (size_t i = 0; i < *n; i++)
        if (seen[i] == kernel)
            return i;
    seen[*n] = kernel;
    return (*n)++;
}

static const struct analysis *sort_ctx;
static size_t *sort_kernel_rank;

static int cmp_num_text(const char *x, const char *y)
{
    char *ex, *ey;
    double a = strtod(x, &ex), b = strtod(y, &ey);
    int na = *x && *ex == '\0', nb = *y && *ey == '\0';
    if (na && nb && a != b)
        return (a > b) - (a < b);
    if (na != nb)
        return nb - na;
    return strcmp(x, y);
}

/* The case part of the order: kernel (run order), scaling, size, params. */
static int cmp_case(const struct config *x, const struct config *y, size_t kx, size_t ky)
{
    int d;
    if (kx != ky)
        return kx < ky ? -1 : 1;
    if ((d = strcmp(x->scaling, y->scaling)) != 0)
        return d;
    if ((d = cmp_num_text(x->size, y->size)) != 0)
        return d;
    return strcmp(x->params, y->params);
}

/* The series part: driver (table order), schedule. */
static int cmp_series(const struct analysis *a, const struct config *x, const struct config *y)
{
    const struct driver_info *dx = drivers_get(a->drivers, x->driver);
    const struct driver_info *dy = drivers_get(a->drivers, y->driver);
    if (dx->order != dy->order)
        return dx->order < dy->order ? -1 : 1;
    int d = strcmp(x->driver, y->driver);
    if (d != 0)
        return d;
    /* plain static first, then the others by name */
    int sx = strcmp(x->schedule, "static") != 0, sy = strcmp(y->schedule, "static") != 0;
    if (sx != sy)
        return sx - sy;
    if ((d = strcmp(x->schedule, y->schedule)) != 0)
        return d;
    return strcmp(x->series_env, y->series_env);
}

static int cmp_long(long x, long y) { return (x > y) - (x < y); }

static int cmp_order(const void *pa, const void *pb)
{
    size_t ia = *(const size_t *)pa, ib = *(const size_t *)pb;
    const struct config *x = &sort_ctx->st->cfg[ia], *y = &sort_ctx->st->cfg[ib];
    int d = cmp_case(x, y, sort_kernel_rank[ia], sort_kernel_rank[ib]);
    if (d == 0)
        d = cmp_series(sort_ctx, x, y);
    if (d == 0)
        d = cmp_long(x->workers, y->workers);
    if (d == 0)
        d = cmp_long(x->ranks, y->ranks);
    if (d == 0)
        d = cmp_long(x->nodes, y->nodes);
    return d;
}

static int same_case(const struct config *x, const struct config *y)
{
    return x->kernel == y->kernel && x->scaling == y->scaling && x->size == y->size
           && x->params == y->params;
}

static int same_series(const struct config *x, const struct config *y)
{
    return same_case(x, y) && x->driver == y->driver && x->schedule == y->schedule
           && x->series_env == y->series_env;
}

/* Order for finding runtime settings that are a variant: everything of the
 * key but the settings, then the settings. */
static int cmp_layout(const void *pa, const void *pb)
{
    size_t ia = *(const size_t *)pa, ib = *(const size_t *)pb;
    const struct config *x = &sort_ctx->st->cfg[ia], *y = &sort_ctx->st->cfg[ib];
    int d = cmp_case(x, y, sort_kernel_rank[ia], sort_kernel_rank[ib]);
    if (d == 0 && (d = strcmp(x->driver, y->driver)) == 0
        && (d = strcmp(x->schedule, y->schedule)) == 0
        && (d = cmp_long(x->workers, y->workers)) == 0 && (d = cmp_long(x->ranks, y->ranks)) == 0
        && (d = cmp_long(x->nodes, y->nodes)) == 0)
        d = strcmp(x->runtime_env, y->runtime_env);
    return d;
}

/*
 * Runtime settings tell series apart only where the same driver ran the
 * same configuration with other settings (a barrier kind, a wait policy
 * chosen by the user); settings that vary with the worker count alone (a
 * sweep makes OpenMP passive when oversubscribed) stay one series.
 */
static int mark_env_variants(struct analysis *a, size_t *idx, const char *empty)
{
    size_t n = a->st->ncfg;
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    qsort(idx, n, sizeof *idx, cmp_layout);
    for (size_t i = 0; i < n;) {
        const struct config *g = &a->st->cfg[idx[i]];
        size_t j = i;
        int variant = 0;
        while (j < n) {
            const struct config *c = &a->st->cfg[idx[j]];
            if (!same_case(g, c) || c->driver != g->driver || c->schedule != g->schedule)
                break;
            if (j > i) {
                const struct config *p = &a->st->cfg[idx[j - 1]];
                variant |= p->workers == c->workers && p->ranks == c->ranks
                           && p->nodes == c->nodes && p->runtime_env != c->runtime_env;
            }
            j++;
        }
        for (size_t k = i; k < j; k++)
            a->st->cfg[idx[k]].series_env = variant ? a->st->cfg[idx[k]].runtime_env : empty;
        i = j;
    }
    return 0;
}

/* Median of the finite values among v[0..n) into *out; reorders v.
 * Returns the number of finite values. */
static size_t finite_median(double *v, size_t n, double *out)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i]))
            v[m++] = v[i];
    *out = m ? stats_median_select(v, m) : NAN;
    return m;
}

/* Per-run medians (start-up, fixed cost) and per-row ones (rate). */
static void describe(const struct analysis *a, const struct config *cf,
                     struct derived *d, double *scratch)
{
    stats_describe(cf->seconds, cf->n, &d->t);
    d->verified_all = 1;
    uint32_t last = UINT32_MAX;
    size_t m = 0;
    for (uint32_t i = 0; i < cf->n; i++) {
        if (!cf->s[i].verified)
            d->verified_all = 0;
        if (cf->s[i].run != last)      /* samples are grouped by run */
            scratch[m++] = a->st->runs[last = cf->s[i].run].startup;
    }
    finite_median(scratch, m, &d->startup);
    d->startup_per_worker = d->startup / (double)cf->workers;
    m = 0;
    last = UINT32_MAX;
    for (uint32_t i = 0; i < cf->n; i++)
        if (cf->s[i].run != last)
            scratch[m++] = a->st->runs[last = cf->s[i].run].empty;
    finite_median(scratch, m, &d->empty);
    for (uint32_t i = 0; i < cf->n; i++)
        scratch[i] = cf->s[i].rate;
    finite_median(scratch, cf->n, &d->rate);
}

/* Keeps the finite values of v[0..n), sorts them and describes them
 * into *s; returns how many there were. */
static size_t describe_finite(double *v, size_t n, struct sample_stat *s)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i]))
            v[m++] = v[i];
    if (m == 0) {
        memset(s, 0, sizeof *s);
        s->median = s->log_se = NAN;
        return 0;
    }
    stats_describe_unsorted(v, m, s);
    return m;
}

/* Median of per-repetition values with its interval (none below 6). */
static struct ratio sample_ratio(double *v, size_t n, struct sample_stat *keep)
{
    struct sample_stat s;
    if (describe_finite(v, n, &s) == 0)
        return NO_RATIO;
    if (keep)
        *keep = s;
    struct ratio r = {s.median, s.ci_low, s.ci_high};
    if (s.n < MEDIAN_CI_MIN_N)
        r.lo = r.hi = NAN;
    return r;
}

/* POP factors per repetition, then their medians with intervals: load
 * balance mean/max of useful time, communication efficiency max useful /
 * repetition time, parallel efficiency = LB x CommE = mean useful / time. */
static void pop_factors(const struct config *cf, struct derived *d, double *scratch)
{
    size_t n = cf->n;
    struct pop *p = &d->pop;
    p->comp_self = p->comp_serial = p->ge_self = p->ge_serial = NO_RATIO;
    for (size_t i = 0; i < n; i++)
        scratch[i] = cf->s[i].useful_mean / cf->s[i].useful_max;
    p->lb = sample_ratio(scratch, n, NULL);
    for (size_t i = 0; i < n; i++)
        scratch[i] = cf->s[i].useful_max / cf->s[i].seconds;
    p->comm = sample_ratio(scratch, n, NULL);
    struct sample_stat st = {.log_se = NAN};
    for (size_t i = 0; i < n; i++)
        scratch[i] = cf->s[i].useful_mean / cf->s[i].seconds;
    p->pe = sample_ratio(scratch, n, &st);
    p->pe_log_se = st.log_se;
    for (size_t i = 0; i < n; i++)
        scratch[i] = cf->s[i].useful_mean * (double)cf->workers;
    describe_finite(scratch, n, &st);
    p->useful = st.median;
    p->useful_log_se = st.log_se;
    for (size_t i = 0; i < n; i++)
        scratch[i] = cf->s[i].team_mean / cf->s[i].seconds;
    struct sample_stat share;
    describe_finite(scratch, n, &share);
    p->team_share = share.median;
}

/* A ratio of two configurations' medians, with its interval. */
static struct ratio time_ratio(const struct derived *num, const struct derived *den)
{
    struct ratio r;
    if (num == den)
        return (struct ratio){1.0, NAN, NAN};
    r.v = stats_ratio(&num->t, &den->t, &r.lo, &r.hi);
    return r;
}

static struct ratio scale(struct ratio r, double by)
{
    return (struct ratio){r.v / by, r.lo / by, r.hi / by};
}

/* Karp-Flatt e = (1/S - 1/p) / (1 - 1/p) falls as S rises: the interval's
 * ends swap. */
static struct ratio karp_flatt(struct ratio s, double p)
{
    if (!(p > 1.0) || isnan(s.v))
        return NO_RATIO;
    double k = 1.0 - 1.0 / p;
    return (struct ratio){(1.0 / s.v - 1.0 / p) / k, (1.0 / s.hi - 1.0 / p) / k,
                          (1.0 / s.lo - 1.0 / p) / k};
}

static int is_undelivered(long p, const long *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == p)
            return 1;
    return 0;
}

/* The traps of one configuration. */
static unsigned traps_of(const struct config *cf, const struct derived *d,
                         const long *undelivered, size_t nundelivered)
{
    unsigned t = 0;
    if (cf->n < MEDIAN_CI_MIN_N)
        t |= TRAP_FEW_REPS;
    if (!d->verified_all)
        t |= TRAP_UNVERIFIED;
    if ((strcmp(cf->cls, "memory") == 0 || strcmp(cf->cls, "halo") == 0)
        && isfinite(cf->working_set) && isfinite(cf->llc_bytes) && cf->llc_bytes > 0
        && cf->working_set <= cf->llc_bytes)
        t |= TRAP_CACHE;
    if (d->t.median < SHORT_REP_SECONDS)
        t |= TRAP_SHORT;
    if (isfinite(d->empty) && d->empty >= FIXED_COST_SHARE * d->t.median)
        t |= TRAP_FIXED;
    if (cf->workers > cf->cores)
        t |= TRAP_OVERSUB;
    if (is_undelivered(cf->workers, undelivered, nundelivered))
        t |= TRAP_UNDELIVERED;
    return t;
}

/* Keeps [A-Za-z0-9._-], maps the rest to '_'. */
static void slug_append(char *buf, size_t len, const char *s)
{
    size_t used = strlen(buf);
    for (; *s && used + 1 < len; s++)
        buf[used++] = (isalnum((unsigned char)*s) || strchr("._-", *s)) ? *s : '_';
    buf[used] = '\0';
}

static void make_slug(struct kcase *kc, const struct config *cf)
{
    kc->slug[0] = '\0';
    const char *parts[] = {cf->kernel, "-", cf->scaling, "-", cf->size};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        slug_append(kc->slug, sizeof kc->slug, parts[i]);
    if (*cf->params) {
        slug_append(kc->slug, sizeof kc->slug, "-");
        slug_append(kc->slug, sizeof kc->slug, cf->params);
    }
}

/* Splits the ordered configurations into series and cases. */
static int index_series(struct analysis *a)
{
    size_t n = a->st->ncfg, nseries = 1, ncases = 1;
    for (size_t i = 1; i < n; i++) {    /* count first: a series is 200+ bytes */
        nseries += !same_series(an_cfg(a, i - 1), an_cfg(a, i));
        ncases += !same_case(an_cfg(a, i - 1), an_cfg(a, i));
    }
    a->series = calloc(nseries, sizeof *a->series);
    a->cases = calloc(ncases, sizeof *a->cases);
    if (a->series == NULL || a->cases == NULL)
        return -1;
    for (size_t i = 0; i < n;) {
        const struct config *first = an_cfg(a, i);
        struct kcase *kc = &a->cases[a->ncases];
        memset(kc, 0, sizeof *kc);
        kc->first = a->nseries;
        kc->serial = -1;
        kc->ideal_is_p = strcmp(first->cls, "latency") == 0;
        make_slug(kc, first);
        size_t j = i;
        while (j < n && same_case(first, an_cfg(a, j))) {
            const struct config *sfirst = an_cfg(a, j);
            struct series *s = &a->series[a->nseries];
            s->first = j;
            s->kcase = a->ncases;
            s->drv = drivers_get(a->drivers, sfirst->driver);
            s->variant = 0;
            for (size_t k = kc->first; k < a->nseries; k++)
                s->variant += a->series[k].drv == s->drv;
            if (strcmp(sfirst->schedule, "static") == 0)
                snprintf(s->name, sizeof s->name, "%s", sfirst->driver);
            else
                snprintf(s->name, sizeof s->name, "%s/%s", sfirst->driver, sfirst->schedule);
            if (*sfirst->series_env) {
                size_t len = strlen(s->name);
                snprintf(s->name + len, sizeof s->name - len, "[%s]", sfirst->series_env);
            }
            while (j < n && same_series(sfirst, an_cfg(a, j))) {
                const struct config *cf = an_cfg(a, j);
                a->d[a->order[j]].series = a->nseries;
                if (cf->cores > kc->cores)
                    kc->cores = cf->cores;
                if (cf->workers > kc->max_workers)
                    kc->max_workers = cf->workers;
                kc->traps |= a->d[a->order[j]].traps;
                j++;
            }
            s->n = j - s->first;
            a->nseries++;
        }
        kc->n = a->nseries - kc->first;
        a->ncases++;
        i = j;
    }
    return 0;
}

/* The serial baseline of a case: the serial driver at one worker, strong
 * scaling; the static schedule preferred. */
static long find_serial(const struct analysis *a, const struct kcase *kc)
{
    long found = -1;
    for (size_t s = kc->first; s < kc->first + kc->n; s++) {
        const struct series *se = &a->series[s];
        for (size_t i = se->first; i < se->first + se->n; i++) {
            const struct config *cf = an_cfg(a, i);
            if (strcmp(cf->driver, "serial") != 0 || cf->workers != 1
                || strcmp(cf->scaling, "strong") != 0)
                continue;
            if (strcmp(cf->schedule, "static") == 0)
                return (long)a->order[i];
            if (found < 0)
                found = (long)a->order[i];
        }
    }
    return found;
}

/* The self baseline: the same series measured at one worker (none is
 * invented from a larger run). */
static long find_self(const struct analysis *a, const struct series *se)
{
    for (size_t i = se->first; i < se->first + se->n; i++)
        if (an_cfg(a, i)->workers == 1)
            return (long)a->order[i];
    return -1;
}

/* Baselines and every ratio built on them. */
static void compare(struct analysis *a)
{
    for (size_t c = 0; c < a->ncases; c++) {
        struct kcase *kc = &a->cases[c];
        kc->serial = find_serial(a, kc);
        for (size_t s = kc->first; s < kc->first + kc->n; s++) {
            const struct series *se = &a->series[s];
            long self = find_self(a, se);
            for (size_t i = se->first; i < se->first + se->n; i++) {
                const struct config *cf = an_cfg(a, i);
                struct derived *d = &a->d[a->order[i]];
                double p = (double)cf->workers;
                int strong = strcmp(cf->scaling, "strong") == 0;
                d->base_serial = strong ? kc->serial : -1;
                d->base_self = self;
                d->speedup_serial = d->eff_serial = d->speedup_self = NO_RATIO;
                d->eff_self = d->karp_flatt = d->weak_eff = NO_RATIO;
                if (d->base_serial >= 0) {
                    d->speedup_serial = time_ratio(&a->d[d->base_serial], d);
                    d->eff_serial = scale(d->speedup_serial, p);
                }
                if (self < 0)
                    continue;
                if (!strong) {
                    d->weak_eff = time_ratio(&a->d[self], d);
                    continue;
                }
                /* a run against itself is 1 by definition, with no interval */
                d->speedup_self = (long)a->order[i] == self ? (struct ratio){1.0, NAN, NAN}
                                                            : time_ratio(&a->d[self], d);
                d->eff_self = scale(d->speedup_self, p);
                d->karp_flatt = karp_flatt(d->speedup_self, p);
            }
        }
    }
}

/* Computation scaling: total useful time at the reference over total
 * useful time here (strong scaling), a ratio of medians with its interval;
 * global efficiency = PE x CompS, its interval from the two log standard
 * errors as if independent. */
static void pop_scaling(struct analysis *a)
{
    static double z;
    if (z == 0.0)
        z = stats_normal_quantile((1.0 + STATS_LEVEL) / 2.0);
    for (size_t i = 0; i < a->st->ncfg; i++) {
        struct derived *d = &a->d[i];
        if (strcmp(a->st->cfg[i].scaling, "strong") != 0 || !isfinite(d->pop.useful))
            continue;
        long refs[2] = {d->base_self, d->base_serial};
        struct ratio *comp[2] = {&d->pop.comp_self, &d->pop.comp_serial};
        struct ratio *ge[2] = {&d->pop.ge_self, &d->pop.ge_serial};
        for (int k = 0; k < 2; k++) {
            if (refs[k] < 0 || !isfinite(a->d[refs[k]].pop.useful))
                continue;
            const struct pop *ref = &a->d[refs[k]].pop;
            struct ratio c = {1.0, NAN, NAN};     /* itself: 1 by definition */
            if ((size_t)refs[k] != i)
                c.v = stats_ratio_of(ref->useful, ref->useful_log_se, d->pop.useful,
                                     d->pop.useful_log_se, &c.lo, &c.hi);
            *comp[k] = c;
            ge[k]->v = d->pop.pe.v * c.v;
            ge[k]->lo = ge[k]->hi = NAN;
            double se_pe = d->pop.pe_log_se;
            if ((size_t)refs[k] == i) {
                *ge[k] = d->pop.pe;
                continue;
            }
            double se_c = sqrt(ref->useful_log_se * ref->useful_log_se
                               + d->pop.useful_log_se * d->pop.useful_log_se);
            if (isfinite(se_pe) && isfinite(se_c)) {
                double half = z * sqrt(se_pe * se_pe + se_c * se_c);
                ge[k]->lo = ge[k]->v * exp(-half);
                ge[k]->hi = ge[k]->v * exp(half);
            }
        }
    }
}

int analysis_derive(struct analysis *a, const long *undelivered, size_t nundelivered)
{
    struct store *st = a->st;
    size_t n = st->ncfg, most = 1;
    for (size_t i = 0; i < n; i++) {
        if (drivers_get(a->drivers, st->cfg[i].driver) == NULL)
            goto out_of_memory;
        if (st->cfg[i].n > most)
            most = st->cfg[i].n;
    }
    a->order = malloc((n ? n : 1) * sizeof *a->order);
    a->d = calloc(n ? n : 1, sizeof *a->d);
    double *scratch = malloc(most * sizeof *scratch);
    const char **kernels = malloc((n ? n : 1) * sizeof *kernels);
    size_t nkernels = 0;
    sort_kernel_rank = malloc((n ? n : 1) * sizeof *sort_kernel_rank);
    if (a->order == NULL || a->d == NULL || scratch == NULL || kernels == NULL
        || sort_kernel_rank == NULL) {
        free(scratch);
        free(kernels);
        goto out_of_memory;
    }
    for (size_t i = 0; i < n; i++) {
        const struct config *cf = &st->cfg[i];
        a->order[i] = i;
        sort_kernel_rank[i] = i > 0 && cf->kernel == st->cfg[i - 1].kernel
                                  ? sort_kernel_rank[i - 1]
                                  : kernel_rank(kernels, &nkernels, cf->kernel);
        describe(a, cf, &a->d[i], scratch);
        pop_factors(cf, &a->d[i], scratch);
        if (isfinite(a->d[i].pop.lb.v))
            a->pop_recorded = 1;
        a->d[i].traps = traps_of(cf, &a->d[i], undelivered, nundelivered);
    }
    free(scratch);
    free(kernels);
    sort_ctx = a;
    const char *empty = store_intern(st, "");
    if (empty == NULL)
        goto out_of_memory;
    mark_env_variants(a, a->order, empty);
    for (size_t i = 0; i < n; i++)
        a->order[i] = i;
    qsort(a->order, n, sizeof *a->order, cmp_order);
    free(sort_kernel_rank);
    sort_kernel_rank = NULL;
    if (index_series(a) != 0)
        goto out_of_memory;
    compare(a);
    pop_scaling(a);
    return EXIT_OK;
out_of_memory:
    fprintf(stderr, "%s: out of memory\n", PROG);
    return EXIT_FAULT;
}

static const struct {
    enum trap trap;
    const char *word, *meaning;
} traps[TRAP_COUNT] = {
    {TRAP_FEW_REPS, "few-reps", "fewer than 6 repetitions: no 95 % interval of the median exists"},
    {TRAP_UNVERIFIED, "unverified", "a repetition failed verification: the time is of a wrong result"},
    {TRAP_CACHE, "cache", "the working set fits in the last-level cache: the rate is cache, not memory, bandwidth"},
    {TRAP_SHORT, "short", "repetitions shorter than 100 µs: timer and scheduler noise are of the same order"},
    {TRAP_FIXED, "fixed-cost", "the fixed cost of a repetition (barriers and the time reduction) is 10 % or more of it"},
    {TRAP_OVERSUB, "oversubscribed", "more workers than cores: workers take turns on a core"},
    {TRAP_UNDELIVERED, "undelivered", "the capacity probe found that the machine did not deliver this many cores"},
};

void trap_words(unsigned t, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < TRAP_COUNT; i++)
        if ((t & traps[i].trap) && used + 1 < len)
            used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ";" : "",
                                     traps[i].word);
}

const char *trap_meaning(enum trap t)
{
    for (int i = 0; i < TRAP_COUNT; i++)
        if (traps[i].trap == t)
            return traps[i].meaning;
    return "";
}

const char *model_name(enum model m)
{
    static const char *const names[MODEL_COUNT] = {"amdahl", "usl", "gustafson"};
    return names[m];
}

void analysis_free(struct analysis *a)
{
    free(a->order);
    free(a->d);
    free(a->series);
    free(a->cases);
    for (size_t i = 0; i < a->nfits; i++)
        free(a->fits[i].curve);
    free(a->fits);
    free(a->findings);
    free(a->startup);
    free(a->prims);
}
