/*
 * triad - STREAM triad a[i] = b[i] + scalar * c[i] on doubles.
 *
 * Memory-bound.  Each worker allocates and first-touches its own static
 * block of the three arrays, so pages land on the worker's NUMA node.
 * Work: 24 bytes per element per repetition, counted as STREAM counts them
 * (read b, read c, write a; write-allocate traffic is not counted).
 * Verified element by element against the analytic a = b + scalar * c,
 * where b and c are known functions of the global index (relative
 * tolerance TRIAD_TOL allows one fused multiply-add rounding).
 */
#include <math.h>
#include <stdlib.h>

#include "check.h"

enum { P_SCALAR };
#define BYTES_PER_ELEMENT 24
#define ALIGN 64
#define B_PERIOD 1000      /* b[i] = i mod B_PERIOD */
#define C_PERIOD 7         /* c[i] = i mod C_PERIOD + C_OFFSET */
#define C_OFFSET 0.5
#define TRIAD_TOL 4e-16

static const struct ps_param params[] = {
    { "scalar", PS_PREAL, "3", -1e6, 1e6, NULL, "the triad's scalar" },
    { NULL, 0, NULL, 0, 0, NULL, NULL },
};

struct state {
    uint64_t lo, n;        /* global index of the first element, count */
    double scalar;
    double *a, *b, *c;
};

static double b_at(uint64_t i) { return (double)(i % B_PERIOD); }
static double c_at(uint64_t i) { return (double)(i % C_PERIOD) + C_OFFSET; }

static double memory(const struct ps_plan *p, int workers)
{
    return (double)p->size * BYTES_PER_ELEMENT
           + (double)workers * (sizeof(struct state) + 3 * ALIGN);
}

static double work(const struct ps_plan *p)
{
    return (double)p->size * BYTES_PER_ELEMENT;
}

/* An ALIGN-aligned array of n doubles (at least one, so a worker with no
 * elements still gets a valid pointer). */
static double *alloc_array(uint64_t n)
{
    size_t bytes = (size_t)(n ? n : 1) * sizeof(double);
    bytes = (bytes + ALIGN - 1) / ALIGN * ALIGN;
    return aligned_alloc(ALIGN, bytes);
}

static void teardown(void *st)
{
    struct state *s = st;
    free(s->a);
    free(s->b);
    free(s->c);
    free(s);
}

static int setup(ps_team *t, const struct ps_plan *p, void **out)
{
    struct state *s = calloc(1, sizeof *s);
    uint64_t lo, hi;
    if (!s)
        return -1;
    ps_block(t, p->size, &lo, &hi);
    s->lo = lo;
    s->n = hi - lo;
    s->scalar = p->param[P_SCALAR];
    s->a = alloc_array(s->n);
    s->b = alloc_array(s->n);
    s->c = alloc_array(s->n);
    if (!s->a || !s->b || !s->c) {
        teardown(s);
        return -1;
    }
    for (uint64_t i = 0; i < s->n; i++) {   /* first touch, by the owner */
        s->a[i] = 0;
        s->b[i] = b_at(lo + i);
        s->c[i] = c_at(lo + i);
    }
    *out = s;
    return 0;
}

/* The timed loop; restrict lets the compiler vectorise it. */
static void triad(double *restrict a, const double *restrict b,
                  const double *restrict c, double scalar, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        a[i] = b[i] + scalar * c[i];
}

static void run(ps_team *t, void *st)
{
    struct state *s = st;
    (void)t;
    triad(s->a, s->b, s->c, s->scalar, s->n);
}

static int check(ps_team *t, void *st, double *checksum, double *error)
{
    struct state *s = st;
    double sum = 0, worst = 0;   /* of a; relative error */
    for (uint64_t i = 0; i < s->n; i++) {
        double want = b_at(s->lo + i) + s->scalar * c_at(s->lo + i);
        sum += s->a[i];
        worst = ps_worse(worst, fabs(s->a[i] - want) / (fabs(want) > 1 ? fabs(want) : 1));
    }
    return ps_check_result(t, sum, worst, TRIAD_TOL, checksum, error);
}

const struct ps_kernel ps_kernel_triad = {
    .name = "triad",
    .summary = "STREAM triad a = b + s*c: memory-bound, 24 bytes per element",
    .cls = PS_MEMORY,
    .size_unit = "elements per array",
    .default_size = 80000000,
    .min_size = 1,
    .dims = 1,
    .schedulable = 0,
    .unit = PS_BYTES,
    .params = params,
    PS_KERNEL_FUNCTIONS,
};
