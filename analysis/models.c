/*
 * models.c — scaling models per series, each with bootstrap intervals.
 *
 * Strong scaling: Amdahl T(p) = a + b/p and the Universal Scalability Law
 * T(p) = a + b/p + k(p - 1) (Gunther; sigma = a/(a+b) contention,
 * kappa = k/(a+b) coherency), every coefficient >= 0.  Both are linear in
 * their coefficients; they are fitted by least squares on relative
 * residuals ((T - fit)/T), the non-negativity by trying every active set
 * (modelfit.c).
 * Weak scaling: Gustafson's scaled speedup S(p) = p T(1)/T(p) = s + (1-s) p.
 *
 * A fit uses the series' median times at worker counts that each have a
 * core (every count for the latency class, whose workers mostly wait), and
 * needs more distinct worker counts than the model has parameters plus one:
 * Amdahl 3, USL 4, Gustafson 3 (with the 1-worker run).  Intervals: the
 * 2.5 and 97.5 percentiles over resamples, each resampling every point's
 * repetitions with replacement and refitting; the seed is recorded.
 * Preferred model: USL when its kappa interval excludes 0, else Amdahl.
 *
 * Series are fitted by a pool of threads (a->jobs), each with its own
 * buffers, taking series in order from a shared counter; each series has
 * its own seed and its own slots in a->fits, so the result does not depend
 * on the number of threads or on which thread fitted what.
 */
#define _POSIX_C_SOURCE 200809L

#include "modelfit.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* The store's string pool is shared by the fitting threads. */
static pthread_mutex_t intern_lock = PTHREAD_MUTEX_INITIALIZER;

/* A copy of s kept for the whole run (or a fixed note when memory ran out:
 * a fit's text is not worth failing the summary for). */
static const char *intern_or(struct analysis *a, const char *s)
{
    pthread_mutex_lock(&intern_lock);
    const char *kept = store_intern(a->st, s);
    pthread_mutex_unlock(&intern_lock);
    return kept ? kept : "(text lost: out of memory)";
}

/* Whether configuration cf is a point of its series' fits. */
static int in_range(const struct config *cf)
{
    return strcmp(cf->cls, "latency") == 0 || cf->workers <= cf->cores;
}

struct points {
    size_t n;
    double *p, *t;
    double (*f)[MAX_COEF];     /* the basis functions at each point */
    const struct config **cf;
    double t1;                 /* median at one worker, NAN if none */
    const struct config *one;  /* the 1-worker configuration */
    int distinct;
    long p_min, p_max, cores;
};

static void collect(const struct analysis *a, const struct series *se, struct points *pt)
{
    pt->n = 0;
    pt->t1 = NAN;
    pt->one = NULL;
    pt->distinct = 0;
    pt->p_min = pt->p_max = pt->cores = 0;
    long last = 0;
    for (size_t i = se->first; i < se->first + se->n; i++) {
        const struct config *cf = an_cfg(a, i);
        if (cf->cores > pt->cores)
            pt->cores = cf->cores;
        if (!in_range(cf))
            continue;
        if (cf->workers == 1 && pt->one == NULL) {
            pt->one = cf;
            pt->t1 = an_der(a, i)->t.median;
        }
        for (int j = 0; j < MAX_COEF; j++)
            pt->f[pt->n][j] = model_basis(j, (double)cf->workers);
        pt->p[pt->n] = (double)cf->workers;
        pt->t[pt->n] = an_der(a, i)->t.median;
        pt->cf[pt->n++] = cf;
        if (cf->workers != last)
            pt->distinct++;
        last = cf->workers;
        if (pt->p_min == 0)
            pt->p_min = cf->workers;
        pt->p_max = cf->workers;
    }
}

/* The type-7 quantile q of v[0..m) by selection (v is reordered). */
static double quantile_select(double *v, size_t m, double q)
{
    double h = q * (double)(m - 1);
    size_t k = (size_t)floor(h);
    double lower = stats_select(v, m, k);
    if (k + 1 >= m)
        return lower;
    double upper = v[k + 1];            /* the smallest of the right part */
    for (size_t i = k + 2; i < m; i++)
        if (v[i] < upper)
            upper = v[i];
    return lower + (h - (double)k) * (upper - lower);
}

