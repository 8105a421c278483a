/*
 * stats.c — order statistics, intervals and the random generator used by
 * parscale-summarize.  Everything here is pure arithmetic on arrays the
 * caller owns (the z* cache of ratio intervals is the one exception).
 */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <stdint.h>

/* Two-sided standard normal quantile for 95% coverage. */
#define Z_95 1.96
/* Slack for floor/ceil of rank expressions that are integers in exact
 * arithmetic but may land a rounding error below or above one in binary. */
#define RANK_EPS 1e-9

/* Sorts x ascending: quicksort on median-of-three pivots, insertion sort
 * below a few elements (qsort's callback per comparison dominated). */
void stats_sort(double *x, size_t n)
{
    enum { SMALL = 16 };
    while (n > SMALL) {
        size_t mid = n / 2;
        double a = x[0], b = x[mid], c = x[n - 1];
        double pivot = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
        size_t i = 0, j = n - 1;
        for (;;) {
            while (x[i] < pivot)
                i++;
            while (x[j] > pivot)
                j--;
            if (i >= j)
                break;
            double t = x[i];
            x[i++] = x[j];
            x[j--] = t;
        }
        /* recurse into the smaller part, loop on the larger */
        if (j + 1 < n - j - 1) {
            stats_sort(x, j + 1);
            x += j + 1;
            n -= j + 1;
        } else {
            stats_sort(x + j + 1, n - j - 1);
            n = j + 1;
        }
    }
    for (size_t i = 1; i < n; i++) {
        double v = x[i];
        size_t k = i;
        for (; k > 0 && x[k - 1] > v; k--)
            x[k] = x[k - 1];
        x[k] = v;
    }
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
    *level = STATS_LEVEL;
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

/* The lower rank c of the Price-Bonett bracket [x(c), x(n - c + 1)]. */
static size_t bracket_rank(size_t n)
{
    double c = floor((double)n / 2.0 - sqrt((double)n) + 0.5);
    return c < 1.0 ? 1 : (size_t)c;
}

/* z* of that bracket; the common sample sizes are computed once. */
static double bracket_z(size_t n, size_t c)
{
    enum { CACHED = 4096 };
    static double cache[CACHED], last_z;
    static size_t last_n;
    if (n < CACHED && cache[n] > 0.0)
        return cache[n];
    if (n == last_n)
        return last_z;
    double cover = 1.0 - 2.0 * stats_binom_half_cdf((long)c - 1, (long)n);
    double z = stats_normal_quantile((1.0 + cover) / 2.0);
    if (n < CACHED)
        cache[n] = z;
    last_n = n;
    last_z = z;
    return z;
}

/* Summarises a sorted sample: median, its interval, spread. */
void stats_describe(const double *x, size_t n, struct sample_stat *s)
{
    s->n = n;
    s->median = stats_median_sorted(x, n);
    stats_median_ci(x, n, &s->ci_low, &s->ci_high, &s->ci_level);
    s->min = x[0];
    s->max = x[n - 1];
    stats_mean_sd(x, n, &s->mean, &s->sd);
    s->log_se = s->se = NAN;
    if (n < RATIO_CI_MIN_N)
        return;
    /*
     * Standard error of ln(median) from the order statistics, after Price
     * and Bonett (J. Stat. Comput. Simul. 72, 2002): the ranks
     * c = round(n/2 - sqrt(n)) (at least 1) and n - c + 1 bracket the median
     * with the exact binomial coverage P; a normal median with that
     * coverage would span 2 z* standard errors, z* = Phi^-1((1 + P) / 2).
     * Logs, because a ratio of times is a difference of logs.
     */
    size_t c = bracket_rank(n);
    double z = bracket_z(n, c);
    s->log_se = (log(x[n - c]) - log(x[c - 1])) / (2.0 * z);
    s->se = (x[n - c] - x[c - 1]) / (2.0 * z);
}

/* Ratio of medians with the normal interval of the difference of their logs. */
double stats_ratio(const struct sample_stat *num, const struct sample_stat *den,
                   double *lo, double *hi)
{
    return stats_ratio_of(num->median, num->log_se, den->median, den->log_se, lo, hi);
}

double stats_ratio_of(double num, double num_se, double den, double den_se,
                      double *lo, double *hi)
{
    static double z;
    double r = num / den;
    *lo = *hi = NAN;
    if (isnan(num_se) || isnan(den_se))
        return r;
    if (z == 0.0)
        z = stats_normal_quantile((1.0 + STATS_LEVEL) / 2.0);
    double half = z * sqrt(num_se * num_se + den_se * den_se);
    *lo = r * exp(-half);
    *hi = r * exp(half);
    return r;
}

double stats_difference(const struct sample_stat *num, const struct sample_stat *den,
                        double *lo, double *hi)
{
    double d = num->median - den->median;
    *lo = *hi = NAN;
    if (isnan(num->se) || isnan(den->se))
        return d;
    double half = stats_normal_quantile((1.0 + STATS_LEVEL) / 2.0)
                  * sqrt(num->se * num->se + den->se * den->se);
    *lo = d - half;
    *hi = d + half;
    return d;
}

/* Bisection on the normal distribution function; exact to ~1e-12. */
double stats_normal_quantile(double q)
{
    enum { STEPS = 80 };
    double lo = -40.0, hi = 40.0;
    for (int i = 0; i < STEPS; i++) {
        double mid = (lo + hi) / 2.0;
        if (0.5 * erfc(-mid / sqrt(2.0)) < q)
            lo = mid;
        else
            hi = mid;
    }
    return (lo + hi) / 2.0;
}

/* Sums C(n, i) / 2^n for i <= k in logs, so large n cannot overflow. */
double stats_binom_half_cdf(long k, long n)
{
    if (k < 0)
        return 0.0;
    if (k >= n)
        return 1.0;
    double sum = 0.0, ln2n = (double)n * log(2.0);
    for (long i = 0; i <= k; i++)
        sum += exp(lgamma((double)n + 1) - lgamma((double)i + 1)
                   - lgamma((double)(n - i) + 1) - ln2n);
    return sum > 1.0 ? 1.0 : sum;
}

double stats_quantile_sorted(const double *x, size_t n, double q)
{
    if (n == 1)
        return x[0];
    double h = q * (double)(n - 1);
    size_t i = (size_t)floor(h);
    if (i + 1 >= n)
        return x[n - 1];
    return x[i] + (h - (double)i) * (x[i + 1] - x[i]);
}


/* The k-th smallest (1-based) of x[lo..n): every rank asked for is at or
 * above lo, so selections can narrow the range from the left. */
static double rank_from(double *x, size_t n, size_t lo, size_t k)
{
    return stats_select(x + lo, n - lo, k - 1 - lo);
}

/* Samples up to this size are described by sorting them. */
#define SELECT_FROM_N 64

void stats_describe_unsorted(double *x, size_t n, struct sample_stat *s)
{
    if (n <= SELECT_FROM_N) {      /* small: one sort is cheaper than eight selections */
        stats_sort(x, n);
        stats_describe(x, n, s);
        return;
    }
    /* the order statistics needed: min, CI low, bracket c, median(s),
     * bracket n-c+1, CI high, max; selected in increasing rank, each
     * selection leaves every smaller value to its left, so the next one
     * searches only to the right of it */
    double dn = (double)n, half = Z_95 * sqrt(dn);
    size_t c = bracket_rank(n);
    size_t want[8] = {1, clamp_rank(floor((dn - half) / 2.0 + RANK_EPS), n), c,
                      (n + 1) / 2, n / 2 + 1, n - c + 1,
                      clamp_rank(ceil(1.0 + (dn + half) / 2.0 - RANK_EPS), n), n};
    size_t slot[8];
    double v[8];
    for (size_t i = 0; i < 8; i++) {      /* slots by increasing rank */
        size_t k = i;
        for (; k > 0 && want[slot[k - 1]] > want[i]; k--)
            slot[k] = slot[k - 1];
        slot[k] = i;
    }
    size_t lo = 0, prev = 0;
    for (size_t i = 0; i < 8; i++) {
        size_t r = want[slot[i]];
        if (r == prev) {
            v[slot[i]] = v[slot[i - 1]];
            continue;
        }
        v[slot[i]] = rank_from(x, n, lo, r);
        lo = r - 1;
        prev = r;
    }
    s->n = n;
    s->min = v[0];
    s->ci_low = v[1];
    s->median = n % 2 ? v[3] : (v[3] + v[4]) / 2.0;
    s->ci_high = v[6];
    s->max = v[7];
    s->ci_level = STATS_LEVEL;
    stats_mean_sd(x, n, &s->mean, &s->sd);
    double z = bracket_z(n, c);
    s->log_se = (log(v[5]) - log(v[2])) / (2.0 * z);
    s->se = (v[5] - v[2]) / (2.0 * z);
}

/* Hoare's selection: leaves the k-th smallest at x[k]. */
double stats_select(double *x, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        double pivot = x[lo + (hi - lo) / 2];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (x[i] < pivot)
                i++;
            while (x[j] > pivot)
                j--;
            if (i <= j) {
                double t = x[i];
                x[i] = x[j];
                x[j] = t;
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            break;
    }
    return x[k];
}

double stats_median_select(double *x, size_t n)
{
    double upper = stats_select(x, n, n / 2);
    if (n % 2 == 1)
        return upper;
    double lower = x[0];               /* the largest of x[0 .. n/2) */
    for (size_t i = 1; i < n / 2; i++)
        if (x[i] > lower)
            lower = x[i];
    return (lower + upper) / 2.0;
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

/* splitmix64 spreads one seed over the four words of state. */
void rng_seed(struct rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++) {
        uint64_t z = (seed += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        r->s[i] = z ^ (z >> 31);
    }
}

static uint64_t rng_next(struct rng *r)
{
    uint64_t *s = r->s, out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

/* Lemire's multiply-shift; the bias (n / 2^64) is far below what matters. */
size_t rng_below(struct rng *r, size_t n)
{
    return (size_t)(((unsigned __int128)rng_next(r) * n) >> 64);
}

double rng_uniform(struct rng *r)
{
    /* 53 random bits, shifted off 0 */
    return ((double)(rng_next(r) >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

/* Standard normal by the polar method. */
static double rng_normal(struct rng *r)
{
    for (;;) {
        double u = 2.0 * rng_uniform(r) - 1.0, v = 2.0 * rng_uniform(r) - 1.0;
        double s = u * u + v * v;
        if (s > 0.0 && s < 1.0)
            return u * sqrt(-2.0 * log(s) / s);
    }
}

/* Gamma(k, 1) for k >= 1 (Marsaglia and Tsang, 2000). */
static double rng_gamma(struct rng *r, double k)
{
    double d = k - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double z = rng_normal(r), v = 1.0 + c * z;
        if (v <= 0.0)
            continue;
        v = v * v * v;
        double u = rng_uniform(r);
        if (log(u) < 0.5 * z * z + d - d * v + d * log(v))
            return d * v;
    }
}

/* Beta(a, b), a, b >= 1, as a ratio of gammas. */
static double rng_beta(struct rng *r, double a, double b)
{
    double x = rng_gamma(r, a), y = rng_gamma(r, b);
    return x / (x + y);
}

/* The order statistic of sorted x that a resample's uniform u lands on. */
static double at_uniform(const double *x, size_t n, double u)
{
    size_t i = (size_t)ceil(u * (double)n);
    return x[i < 1 ? 0 : i > n ? n - 1 : i - 1];
}

/*
 * A resample draws indices ceil(n U_j) for n independent uniforms U_j, so
 * its k-th smallest value is x(ceil(n U_(k))), and the k-th smallest of n
 * uniforms is Beta(k, n - k + 1).  For even n the next one up is the
 * smallest of the n - k uniforms above U_(k): U_(k) + (1 - U_(k)) (1 -
 * V^(1/(n-k))).  Small samples are simply resampled.
 */
double stats_boot_median(struct rng *r, const double *x, size_t n, double *scratch)
{
    enum { DIRECT_MAX = 64 };
    if (n <= DIRECT_MAX) {
        /* x is sorted, so the resample's median is at the median of the
         * drawn indices: count them, then walk the counts */
        unsigned count[DIRECT_MAX] = {0};
        /* four 16-bit draws per random word: index = (lane x n) >> 16,
         * biased by at most n / 65536 */
        for (size_t i = 0; i < n; i += 4) {
            uint64_t w = rng_next(r);
            for (size_t k = 0; k < 4 && i + k < n; k++, w >>= 16)
                count[((w & 0xffff) * n) >> 16]++;
        }
        size_t lo_rank = (n + 1) / 2, hi_rank = n / 2 + 1, seen = 0;
        double lo = NAN;
        for (size_t i = 0; i < n; i++) {
            seen += count[i];
            if (isnan(lo) && seen >= lo_rank)
                lo = x[i];
            if (seen >= hi_rank)
                return n % 2 ? lo : (lo + x[i]) / 2.0;
        }
        return lo;
    }
    (void)scratch;
    double dn = (double)n;
    if (n % 2 == 1) {
        double m = (dn + 1.0) / 2.0;
        return at_uniform(x, n, rng_beta(r, m, m));
    }
    double k = dn / 2.0;
    double lo = rng_beta(r, k, dn - k + 1.0);
    double hi = lo + (1.0 - lo) * (1.0 - pow(rng_uniform(r), 1.0 / (dn - k)));
    return (at_uniform(x, n, lo) + at_uniform(x, n, hi)) / 2.0;
}
