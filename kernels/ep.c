/*
 * ep - NAS Parallel Benchmarks' EP ("embarrassingly parallel").
 *
 * Generates 2N uniform numbers with the NPB linear congruential generator
 * x(k+1) = 5^13 x(k) mod 2^46 from seed 271828183, turns pairs into
 * Gaussian deviates (Marsaglia polar method), and sums them (sx, sy) and
 * counts them per annulus.  N = 2^M pairs; batches of 2^16 pairs are split
 * over workers in static blocks, each batch seeded by jumping ahead.
 * Work: N pairs per repetition (NPB's Mop/s counts 2N random numbers).
 * Verified: for the NPB class sizes (S, W, A, B, C: M = 24, 25, 28, 30, 32)
 * against NPB's published sx, sy with NPB's relative tolerance 1e-8.  Any
 * other size is checked statistically: the accepted fraction is within
 * STAT_SIGMAS standard deviations of pi/4, |sx| and |sy| within STAT_SIGMAS
 * sqrt(count), and the annulus counts add up to the accepted count.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include "parscale/kernel.h"

enum { P_CLASS };
#define BATCH_LOG2 16
#define BATCH ((uint64_t)1 << BATCH_LOG2)   /* pairs per batch (NPB's NK) */
#define LCG_A 1220703125ULL                  /* 5^13 */
#define LCG_SEED 271828183ULL
#define LCG_BITS 46
#define LCG_MASK ((1ULL << LCG_BITS) - 1)
#define ANNULI 10                            /* NPB's NQ */
#define NPB_TOL 1e-8
#define STAT_SIGMAS 6.0
#define PI_4 0.78539816339744830962

static const struct ps_param params[] = {
    { "class", PS_PCHOICE, "none", 0, 0, "none|S|W|A|B|C",
      "NPB class; sets the size (none: use --size)" },
    { NULL, 0, NULL, 0, 0, NULL, NULL },
};

/* NPB class, its log2 size and reference sums. */
static const struct {
    int m;
    double sx, sy;
} classes[] = {
    { 0, 0, 0 },   /* "none" */
    { 24, -3.247834652034740e+3, -6.958407078382297e+3 },
    { 25, -2.863319731645753e+3, -6.320053679109499e+3 },
    { 28, -4.295875165629892e+3, -1.580732573678431e+4 },
    { 30, 4.033815542441498e+4, -2.660669192809235e+4 },
    { 32, 4.764367927995374e+4, -8.084072988043731e+4 },
};
#define NCLASSES (sizeof classes / sizeof classes[0])

struct state {
    uint64_t pairs;
    double *x;            /* 2 * BATCH uniforms of the current batch */
    double sx, sy;        /* this worker's sums, last repetition */
    uint64_t q[ANNULI];   /* this worker's annulus counts */
};

static int validate(struct ps_plan *p, int workers, char *err, size_t len)
{
    (void)workers;
    int c = (int)p->param[P_CLASS];
    if (c) {
        if (p->size_given) {
            snprintf(err, len, "ep: --size and --param class both set the size");
            return -1;
        }
        p->size = (uint64_t)1 << classes[c].m;
    }
    if (p->size % BATCH) {
        snprintf(err, len, "ep: size must be a multiple of %llu pairs",
                 (unsigned long long)BATCH);
        return -1;
    }
    return 0;
}

static double memory(const struct ps_plan *p, int workers)
{
    (void)p;
    return (double)workers * (sizeof(struct state) + 2 * BATCH * sizeof(double));
}

static double work(const struct ps_plan *p) { return (double)p->size; }

/* a * b mod 2^46, exactly. */
static uint64_t mulmod46(uint64_t a, uint64_t b)
{
    return (uint64_t)(((unsigned __int128)a * b) & LCG_MASK);
}

/* a^e mod 2^46. */
static uint64_t powmod46(uint64_t a, uint64_t e)
{
    uint64_t r = 1;
    while (e) {
        if (e & 1)
            r = mulmod46(r, a);
        a = mulmod46(a, a);
        e >>= 1;
    }
    return r;
}

