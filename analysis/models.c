/*
 * models.c — scaling models per series, each with bootstrap intervals.
 *
 * Strong scaling: Amdahl T(p) = a + b/p and the Universal Scalability Law
 * T(p) = a + b/p + k(p - 1) (Gunther; sigma = a/(a+b) contention,
 * kappa = k/(a+b) coherency), every coefficient >= 0.  Both are linear in
 * their coefficients; they are fitted by least squares on relative
 * residuals ((T - fit)/T), the non-negativity by trying every active set.
 * Weak scaling: Gustafson's scaled speedup S(p) = p T(1)/T(p) = s + (1-s) p.
 *
 * A fit uses the series' median times at worker counts that each have a
 * core (every count for the latency class, whose workers mostly wait), and
 * needs more distinct worker counts than the model has parameters plus one:
 * Amdahl 3, USL 4, Gustafson 3 (with the 1-worker run).  Intervals: the
 * 2.5 and 97.5 percentiles over resamples, each resampling every point's
 * repetitions with replacement and refitting; the seed is recorded.
 * Preferred model: USL when its kappa interval excludes 0, else Amdahl.
 */
#define _POSIX_C_SOURCE 200809L

#include "analysis.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_COEF 3
static const int min_distinct[MODEL_COUNT] = {3, 4, 3};
static const int ncoef[MODEL_COUNT] = {2, 3, 1};

/* A copy of s kept for the whole run (or a fixed note when memory ran out:
 * a fit's text is not worth failing the summary for). */
static const char *intern_or(struct analysis *a, const char *s)
{
    const char *kept = store_intern(a->st, s);
    return kept ? kept : "(text lost: out of memory)";
}

/* The basis functions of the strong-scaling models: 1, 1/p, p - 1. */
static double basis(int j, double p)
{
    return j == 0 ? 1.0 : j == 1 ? 1.0 / p : p - 1.0;
}

double fit_time(const struct fit *f, double p)
{
    if (f->model == MODEL_GUSTAFSON)
        return f->t1 * p / (f->coef[0] + (1.0 - f->coef[0]) * p);
    double t = 0.0;
    for (int j = 0; j < ncoef[f->model]; j++)
        t += f->coef[j] * basis(j, p);
    return t;
}

/* Solves the k x k system m c = v (Gaussian elimination, partial
 * pivoting); returns -1 when singular. */
static int solve(double m[MAX_COEF][MAX_COEF], double *v, double *c, int k)
{
    for (int col = 0; col < k; col++) {
        int piv = col;
        for (int r = col + 1; r < k; r++)
            if (fabs(m[r][col]) > fabs(m[piv][col]))
                piv = r;
        if (fabs(m[piv][col]) < 1e-300)
            return -1;
        for (int j = 0; j < k; j++) {
            double t = m[col][j];
            m[col][j] = m[piv][j];
            m[piv][j] = t;
        }
        double t = v[col];
        v[col] = v[piv];
        v[piv] = t;
        for (int r = col + 1; r < k; r++) {
            double f = m[r][col] / m[col][col];
            for (int j = col; j < k; j++)
                m[r][j] -= f * m[col][j];
            v[r] -= f * v[col];
        }
    }
    for (int r = k - 1; r >= 0; r--) {
        double s = v[r];
        for (int j = r + 1; j < k; j++)
            s -= m[r][j] * c[j];
        c[r] = s / m[r][r];
    }
    return 0;
}

/* Least squares of t on the basis functions in `set` (bit j: function j;
 * f[i][j] is function j at point i), relative residuals; the others'
 * coefficients are 0.  Returns the weighted sum of squares, or INFINITY
 * when singular or when a coefficient comes out negative. */
static double fit_set(const double (*f)[MAX_COEF], const double *t, size_t n, int k,
                      unsigned set, double *coef)
{
    int cols[MAX_COEF], m = 0;
    for (int j = 0; j < k; j++)
        if (set & (1u << j))
            cols[m++] = j;
    double a[MAX_COEF][MAX_COEF] = {{0}}, v[MAX_COEF] = {0}, c[MAX_COEF];
    for (size_t i = 0; i < n; i++) {
        double w = 1.0 / (t[i] * t[i]);
        for (int x = 0; x < m; x++) {
            double wf = w * f[i][cols[x]];
            v[x] += wf * t[i];
            for (int y = x; y < m; y++)
                a[x][y] += wf * f[i][cols[y]];
        }
    }
    for (int x = 0; x < m; x++)
        for (int y = 0; y < x; y++)
            a[x][y] = a[y][x];
    if (solve(a, v, c, m) != 0)
        return INFINITY;
    for (int j = 0; j < k; j++)
        coef[j] = 0.0;
    for (int x = 0; x < m; x++) {
        if (c[x] < 0.0)
            return INFINITY;
        coef[cols[x]] = c[x];
    }
    double ss = 0.0;
    for (size_t i = 0; i < n; i++) {
        double fit = 0.0;
        for (int j = 0; j < k; j++)
            fit += coef[j] * f[i][j];
        ss += (t[i] - fit) * (t[i] - fit) / (t[i] * t[i]);
    }
    return ss;
}

