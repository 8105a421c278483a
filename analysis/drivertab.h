/*
 * drivertab.h — the facts about each driver (share/drivers.csv): order in
 * tables and figures, family, what its workers are, colour and point type.
 */
#ifndef PARSCALE_ANALYSIS_DRIVERTAB_H
#define PARSCALE_ANALYSIS_DRIVERTAB_H

#include <stddef.h>

struct driver_info {
    const char *name;
    int order;
    const char *family;        /* c, python, exec, ... */
    const char *workers_are;   /* thread, process, hybrid */
    const char *launch;        /* direct, mpi */
    const char *color;         /* #RRGGBB */
    int point;                 /* gnuplot point type */
    const char *label;
};

struct drivers {
    struct driver_info *v;
    size_t n, cap;
    char *text;                /* the file's contents, fields point into it */
};

/* Reads the table at path.  Returns 0, or 2 after printing a one-line
 * message (unreadable, missing column, bad number). */
int drivers_load(struct drivers *d, const char *path);
/* The row for name; a driver missing from the table gets a grey row
 * ordered after every known one (added on first use; NULL out of memory). */
const struct driver_info *drivers_get(struct drivers *d, const char *name);
void drivers_free(struct drivers *d);

/* Where the table is when --drivers is not given: beside an installed
 * summariser (../share/parscale/drivers.csv), else the source tree's. */
const char *drivers_default_path(const char *argv0, char *buf, size_t len);

#endif