/* 2.5 and 97.5 percentiles of the finite values among v[0..n) (reordered). */
static void interval(double *v, size_t n, double *lo, double *hi)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i]))
            v[m++] = v[i];
    if (m < 2) {
        *lo = *hi = NAN;
        return;
    }
    *lo = quantile_select(v, m, (1.0 - STATS_LEVEL) / 2.0);
    *hi = quantile_select(v, m, (1.0 + STATS_LEVEL) / 2.0);
}

/* The bootstrap of one series: each replicate's resampled median of every
 * point, drawn once and shared by the models fitted to it, and per model
 * the replicate's coefficients and parameters. */
struct boot {
    int b;
    size_t npts;
    double *med;               /* [b][npts] */
    double *one;               /* [b]: the 1-worker point's median, NAN if none */
    double *coef[2];           /* [b][MAX_COEF] per model slot */
    double *t1[2], *s[2], *kappa[2];   /* [b] */
    double *tmp;               /* [b] */
    double *scratch;           /* [most reps] */
};

/* Draws every replicate's medians for the points of pt. */
static void draw(struct boot *bs, const struct points *pt, uint64_t seed)
{
    struct rng r;
    rng_seed(&r, seed);
    bs->npts = pt->n;
    for (int b = 0; b < bs->b; b++) {
        double *row = bs->med + (size_t)b * pt->n;
        bs->one[b] = NAN;
        for (size_t i = 0; i < pt->n; i++) {
            row[i] = stats_boot_median(&r, pt->cf[i]->seconds, pt->cf[i]->n, bs->scratch);
            if (pt->cf[i] == pt->one)
                bs->one[b] = row[i];
        }
    }
}

/* Fits one model and refits it to every replicate (in slot `slot` of bs);
 * fills f (f->series and f->model set). */
static void fit_one(struct analysis *a, struct fit *f, const struct points *pt,
                    struct boot *bs, int slot)
{
    const char *why = NULL;
    if (f->model == MODEL_GUSTAFSON && pt->one == NULL)
        why = "no run at 1 worker to scale from";
    else if (pt->distinct < model_min_distinct[f->model])
        why = "too few worker counts to fit";
    f->points = (int)pt->n;
    f->distinct = pt->distinct;
    f->p_min = pt->p_min;
    f->p_max = pt->p_max;
    if (why == NULL && model_fit_points(f->model, pt->p, pt->f, pt->t, pt->n, pt->t1, f->coef) != 0)
        why = "no fit with non-negative terms";
    if (why != NULL) {
        char range[40], reason[200];
        if (pt->n > 0 && strcmp(pt->cf[0]->cls, "latency") == 0)
            snprintf(range, sizeof range, "every count, latency class");
        else
            snprintf(range, sizeof range, "p <= %ld cores", pt->cores);
        snprintf(reason, sizeof reason, "%s: %d distinct worker counts in the "
                 "fitted range (%s); %s needs %d", why, pt->distinct, range,
                 model_name(f->model), model_min_distinct[f->model]);
        f->reason = intern_or(a, reason);
        return;
    }
    f->fitted = 1;
    f->reason = "";
    model_parameters(f, f->coef, pt->t1, &f->t1, &f->s, &f->kappa);
    double ss = 0.0, worst = 0.0;
    for (size_t i = 0; i < pt->n; i++) {
        double rel = (pt->t[i] - fit_time(f, pt->p[i])) / pt->t[i];
        ss += rel * rel;
        worst = fabs(rel) > worst ? fabs(rel) : worst;
    }
    f->rms_rel = sqrt(ss / (double)pt->n);
    f->max_rel = worst;
    f->p_peak = NAN;
    if (f->model == MODEL_USL && f->coef[2] > 0.0)
        f->p_peak = sqrt(f->coef[1] / f->coef[2]);
    struct fit trial = *f;
    for (int b = 0; b < bs->b; b++) {
        double *coef = bs->coef[slot] + (size_t)b * MAX_COEF;
        if (model_fit_points(f->model, pt->p, pt->f, bs->med + (size_t)b * pt->n, pt->n, bs->one[b], coef) != 0) {
            bs->t1[slot][b] = bs->s[slot][b] = bs->kappa[slot][b] = coef[0] = NAN;
            continue;
        }
        model_parameters(&trial, coef, bs->one[b], &bs->t1[slot][b], &bs->s[slot][b],
                   &bs->kappa[slot][b]);
    }
    double *keep[] = {bs->t1[slot], bs->s[slot], bs->kappa[slot]};
    double *lo[] = {&f->t1_lo, &f->s_lo, &f->kappa_lo}, *hi[] = {&f->t1_hi, &f->s_hi, &f->kappa_hi};
    for (int k = 0; k < 3; k++) {
        memcpy(bs->tmp, keep[k], (size_t)bs->b * sizeof *bs->tmp);
        interval(bs->tmp, (size_t)bs->b, lo[k], hi[k]);
    }
}

