/*
 * stats.h — order statistics for parscale summaries: medians and their
 * nonparametric confidence intervals, mean and standard deviation, a
 * distribution-free interval for the ratio of two medians, a seeded random
 * generator for the bootstrap, and the normal and binomial helpers they use.
 * Pure arithmetic on arrays the caller owns.
 */
#ifndef PARSCALE_ANALYSIS_STATS_H
#define PARSCALE_ANALYSIS_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Confidence level of every interval parscale reports. */
#define STATS_LEVEL 0.95
/* Smallest sample with a 95% interval of the median: (min, max) covers
 * 1 - 2 * 0.5^6 = 0.969 at n = 6, only 0.9375 at n = 5. */
#define MEDIAN_CI_MIN_N 6
/* Smallest samples for which the ratio of two medians gets an interval. */
#define RATIO_CI_MIN_N 3

/* What a sample of repetition times is summarised by. */
struct sample_stat {
    size_t n;
    double median, ci_low, ci_high, ci_level;
    double min, max, mean, sd;      /* sd NAN when n < 2 */
    double log_se;                  /* standard error of ln(median); NAN when
                                       n < RATIO_CI_MIN_N */
    double se;                      /* standard error of the median itself */
};

/* Sorts x[0..n) ascending in place. */
void stats_sort(double *x, size_t n);

/* Returns the median of sorted x[0..n), n >= 1 (mean of the middle two for even n). */
double stats_median_sorted(const double *x, size_t n);

/* Returns the k-th smallest (0-based) of x[0..n), leaving it at x[k],
 * everything before it no larger and everything after no smaller. */
double stats_select(double *x, size_t n, size_t k);

/* Returns the median of x[0..n), n >= 1, reordering x (quickselect). */
double stats_median_select(double *x, size_t n);

/* Stores the confidence interval of the median of sorted x[0..n), n >= 1, in
 * *lo and *hi and its coverage in *level (see stats.c for the formula). */
void stats_median_ci(const double *x, size_t n, double *lo, double *hi,
                     double *level);

/* Stores the mean of x[0..n), n >= 1, and the sample standard deviation
 * (n - 1 in the denominator; NAN when n < 2). */
void stats_mean_sd(const double *x, size_t n, double *mean, double *sd);

/* Fills *s from sorted, positive x[0..n), n >= 1. */
void stats_describe(const double *x, size_t n, struct sample_stat *s);

/* Fills *s from unsorted, positive x[0..n) (reordered), by selection:
 * the same values as sorting and stats_describe, in linear time. */
void stats_describe_unsorted(double *x, size_t n, struct sample_stat *s);

/* The ratio num.median / den.median with its 95% interval in *lo, *hi
 * (NAN when either sample is too small).  Returns the ratio. */
double stats_ratio(const struct sample_stat *num, const struct sample_stat *den,
                   double *lo, double *hi);

/* The same from medians and standard errors of their logs. */
double stats_ratio_of(double num, double num_se, double den, double den_se,
                      double *lo, double *hi);

/* The difference num.median - den.median with its 95% interval (NAN when
 * either sample is too small), from the two medians' standard errors. */
double stats_difference(const struct sample_stat *num, const struct sample_stat *den,
                        double *lo, double *hi);

/* Standard normal quantile: the x with P(Z <= x) = q, 0 < q < 1. */
double stats_normal_quantile(double q);

/* P(Binomial(n, 1/2) <= k). */
double stats_binom_half_cdf(long k, long n);

/* Linear interpolation quantile (type 7) of sorted x[0..n), 0 <= q <= 1. */
double stats_quantile_sorted(const double *x, size_t n, double q);

/* A small, fast, seeded generator (xoshiro256**), so that every bootstrap
 * is repeatable from its recorded seed. */
struct rng {
    uint64_t s[4];
};
void rng_seed(struct rng *r, uint64_t seed);
/* Uniform integer in [0, n), n >= 1. */
size_t rng_below(struct rng *r, size_t n);
/* Uniform real in (0, 1). */
double rng_uniform(struct rng *r);

/* The median of one bootstrap resample (n draws with replacement) of
 * sorted x[0..n), drawn exactly but without drawing the n values when n is
 * large (see stats.c).  scratch holds n doubles. */
double stats_boot_median(struct rng *r, const double *x, size_t n, double *scratch);

#endif
