/*
 * spmv - power iteration on a sparse matrix stored in CSR: a kernel of
 * one's own, built outside parscale (CMakeLists.txt beside this file) and
 * run by every driver with --kernel-lib libspmv.so --kernel spmv.
 *
 * The matrix A is the 5-point Laplacian of an n x n grid with a zero
 * boundary: N = n^2 rows, (A u)(x,y) = 4u(x,y) - u(x-1,y) - u(x+1,y)
 * - u(x,y-1) - u(x,y+1), stored as row starts, column indices and values.
 * Workers own blocks of grid rows (ps_block), so a worker's rows read the
 * vector on its own grid rows and on the one just above and just below;
 * ps_halo brings those two before each product.
 * One repetition: `iters` steps x <- A x / ||A x||, each a halo exchange,
 * the product, a sum over workers (ps_allreduce_f64) and a scaling.
 * Work: iters * (2 nnz + 3 N) flops, nnz = 5 n^2 - 4 n (a multiply and
 * an add per nonzero; a square, an add and a division per row).
 *
 * Verified analytically.  A's eigenvectors are
 *   v_PQ(x,y) = sin(P pi (x+1) h) sin(Q pi (y+1) h),  h = 1/(n+1),
 * with eigenvalues l_PQ = 4 - 2 cos(P pi h) - 2 cos(Q pi h), mutually
 * orthogonal, each of norm (n+1)/2.  The largest is l1 = l_nn; the next
 * along y is l2 = l_n,n-1.  x starts as (u1 + u2)/sqrt(2), u = v 2/(n+1),
 * so after k steps, with r = l2/l1,
 *   x_k = (u1 + r^k u2) / sqrt(1 + r^2k)    and the k-th step's
 *   ||A x_{k-1}|| = sqrt(l1^2 + r^2(k-1) l2^2) / sqrt(1 + r^2(k-1)).
 * check() compares every entry of x with x_k (error relative to the
 * largest entry's bound 2/(n+1)) and the last norm with the formula
 * (relative to l1), within SPMV_TOL; it never compares with another run.
 * Rounding errors along the other eigenvectors shrink at each step (l1 is
 * the largest), so the error stays below a few eps per step: validate()
 * caps the steps at SPMV_MAX_STEPS.  A halo row that is missing, stale or
 * misplaced changes entries along block edges by ~1/8 of their size.
 * The checksum, on which every driver agrees to rounding, is the last norm.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "parscale/kernel.h"

enum { P_ITERS };
#define SPMV_TOL 1e-8
#define SPMV_MAX_STEPS 1e6      /* x steps x ~4 eps of rounding stays under SPMV_TOL */
#define NNZ_PER_ROW 5
#define PI 3.14159265358979323846

static const struct ps_param params[] = {
    { "iters", PS_PINT, "10", 1, 100000, NULL, "power-iteration steps per repetition" },
    { NULL, 0, NULL, 0, 0, NULL, NULL },
};

struct state {
    uint64_t n;                 /* grid side */
    uint64_t row0, rows;        /* this worker's grid rows: [row0, row0 + rows) */
    uint64_t iters, steps;      /* steps per repetition, steps done so far */
    size_t *start;              /* CSR: local row i's entries are [start[i], start[i+1]) */
    size_t *col;                /* index of each entry's vector element in xe */
    double *val;
    double *xe;                 /* (rows + 2) x n: the grid row above, own rows, the row below */
    double *y;                  /* rows x n: A x on own rows */
    double norm;                /* ||A x|| of the last step */
};

/* sin(P pi j h) for P = n and P = n - 1, j = 1..n, without large arguments:
 * sin(n pi j/(n+1)) = (-1)^(j+1) sin(pi j h), and likewise with 2 pi j h. */
static double mode_n(uint64_t n, uint64_t j)
{
    double s = sin(PI * (double)j / (double)(n + 1));
    return j % 2 ? s : -s;
}

static double mode_n1(uint64_t n, uint64_t j)
{
    double s = sin(2 * PI * (double)j / (double)(n + 1));
    return j % 2 ? -s : s;
}

/* The two eigenvalues l1 = l_nn and l2 = l_n,n-1. */
static void eigenvalues(uint64_t n, double *l1, double *l2)
{
    double h = 1.0 / (double)(n + 1);
    *l1 = 4 + 4 * cos(PI * h);
    *l2 = 4 + 2 * cos(PI * h) + 2 * cos(2 * PI * h);
}

static int validate(struct ps_plan *p, int workers, char *err, size_t len)
{
    if (p->size < (uint64_t)workers) {
        snprintf(err, len, "spmv: size %llu gives fewer grid rows than the %d workers",
                 (unsigned long long)p->size, workers);
        return -1;
    }
    double steps = p->param[P_ITERS] * p->reps_total;
    if (steps > SPMV_MAX_STEPS) {
        snprintf(err, len, "spmv: %.0f steps exceed the %.0f the check's tolerance "
                 "holds for; use fewer reps or iters", steps, SPMV_MAX_STEPS);
        return -1;
    }
    return 0;
}

static double nonzeros(double n) { return NNZ_PER_ROW * n * n - 4 * n; }

static double memory(const struct ps_plan *p, int workers)
{
    double n = (double)p->size, rows = n * n;
    return nonzeros(n) * (sizeof(size_t) + sizeof(double))   /* col, val */
           + (rows + workers) * sizeof(size_t)               /* start */
           + (rows + 2 * n * workers) * sizeof(double)       /* xe */
           + rows * sizeof(double);                          /* y */
}

