/*
 * check.c - what the kernels' verifications share.
 */
#include <math.h>

#include "check.h"

double ps_worse(double worst, double e)
{
    return e > worst || isnan(e) ? e : worst;
}

int ps_check_result(ps_team *t, double part, double worst, double tol,
                    double *checksum, double *error)
{
    ps_allreduce_f64(t, &part, 1, PS_SUM);
    ps_allreduce_f64(t, &worst, 1, PS_MAX);
    *checksum = part;
    *error = worst;
    return worst <= tol;    /* false for NaN */
}
