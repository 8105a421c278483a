/*
 * modelfit.c — the scaling models' least squares, one fit at a time.
 *
 * Strong scaling: Amdahl T(p) = a + b/p and the Universal Scalability Law
 * T(p) = a + b/p + k(p - 1), every coefficient >= 0, by least squares on
 * relative residuals ((T - fit)/T); both are linear in their coefficients,
 * so each candidate set of free coefficients is one small linear system and
 * the non-negative optimum is the first feasible set that meets the
 * Karush-Kuhn-Tucker conditions.  Weak scaling: Gustafson's s.  models.c
 * fits series and their bootstrap replicates with these.
 */
#define _POSIX_C_SOURCE 200809L

#include "modelfit.h"

#include <math.h>
#include <string.h>

const int model_min_distinct[MODEL_COUNT] = {3, 4, 3};
static const int ncoef[MODEL_COUNT] = {2, 3, 1};

/* The basis functions of the strong-scaling models: 1, 1/p, p - 1. */
double model_basis(int j, double p)
{
    return j == 0 ? 1.0 : j == 1 ? 1.0 / p : p - 1.0;
}

double fit_time(const struct fit *f, double p)
{
    if (f->model == MODEL_GUSTAFSON)
        return f->t1 * p / (f->coef[0] + (1.0 - f->coef[0]) * p);
    double t = 0.0;
    for (int j = 0; j < ncoef[f->model]; j++)
        t += f->coef[j] * model_basis(j, p);
    return t;
}

/* Solves the k x k system m c = v (Gaussian elimination, partial
 * pivoting); returns -1 when singular. */
static int solve(double m[MAX_COEF][MAX_COEF], double *v, double *c, int k)
{
    for (int col = 0; col < k; col++) {
        int piv = col;
        for (int r = col + 1; r < k; r++)
            if (fabs(m[r][col]) > fabs(m[piv][col]))
                piv = r;
        if (fabs(m[piv][col]) < 1e-300)
            return -1;
        for (int j = 0; j < k; j++) {
            double t = m[col][j];
            m[col][j] = m[piv][j];
            m[piv][j] = t;
        }
        double t = v[col];
        v[col] = v[piv];
        v[piv] = t;
        for (int r = col + 1; r < k; r++) {
            double f = m[r][col] / m[col][col];
            for (int j = col; j < k; j++)
                m[r][j] -= f * m[col][j];
            v[r] -= f * v[col];
        }
    }
    for (int r = k - 1; r >= 0; r--) {
        double s = v[r];
        for (int j = r + 1; j < k; j++)
            s -= m[r][j] * c[j];
        c[r] = s / m[r][r];
    }
    return 0;
}

/* The normal equations of the relative-residual least squares of t on the
 * first k basis functions (f[i][j]: function j at point i; weight 1/t^2):
 * a[j][l] = sum f_ij f_il / t_i^2, v[j] = sum f_ij / t_i.  Every active set
 * is solved, and tested, from these sums alone. */
struct normal {
    int k;
    double a[MAX_COEF][MAX_COEF], v[MAX_COEF];
};

static void normal_sums(struct normal *ne, const double (*f)[MAX_COEF], const double *t,
                        size_t n, int k)
{
    memset(ne, 0, sizeof *ne);
    ne->k = k;
    for (size_t i = 0; i < n; i++) {
        double w = 1.0 / (t[i] * t[i]);
        for (int x = 0; x < k; x++) {
            double wf = w * f[i][x];
            ne->v[x] += wf * t[i];
            for (int y = x; y < k; y++)
                ne->a[x][y] += wf * f[i][y];
        }
    }
    for (int x = 0; x < k; x++)
        for (int y = 0; y < x; y++)
            ne->a[x][y] = ne->a[y][x];
}

/* The fit with the basis functions in `set` free (bit j: function j) and
 * the others' coefficients 0.  Returns 0, or -1 when singular or when a
 * coefficient comes out negative. */