static double work(const struct ps_plan *p)
{
    double n = (double)p->size;
    return p->param[P_ITERS] * (2 * nonzeros(n) + 3 * n * n);
}

static void teardown(void *st)
{
    struct state *s = st;
    free(s->start);
    free(s->col);
    free(s->val);
    free(s->xe);
    free(s->y);
    free(s);
}

/* The expected x after k steps at grid point (x, y), and the k-th step's
 * norm (k >= 1). */
static double expected_x(const struct state *s, uint64_t k, uint64_t x, uint64_t y)
{
    double l1, l2, a, u = 2.0 / (double)(s->n + 1);
    eigenvalues(s->n, &l1, &l2);
    a = pow(l2 / l1, (double)k);
    return u * mode_n(s->n, x + 1) * (mode_n(s->n, y + 1) + a * mode_n1(s->n, y + 1)) /
           sqrt(1 + a * a);
}

static double expected_norm(uint64_t n, uint64_t k)
{
    double l1, l2;
    eigenvalues(n, &l1, &l2);
    double a = pow(l2 / l1, (double)(k - 1));
    return sqrt((l1 * l1 + a * a * l2 * l2) / (1 + a * a));
}

/* Append one entry to local row i's list. */
static void put(struct state *s, size_t *e, uint64_t gx, uint64_t gy, double v)
{
    s->col[*e] = (size_t)(gy + 1 - s->row0) * s->n + gx;   /* xe row 0 is the halo */
    s->val[*e] = v;
    (*e)++;
}

/* Assemble this worker's rows of A in CSR. */
static void assemble(struct state *s)
{
    uint64_t n = s->n;
    size_t e = 0, i = 0;
    for (uint64_t gy = s->row0; gy < s->row0 + s->rows; gy++)
        for (uint64_t gx = 0; gx < n; gx++, i++) {
            s->start[i] = e;
            if (gy > 0)
                put(s, &e, gx, gy - 1, -1);
            if (gx > 0)
                put(s, &e, gx - 1, gy, -1);
            put(s, &e, gx, gy, 4);
            if (gx + 1 < n)
                put(s, &e, gx + 1, gy, -1);
            if (gy + 1 < n)
                put(s, &e, gx, gy + 1, -1);
        }
    s->start[i] = e;
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
    size_t rows = (size_t)(s->rows * s->n);
    s->start = malloc((rows + 1) * sizeof *s->start);
    s->col = malloc(rows * NNZ_PER_ROW * sizeof *s->col);
    s->val = malloc(rows * NNZ_PER_ROW * sizeof *s->val);
    s->xe = calloc(rows + 2 * (size_t)s->n, sizeof *s->xe);
    s->y = malloc(rows * sizeof *s->y);
    if (!s->start || !s->col || !s->val || !s->xe || !s->y) {
        teardown(s);
        return -1;
    }
    assemble(s);                      /* first touch by the owner */
    for (uint64_t y = 0; y < s->rows; y++)
        for (uint64_t x = 0; x < s->n; x++)
            s->xe[(y + 1) * s->n + x] = expected_x(s, 0, x, s->row0 + y);
    *out = s;
    return 0;
}

static void run(ps_team *t, void *st)
{
    struct state *s = st;
    size_t n = s->n, rows = (size_t)(s->rows * s->n);
    double *own = s->xe + n;
    for (uint64_t k = 0; k < s->iters; k++) {
        ps_halo(t, n, own, own + rows - n, s->xe, own + rows);
        double sum = 0;
        for (size_t i = 0; i < rows; i++) {
            double acc = 0;
            for (size_t e = s->start[i]; e < s->start[i + 1]; e++)
                acc += s->val[e] * s->xe[s->col[e]];
            s->y[i] = acc;
            sum += acc * acc;
        }
        ps_allreduce_f64(t, &sum, 1, PS_SUM);
        s->norm = sqrt(sum);
        for (size_t i = 0; i < rows; i++)
            own[i] = s->y[i] / s->norm;
    }
    s->steps += s->iters;
}

/* The larger of two errors; a NaN counts as the largest. */
static double worse(double worst, double e)
{
    return e > worst || isnan(e) ? e : worst;
}

static int check(ps_team *t, void *st, double *checksum, double *error)
{
    struct state *s = st;
    double l1, l2, unit = 2.0 / (double)(s->n + 1);
    eigenvalues(s->n, &l1, &l2);
    double worst = s->steps ? fabs(s->norm - expected_norm(s->n, s->steps)) / l1 : INFINITY;
    for (uint64_t y = 0; y < s->rows; y++)
        for (uint64_t x = 0; x < s->n; x++) {
            double got = s->xe[(y + 1) * s->n + x];
            worst = worse(worst, fabs(got - expected_x(s, s->steps, x, s->row0 + y)) / unit);
        }
    if (isnan(worst))
        worst = INFINITY;             /* a maximum over workers keeps it */
    ps_allreduce_f64(t, &worst, 1, PS_MAX);
    *checksum = s->norm;
    *error = worst;
    return worst <= SPMV_TOL;
}

static const struct ps_kernel spmv = {
    .name = "spmv",
    .summary = "power iteration with a CSR sparse matrix-vector product (2-D Laplacian)",
    .cls = PS_HALO,
    .size_unit = "grid points per side",
    .default_size = 1024,
    .min_size = 2,
    .dims = 2,
    .schedulable = 0,
    .unit = PS_FLOPS,
    .params = params,
    .validate = validate,
    PS_KERNEL_FUNCTIONS,
};

PS_PLUGIN(&spmv);
