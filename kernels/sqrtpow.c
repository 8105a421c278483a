/*
 * sqrtpow - S(N) = sum over i = 1..N of pow(sqrt(i), power).
 *
 * The workload of the "threads or processes?" studies this project grew
 * from: compute-bound, no memory traffic, trivially parallel; items are
 * handed out by the user's --schedule.
 * Work: N items per repetition (one sqrt and one pow each).
 * Verified against the Euler-Maclaurin expansion of sum i^s, s = power / 2:
 *   S(N) = S(M) + E(N) - E(M),
 *   E(x) = x^(s+1)/(s+1) + x^s/2 + sum_k B_2k/(2k)! s(s-1)..(s-2k+2) x^(s-2k+1)
 * with S(M) summed directly in long double for M = EM_START (and S(N)
 * summed directly when N <= EM_START).  Relative tolerance SQRTPOW_TOL.
 * A result computed outside run() (put_result) is one number: the sum of
 * this worker's items, summed in blocks of BLOCK items as sum_range does.
 */
#include <math.h>
#include <stdlib.h>

#include "parscale/kernel.h"

enum { P_POWER };
#define EM_START 1000          /* direct sum below this, expansion above */
#define EM_TERMS 4             /* Bernoulli terms B2..B8 */
#define SQRTPOW_TOL 1e-10      /* relative; chunked sums keep error ~1e-13 */
#define BLOCK 1024             /* items summed together before accumulating */

static const struct ps_param params[] = {
    { "power", PS_PREAL, "3", 0.5, 8, NULL, "exponent applied to sqrt(i)" },
    { NULL, 0, NULL, 0, 0, NULL, NULL },
};

struct state {
    uint64_t n;
    double power;
    double partial;   /* this worker's share of the last repetition */
};

/* Nothing to adjust: any size of at least one item works. */

static double memory(const struct ps_plan *p, int workers)
{
    (void)p;
    return (double)workers * sizeof(struct state);
}

static double work(const struct ps_plan *p) { return (double)p->size; }

static int setup(ps_team *t, const struct ps_plan *p, void **out)
{
    (void)t;
    struct state *s = malloc(sizeof *s);
    if (!s)
        return -1;
    s->n = p->size;
    s->power = p->param[P_POWER];
    s->partial = 0;
    *out = s;
    return 0;
}

/* Sum the items [lo, hi) in blocks so rounding error stays small. */
static double sum_range(uint64_t lo, uint64_t hi, double power)
{
    double total = 0;
    while (lo < hi) {
        uint64_t end = hi - lo > BLOCK ? lo + BLOCK : hi;
        double block = 0;
        for (uint64_t i = lo; i < end; i++)
            block += pow(sqrt((double)(i + 1)), power);
        total += block;
        lo = end;
    }
    return total;
}

static void run(ps_team *t, void *st)
{
    struct state *s = st;
    struct ps_loop l;
    uint64_t lo, hi;
    double sum = 0;
    ps_loop_begin(t, s->n, &l);
    while (ps_loop_next(t, &l, &lo, &hi))
        sum += sum_range(lo, hi, s->power);
    s->partial = sum;
}

/* Euler-Maclaurin tail E(x) for sum i^s. */
static long double em_tail(long double x, long double s)
{
    static const long double bern[EM_TERMS] = {
        1.0L / 6, -1.0L / 30, 1.0L / 42, -1.0L / 30 };
    long double e = powl(x, s + 1) / (s + 1) + powl(x, s) / 2;
    long double fall = s;    /* s(s-1)...(s-2k+2) */
    long double fact = 2;    /* (2k)! */
    for (int k = 1; k <= EM_TERMS; k++) {
        e += bern[k - 1] / fact * fall * powl(x, s - 2 * k + 1);
        fall *= (s - 2 * k + 1) * (s - 2 * k);
        fact *= (2 * k + 1) * (2 * k + 2);
    }
    return e;
}

/* The analytic S(n) for the given power. */
static double expected(uint64_t n, double power)
{
    long double s = (long double)power / 2, direct = 0;
    uint64_t m = n < EM_START ? n : EM_START;
    for (uint64_t i = 1; i <= m; i++)
        direct += powl((long double)i, s);
    if (n <= EM_START)
        return (double)direct;
    return (double)(direct + em_tail((long double)n, s)
                    - em_tail((long double)EM_START, s));
}

static int check(ps_team *t, void *st, double *checksum, double *error)
{
    struct state *s = st;
    double sum = s->partial;
    ps_allreduce_f64(t, &sum, 1, PS_SUM);
    double want = expected(s->n, s->power);
    *checksum = sum;
    *error = fabs(sum - want) / want;
    return *error <= SQRTPOW_TOL;
}

/* This worker's partial sum, computed outside run(). */
static int put_result(void *st, const double *v, size_t n)
{
    struct state *s = st;
    if (n != 1)
        return -1;
    s->partial = v[0];
    return 0;
}

static void teardown(void *st) { free(st); }

const struct ps_kernel ps_kernel_sqrtpow = {
    .name = "sqrtpow",
    .summary = "sum of pow(sqrt(i), power): compute-bound, trivially parallel",
    .cls = PS_COMPUTE,
    .size_unit = "work items",
    .default_size = 100000000,
    .min_size = 1,
    .dims = 1,
    .schedulable = 1,
    .unit = PS_ITEMS,
    .params = params,
    PS_KERNEL_FUNCTIONS,
    .put_result = put_result,
};
