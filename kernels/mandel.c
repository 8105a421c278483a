/*
 * mandel - escape-time Mandelbrot set, one row of points at a time.
 *
 * Rows through the set cost up to maxiter iterations per point, rows far
 * from it a few, so a static block split leaves workers idle while a
 * dynamic schedule balances them: the kernel for --schedule.
 * The grid is size x size points over [-2, 0.5] x [-1.25, 1.25], point
 * centres placed symmetrically about the real axis.
 * Work: size^2 points per repetition.
 * Verified exactly, independently of how rows were distributed: (1) every
 * row was computed exactly once; (2) row j and row size-1-j have equal
 * iteration counts (the set is symmetric under conjugation and the escape
 * iteration is sign-symmetric in floating point); (3) SAMPLE_ROWS rows
 * spread over the grid, recomputed in check by every worker, match the
 * gathered counts exactly.
 */
#include <stdlib.h>
#include <string.h>

#include "parscale/kernel.h"

enum { P_MAXITER };
#define X_MIN -2.0
#define X_SPAN 2.5
#define Y_SPAN 2.5
#define ESCAPE 4.0          /* |z|^2 beyond which a point has escaped */
#define SAMPLE_ROWS 8

static const struct ps_param params[] = {
    { "maxiter", PS_PINT, "500", 1, 1000000, NULL,
      "iterations before a point counts as inside the set" },
    { NULL, 0, NULL, 0, 0, NULL, NULL },
};

struct state {
    uint64_t side;
    uint32_t maxiter;
    uint64_t *rows;     /* iterations per row, rows this worker computed */
    uint64_t *done;     /* times each row was computed by this worker */
};

static double memory(const struct ps_plan *p, int workers)
{
    /* per worker: two row arrays, and the same again to gather them */
    return (double)workers * 4.0 * (double)p->size * sizeof(uint64_t);
}

static double work(const struct ps_plan *p)
{
    return (double)p->size * (double)p->size;
}

static int setup(ps_team *t, const struct ps_plan *p, void **out)
{
    (void)t;
    struct state *s = calloc(1, sizeof *s);
    if (!s)
        return -1;
    s->side = p->size;
    s->maxiter = (uint32_t)p->param[P_MAXITER];
    s->rows = calloc(s->side, sizeof *s->rows);
    s->done = calloc(s->side, sizeof *s->done);
    if (!s->rows || !s->done) {
        free(s->rows);
        free(s->done);
        free(s);
        return -1;
    }
    *out = s;
    return 0;
}

/* Iterations of z = z^2 + c before |z| > 2, at most maxiter. */
static uint32_t escape_time(double cx, double cy, uint32_t maxiter)
{
    double x = 0, y = 0;
    uint32_t k = 0;
    while (k < maxiter && x * x + y * y <= ESCAPE) {
        double xt = x * x - y * y + cx;
        y = 2 * x * y + cy;
        x = xt;
        k++;
    }
    return k;
}

/* Total iterations over row j. */
static uint64_t row_iterations(uint64_t side, uint32_t maxiter, uint64_t j)
{
    double dx = X_SPAN / (double)side, dy = Y_SPAN / (double)side;
    double cy = ((double)j + 0.5 - (double)side / 2) * dy;
    uint64_t sum = 0;
    for (uint64_t i = 0; i < side; i++)
        sum += escape_time(X_MIN + ((double)i + 0.5) * dx, cy, maxiter);
    return sum;
}

static void run(ps_team *t, void *st)
{
    struct state *s = st;
    struct ps_loop l;
    uint64_t lo, hi;
    memset(s->done, 0, s->side * sizeof *s->done);
    ps_loop_begin(t, s->side, &l);
    while (ps_loop_next(t, &l, &lo, &hi))
        for (uint64_t j = lo; j < hi; j++) {
            s->rows[j] = row_iterations(s->side, s->maxiter, j);
            s->done[j]++;
        }
}

static int check(ps_team *t, void *st, double *checksum, double *error)
{
    struct state *s = st;
    uint64_t n = s->side, bad = 0, total = 0;
    uint64_t *rows = malloc(n * sizeof *rows);
    uint64_t *done = malloc(n * sizeof *done);
    uint64_t fail = !rows || !done;
    ps_allreduce_u64(t, &fail, 1, PS_MAX);
    if (fail) {
        free(rows);
        free(done);
        *checksum = 0;
        *error = (double)n;
        return 0;
    }
    for (uint64_t j = 0; j < n; j++) {
        rows[j] = s->done[j] ? s->rows[j] : 0;
        done[j] = s->done[j];
    }
    ps_allreduce_u64(t, rows, n, PS_SUM);
    ps_allreduce_u64(t, done, n, PS_SUM);
    for (uint64_t j = 0; j < n; j++) {
        total += rows[j];
        bad += done[j] != 1;
        bad += rows[j] != rows[n - 1 - j];
    }
    for (uint64_t k = 0; k < SAMPLE_ROWS && k < n; k++) {
        uint64_t j = n <= SAMPLE_ROWS ? k : k * (n - 1) / (SAMPLE_ROWS - 1);
        bad += rows[j] != row_iterations(n, s->maxiter, j);
    }
    free(rows);
    free(done);
    *checksum = (double)total;
    *error = (double)bad;
    return bad == 0;
}

static void teardown(void *st)
{
    struct state *s = st;
    free(s->rows);
    free(s->done);
    free(s);
}

const struct ps_kernel ps_kernel_mandel = {
    .name = "mandel",
    .summary = "Mandelbrot rows of very uneven cost: static vs dynamic schedule",
    .cls = PS_IMBALANCE,
    .size_unit = "points per side",
    .default_size = 2048,
    .min_size = 2,
    .dims = 2,
    .schedulable = 1,
    .unit = PS_ITEMS,
    .params = params,
    PS_KERNEL_FUNCTIONS,
};
