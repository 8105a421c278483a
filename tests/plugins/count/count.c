/*
 * count - two small kernels in one library, for the tests of kernel
 * libraries (a folder of C files without a CMakeLists.txt: the form
 * PARSCALE_PLUGINS builds by globbing).
 *
 * count:         the sum of i over items i in [0, n), taken with ps_loop
 *                (every --schedule applies); exactly n(n-1)/2.
 * count-squares: the sum of i^2; exactly (n-1) n (2n-1) / 6.
 * Work: n items per repetition.  Both sums are integers below 2^64 for
 * the sizes validate() allows, so the check is exact.
 */
#include <stdio.h>
#include <stdlib.h>

#include "parscale/kernel.h"

#define MAX_N ((uint64_t)1 << 20)   /* (2^20)^3 / 3 < 2^64 */

static const struct ps_param no_params[] = { { NULL, 0, NULL, 0, 0, NULL, NULL } };

struct state {
    uint64_t n, sum;
    int squares;
};

static int validate(struct ps_plan *p, int workers, char *err, size_t len)
{
    (void)workers;
    if (p->size > MAX_N) {
        snprintf(err, len, "count: size must be at most %llu", (unsigned long long)MAX_N);
        return -1;
    }
    return 0;
}

static double memory(const struct ps_plan *p, int workers)
{
    (void)p;
    return (double)workers * sizeof(struct state);
}

static double work(const struct ps_plan *p) { return (double)p->size; }

static int setup_as(const struct ps_plan *p, void **out, int squares)
{
    struct state *s = calloc(1, sizeof *s);
    if (!s)
        return -1;
    s->n = p->size;
    s->squares = squares;
    *out = s;
    return 0;
}

static int setup(ps_team *t, const struct ps_plan *p, void **out)
{
    (void)t;
    return setup_as(p, out, 0);
}

static int setup_squares(ps_team *t, const struct ps_plan *p, void **out)
{
    (void)t;
    return setup_as(p, out, 1);
}

static void run(ps_team *t, void *st)
{
    struct state *s = st;
    struct ps_loop l;
    uint64_t lo, hi, sum = 0;
    ps_loop_begin(t, s->n, &l);
    while (ps_loop_next(t, &l, &lo, &hi))
        for (uint64_t i = lo; i < hi; i++)
            sum += s->squares ? i * i : i;
    s->sum = sum;
}

static int check(ps_team *t, void *st, double *checksum, double *error)
{
    struct state *s = st;
    uint64_t n = s->n, total = s->sum;
    uint64_t want = s->squares ? (n - 1) * n * (2 * n - 1) / 6 : n * (n - 1) / 2;
    ps_allreduce_u64(t, &total, 1, PS_SUM);
    *checksum = (double)total;
    *error = total > want ? (double)(total - want) : (double)(want - total);
    return total == want;
}

static void teardown(void *st) { free(st); }

static const struct ps_kernel count = {
    .name = "count",
    .summary = "sum of i over [0; n): a test of kernel libraries",
    .cls = PS_COMPUTE,
    .size_unit = "items",
    .default_size = 1000,
    .min_size = 1,
    .dims = 1,
    .schedulable = 1,
    .unit = PS_ITEMS,
    .params = no_params,
    .validate = validate,
    PS_KERNEL_FUNCTIONS,
};

static const struct ps_kernel count_squares = {
    .name = "count-squares",
    .summary = "sum of i^2 over [0; n): a test of kernel libraries",
    .cls = PS_COMPUTE,
    .size_unit = "items",
    .default_size = 1000,
    .min_size = 1,
    .dims = 1,
    .schedulable = 1,
    .unit = PS_ITEMS,
    .params = no_params,
    .validate = validate,
    .memory = memory, .work = work, .setup = setup_squares, .run = run,
    .check = check, .teardown = teardown,
};

PS_PLUGIN(&count, &count_squares);
