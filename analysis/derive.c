/*
 * derive.c — per configuration: the time statistics, the two baselines
 * (the serial driver, and the same driver measured at one worker), speedup,
 * efficiency, Karp-Flatt and weak-scaling efficiency with their intervals,
 * the POP efficiency factors, and the measurement traps; the report order
 * comes from layout.c.
 */
#define _POSIX_C_SOURCE 200809L

#include "analysis.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const struct ratio NO_RATIO = {NAN, NAN, NAN};

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
    p->instr_self = p->instr_serial = p->ipc_self = p->ipc_serial = NO_RATIO;
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
    for (size_t i = 0; i < n; i++)
        scratch[i] = cf->s[i].instructions;
    describe_finite(scratch, n, &st);
    p->instr = st.median;
    p->instr_log_se = st.log_se;
    for (size_t i = 0; i < n; i++)
        scratch[i] = cf->s[i].cycles > 0 ? cf->s[i].instructions / cf->s[i].cycles : NAN;
    describe_finite(scratch, n, &st);
    p->ipc = st.median;
    p->ipc_log_se = st.log_se;
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
        /* no useful time (the timed estimate of contended shared updates
         * can take all of it): computation scaling is not defined */
        if (strcmp(a->st->cfg[i].scaling, "strong") != 0 || !(d->pop.useful > 0.0)
            || !isfinite(d->pop.useful))
            continue;
        long refs[2] = {d->base_self, d->base_serial};
        struct ratio *comp[2] = {&d->pop.comp_self, &d->pop.comp_serial};
        struct ratio *ge[2] = {&d->pop.ge_self, &d->pop.ge_serial};
        for (int k = 0; k < 2; k++) {
            if (refs[k] < 0 || !isfinite(a->d[refs[k]].pop.useful)
                || !(a->d[refs[k]].pop.useful > 0.0))
                continue;
            const struct pop *ref = &a->d[refs[k]].pop;
            struct ratio c = {1.0, NAN, NAN};     /* itself: 1 by definition */
            if ((size_t)refs[k] != i)
                c.v = stats_ratio_of(ref->useful, ref->useful_log_se, d->pop.useful,
                                     d->pop.useful_log_se, &c.lo, &c.hi);
            *comp[k] = c;
            ge[k]->v = d->pop.pe.v * c.v;
            ge[k]->lo = ge[k]->hi = NAN;
            /* POP's instruction scaling (reference / here) and IPC scaling
             * (here / reference), where counters were recorded */
            struct ratio *ins[2] = {&d->pop.instr_self, &d->pop.instr_serial};
            struct ratio *ipc[2] = {&d->pop.ipc_self, &d->pop.ipc_serial};
            if (isfinite(ref->instr) && isfinite(d->pop.instr)) {
                struct ratio r = {1.0, NAN, NAN};
                if ((size_t)refs[k] != i)
                    r.v = stats_ratio_of(ref->instr, ref->instr_log_se, d->pop.instr,
                                         d->pop.instr_log_se, &r.lo, &r.hi);
                *ins[k] = r;
            }
            if (isfinite(ref->ipc) && isfinite(d->pop.ipc)) {
                struct ratio r = {1.0, NAN, NAN};
                if ((size_t)refs[k] != i)
                    r.v = stats_ratio_of(d->pop.ipc, d->pop.ipc_log_se, ref->ipc,
                                         ref->ipc_log_se, &r.lo, &r.hi);
                *ipc[k] = r;
            }
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
    a->d = calloc(n ? n : 1, sizeof *a->d);
    double *scratch = malloc(most * sizeof *scratch);
    if (a->d == NULL || scratch == NULL) {
        free(scratch);
        goto out_of_memory;
    }
    for (size_t i = 0; i < n; i++) {
        const struct config *cf = &st->cfg[i];
        describe(a, cf, &a->d[i], scratch);
        pop_factors(cf, &a->d[i], scratch);
        if (isfinite(a->d[i].pop.lb.v))
            a->pop_recorded = 1;
        if (isfinite(a->d[i].pop.instr))
            a->counters_recorded = 1;
        a->d[i].traps = traps_of(cf, &a->d[i], undelivered, nundelivered);
    }
    free(scratch);
    if (analysis_layout(a) != 0)
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