/* Karush-Kuhn-Tucker: a feasible fit whose held-at-0 coefficients could
 * not lower the sum of squares by growing is the constrained optimum. */
static int optimal(const double (*f)[MAX_COEF], const double *t, size_t n, int k,
                   unsigned set, const double *coef)
{
    for (int j = 0; j < k; j++) {
        if (set & (1u << j))
            continue;
        double g = 0.0;
        for (size_t i = 0; i < n; i++) {
            double fit = 0.0;
            for (int q = 0; q < k; q++)
                fit += coef[q] * f[i][q];
            g += f[i][j] * (t[i] - fit) / (t[i] * t[i]);
        }
        if (g > 1e-12 * n)
            return 0;
    }
    return 1;
}

/* Least squares of t on the first k basis functions with every coefficient
 * >= 0, residuals relative to t: candidate sets of free coefficients from
 * the largest down, the first feasible one that meets the optimality
 * conditions is the answer (with 3 coefficients every set can be tried).
 * Returns 0 or -1 (no feasible fit). */
static int nnls(const double (*f)[MAX_COEF], const double *t, size_t n, int k, double *coef)
{
    static const unsigned by_size[] = {7, 3, 5, 6, 1, 2, 4};
    double trial[MAX_COEF];
    for (size_t i = 0; i < sizeof by_size / sizeof by_size[0]; i++) {
        unsigned set = by_size[i];
        if (set >= (1u << k))
            continue;
        if (isfinite(fit_set(f, t, n, k, set, trial)) && optimal(f, t, n, k, set, trial)) {
            memcpy(coef, trial, sizeof trial);
            return 0;
        }
    }
    return -1;
}

/* Gustafson's s from S_i = p_i t1 / t_i: least squares of S - p = -s (p - 1),
 * clamped to [0, 1]. */
static double gustafson_s(const double *p, const double *t, size_t n, double t1)
{
    double num = 0.0, den = 0.0;
    for (size_t i = 0; i < n; i++) {
        double s = p[i] * t1 / t[i];
        num += (p[i] - s) * (p[i] - 1.0);
        den += (p[i] - 1.0) * (p[i] - 1.0);
    }
    double s = den > 0.0 ? num / den : 0.0;
    return s < 0.0 ? 0.0 : s > 1.0 ? 1.0 : s;
}

/* Fits model m to points (p, t); t1 is the 1-worker time (Gustafson).
 * Fills coef; returns 0 or -1. */
static int fit_points(enum model m, const double *p, const double (*f)[MAX_COEF],
                      const double *t, size_t n, double t1, double *coef)
{
    if (m == MODEL_GUSTAFSON) {
        coef[0] = gustafson_s(p, t, n, t1);
        return 0;
    }
    return nnls(f, t, n, ncoef[m], coef);
}