/* The fitted curve of f over its worker range and the band of its
 * replicates (slot `slot` of bs), for the figures. */
static int curve(struct fit *f, struct boot *bs, int slot)
{
    struct fit trial = *f;
    struct curve *cv = malloc(sizeof *cv);
    if (cv == NULL)
        return -1;
    f->curve = cv;
    for (int c = 0; c < CURVE_POINTS; c++) {
        double p = (double)f->p_min * pow((double)f->p_max / (double)f->p_min,
                                          (double)c / (CURVE_POINTS - 1));
        cv->p[c] = p;
        cv->t[c] = fit_time(f, p);
        for (int b = 0; b < bs->b; b++) {
            memcpy(trial.coef, bs->coef[slot] + (size_t)b * MAX_COEF, sizeof trial.coef);
            trial.t1 = bs->one[b];
            bs->tmp[b] = isnan(trial.coef[0]) ? NAN : fit_time(&trial, p);
        }
        interval(bs->tmp, (size_t)bs->b, &cv->lo[c], &cv->hi[c]);
    }
    return 0;
}

/* Marks the preferred model of a strong-scaling series (fits f[0] Amdahl,
 * f[1] USL) and says why. */
static void prefer(struct analysis *a, struct fit *amdahl, struct fit *usl)
{
    char why[200];
    amdahl->criterion = usl->criterion = "";
    if (usl->fitted && usl->kappa_lo > 0.0) {
        usl->preferred = 1;
        snprintf(why, sizeof why, "USL: coherency kappa > 0; its 95%% interval %.3g to %.3g "
                 "excludes 0 (scaling turns retrograde near p = %.3g)", usl->kappa_lo,
                 usl->kappa_hi, usl->p_peak);
        usl->criterion = intern_or(a, why);
        amdahl->criterion = "not preferred: the USL's kappa interval excludes 0";
        return;
    }
    if (!amdahl->fitted)
        return;
    amdahl->preferred = 1;
    amdahl->criterion = usl->fitted ? "Amdahl: the USL's kappa interval includes 0; its extra "
                                      "parameter is not supported by the data"
                                    : "Amdahl: too few worker counts to test the USL";
    if (usl->fitted) {
        snprintf(why, sizeof why, "not preferred: kappa interval %.3g to %.3g includes 0",
                 usl->kappa_lo, usl->kappa_hi);
        usl->criterion = intern_or(a, why);
    }
}

const struct fit *preferred_fit(const struct analysis *a, size_t s)
{
    const struct series *se = &a->series[s];
    for (size_t f = se->fit_first; f < se->fit_first + se->nfit; f++)
        if (a->fits[f].preferred)
            return &a->fits[f];
    return NULL;
}

/* Resamples per fit when not given: 1000, fewer for very many series. */
#define RESAMPLES 1000
#define RESAMPLES_FLOOR 200
#define RESAMPLES_BUDGET 2000000.0

