/*
 * findings.h — what the findings' files share (findings.c, findings_fit.c).
 */
#ifndef PARSCALE_ANALYSIS_FINDINGS_H
#define PARSCALE_ANALYSIS_FINDINGS_H

#include <stddef.h>

#include "analysis.h"

/* POP's and the usual threshold of "still scales". */
#define GOOD_EFFICIENCY 0.8

/* Adds a finding of `section` about `subject`, its text from fmt; returns
 * 0, or -1 out of memory. */
__attribute__((format(printf, 4, 5)))
int finding_add(struct analysis *a, const char *section, const char *subject,
                const char *fmt, ...);

/* "kernel scaling size params" of case kc. */
void finding_case_label(const struct analysis *a, const struct kcase *kc, char *buf,
                        size_t len);

/* The models section and the POP section (findings_fit.c); 0 or -1. */
int model_findings(struct analysis *a);
int pop_findings(struct analysis *a);

#endif
