/*
 * write.h — writing the summariser's outputs: the tables (write.c) and the
 * data files the figures read (figdata.c).
 */
#ifndef PARSCALE_ANALYSIS_WRITE_H
#define PARSCALE_ANALYSIS_WRITE_H

#include <stdio.h>

#include "analysis.h"

/* Writes one file's contents to fp; returns 0 or -1 (reported). */
typedef int (*write_fn)(FILE *fp, const struct analysis *a);

/* Writes dir/name through dir/name.tmp renamed into place.  Returns
 * EXIT_OK or EXIT_FAULT (reported). */
int write_file(const char *dir, const char *name, write_fn fn, const struct analysis *a);

/* summary.csv, fits.csv, residuals.csv, findings.csv into dir. */
int write_tables(const char *dir, const struct analysis *a);
/* The figures' data into dir/data/ (made if missing). */
int write_figure_data(const char *dir, const struct analysis *a);

/* v as printf's %.9g would write it (see write.c); returns its length. */
int format_g9(char *buf, double v);

/* ",value", or "," when v is not finite. */
void put_num(FILE *fp, double v);

#endif
