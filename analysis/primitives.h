/*
 * primitives.h — the cost of one team operation per runtime (sync kernel).
 */
#ifndef PARSCALE_ANALYSIS_PRIMITIVES_H
#define PARSCALE_ANALYSIS_PRIMITIVES_H

#include <stdio.h>

#include "analysis.h"

/* Pairs every sync op=X configuration with its op=none reference and
 * computes the cost of one X (a->prims).  Returns EXIT_OK or EXIT_FAULT. */
int analysis_primitives(struct analysis *a);
/* primitives.csv */
int write_primitives(FILE *fp, const struct analysis *a);
/* Adds one finding per operation and worker count measured by two or more
 * runtimes: which is cheapest and by how much.  Returns 0 or -1. */
typedef int (*finding_fn)(struct analysis *a, const char *section, const char *subject,
                          const char *text);
int primitive_findings(struct analysis *a, finding_fn add);
/* The figures' lines for data/figures.tsv, and their data files in dir. */
void list_primitive_figures(FILE *fp, const struct analysis *a);
int write_primitive_data(const char *dir, const struct analysis *a);

#endif
