/*
 * findings.c — the sentences a report opens with, each computed from the
 * summary and carrying the numbers that back it; where an interval does not
 * separate two answers the sentence says "no measurable difference" rather
 * than pick one.  Sections, in report order:
 *   traps     measurement traps that qualify the numbers below them
 *   workers   threads vs processes, per kernel class
 *   scaling   where scaling stops, per kernel x driver
 *   startup   start-up cost per worker, per driver
 *   models    the preferred scaling model per series, or why there is none
 *   pop       the dominant loss per series (POP efficiency factors)
 *   primitives  which runtime does one barrier, reduction, ... cheapest
 * The models' and POP's sentences are in findings_fit.c, the primitives'
 * in primitives.c.
 */
#define _POSIX_C_SOURCE 200809L

#include "analysis.h"
#include "findings.h"
#include "primitives.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int finding_add(struct analysis *a, const char *section, const char *subject,
                const char *fmt, ...)
{
    if (store_reserve((void **)&a->findings, &a->capfindings, a->nfindings,
                      sizeof *a->findings, 64) != 0)
        return -1;
    char text[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    struct finding *f = &a->findings[a->nfindings];
    f->section = section;
    f->subject = store_intern(a->st, subject);
    f->text = store_intern(a->st, text);
    if (f->subject == NULL || f->text == NULL)
        return -1;
    a->nfindings++;
    return 0;
}

/* A finding whose text is ready. */
static int add_text(struct analysis *a, const char *section, const char *subject,
                    const char *text)
{
    return finding_add(a, section, subject, "%s", text);
}

/* "0.93 (95 % CI 0.90-0.95)", or just the value when there is no interval. */
static const char *with_ci(char *buf, size_t len, struct ratio r)
{
    if (isfinite(r.lo) && isfinite(r.hi))
        snprintf(buf, len, "%.3g (95 %% CI %.3g–%.3g)", r.v, r.lo, r.hi);
    else
        snprintf(buf, len, "%.3g (no interval: too few repetitions)", r.v);
    return buf;
}

/* A time in the unit that reads best. */
static const char *human_time(char *buf, size_t len, double s)
{
    if (s >= 1.0)
        snprintf(buf, len, "%.3g s", s);
    else if (s >= 1e-3)
        snprintf(buf, len, "%.3g ms", s * 1e3);
    else
        snprintf(buf, len, "%.3g µs", s * 1e6);
    return buf;
}

void finding_case_label(const struct analysis *a, const struct kcase *kc, char *buf, size_t len)
{
    const struct config *cf = an_cfg(a, a->series[kc->first].first);
    snprintf(buf, len, "%s %s %s%s%s", cf->kernel, cf->scaling, cf->size,
             *cf->params ? " " : "", cf->params);
}

/* ---- traps ----------------------------------------------------------- */

/* A trap on every configuration is said once for the whole study. */
/* "2" or "2–8": a range of worker counts or of per cents. */
static void range_text(char *buf, size_t len, double lo, double hi, const char *fmt)
{
    char a[20], b[20];
    snprintf(a, sizeof a, fmt, lo);
    snprintf(b, sizeof b, fmt, hi);
    if (strcmp(a, b) == 0)
        snprintf(buf, len, "%s", a);
    else
        snprintf(buf, len, "%s–%s", a, b);
}

/* Traps said once for the whole study: too few repetitions everywhere,
 * and the cores the machine did not deliver (a fact about the machine,
 * the same for every case).  Sets *said when it spoke for every case. */
static int global_trap(struct analysis *a, enum trap t, int *said)
{
    size_t hit = 0, cases = 0;
    long fewest = 0;
    char counts[200] = "";
    size_t used = 0;
    *said = 0;
    for (size_t i = 0; i < a->st->ncfg; i++)
        if (an_der(a, i)->traps & t) {
            hit++;
            long n = (long)an_der(a, i)->t.n;
            fewest = fewest == 0 || n < fewest ? n : fewest;
        }
    for (size_t c = 0; c < a->ncases; c++)
        cases += (a->cases[c].traps & t) != 0;
    if (hit == 0)
        return 0;
    if (t == TRAP_FEW_REPS && hit == a->st->ncfg) {
        *said = 1;
        return finding_add(a, "traps", "all", "Every configuration: %s (as few as %ld); the intervals "
                   "shown are min–max, whose coverage is below 95 %%. Run at least 6 (--reps).",
                   trap_meaning(t), fewest);
    }
    if (t != TRAP_UNDELIVERED)
        return 0;
    for (long p = 1, last = 0; used + 16 < sizeof counts; last = p) {
        long next = 0;
        for (size_t i = 0; i < a->st->ncfg; i++) {
            long w = a->st->cfg[i].workers;
            if ((a->d[i].traps & t) && w > last && (next == 0 || w < next))
                next = w;
        }
        if (next == 0)
            break;
        p = next;
        used += (size_t)snprintf(counts + used, sizeof counts - used, "%s%ld", used ? ", " : "", p);
    }
    *said = 1;
    return finding_add(a, "traps", "undelivered", "The capacity probe found that the machine did not "
               "deliver the parallelism asked for at %s workers (before or after the sweep): "
               "speedups there measure the machine as much as the code; %zu configurations in "
               "%zu of %zu cases.", counts, hit, cases, a->ncases);
}

static int find_traps(struct analysis *a)
{
    static const enum trap shown[] = {TRAP_UNDELIVERED, TRAP_CACHE, TRAP_FIXED, TRAP_SHORT,
                                      TRAP_UNVERIFIED, TRAP_FEW_REPS};
    for (size_t t = 0; t < sizeof shown / sizeof shown[0]; t++) {
        int said;
        if (global_trap(a, shown[t], &said) != 0)
            return -1;
        for (size_t c = 0; c < a->ncases && !said; c++) {
            const struct kcase *kc = &a->cases[c];
            if (!(kc->traps & shown[t]))
                continue;
            size_t hit = 0, all = 0;
            double lo = INFINITY, hi = -INFINITY;
            long plo = 0, phi = 0;
            for (size_t s = kc->first; s < kc->first + kc->n; s++)
                for (size_t i = a->series[s].first; i < a->series[s].first + a->series[s].n; i++) {
                    all++;
                    if (!(an_der(a, i)->traps & shown[t]))
                        continue;
                    hit++;
                    double v = an_der(a, i)->empty / an_der(a, i)->t.median;
                    lo = fmin(lo, v);
                    hi = fmax(hi, v);
                    long p = an_cfg(a, i)->workers;
                    plo = plo == 0 || p < plo ? p : plo;
                    phi = p > phi ? p : phi;
                }
            char label[200], extra[200] = "", pr[48], share[48];
            finding_case_label(a, kc, label, sizeof label);
            range_text(pr, sizeof pr, (double)plo, (double)phi, "%.0f");
            const struct config *cf = an_cfg(a, a->series[kc->first].first);
            if (shown[t] == TRAP_CACHE)
                snprintf(extra, sizeof extra, " (working set %.3g MB, last-level cache %.3g MB): "
                         "do not quote its rates as memory bandwidth", cf->working_set / 1e6,
                         cf->llc_bytes / 1e6);
            else if (shown[t] == TRAP_FIXED) {
                range_text(share, sizeof share, 100 * lo, 100 * hi, "%.0f");
                snprintf(extra, sizeof extra, " (%s %% of a repetition): speedups there measure "
                         "the barriers, not the kernel", share);
            }
            if (finding_add(a, "traps", kc->slug, "%s: %s%s; %zu of %zu configurations (%s worker%s).",
                    label, trap_meaning(shown[t]), extra, hit, all, pr,
                    plo == phi && plo == 1 ? "" : "s") != 0)
                return -1;
        }
    }
    return 0;
}

/* ", measured while ..." when a configuration's number is not the code's
 * alone: the machine did not deliver the cores, or they were shared. */
static const char *caveat(unsigned traps)
{
    if (traps & TRAP_UNDELIVERED)
        return " (measured while the machine did not deliver these cores: read with care)";
    if (traps & TRAP_OVERSUB)
        return " (more workers than cores)";
    return "";
}

/* ---- threads vs processes -------------------------------------------- */

/* The series of driver name in a case, or NULL. */
static const struct series *series_of(const struct analysis *a, const struct kcase *kc,
                                      const char *driver)
{
    for (size_t s = kc->first; s < kc->first + kc->n; s++)
        if (strcmp(a->series[s].drv->name, driver) == 0
            && strcmp(an_cfg(a, a->series[s].first)->schedule, "static") == 0)
            return &a->series[s];
    return NULL;
}

/* The first series in table order whose workers are `kind` (C family). */
static const struct series *first_of_kind(const struct analysis *a, const struct kcase *kc,
                                          const char *kind)
{
    for (size_t s = kc->first; s < kc->first + kc->n; s++)
        if (strcmp(a->series[s].drv->workers_are, kind) == 0
            && strcmp(a->series[s].drv->family, "c") == 0
            && strcmp(a->series[s].drv->name, "serial") != 0
            && strcmp(an_cfg(a, a->series[s].first)->schedule, "static") == 0)
            return &a->series[s];
    return NULL;
}

/* The configuration of series se at p workers, as an order position, or -1. */
static long at_workers(const struct analysis *a, const struct series *se, long p)
{
    for (size_t i = se->first; i < se->first + se->n; i++)
        if (an_cfg(a, i)->workers == p)
            return (long)i;
    return -1;
}

/* Compares threads and processes in one case at the most workers that
 * both ran with a core each; returns -1 out of memory, else 0. */
static int compare_workers(struct analysis *a, const struct kcase *kc)
{
    const struct series *th = series_of(a, kc, "pthread"), *pr = series_of(a, kc, "fork");
    if (th == NULL || pr == NULL) {
        th = first_of_kind(a, kc, "thread");
        pr = first_of_kind(a, kc, "process");
    }
    if (th == NULL || pr == NULL)
        return 0;
    /* waiting workers need no core: the latency class is compared at its
     * largest count, the others where every worker has a core */
    long best = -1, bt = -1, bp = -1;
    for (size_t i = th->first; i < th->first + th->n; i++) {
        const struct config *cf = an_cfg(a, i);
        long j = at_workers(a, pr, cf->workers);
        if (j >= 0 && (kc->ideal_is_p || cf->workers <= kc->cores) && cf->workers > best) {
            best = cf->workers;
            bt = (long)i;
            bp = j;
        }
    }
    if (best < 0)
        return 0;
    const struct derived *dt = an_der(a, (size_t)bt), *dp = an_der(a, (size_t)bp);
    struct ratio r;
    r.v = stats_ratio(&dp->t, &dt->t, &r.lo, &r.hi);   /* > 1: threads faster */
    char label[200], tt[32], tp[32], verdict[200];
    finding_case_label(a, kc, label, sizeof label);
    if (isnan(r.lo))
        snprintf(verdict, sizeof verdict, "too few repetitions to tell (time ratio %.3g)", r.v);
    else if (r.lo > 1.0)
        snprintf(verdict, sizeof verdict, "threads faster: processes take %.3g× as long "
                 "(95 %% CI %.3g–%.3g)", r.v, r.lo, r.hi);
    else if (r.hi < 1.0)
        snprintf(verdict, sizeof verdict, "processes faster: threads take %.3g× as long "
                 "(95 %% CI %.3g–%.3g)", 1.0 / r.v, 1.0 / r.hi, 1.0 / r.lo);
    else
        snprintf(verdict, sizeof verdict, "no measurable difference (time ratio %.3g, "
                 "95 %% CI %.3g–%.3g includes 1)", r.v, r.lo, r.hi);
    return finding_add(a, "workers", kc->slug, "%s (%s class) at %ld workers: threads (%s) %s, "
               "processes (%s) %s — %s%s.", label, an_cfg(a, th->first)->cls, best,
               th->name, human_time(tt, sizeof tt, dt->t.median), pr->name,
               human_time(tp, sizeof tp, dp->t.median), verdict,
               caveat((dt->traps | dp->traps) & TRAP_UNDELIVERED));
}

/* ---- where scaling stops --------------------------------------------- */

static int scaling_stops(struct analysis *a, const struct series *se)
{
    const struct kcase *kc = &a->cases[se->kcase];
    const struct config *first = an_cfg(a, se->first);
    if (strcmp(first->scaling, "strong") != 0 || strcmp(first->driver, "serial") == 0)
        return 0;
    int serial = kc->serial >= 0;
    long last_good = 0, next = 0;
    int hedged = 0;
    unsigned next_traps = 0;
    struct ratio good = {NAN, NAN, NAN}, after = {NAN, NAN, NAN};
    for (size_t i = se->first; i < se->first + se->n; i++) {
        const struct derived *d = an_der(a, i);
        struct ratio e = serial ? d->eff_serial : d->eff_self;
        long p = an_cfg(a, i)->workers;
        if (isnan(e.v) || p < 2)
            continue;
        if (e.v >= GOOD_EFFICIENCY && next == 0) {
            last_good = p;
            good = e;
            hedged = !(e.lo >= GOOD_EFFICIENCY);
        } else if (next == 0) {
            next = p;
            after = e;
            next_traps = d->traps;
        }
    }
    if (last_good == 0 && next == 0)
        return 0;
    char label[200], g[96], b[96], subject[400];
    finding_case_label(a, kc, label, sizeof label);
    snprintf(subject, sizeof subject, "%s/%s", kc->slug, se->name);
    const char *base = serial ? "vs serial" : "vs itself at 1 worker (no serial run)";
    if (last_good == 0)
        return finding_add(a, "scaling", subject, "%s, %s: efficiency %s below %.1f from the first "
                   "parallel run: %s at %ld workers%s.", label, se->name, base,
                   GOOD_EFFICIENCY, with_ci(b, sizeof b, after), next, caveat(next_traps));
    if (next == 0)
        return finding_add(a, "scaling", subject, "%s, %s: efficiency %s stays %s%.1f up to the "
                   "largest run, %ld workers (%s).", label, se->name, base,
                   hedged ? "near or above " : "at least ", GOOD_EFFICIENCY, last_good,
                   with_ci(g, sizeof g, good));
    return finding_add(a, "scaling", subject, "%s, %s: scales %sto %ld workers (efficiency %s %s), "
               "then drops to %s at %ld%s.", label, se->name, hedged ? "(within noise) " : "",
               last_good, base, with_ci(g, sizeof g, good), with_ci(b, sizeof b, after), next,
               caveat(next_traps));
}

/* ---- start-up -------------------------------------------------------- */

struct su {
    const struct driver_info *drv;
    long p;
    double v;
};

static int cmp_su(const void *pa, const void *pb)
{
    const struct su *x = pa, *y = pb;
    if (x->drv != y->drv)
        return x->drv->order != y->drv->order ? (x->drv->order > y->drv->order) - (x->drv->order < y->drv->order)
                                              : strcmp(x->drv->name, y->drv->name);
    if (x->p != y->p)
        return (x->p > y->p) - (x->p < y->p);
    return (x->v > y->v) - (x->v < y->v);
}

/* Sorts (driver, workers, value) triples and takes each group's median
 * and range. */
int analysis_startup(struct analysis *a)
{
    size_t n = a->st->ncfg, m = 0;
    struct su *v = malloc((n ? n : 1) * sizeof *v);
    a->startup = calloc(n ? n : 1, sizeof *a->startup);
    double *x = malloc((n ? n : 1) * sizeof *x);
    if (v == NULL || a->startup == NULL || x == NULL) {
        free(v);
        free(x);
        fprintf(stderr, "%s: out of memory\n", PROG);
        return EXIT_FAULT;
    }
    for (size_t i = 0; i < n; i++) {
        const struct series *se = &a->series[an_der(a, i)->series];
        double w = an_der(a, i)->startup_per_worker;
        if (strcmp(se->drv->name, "serial") != 0 && isfinite(w))
            v[m++] = (struct su){se->drv, an_cfg(a, i)->workers, w};
    }
    qsort(v, m, sizeof *v, cmp_su);
    for (size_t i = 0; i < m;) {
        size_t j = i, k = 0;
        while (j < m && v[j].drv == v[i].drv && v[j].p == v[i].p)
            x[k++] = v[j++].v;
        a->startup[a->nstartup++] = (struct startup_row){
            v[i].drv, v[i].p, stats_median_sorted(x, k), x[0], x[k - 1], (int)k};
        i = j;
    }
    free(v);
    free(x);
    return EXIT_OK;
}

static int startup_findings(struct analysis *a)
{
    for (size_t i = 0; i < a->nstartup;) {
        size_t j = i;
        double lo = INFINITY, hi = -INFINITY;
        while (j < a->nstartup && a->startup[j].drv == a->startup[i].drv) {
            lo = fmin(lo, a->startup[j].median);
            hi = fmax(hi, a->startup[j].median);
            j++;
        }
        const struct startup_row *one = &a->startup[i];
        char tl[32], th[32];
        if (finding_add(a, "startup", one->drv->name, "%s (%s): %s to %s per worker to start, "
                "medians over kernel cases at %ld–%ld workers.", one->drv->name,
                one->drv->label, human_time(tl, sizeof tl, lo), human_time(th, sizeof th, hi),
                one->workers, a->startup[j - 1].workers) != 0)
            return -1;
        i = j;
    }
    return 0;
}

int analysis_findings(struct analysis *a)
{
    int bad = find_traps(a) != 0;
    for (size_t c = 0; c < a->ncases && !bad; c++)
        bad = compare_workers(a, &a->cases[c]) != 0;
    for (size_t s = 0; s < a->nseries && !bad; s++)
        bad = scaling_stops(a, &a->series[s]) != 0;
    bad = bad || startup_findings(a) != 0 || model_findings(a) != 0
          || primitive_findings(a, add_text) != 0;
    if (!bad && a->pop_recorded)
        bad = pop_findings(a) != 0;
    if (bad) {
        fprintf(stderr, "%s: out of memory\n", PROG);
        return EXIT_FAULT;
    }
    return EXIT_OK;
}
