/*
 * modelfit.h — the scaling models' least squares (modelfit.c), for
 * models.c.
 */
#ifndef PARSCALE_MODELFIT_H
#define PARSCALE_MODELFIT_H

#include "analysis.h"

#include <stddef.h>

#define MAX_COEF 3

/* Distinct worker counts a fit of each model needs (Amdahl, USL,
 * Gustafson). */
extern const int model_min_distinct[MODEL_COUNT];

/* Basis function j of the strong-scaling models at p: 1, 1/p, p - 1. */
double model_basis(int j, double p);

/* Fits model m to the n points (p, t), f[i] the basis functions at p[i]
 * and t1 the 1-worker time (Gustafson); fills coef.  Returns 0, or -1 when
 * no fit with non-negative coefficients exists. */
int model_fit_points(enum model m, const double *p, const double (*f)[MAX_COEF],
                     const double *t, size_t n, double t1, double *coef);

/* The interpretable parameters of a fit of f's model with coefficients
 * coef: T1, serial fraction (sigma) and kappa (NAN where none). */
void model_parameters(const struct fit *f, const double *coef, double t1,
                      double *out_t1, double *out_s, double *out_kappa);

#endif
