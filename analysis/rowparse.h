/*
 * rowparse.h — a raw CSV line checked against the schema (rowparse.c).
 */
#ifndef PARSCALE_ANALYSIS_ROWPARSE_H
#define PARSCALE_ANALYSIS_ROWPARSE_H

#include <stddef.h>

#include "store.h"

/* Characters of a bad value quoted in an error message. */
#define SHOW_MAX 40

/* One row being read: its fields and the values parsed from them. */
struct row {
    char *f[PS_RAW_NCOLS];
    double num[PS_RAW_NCOLS];  /* NAN for empty optional numbers */
    long long cnt[PS_RAW_NCOLS];
    size_t file;
    unsigned long line;
};

/* The name of column c in the raw header. */
const char *row_column_name(enum ps_raw_col c);

/* 1 if the n split fields are the raw header of this or an older version
 * (a prefix of at least PS_RAW_MIN_COLUMNS columns), else 0. */
int row_is_header(char *const *fields, size_t n);

/* Prints why the first line of input `file` is not the raw header. */
void row_header_error(const struct store *st, size_t file, char *const *fields, size_t n);

/* Checks every field of a data line (n fields, the header had ncols) into
 * r, whose file and line are set; returns 0, or -1 after printing
 * FILE:LINE: what is wrong. */
int row_parse(const struct store *st, struct row *r, char *const *fields, size_t n,
              size_t ncols);

#endif
