/*
 * claims.h — the usual claims about Python threads and processes, checked
 * against the study (claims.c).
 */
#ifndef PARSCALE_ANALYSIS_CLAIMS_H
#define PARSCALE_ANALYSIS_CLAIMS_H

#include "analysis.h"

/* Writes dir/claims.csv (claim, measured, verdict) for every claim whose
 * configurations the study ran; removes a stale one when none did.
 * Returns EXIT_OK or EXIT_FAULT. */
int write_claims_file(const char *dir, const struct analysis *a);

#endif
