/*
 * mandel - escape-time Mandelbrot set, one row of points at a time.
 *
 * Rows through the set cost up to maxiter iterations per point, rows far
 * from it a few, so a static block split leaves workers idle while a
 * dynamic schedule balances them: the kernel for --schedule.
 * The grid is size x size points over [-2, 0.5] x [y_min, y_min + 2.5].
 * The default y_min = -0.75 puts the real axis, where the set is widest,
 * in the lower half: split in two row blocks, the lower block holds ~80 %
 * of the iterations (load balance mean/max ~0.56 at 2 workers; ~0.58 at
 * 3).  y_min = -1.25 is the window symmetric about the real axis, which a
 * 2-way split balances perfectly.
 * Work: size^2 points per repetition.
 * Verified exactly, independently of how rows were distributed: (1) every
 * row was computed exactly once; (2) a sample of rows (every SAMPLE_STRIDE
 * th, at least SAMPLE_MIN of them) is recomputed in check, split over the
 * workers in blocks unrelated to the run's schedule, and each sampled row
 * and their total must equal what the run gathered.  tests/drivers/
 * known_answers.sh compares the total with an independent model in awk,
 * exactly: this file is compiled with -ffp-contract=off (CMakeLists.txt),
 * so no fused multiply-add makes the escape arithmetic differ from plain
 * IEEE double operations on any CPU or compiler.
 */
#include <stdlib.h>
#include <string.h>

#include "parscale/kernel.h"

enum { P_MAXITER, P_YMIN };
#define X_MIN -2.0
#define X_SPAN 2.5
#define Y_SPAN 2.5
#define ESCAPE 4.0          /* |z|^2 beyond which a point has escaped */
#define SAMPLE_STRIDE 16    /* check recomputes every 16th row ... */
#define SAMPLE_MIN 8        /* ... but at least 8 rows (all, if fewer) */

static const struct ps_param params[] = {
    { "maxiter", PS_PINT, "500", 1, 1000000, NULL,
      "iterations before a point counts as inside the set" },
    { "y_min", PS_PREAL, "-0.75", -2.5, 1.25, NULL,
      "lowest imaginary part of the window (-1.25: symmetric, balanced)" },
    { NULL, 0, NULL, 0, 0, NULL, NULL },
};

struct state {
    uint64_t side;
    uint32_t maxiter;
    double y_min;
    uint64_t *rows;     /* iterations per row, rows this worker computed */
    uint64_t *done;     /* times each row was computed by this worker */
};

static double memory(const struct ps_plan *p, int workers)
{
    /* per worker: two row arrays, the same again to gather them, and the
     * rows check recomputes */
    return (double)workers * 5.0 * (double)p->size * sizeof(uint64_t);
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
    s->y_min = p->param[P_YMIN];
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
static uint64_t row_iterations(const struct state *s, uint64_t j)
{
    double dx = X_SPAN / (double)s->side, dy = Y_SPAN / (double)s->side;
    double cy = s->y_min + ((double)j + 0.5) * dy;
    uint64_t sum = 0;
    for (uint64_t i = 0; i < s->side; i++)
        sum += escape_time(X_MIN + ((double)i + 0.5) * dx, cy, s->maxiter);
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
            s->rows[j] = row_iterations(s, j);
            s->done[j]++;
        }
}

/* Rows check recomputes: every stride-th, starting half a stride in. */
static uint64_t sample_stride(uint64_t n)
{
    uint64_t stride = n / SAMPLE_MIN;
    return stride < 1 ? 1 : stride > SAMPLE_STRIDE ? SAMPLE_STRIDE : stride;
}

static int check(ps_team *t, void *st, double *checksum, double *error)
{
    struct state *s = st;
    uint64_t n = s->side, bad = 0, total = 0, stride = sample_stride(n);
    uint64_t *rows = malloc(n * sizeof *rows);
    uint64_t *done = malloc(n * sizeof *done);
    uint64_t *again = calloc(n, sizeof *again);
    uint64_t fail = !rows || !done || !again;
    ps_allreduce_u64(t, &fail, 1, PS_MAX);
    if (fail) {
        free(rows);
        free(done);
        free(again);
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
    /* this worker's block of the sampled rows, recomputed */
    uint64_t samples = (n - stride / 2 + stride - 1) / stride, lo, hi;
    ps_block(t, samples, &lo, &hi);
    for (uint64_t k = lo; k < hi; k++)
        again[k * stride + stride / 2] = row_iterations(s, k * stride + stride / 2);
    ps_allreduce_u64(t, again, n, PS_SUM);
    uint64_t sampled_run = 0, sampled_again = 0;
    for (uint64_t j = 0; j < n; j++) {
        total += rows[j];
        bad += done[j] != 1;
        if (j % stride == stride / 2) {
            bad += rows[j] != again[j];
            sampled_run += rows[j];
            sampled_again += again[j];
        }
    }
    bad += sampled_run != sampled_again;
    free(rows);
    free(done);
    free(again);
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