static int fit_set(const struct normal *ne, unsigned set, double *coef)
{
    int cols[MAX_COEF], m = 0;
    for (int j = 0; j < ne->k; j++)
        if (set & (1u << j))
            cols[m++] = j;
    double a[MAX_COEF][MAX_COEF], v[MAX_COEF], c[MAX_COEF];
    for (int x = 0; x < m; x++) {
        v[x] = ne->v[cols[x]];
        for (int y = 0; y < m; y++)
            a[x][y] = ne->a[cols[x]][cols[y]];
    }
    if (solve(a, v, c, m) != 0)
        return -1;
    for (int j = 0; j < ne->k; j++)
        coef[j] = 0.0;
    for (int x = 0; x < m; x++) {
        if (!(c[x] >= 0.0))
            return -1;
        coef[cols[x]] = c[x];
    }
    return 0;
}

/* Karush-Kuhn-Tucker: a feasible fit whose held-at-0 coefficients could
 * not lower the sum of squares by growing (the gradient v - a c, over the
 * n points, not above 0) is the constrained optimum. */
static int optimal(const struct normal *ne, size_t n, unsigned set, const double *coef)
{
    for (int j = 0; j < ne->k; j++) {
        if (set & (1u << j))
            continue;
        double g = ne->v[j];
        for (int q = 0; q < ne->k; q++)
            g -= ne->a[j][q] * coef[q];
        if (g > 1e-12 * (double)n)
            return 0;
    }
    return 1;
}

/* Least squares of t on the first k basis functions with every coefficient
 * >= 0, residuals relative to t: candidate sets of free coefficients from
 * the largest down, the first feasible one that meets the optimality
 * conditions is the answer (with 3 coefficients every set can be tried).
 * Returns 0 or -1 (no feasible fit). */
static int nnls(const double (*f)[MAX_COEF], const double *t, size_t n, int k, double *coef)
{
    static const unsigned by_size[] = {7, 3, 5, 6, 1, 2, 4};
    struct normal ne;
    double trial[MAX_COEF];
    normal_sums(&ne, f, t, n, k);
    for (size_t i = 0; i < sizeof by_size / sizeof by_size[0]; i++) {
        unsigned set = by_size[i];
        if (set >= (1u << k))
            continue;
        if (fit_set(&ne, set, trial) == 0 && optimal(&ne, n, set, trial)) {
            memcpy(coef, trial, sizeof trial);
            return 0;
        }
    }
    return -1;
}

/* Gustafson's s from S_i = p_i t1 / t_i: least squares of S - p = -s (p - 1),
 * clamped to [0, 1]. */
static double gustafson_s(const double *p, const double *t, size_t n, double t1)
{
    double num = 0.0, den = 0.0;
    for (size_t i = 0; i < n; i++) {
        double s = p[i] * t1 / t[i];
        num += (p[i] - s) * (p[i] - 1.0);
        den += (p[i] - 1.0) * (p[i] - 1.0);
    }
    double s = den > 0.0 ? num / den : 0.0;
    return s < 0.0 ? 0.0 : s > 1.0 ? 1.0 : s;
}

/* Fits model m to points (p, t); t1 is the 1-worker time (Gustafson).
 * Fills coef; returns 0 or -1. */
int model_fit_points(enum model m, const double *p, const double (*f)[MAX_COEF],
                      const double *t, size_t n, double t1, double *coef)
{
    if (m == MODEL_GUSTAFSON) {
        coef[0] = gustafson_s(p, t, n, t1);
        return 0;
    }
    return nnls(f, t, n, ncoef[m], coef);
}

/* The interpretable parameters (T1, serial fraction or sigma, kappa) of a
 * fit of f's model with coefficients coef. */
void model_parameters(const struct fit *f, const double *coef, double t1,
                       double *out_t1, double *out_s, double *out_kappa)
{
    if (f->model == MODEL_GUSTAFSON) {
        *out_t1 = t1;
        *out_s = coef[0];
        *out_kappa = NAN;
        return;
    }
    double whole = coef[0] + coef[1];
    *out_t1 = whole;
    *out_s = whole > 0.0 ? coef[0] / whole : NAN;
    *out_kappa = f->model == MODEL_USL && whole > 0.0 ? coef[2] / whole : NAN;
}
