/*
 * csv.h — line reader for parscale's plain CSV: one record per line, fields
 * separated by commas, never quoted. Lines of any length (getline).
 */
#ifndef PARSCALE_ANALYSIS_CSV_H
#define PARSCALE_ANALYSIS_CSV_H

#include <stddef.h>
#include <stdio.h>

/* Reads the next line of fp without its '\n' into *line, a buffer of *cap
 * bytes that is grown as needed and reused from call to call (start with
 * NULL and 0; the caller frees it).  *len is the line's length.  Returns 1
 * for a line, 0 at end of file, -1 on a read or allocation error (errno
 * set). */
int csv_getline(FILE *fp, char **line, size_t *cap, size_t *len);

/* Returns NULL if the line may be split as plain CSV, else a lowercase
 * description of what is wrong (a NUL byte, a quote, a carriage return). */
const char *csv_defect(const char *line, size_t len);

/* Splits line in place at every comma and stores the first max field starts
 * in fields. Returns the number of fields in the line, which may exceed max. */
size_t csv_split(char *line, char **fields, size_t max);

/* csv_split and csv_defect in one pass over a line of len bytes: *defect
 * is NULL or what csv_defect would say (a NUL before len counts). */
size_t csv_split_checked(char *line, size_t len, char **fields, size_t max,
                         const char **defect);

/* Writes s to fp as one CSV field, quoted (RFC 4180) when it holds a comma,
 * a quote or a line break. */
void csv_put_field(FILE *fp, const char *s);

#endif
