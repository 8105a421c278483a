/*
 * stencil - 2-D 5-point Jacobi on an n x n grid, split into row blocks,
 * with a halo exchange between neighbouring workers every sweep.
 *
 * u'(i,j) = (u(i-1,j) + u(i+1,j) + u(i,j-1) + u(i,j+1)) / 4, zero boundary.
 * Work: n^2 point updates per sweep, `iters` sweeps per repetition
 * (4 flops and, from memory, ~16 bytes per update).
 * Verified analytically: the grid starts as the discrete eigenmode
 * u0 = sin(P pi x) sin(Q pi y), x = i h, y = j h, h = 1/(n+1), which one
 * Jacobi sweep multiplies by exactly
 *   lambda = (cos(P pi h) + cos(Q pi h)) / 2,
 * so after K sweeps u = lambda^K u0 at every point.  A stale, missing or
 * misplaced halo row breaks this at the block edges.  The error is the
 * largest |u - lambda^K u0| relative to lambda^K; tolerance STENCIL_TOL.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"

enum { P_ITERS };
#define MODE_P 1               /* eigenmode along a row (x) */
#define MODE_Q 2               /* eigenmode across rows (y): odd about the middle */
#define STENCIL_TOL 1e-9
#define MIN_AMPLITUDE_LOG -600 /* ln of the smallest amplitude still checked */
#define PI 3.14159265358979323846

static const struct ps_param params[] = {
    { "iters", PS_PINT, "10", 1, 1000000, NULL, "Jacobi sweeps per repetition" },
    { NULL, 0, NULL, 0, 0, NULL, NULL },
};

struct state {
    uint64_t n, row0, rows;   /* grid side, first global row, local rows */
    uint64_t iters, sweeps;   /* per repetition, done so far */
    double *u, *v;            /* (rows + 2) x (n + 2), ghost rows/columns */
};

static double lambda_of(uint64_t n)
{
    double h = 1.0 / (double)(n + 1);
    return (cos(MODE_P * PI * h) + cos(MODE_Q * PI * h)) / 2;
}

static int validate(struct ps_plan *p, int workers, char *err, size_t len)
{
    if (p->size < (uint64_t)workers) {
        snprintf(err, len, "stencil: size %llu gives fewer rows than the %d workers",
                 (unsigned long long)p->size, workers);
        return -1;
    }
    double sweeps = p->param[P_ITERS] * p->reps_total;
    if (sweeps * log(fabs(lambda_of(p->size))) < MIN_AMPLITUDE_LOG) {
        snprintf(err, len, "stencil: %.0f sweeps would decay the verified mode "
                 "below double range; use fewer reps or iters, or a larger size",
                 sweeps);
        return -1;
    }
    return 0;
}

static double memory(const struct ps_plan *p, int workers)
{
    double n = (double)p->size;
    return 2.0 * (n + 2) * (n + 2.0 * workers) * sizeof(double);
}

static double work(const struct ps_plan *p)
{
    return (double)p->size * (double)p->size * p->param[P_ITERS];
}

static void teardown(void *st)
{
    struct state *s = st;
    free(s->u);
    free(s->v);
    free(s);
}

static double mode_at(uint64_t n, uint64_t gi, uint64_t gj)
{
    double h = 1.0 / (double)(n + 1);
    return sin(MODE_P * PI * (double)gi * h) * sin(MODE_Q * PI * (double)gj * h);
}

static int setup(ps_team *t, const struct ps_plan *p, void **out)
{
    struct state *s = calloc(1, sizeof *s);
    uint64_t lo, hi;
    if (!s)
        return -1;
    ps_block(t, p->size, &lo, &hi);
    s->n = p->size;
    s->row0 = lo;
    s->rows = hi - lo;
    s->iters = (uint64_t)p->param[P_ITERS];
    size_t cells = (size_t)(s->rows + 2) * (size_t)(s->n + 2);
    s->u = calloc(cells, sizeof *s->u);   /* zero: boundary and ghosts */
    s->v = calloc(cells, sizeof *s->v);
    if (!s->u || !s->v) {
        teardown(s);
        return -1;
    }
    size_t w = s->n + 2;
    for (uint64_t r = 1; r <= s->rows; r++)      /* first touch by owner */
        for (uint64_t i = 1; i <= s->n; i++)
            s->u[r * w + i] = mode_at(s->n, i, s->row0 + r);
    *out = s;
    return 0;
}

/* One sweep over the interior rows 1..rows of u into v. */
static void sweep(double *restrict v, const double *restrict u,
                  uint64_t rows, uint64_t n)
{
    size_t w = n + 2;
    for (uint64_t r = 1; r <= rows; r++) {
        const double *up = u + (r - 1) * w, *mid = u + r * w, *dn = u + (r + 1) * w;
        double *out = v + r * w;
        for (uint64_t i = 1; i <= n; i++)
            out[i] = 0.25 * (up[i] + dn[i] + mid[i - 1] + mid[i + 1]);
    }
}

static void run(ps_team *t, void *st)
{
    struct state *s = st;
    size_t w = s->n + 2;
    for (uint64_t k = 0; k < s->iters; k++) {
        ps_halo(t, w, s->u + w, s->u + s->rows * w, s->u, s->u + (s->rows + 1) * w);
        sweep(s->v, s->u, s->rows, s->n);
        double *tmp = s->u;
        s->u = s->v;
        s->v = tmp;
    }
    s->sweeps += s->iters;
}

static int check(ps_team *t, void *st, double *checksum, double *error)
{
    struct state *s = st;
    size_t w = s->n + 2;
    double amp = pow(lambda_of(s->n), (double)s->sweeps);
    double sum = 0, worst = 0;   /* of u^2; relative error */
    for (uint64_t r = 1; r <= s->rows; r++)
        for (uint64_t i = 1; i <= s->n; i++) {
            double u = s->u[r * w + i];
            sum += u * u;
            worst = ps_worse(worst, fabs(u - amp * mode_at(s->n, i, s->row0 + r)) / fabs(amp));
        }
    return ps_check_result(t, sum, worst, STENCIL_TOL, checksum, error);
}

const struct ps_kernel ps_kernel_stencil = {
    .name = "stencil",
    .summary = "2-D 5-point Jacobi, row blocks, halo exchange every sweep",
    .cls = PS_HALO,
    .size_unit = "points per side",
    .default_size = 2048,
    .min_size = 1,
    .dims = 2,
    .schedulable = 0,
    .unit = PS_ITEMS,
    .params = params,
    .validate = validate,
    PS_KERNEL_FUNCTIONS,
};