static int setup(ps_team *t, const struct ps_plan *p, void **out)
{
    (void)t;
    struct state *s = calloc(1, sizeof *s);
    if (!s)
        return -1;
    s->x = malloc(2 * BATCH * sizeof *s->x);
    if (!s->x) {
        free(s);
        return -1;
    }
    s->pairs = p->size;
    *out = s;
    return 0;
}

/* Fill x with the 2 * BATCH uniforms of batch k (NPB's vranlc after the
 * jump to seed * a^(2 BATCH k)). */
static void batch_uniforms(uint64_t k, double *x)
{
    const double r46 = 1.0 / (double)(1ULL << LCG_BITS);
    uint64_t v = mulmod46(LCG_SEED, powmod46(powmod46(LCG_A, 2 * BATCH), k));
    for (uint64_t i = 0; i < 2 * BATCH; i++) {
        v = mulmod46(v, LCG_A);
        x[i] = r46 * (double)v;
    }
}

/* The larger of two magnitudes; neither is ever NaN here (t1 > 0 always:
 * the generator's odd states never give x1 = x2 = 0), so no fmax call. */
static inline double max_abs(double a, double b)
{
    a = fabs(a);
    b = fabs(b);
    return a > b ? a : b;
}

static void run(ps_team *t, void *st)
{
    struct state *s = st;
    double *restrict x = s->x;    /* locals, not the struct, in the hot loop */
    uint64_t q[ANNULI] = { 0 }, lo, hi;
    double sx = 0, sy = 0;
    ps_block(t, s->pairs / BATCH, &lo, &hi);
    for (uint64_t k = lo; k < hi; k++) {
        batch_uniforms(k, x);
        for (uint64_t i = 0; i < BATCH; i++) {
            double x1 = 2.0 * x[2 * i] - 1.0;
            double x2 = 2.0 * x[2 * i + 1] - 1.0;
            double t1 = x1 * x1 + x2 * x2;
            if (t1 <= 1.0) {
                double t2 = sqrt(-2.0 * log(t1) / t1);
                double t3 = x1 * t2, t4 = x2 * t2;
                q[(int)max_abs(t3, t4)]++;
                sx += t3;
                sy += t4;
            }
        }
    }
    memcpy(s->q, q, sizeof q);
    s->sx = sx;
    s->sy = sy;
}

static int check(ps_team *t, void *st, double *checksum, double *error)
{
    struct state *s = st;
    double sums[2] = { s->sx, s->sy };
    uint64_t q[ANNULI], accepted = 0;
    memcpy(q, s->q, sizeof q);
    ps_allreduce_f64(t, sums, 2, PS_SUM);
    ps_allreduce_u64(t, q, ANNULI, PS_SUM);
    for (int i = 0; i < ANNULI; i++)
        accepted += q[i];
    *checksum = sums[0];
    for (size_t c = 1; c < NCLASSES; c++) {
        if (s->pairs == (uint64_t)1 << classes[c].m) {
            double ex = fabs((sums[0] - classes[c].sx) / classes[c].sx);
            double ey = fabs((sums[1] - classes[c].sy) / classes[c].sy);
            *error = fmax(ex, ey);
            return *error <= NPB_TOL;
        }
    }
    /* Not a class size: the statistics of a correct generator. */
    double n = (double)s->pairs, frac = (double)accepted / n;
    double frac_sd = sqrt(PI_4 * (1 - PI_4) / n);
    double sum_sd = sqrt((double)accepted);
    *error = fmax(fabs(frac - PI_4) / frac_sd,
                  fmax(fabs(sums[0]), fabs(sums[1])) / sum_sd);
    return *error <= STAT_SIGMAS;
}

static void teardown(void *st)
{
    struct state *s = st;
    free(s->x);
    free(s);
}

const struct ps_kernel ps_kernel_ep = {
    .name = "ep",
    .summary = "NAS EP: Gaussian pairs from the NPB generator, verified vs NPB",
    .cls = PS_COMPUTE,
    .size_unit = "Gaussian pairs",
    .default_size = (uint64_t)1 << 28,
    .min_size = BATCH,
    .dims = 1,
    .schedulable = 0,
    .unit = PS_ITEMS,
    .params = params,
    .validate = validate,
    PS_KERNEL_FUNCTIONS,
};
