/*
 * check.h - what the kernels' verifications share.
 */
#ifndef PARSCALE_CHECK_H
#define PARSCALE_CHECK_H

#include "parscale/kernel.h"

/* The larger of two errors; a NaN error counts as the largest. */
double ps_worse(double worst, double e);

/* Collective end of a check: sum each worker's part of the checksum, take
 * the worst error over the team, store both; 1 if the error is within tol. */
int ps_check_result(ps_team *t, double part, double worst, double tol,
                    double *checksum, double *error);

#endif