/* One fitting thread's buffers, sized for the largest series. */
struct worker {
    struct analysis *a;
    struct points pt;
    struct boot bs;
    int rc;
};

static void worker_free(struct worker *w)
{
    free(w->pt.p);
    free(w->pt.t);
    free(w->pt.cf);
    free(w->pt.f);
    free(w->bs.med);
    free(w->bs.one);
    free(w->bs.tmp);
    free(w->bs.scratch);
    for (int k = 0; k < 2; k++) {
        free(w->bs.coef[k]);
        free(w->bs.t1[k]);
        free(w->bs.s[k]);
        free(w->bs.kappa[k]);
    }
}

static int worker_init(struct worker *w, struct analysis *a, size_t most_pts, size_t most_reps)
{
    size_t b = (size_t)a->resamples;
    memset(w, 0, sizeof *w);
    w->a = a;
    w->bs.b = a->resamples;
    w->pt.p = malloc(most_pts * sizeof *w->pt.p);
    w->pt.t = malloc(most_pts * sizeof *w->pt.t);
    w->pt.cf = malloc(most_pts * sizeof *w->pt.cf);
    w->pt.f = malloc(most_pts * sizeof *w->pt.f);
    w->bs.med = malloc(b * most_pts * sizeof *w->bs.med);
    w->bs.one = malloc(b * sizeof *w->bs.one);
    w->bs.tmp = malloc(b * sizeof *w->bs.tmp);
    w->bs.scratch = malloc(most_reps * sizeof *w->bs.scratch);
    int ok = w->pt.p && w->pt.t && w->pt.cf && w->pt.f && w->bs.med && w->bs.one &&
             w->bs.tmp && w->bs.scratch;
    for (int k = 0; k < 2 && ok; k++) {
        w->bs.coef[k] = malloc(b * MAX_COEF * sizeof *w->bs.coef[k]);
        w->bs.t1[k] = malloc(b * sizeof *w->bs.t1[k]);
        w->bs.s[k] = malloc(b * sizeof *w->bs.s[k]);
        w->bs.kappa[k] = malloc(b * sizeof *w->bs.kappa[k]);
        ok = w->bs.coef[k] && w->bs.t1[k] && w->bs.s[k] && w->bs.kappa[k];
    }
    if (!ok)
        worker_free(w);
    return ok ? 0 : -1;
}

/* Fits series s into its slots of a->fits (fit_first set). */
static int fit_series(struct worker *w, size_t s)
{
    struct analysis *a = w->a;
    const struct series *se = &a->series[s];
    int strong = strcmp(an_cfg(a, se->first)->scaling, "strong") == 0;
    collect(a, se, &w->pt);
    /* one seed per series, so a series' intervals do not depend on what
     * else was summarised with it */
    uint64_t seed = hash_mix(a->seed, hash_mix(hash_str(a->cases[se->kcase].slug),
                                               hash_str(se->name)));
    if (w->pt.distinct >= model_min_distinct[strong ? MODEL_AMDAHL : MODEL_GUSTAFSON])
        draw(&w->bs, &w->pt, seed);
    struct fit *f = &a->fits[se->fit_first];
    if (strong) {
        f[0].model = MODEL_AMDAHL;
        f[1].model = MODEL_USL;
        f[0].series = f[1].series = s;
        fit_one(a, &f[0], &w->pt, &w->bs, 0);
        fit_one(a, &f[1], &w->pt, &w->bs, 1);
        prefer(a, &f[0], &f[1]);
    } else {
        f[0].model = MODEL_GUSTAFSON;
        f[0].series = s;
        fit_one(a, &f[0], &w->pt, &w->bs, 0);
        f[0].criterion = "";
        if (f[0].fitted) {
            f[0].preferred = 1;
            f[0].criterion = "Gustafson: the one model for weak scaling";
        }
    }
    for (size_t k = 0; k < se->nfit && a->curves; k++)
        if (f[k].preferred && curve(&f[k], &w->bs, (int)k) != 0) {
            fprintf(stderr, "%s: out of memory\n", PROG);
            return EXIT_FAULT;
        }
    return EXIT_OK;
}