/* The interpretable parameters of coefficients into f. */
static void parameters(struct fit *f, const double *coef, double t1,
                       double *out_t1, double *out_s, double *out_kappa)
{
    if (f->model == MODEL_GUSTAFSON) {
        *out_t1 = t1;
        *out_s = coef[0];
        *out_kappa = NAN;
        return;
    }
    double whole = coef[0] + coef[1];
    *out_t1 = whole;
    *out_s = whole > 0.0 ? coef[0] / whole : NAN;
    *out_kappa = f->model == MODEL_USL && whole > 0.0 ? coef[2] / whole : NAN;
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
            pt->f[pt->n][j] = basis(j, (double)cf->workers);
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
    else if (pt->distinct < min_distinct[f->model])
        why = "too few worker counts to fit";
    f->points = (int)pt->n;
    f->distinct = pt->distinct;
    f->p_min = pt->p_min;
    f->p_max = pt->p_max;
    if (why == NULL && fit_points(f->model, pt->p, pt->f, pt->t, pt->n, pt->t1, f->coef) != 0)
        why = "no fit with non-negative terms";
    if (why != NULL) {
        char range[40], reason[200];
        if (pt->n > 0 && strcmp(pt->cf[0]->cls, "latency") == 0)
            snprintf(range, sizeof range, "every count, latency class");
        else
            snprintf(range, sizeof range, "p <= %ld cores", pt->cores);
        snprintf(reason, sizeof reason, "%s: %d distinct worker counts in the "
                 "fitted range (%s); %s needs %d", why, pt->distinct, range,
                 model_name(f->model), min_distinct[f->model]);
        f->reason = intern_or(a, reason);
        return;
    }
    f->fitted = 1;
    f->reason = "";
    parameters(f, f->coef, pt->t1, &f->t1, &f->s, &f->kappa);
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
        if (fit_points(f->model, pt->p, pt->f, bs->med + (size_t)b * pt->n, pt->n, bs->one[b], coef) != 0) {
            bs->t1[slot][b] = bs->s[slot][b] = bs->kappa[slot][b] = coef[0] = NAN;
            continue;
        }
        parameters(&trial, coef, bs->one[b], &bs->t1[slot][b], &bs->s[slot][b],
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
    struct points pt = {0};
    size_t b = (size_t)a->resamples;
    struct boot bs = {.b = a->resamples};
    pt.p = malloc(most_pts * sizeof *pt.p);
    pt.t = malloc(most_pts * sizeof *pt.t);
    pt.cf = malloc(most_pts * sizeof *pt.cf);
    pt.f = malloc(most_pts * sizeof *pt.f);
    bs.med = malloc(b * most_pts * sizeof *bs.med);
    bs.one = malloc(b * sizeof *bs.one);
    bs.tmp = malloc(b * sizeof *bs.tmp);
    bs.scratch = malloc(most_reps * sizeof *bs.scratch);
    int ok = pt.p && pt.t && pt.cf && pt.f && bs.med && bs.one && bs.tmp && bs.scratch;
    for (int k = 0; k < 2 && ok; k++) {
        bs.coef[k] = malloc(b * MAX_COEF * sizeof *bs.coef[k]);
        bs.t1[k] = malloc(b * sizeof *bs.t1[k]);
        bs.s[k] = malloc(b * sizeof *bs.s[k]);
        bs.kappa[k] = malloc(b * sizeof *bs.kappa[k]);
        ok = bs.coef[k] && bs.t1[k] && bs.s[k] && bs.kappa[k];
    }
    a->fits = calloc(a->nseries * 2 + 1, sizeof *a->fits);
    int rc = EXIT_OK;
    if (!ok || a->fits == NULL) {
        fprintf(stderr, "%s: out of memory\n", PROG);
        rc = EXIT_FAULT;
        goto out_free;
    }
    for (size_t s = 0; s < a->nseries; s++) {
        const struct series *se = &a->series[s];
        int strong = strcmp(an_cfg(a, se->first)->scaling, "strong") == 0;
        collect(a, se, &pt);
        a->series[s].fit_first = a->nfits;
        /* one seed per series, so a series' intervals do not depend on
         * what else was summarised with it */
        uint64_t seed = hash_mix(a->seed, hash_mix(hash_str(a->cases[se->kcase].slug),
                                                   hash_str(se->name)));
        if (pt.distinct >= min_distinct[strong ? MODEL_AMDAHL : MODEL_GUSTAFSON])
            draw(&bs, &pt, seed);
        struct fit *f = &a->fits[a->nfits];
        if (strong) {
            f[0].model = MODEL_AMDAHL;
            f[1].model = MODEL_USL;
            f[0].series = f[1].series = s;
            fit_one(a, &f[0], &pt, &bs, 0);
            fit_one(a, &f[1], &pt, &bs, 1);
            prefer(a, &f[0], &f[1]);
            a->nfits += 2;
        } else {
            f[0].model = MODEL_GUSTAFSON;
            f[0].series = s;
            fit_one(a, &f[0], &pt, &bs, 0);
            f[0].criterion = "";
            if (f[0].fitted) {
                f[0].preferred = 1;
                f[0].criterion = "Gustafson: the one model for weak scaling";
            }
            a->nfits += 1;
        }
        a->series[s].nfit = a->nfits - a->series[s].fit_first;
        for (int k = 0; k < (strong ? 2 : 1) && a->curves; k++)
            if (f[k].preferred && curve(&f[k], &bs, k) != 0) {
                fprintf(stderr, "%s: out of memory\n", PROG);
                rc = EXIT_FAULT;
                goto out_free;
            }
    }
out_free:
    free(pt.p);
    free(pt.t);
    free(pt.cf);
    free(pt.f);
    free(bs.med);
    free(bs.one);
    free(bs.tmp);
    free(bs.scratch);
    for (int k = 0; k < 2; k++) {
        free(bs.coef[k]);
        free(bs.t1[k]);
        free(bs.s[k]);
        free(bs.kappa[k]);
    }
    return rc;
}
