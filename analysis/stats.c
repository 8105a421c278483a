/*
 * stats.c — order statistics and the Amdahl fit used by parscale-summarize.
 * Everything here is pure arithmetic on arrays the caller owns.
 */
#include "stats.h"

#include <math.h>
#include <stdlib.h>

/* Two-sided standard normal quantile for 95% coverage. */
#define Z_95 1.96
/* Slack for floor/ceil of rank expressions that are integers in exact
 * arithmetic but may land a rounding error below or above one in binary. */
#define RANK_EPS 1e-9

/* qsort comparator for doubles, ascending. */
static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* Sorts x ascending. */
void stats_sort(double *x, size_t n)
{
    qsort(x, n, sizeof *x, cmp_double);
}

/* Median of a sorted sample. */
double stats_median_sorted(const double *x, size_t n)
{
    if (n % 2 == 1)
        return x[n / 2];
    return (x[n / 2 - 1] + x[n / 2]) / 2.0;
}

/* Clamps a 1-based rank to [1, n]. */
static size_t clamp_rank(double r, size_t n)
{
    if (r < 1.0)
        return 1;
    if (r > (double)n)
        return n;
    return (size_t)r;
}

/*
 * Nonparametric CI of the median from order statistics x(1) <= ... <= x(n).
 * The number of observations below the true median is Binomial(n, 1/2), so
 * [x(j), x(k)] covers it with probability sum_{i=j}^{k-1} C(n,i) / 2^n.
 * With the normal approximation of that binomial (Le Boudec, "Performance
 * Evaluation of Computer and Communication Systems", Thm. 2.1; Hoefler &
 * Belli, SC15, "Scientific Benchmarking of Parallel Computing Systems"):
 *     j = floor((n - 1.96 sqrt(n)) / 2),  k = ceil(1 + (n + 1.96 sqrt(n)) / 2)
 * (1-based, clamped to [1, n]) at level 0.95, valid for n >= 6. The exact
 * coverage of these ranks is never below 0.95 (checked for 6 <= n <= 2000;
 * 0.969 at n = 6, 0.998 at n = 10, 0.965 at n = 100), so 0.95 is a floor,
 * not an approximation that may fall short. For n < 6 no interval reaches
 * 95%; we report [min, max] = [x(1), x(n)] with its exact coverage
 * 1 - 2 * 0.5^n (0 for n = 1, then 0.5, 0.75, 0.875, and 0.9375 for n = 5).
 */
void stats_median_ci(const double *x, size_t n, double *lo, double *hi,
                     double *level)
{
    if (n < MEDIAN_CI_MIN_N) {
        *lo = x[0];
        *hi = x[n - 1];
        *level = 1.0 - 2.0 * pow(0.5, (double)n);
        return;
    }
    double dn = (double)n, half = Z_95 * sqrt(dn);
    size_t j = clamp_rank(floor((dn - half) / 2.0 + RANK_EPS), n);
    size_t k = clamp_rank(ceil(1.0 + (dn + half) / 2.0 - RANK_EPS), n);
    *lo = x[j - 1];
    *hi = x[k - 1];
    *level = MEDIAN_CI_LEVEL;
}

/* Mean and sample standard deviation, two-pass for accuracy. */
void stats_mean_sd(const double *x, size_t n, double *mean, double *sd)
{
    double sum = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += x[i];
    *mean = sum / (double)n;
    if (n < 2) {
        *sd = NAN;
        return;
    }
    double ss = 0.0;
    for (size_t i = 0; i < n; i++)
        ss += (x[i] - *mean) * (x[i] - *mean);
    *sd = sqrt(ss / (double)(n - 1));
}

/* Fills the quality-of-fit fields of fit for the chosen a and b. */
static void fit_quality(const double *p, const double *t, size_t n,
                        double tbar, struct amdahl_fit *fit)
{
    double ssres = 0.0, sstot = 0.0, rel = 0.0;
    int all_equal = 1;

    for (size_t i = 0; i < n; i++) {
        double r = t[i] - (fit->a + fit->b / p[i]);
        ssres += r * r;
        sstot += (t[i] - tbar) * (t[i] - tbar);
        rel += (r / t[i]) * (r / t[i]);
        if (t[i] != t[0])
            all_equal = 0;
    }
    fit->r2 = all_equal ? NAN : 1.0 - ssres / sstot;
    fit->rms_rel = sqrt(rel / (double)n);
    fit->serial_fraction = fit->a + fit->b > 0.0
                               ? fit->a / (fit->a + fit->b) : NAN;
}

/*
 * Ordinary least squares of t on x = 1/p: b = Sxt/Sxx, a = tbar - b xbar.
 * Both terms are times and must not be negative. If the free fit gives a < 0
 * (super-linear speed-up), a is fixed at 0 and b = sum(x t) / sum(x^2); if it
 * gives b < 0 (slower with more workers), b is fixed at 0 and a = mean(t).
 * Both negative cannot happen for t > 0: the free line passes through
 * (xbar, tbar) with tbar > 0. The constraint applied is recorded in the fit.
 */
int stats_amdahl_fit(const double *p, const double *t, size_t n,
                     struct amdahl_fit *fit)
{
    double xbar = 0.0, tbar = 0.0;
    for (size_t i = 0; i < n; i++) {
        xbar += 1.0 / p[i];
        tbar += t[i];
    }
    xbar /= (double)n;
    tbar /= (double)n;

    double sxx = 0.0, sxt = 0.0, xx = 0.0, xt = 0.0;
    for (size_t i = 0; i < n; i++) {
        double x = 1.0 / p[i];
        sxx += (x - xbar) * (x - xbar);
        sxt += (x - xbar) * (t[i] - tbar);
        xx += x * x;
        xt += x * t[i];
    }
    if (n < 2 || sxx <= 0.0)
        return -1;

    fit->b = sxt / sxx;
    fit->a = tbar - fit->b * xbar;
    fit->constraint = AMDAHL_FREE;
    if (fit->a < 0.0) {
        fit->a = 0.0;
        fit->b = xt / xx;
        fit->constraint = AMDAHL_A_ZERO;
    } else if (fit->b < 0.0) {
        fit->b = 0.0;
        fit->a = tbar;
        fit->constraint = AMDAHL_B_ZERO;
    }
    fit_quality(p, t, n, tbar, fit);
    return 0;
}