/* Series are handed out in blocks from one counter. */
#define CLAIM 16
static size_t next_series;

static void *fit_thread(void *arg)
{
    struct worker *w = arg;
    size_t n = w->a->nseries;
    for (;;) {
        size_t first = __atomic_fetch_add(&next_series, CLAIM, __ATOMIC_RELAXED);
        if (first >= n)
            break;
        for (size_t s = first; s < first + CLAIM && s < n && w->rc == EXIT_OK; s++)
            w->rc = fit_series(w, s);
        if (w->rc != EXIT_OK)
            break;
    }
    return NULL;
}

/* Resamples per fit when not given: 1000, fewer for very many series. */
#define RESAMPLES 1000
#define RESAMPLES_FLOOR 200
#define RESAMPLES_BUDGET 2000000.0
/* Threads only for studies with this many series or more. */
#define SERIES_PER_THREAD 64

int analysis_fit(struct analysis *a)
{
    size_t most_pts = 1, most_reps = 1;
    if (a->resamples == 0) {
        double per = RESAMPLES_BUDGET / (double)(a->nseries ? a->nseries : 1);
        a->resamples = per >= RESAMPLES ? RESAMPLES : per <= RESAMPLES_FLOOR ? RESAMPLES_FLOOR : (int)per;
    }
    for (size_t i = 0; i < a->nseries; i++)
        if (a->series[i].n > most_pts)
            most_pts = a->series[i].n;
    for (size_t i = 0; i < a->st->ncfg; i++)
        if (a->st->cfg[i].n > most_reps)
            most_reps = a->st->cfg[i].n;
    a->fits = calloc(a->nseries * 2 + 1, sizeof *a->fits);
    if (a->fits == NULL) {
        fprintf(stderr, "%s: out of memory\n", PROG);
        return EXIT_FAULT;
    }
    /* every series' slots first: two fits for strong scaling, one for weak */
    for (size_t s = 0; s < a->nseries; s++) {
        struct series *se = &a->series[s];
        se->fit_first = a->nfits;
        se->nfit = strcmp(an_cfg(a, se->first)->scaling, "strong") == 0 ? 2 : 1;
        a->nfits += se->nfit;
    }
    size_t jobs = a->jobs > 0 ? (size_t)a->jobs : 1;
    if (jobs > 1 && a->nseries / SERIES_PER_THREAD < jobs)
        jobs = a->nseries / SERIES_PER_THREAD > 1 ? a->nseries / SERIES_PER_THREAD : 1;
    struct worker *w = calloc(jobs, sizeof *w);
    pthread_t *tid = calloc(jobs, sizeof *tid);
    size_t ready = 0, started = 0;
    int rc = w && tid ? EXIT_OK : EXIT_FAULT;
    for (; ready < jobs && rc == EXIT_OK; ready++)
        if (worker_init(&w[ready], a, most_pts, most_reps) != 0)
            rc = EXIT_FAULT;
    if (rc != EXIT_OK) {
        fprintf(stderr, "%s: out of memory\n", PROG);
        if (ready > 0)
            ready--;           /* the one that failed freed itself */
        goto out;
    }
    __atomic_store_n(&next_series, 0, __ATOMIC_RELAXED);
    /* the calling thread is worker 0; a thread that cannot start leaves
     * its share to the others */
    for (started = 1; started < jobs; started++)
        if (pthread_create(&tid[started], NULL, fit_thread, &w[started]) != 0)
            break;
    fit_thread(&w[0]);
    for (size_t t = 1; t < started; t++)
        pthread_join(tid[t], NULL);
    for (size_t t = 0; t < started; t++)
        if (w[t].rc != EXIT_OK)
            rc = w[t].rc;
out:
    for (size_t t = 0; t < ready; t++)
        worker_free(&w[t]);
    free(w);
    free(tid);
    return rc;
}
