/*
 * stats.h — order statistics and fits for parscale summaries: median with a
 * nonparametric confidence interval, mean and sample standard deviation, and
 * the Amdahl least-squares fit T(p) = a + b/p.
 */
#ifndef PARSCALE_ANALYSIS_STATS_H
#define PARSCALE_ANALYSIS_STATS_H

#include <stddef.h>

/* Confidence level of the order-statistic interval used from MEDIAN_CI_MIN_N on. */
#define MEDIAN_CI_LEVEL 0.95
/* Smallest sample with a 95% interval of the median: (min, max) covers
 * 1 - 2 * 0.5^6 = 0.969 at n = 6, only 0.9375 at n = 5. */
#define MEDIAN_CI_MIN_N 6

/* How an Amdahl fit was constrained to keep both terms non-negative. */
enum amdahl_constraint {
    AMDAHL_FREE,   /* unconstrained least squares: a >= 0 and b >= 0 */
    AMDAHL_A_ZERO, /* free fit gave a < 0: a = 0, b refitted (super-linear) */
    AMDAHL_B_ZERO  /* free fit gave b < 0: b = 0, a refitted (slows down) */
};

/* Result of stats_amdahl_fit; fields that do not apply are NAN. */
struct amdahl_fit {
    double a;               /* seconds that do not shrink with p */
    double b;               /* seconds that shrink as 1/p */
    double serial_fraction; /* a / (a + b) */
    double r2;              /* 1 - SSres/SStot; NAN when all T are equal */
    double rms_rel;         /* sqrt(mean(((T - fit) / T)^2)) */
    enum amdahl_constraint constraint;
};

/* Sorts x[0..n) ascending in place. */
void stats_sort(double *x, size_t n);

/* Returns the median of sorted x[0..n), n >= 1 (mean of the middle two for even n). */
double stats_median_sorted(const double *x, size_t n);

/* Stores the confidence interval of the median of sorted x[0..n), n >= 1, in
 * *lo and *hi and its coverage in *level (see stats.c for the formula). */
void stats_median_ci(const double *x, size_t n, double *lo, double *hi,
                     double *level);

/* Stores the mean of x[0..n), n >= 1, and the sample standard deviation
 * (n - 1 in the denominator; NAN when n < 2). */
void stats_mean_sd(const double *x, size_t n, double *mean, double *sd);

/* Fits t = a + b/p by least squares over n points (t > 0, p >= 1).
 * Returns 0, or -1 when fewer than two distinct p make the fit undefined. */
int stats_amdahl_fit(const double *p, const double *t, size_t n,
                     struct amdahl_fit *fit);

#endif
