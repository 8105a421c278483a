/*
 * compare.h — one run against another (parscale-summarize --baseline).
 */
#ifndef PARSCALE_ANALYSIS_COMPARE_H
#define PARSCALE_ANALYSIS_COMPARE_H

#include "store.h"

/* Writes dir/compare.csv and dir/compare.md: every configuration of b
 * against the same one in a.  Both stores are finished.  Returns EXIT_OK
 * or EXIT_FAULT (reported). */
int compare_write(const char *dir, const struct store *a, const struct store *b);

#endif
