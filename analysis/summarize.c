/*
 * summarize.c — parscale-summarize: reads raw parscale CSV rows (one per timed
 * repetition, schema in README.md) and writes, per configuration, summary.csv
 * (median and nonparametric CI of the time, speed-up and efficiency against
 * the serial driver and against the same driver at one worker, Karp-Flatt
 * serial fraction, weak-scaling efficiency) and, per strong-scaling series,
 * fits.csv (Amdahl fit T(p) = a + b/p). Optionally prints a table on stdout.
 *
 * Input is checked row by row; anything malformed stops the program with
 * "parscale-summarize: FILE:LINE: what is wrong" and exit 2, so no summary is
 * ever built from rows it could not read.
 */
#define _POSIX_C_SOURCE 200809L

#include "csv.h"
#include "stats.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROG "parscale-summarize"

/* Exit codes (DESIGN.md): success, runtime fault, bad input or usage. */
enum { EXIT_OK = 0, EXIT_FAULT = 1, EXIT_USAGE = 2 };

/* Characters of a bad value quoted in an error message. */
#define SHOW_MAX 40
/* printf precision for every number written to the CSV files. */
#define NUM_FMT "%.9g"
/* printf precision for numbers in the human table. */
#define TABLE_FMT "%.4g"
/* Converts a coverage fraction to per cent in the table. */
#define PERCENT 100.0
/* Growth factor of the row array. */
#define GROW 2
/* Initial capacity of the row array. */
#define ROWS_INITIAL 256

/* Raw columns, in the order of the README's CSV schema. */
enum col {
    COL_RUN_ID, COL_KERNEL, COL_DRIVER, COL_SCALING, COL_SIZE, COL_WORKERS,
    COL_REP, COL_SECONDS, COL_STARTUP, COL_RATE, COL_RATE_UNIT, COL_VERIFIED,
    COL_HOST, COL_TIMESTAMP, COL_CLASS, COL_TOTAL_SIZE, COL_RANKS,
    COL_THREADS, COL_NODES, COL_CORES, COL_SCHEDULE, COL_PARAMS, COL_WARMUP,
    COL_WORK, COL_WORK_UNIT, COL_CHECKSUM, COL_CHECK_ERROR, COL_VERSION,
    COL_HOSTS, COL_BIND, COL_AFFINITY,
    RAW_NCOLS
};
/* Columns are only ever appended: files from older versions end at
 * `version`; their missing later columns read as empty. */
#define RAW_MIN_NCOLS COL_HOSTS

/* What a raw field must look like. */
enum kind {
    K_TEXT,      /* non-empty text */
    K_TEXT_OPT,  /* text, may be empty */
    K_ANY,       /* not used here; only the field count matters */
    K_COUNT,     /* integer >= 1 */
    K_COUNT0,    /* integer >= 0 */
    K_POSITIVE,  /* finite real > 0 */
    K_NONNEG,    /* finite real >= 0 */
    K_FLAG,      /* 0 or 1 */
    K_SCALING    /* strong or weak */
};

/* One raw column: its header name and what its values must be. */
struct colspec {
    const char *name;
    enum kind kind;
};

/* The raw schema, one row per column (README "CSV schema"). */
static const struct colspec raw_cols[RAW_NCOLS] = {
    [COL_RUN_ID] = {"run_id", K_TEXT},
    [COL_KERNEL] = {"kernel", K_TEXT},
    [COL_DRIVER] = {"driver", K_TEXT},
    [COL_SCALING] = {"scaling", K_SCALING},
    [COL_SIZE] = {"size", K_TEXT},
    [COL_WORKERS] = {"workers", K_COUNT},
    [COL_REP] = {"rep", K_COUNT},
    [COL_SECONDS] = {"seconds", K_POSITIVE},
    [COL_STARTUP] = {"startup_seconds", K_NONNEG},
    [COL_RATE] = {"rate", K_NONNEG},
    [COL_RATE_UNIT] = {"rate_unit", K_TEXT},
    [COL_VERIFIED] = {"verified", K_FLAG},
    [COL_HOST] = {"host", K_TEXT},
    [COL_TIMESTAMP] = {"timestamp", K_TEXT},
    [COL_CLASS] = {"class", K_TEXT},
    [COL_TOTAL_SIZE] = {"total_size", K_TEXT},
    [COL_RANKS] = {"ranks", K_COUNT},
    [COL_THREADS] = {"threads_per_rank", K_COUNT},
    [COL_NODES] = {"nodes", K_COUNT},
    [COL_CORES] = {"cores", K_COUNT},
    [COL_SCHEDULE] = {"schedule", K_TEXT},
    [COL_PARAMS] = {"params", K_TEXT_OPT},
    [COL_WARMUP] = {"warmup", K_COUNT0},
    [COL_WORK] = {"work", K_NONNEG},
    [COL_WORK_UNIT] = {"work_unit", K_TEXT},
    [COL_CHECKSUM] = {"checksum", K_ANY},
    [COL_CHECK_ERROR] = {"check_error", K_ANY},
    [COL_VERSION] = {"version", K_TEXT},
    [COL_HOSTS] = {"hosts", K_TEXT_OPT},
    [COL_BIND] = {"bind", K_TEXT_OPT},
    [COL_AFFINITY] = {"affinity", K_TEXT_OPT},
};

/* Columns that must agree on every row of one configuration. */
static const enum col consistent_cols[] = {
    COL_CLASS, COL_TOTAL_SIZE, COL_CORES, COL_RATE_UNIT, COL_HOST,
};

/* One raw row: its own line buffer, the fields in it, and parsed numbers. */
struct row {
    char *line;                  /* owned; fields point into it */
    const char *f[RAW_NCOLS];
    double num[RAW_NCOLS];       /* parsed value of numeric columns */
    long long cnt[RAW_NCOLS];    /* parsed value of integer columns */
    size_t file;                 /* index of the input path */
    unsigned long lineno;        /* 1-based line in that file */
};

/* A growable array of rows. */
struct rowvec {
    struct row *v;
    size_t n, cap;
};

/* One configuration: a run of equal-key rows and everything derived. */
struct config {
    const struct row *first;     /* key and descriptive fields come from here */
    size_t n;
    double median, ci_low, ci_high, ci_level, min, max, mean, stddev;
    double startup_median, rate_median;
    int verified_all;
    const struct config *base_serial, *base_self;
    double speedup_serial, efficiency_serial;
    double speedup_self, efficiency_self, karp_flatt, weak_efficiency;
};

/* Columns of summary.csv, in order. */
static const char *const summary_cols[] = {
    "kernel", "driver", "scaling", "size", "total_size", "workers", "ranks",
    "threads_per_rank", "nodes", "cores", "class", "schedule", "params",
    "rate_unit", "n", "median", "ci_low", "ci_high", "ci_level", "min", "max",
    "mean", "stddev", "startup_median", "rate_median", "verified_all",
    "baseline_serial", "speedup_serial", "efficiency_serial", "baseline_self",
    "speedup_self", "efficiency_self", "karp_flatt", "weak_efficiency", "host",
};

/* Columns of fits.csv, in order. */
static const char *const fits_cols[] = {
    "kernel", "driver", "size", "params", "schedule", "points", "a", "b",
    "serial_fraction", "r2", "rms_rel_residual", "p_min", "p_max",
};

/* Name of the baseline driver and the value of scaling it must have. */
static const char serial_driver[] = "serial";
static const char strong_scaling[] = "strong";
static const char weak_scaling[] = "weak";

/* Input paths, for messages that name a file. */
static char *const *g_paths;

/* Prints "parscale-summarize: FILE:LINE: " and the formatted message. */
__attribute__((format(printf, 3, 4)))
static void input_error(size_t file, unsigned long lineno, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: %s:%lu: ", PROG, g_paths[file], lineno);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* Parses a whole field as a finite double; returns 0 or -1. */
static int parse_real(const char *s, double *out)
{
    char *end;
    if (*s == '\0' || isspace((unsigned char)*s))
        return -1;
    errno = 0;
    double v = strtod(s, &end);
    if (*end != '\0' || errno == ERANGE || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

/* Parses a whole field as a decimal integer; returns 0 or -1. */
static int parse_int(const char *s, long long *out)
{
    char *end;
    if (*s == '\0' || isspace((unsigned char)*s))
        return -1;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*end != '\0' || errno == ERANGE)
        return -1;
    *out = v;
    return 0;
}

/* Checks field c of r against its kind and stores its value; returns 0, or
 * -1 after printing what is wrong. */
static int check_field(struct row *r, enum col c)
{
    const char *s = r->f[c];
    const char *name = raw_cols[c].name;
    double v;
    long long k;

    switch (raw_cols[c].kind) {
    case K_ANY:
    case K_TEXT_OPT:
        return 0;
    case K_TEXT:
        if (*s != '\0')
            return 0;
        input_error(r->file, r->lineno, "%s is empty", name);
        return -1;
    case K_SCALING:
        if (strcmp(s, strong_scaling) == 0 || strcmp(s, weak_scaling) == 0)
            return 0;
        input_error(r->file, r->lineno, "%s is '%.*s', expected strong or weak",
                    name, SHOW_MAX, s);
        return -1;
    case K_FLAG:
        if (strcmp(s, "0") == 0 || strcmp(s, "1") == 0) {
            r->cnt[c] = *s == '1';
            return 0;
        }
        input_error(r->file, r->lineno, "%s is '%.*s', expected 0 or 1",
                    name, SHOW_MAX, s);
        return -1;
    case K_COUNT:
    case K_COUNT0: {
        long long least = raw_cols[c].kind == K_COUNT ? 1 : 0;
        if (parse_int(s, &k) == 0 && k >= least) {
            r->cnt[c] = k;
            return 0;
        }
        input_error(r->file, r->lineno, "%s is '%.*s', expected an integer >= %lld",
                    name, SHOW_MAX, s, least);
        return -1;
    }
    case K_POSITIVE:
    case K_NONNEG:
        if (parse_real(s, &v) != 0) {
            input_error(r->file, r->lineno, "%s is '%.*s', not a finite number",
                        name, SHOW_MAX, s);
            return -1;
        }
        if (v < 0.0 || (v == 0.0 && raw_cols[c].kind == K_POSITIVE)) {
            input_error(r->file, r->lineno, "%s is '%.*s', expected a number %s 0",
                        name, SHOW_MAX, s,
                        raw_cols[c].kind == K_POSITIVE ? ">" : ">=");
            return -1;
        }
        r->num[c] = v;
        return 0;
    }
    return 0;
}

/* Returns 1 if the n split fields are the raw header of this or an older
 * version (a prefix of at least RAW_MIN_NCOLS columns). */
static int is_header(char *const *fields, size_t n)
{
    if (n < RAW_MIN_NCOLS || n > RAW_NCOLS)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(fields[i], raw_cols[i].name) != 0)
            return 0;
    return 1;
}

/* Prints why a first line is not the raw header. */
static void header_error(size_t file, char *const *fields, size_t n)
{
    size_t shown = n < RAW_NCOLS ? n : RAW_NCOLS;
    for (size_t i = 0; i < shown; i++) {
        if (strcmp(fields[i], raw_cols[i].name) != 0) {
            input_error(file, 1, "foreign header, not a raw parscale csv: "
                        "column %zu is '%.*s', expected '%s'",
                        i + 1, SHOW_MAX, fields[i], raw_cols[i].name);
            return;
        }
    }
    input_error(file, 1, "foreign header, not a raw parscale csv: "
                "%zu columns, expected %d to %d", n, RAW_MIN_NCOLS, RAW_NCOLS);
}

/* Appends r to v; returns 0 or -1 when out of memory. */
static int rowvec_push(struct rowvec *v, const struct row *r)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * GROW : ROWS_INITIAL;
        if (cap > SIZE_MAX / sizeof *v->v)
            return -1;
        struct row *nv = realloc(v->v, cap * sizeof *nv);
        if (nv == NULL)
            return -1;
        v->v = nv;
        v->cap = cap;
    }
    v->v[v->n++] = *r;
    return 0;
}

/* Frees every row and the array. */
static void rowvec_free(struct rowvec *v)
{
    for (size_t i = 0; i < v->n; i++)
        free(v->v[i].line);
    free(v->v);
}

/* Turns a data line (already split into fields) into a checked row in *r.
 * Returns 0, or -1 after printing what is wrong. */
static int parse_row(struct row *r, char *const *fields, size_t n, size_t ncols)
{
    if (n != ncols) {
        input_error(r->file, r->lineno, "expected %zu fields, found %zu",
                    ncols, n);
        return -1;
    }
    for (size_t c = 0; c < RAW_NCOLS; c++)
        r->f[c] = c < n ? fields[c] : "";
    for (size_t c = 0; c < RAW_NCOLS; c++)
        if (check_field(r, (enum col)c) != 0)
            return -1;
    if (r->cnt[COL_RANKS] > LLONG_MAX / r->cnt[COL_THREADS]
        || r->cnt[COL_RANKS] * r->cnt[COL_THREADS] != r->cnt[COL_WORKERS]) {
        input_error(r->file, r->lineno, "workers %lld is not ranks %lld x "
                    "threads_per_rank %lld", r->cnt[COL_WORKERS],
                    r->cnt[COL_RANKS], r->cnt[COL_THREADS]);
        return -1;
    }
    return 0;
}

/* Reads every row of one input file into rows. Returns EXIT_OK, EXIT_USAGE
 * for bad input, or EXIT_FAULT for an I/O or memory failure (all reported). */
static int read_input(size_t file, struct rowvec *rows)
{
    const char *path = g_paths[file];
    FILE *fp = fopen(path, "r");
    if (fp == NULL) {
        fprintf(stderr, "%s: cannot open '%s': %s\n", PROG, path, strerror(errno));
        return EXIT_USAGE;
    }

    int rc = EXIT_OK;
    unsigned long lineno = 0;
    size_t ncols = RAW_NCOLS;    /* of this file's header */
    char *fields[RAW_NCOLS];
    for (;;) {
        char *line;
        size_t len;
        int got = csv_getline(fp, &line, &len);
        if (got == 0)
            break;
        if (got < 0) {
            fprintf(stderr, "%s: cannot read '%s': %s\n", PROG, path, strerror(errno));
            rc = EXIT_FAULT;
            break;
        }
        lineno++;

        const char *defect = csv_defect(line, len);
        if (defect != NULL) {
            input_error(file, lineno, "%s", defect);
            free(line);
            rc = EXIT_USAGE;
            break;
        }
        size_t n = csv_split(line, fields, RAW_NCOLS);
        if (is_header(fields, n)) {
            if (lineno > 1 && n != ncols) {
                input_error(file, lineno, "header with %zu columns after one "
                            "with %zu", n, ncols);
                free(line);
                rc = EXIT_USAGE;
                break;
            }
            ncols = n;
            free(line);
            continue;
        }
        if (lineno == 1) {
            header_error(file, fields, n);
            free(line);
            rc = EXIT_USAGE;
            break;
        }
        struct row r = {.line = line, .file = file, .lineno = lineno};
        if (parse_row(&r, fields, n, ncols) != 0) {
            free(line);
            rc = EXIT_USAGE;
            break;
        }
        if (rowvec_push(rows, &r) != 0) {
            fprintf(stderr, "%s: out of memory\n", PROG);
            free(line);
            rc = EXIT_FAULT;
            break;
        }
    }
    if (rc == EXIT_OK && lineno == 0) {
        input_error(file, 1, "empty file, expected the raw parscale header");
        rc = EXIT_USAGE;
    }
    if (fclose(fp) != 0 && rc == EXIT_OK) {
        fprintf(stderr, "%s: cannot read '%s': %s\n", PROG, path, strerror(errno));
        rc = EXIT_FAULT;
    }
    return rc;
}

/* Orders problem sizes numerically when both are numbers, else as text
 * (numbers first). */
static int cmp_size(const char *a, const char *b)
{
    double x = 0, y = 0;
    int na = parse_real(a, &x) == 0, nb = parse_real(b, &y) == 0;
    if (na && nb && x != y)
        return (x > y) - (x < y);
    if (na != nb)
        return nb - na;
    return strcmp(a, b);
}

/* Compares two long longs for sorting. */
static int cmp_ll(long long a, long long b)
{
    return (a > b) - (a < b);
}

/* Compares the parts of the key that name a series: kernel, driver, scaling,
 * size, params, schedule. */
static int cmp_series(const struct row *a, const struct row *b)
{
    static const enum col text_key[] = {COL_KERNEL, COL_DRIVER, COL_SCALING};
    int d;
    for (size_t i = 0; i < sizeof text_key / sizeof text_key[0]; i++)
        if ((d = strcmp(a->f[text_key[i]], b->f[text_key[i]])) != 0)
            return d;
    if ((d = cmp_size(a->f[COL_SIZE], b->f[COL_SIZE])) != 0)
        return d;
    if ((d = strcmp(a->f[COL_PARAMS], b->f[COL_PARAMS])) != 0)
        return d;
    return strcmp(a->f[COL_SCHEDULE], b->f[COL_SCHEDULE]);
}

/* Compares full configuration keys: the series, then workers, ranks,
 * threads_per_rank, nodes. */
static int cmp_key(const struct row *a, const struct row *b)
{
    static const enum col count_key[] = {COL_WORKERS, COL_RANKS, COL_THREADS, COL_NODES};
    int d = cmp_series(a, b);
    for (size_t i = 0; d == 0 && i < sizeof count_key / sizeof count_key[0]; i++)
        d = cmp_ll(a->cnt[count_key[i]], b->cnt[count_key[i]]);
    return d;
}

/* qsort order of rows: key, then run id and repetition (so that duplicates
 * meet), then input position (so that the later duplicate is reported). */
static int cmp_rows(const void *pa, const void *pb)
{
    const struct row *a = pa, *b = pb;
    int d = cmp_key(a, b);
    if (d == 0)
        d = strcmp(a->f[COL_RUN_ID], b->f[COL_RUN_ID]);
    if (d == 0)
        d = cmp_ll(a->cnt[COL_REP], b->cnt[COL_REP]);
    if (d == 0)
        d = (a->file > b->file) - (a->file < b->file);
    if (d == 0)
        d = (a->lineno > b->lineno) - (a->lineno < b->lineno);
    return d;
}

/* Checks that row r may join the configuration that starts at first: same
 * descriptive columns, and not a repetition already read. Returns 0 or -1
 * after printing what is wrong. */
static int check_member(const struct row *first, const struct row *prev,
                        const struct row *r)
{
    for (size_t i = 0; i < sizeof consistent_cols / sizeof consistent_cols[0]; i++) {
        enum col c = consistent_cols[i];
        if (strcmp(first->f[c], r->f[c]) != 0) {
            input_error(r->file, r->lineno, "%s '%.*s' differs from '%.*s' "
                        "at %s:%lu for the same configuration",
                        raw_cols[c].name, SHOW_MAX, r->f[c], SHOW_MAX,
                        first->f[c], g_paths[first->file], first->lineno);
            return -1;
        }
    }
    if (strcmp(prev->f[COL_RUN_ID], r->f[COL_RUN_ID]) == 0
        && prev->cnt[COL_REP] == r->cnt[COL_REP]) {
        input_error(r->file, r->lineno, "repetition %lld of run '%.*s' "
                    "already read at %s:%lu", r->cnt[COL_REP], SHOW_MAX,
                    r->f[COL_RUN_ID], g_paths[prev->file], prev->lineno);
        return -1;
    }
    return 0;
}

/* Median of column c over n rows, using scratch (n doubles). */
static double column_median(const struct row *rows, size_t n, enum col c,
                            double *scratch)
{
    for (size_t i = 0; i < n; i++)
        scratch[i] = rows[i].num[c];
    stats_sort(scratch, n);
    return stats_median_sorted(scratch, n);
}

/* Fills the sample statistics of cf from its n rows, using scratch. */
static void describe(struct config *cf, const struct row *rows, double *scratch)
{
    size_t n = cf->n;
    cf->startup_median = column_median(rows, n, COL_STARTUP, scratch);
    cf->rate_median = column_median(rows, n, COL_RATE, scratch);
    /* seconds last: the CI, min, max, mean and sd read its sorted copy */
    cf->median = column_median(rows, n, COL_SECONDS, scratch);
    cf->min = scratch[0];
    cf->max = scratch[n - 1];
    stats_median_ci(scratch, n, &cf->ci_low, &cf->ci_high, &cf->ci_level);
    stats_mean_sd(scratch, n, &cf->mean, &cf->stddev);
    cf->verified_all = 1;
    for (size_t i = 0; i < n; i++)
        if (rows[i].cnt[COL_VERIFIED] != 1)
            cf->verified_all = 0;
}

/* Groups the sorted rows into configurations (*out, *nout; caller frees).
 * Returns EXIT_OK, EXIT_USAGE for inconsistent input, EXIT_FAULT for memory. */
static int group_rows(const struct rowvec *rows, struct config **out, size_t *nout)
{
    struct config *cfs = calloc(rows->n, sizeof *cfs);
    double *scratch = malloc(rows->n * sizeof *scratch);
    if (cfs == NULL || scratch == NULL) {
        fprintf(stderr, "%s: out of memory\n", PROG);
        free(cfs);
        free(scratch);
        return EXIT_FAULT;
    }
    size_t ncf = 0;
    for (size_t i = 0; i < rows->n;) {
        const struct row *first = &rows->v[i];
        size_t j = i + 1;
        for (; j < rows->n && cmp_key(first, &rows->v[j]) == 0; j++) {
            if (check_member(first, &rows->v[j - 1], &rows->v[j]) != 0) {
                free(cfs);
                free(scratch);
                return EXIT_USAGE;
            }
        }
        struct config *cf = &cfs[ncf++];
        cf->first = first;
        cf->n = j - i;
        describe(cf, first, scratch);
        i = j;
    }
    free(scratch);
    *out = cfs;
    *nout = ncf;
    return EXIT_OK;
}

/* Returns 1 if row a's field c equals row b's. */
static int same(const struct row *a, const struct row *b, enum col c)
{
    return strcmp(a->f[c], b->f[c]) == 0;
}

/* Finds the serial baseline of a strong-scaling configuration: the serial
 * driver at one worker, same kernel, size and params, strong scaling; one
 * with the same schedule is preferred, else the first in sort order. */
static const struct config *find_serial(const struct config *cfs, size_t n,
                                        const struct row *k)
{
    const struct config *found = NULL;
    for (size_t i = 0; i < n; i++) {
        const struct row *r = cfs[i].first;
        if (strcmp(r->f[COL_DRIVER], serial_driver) != 0
            || strcmp(r->f[COL_SCALING], strong_scaling) != 0
            || r->cnt[COL_WORKERS] != 1 || !same(r, k, COL_KERNEL)
            || !same(r, k, COL_SIZE) || !same(r, k, COL_PARAMS))
            continue;
        if (same(r, k, COL_SCHEDULE))
            return &cfs[i];
        if (found == NULL)
            found = &cfs[i];
    }
    return found;
}

/* Finds the self baseline: the same driver, kernel, scaling, size, params
 * and schedule at the fewest workers, normally one (the first in sort order
 * among equals).  A series that cannot run on one worker (hybrid with T
 * threads per rank starts at T) is measured from its smallest run p0. */
static const struct config *find_self(const struct config *cfs, size_t n,
                                      const struct row *k)
{
    const struct config *best = NULL;
    for (size_t i = 0; i < n; i++) {
        const struct row *r = cfs[i].first;
        if (cmp_series(r, k) == 0
            && (best == NULL || r->cnt[COL_WORKERS] < best->first->cnt[COL_WORKERS]))
            best = &cfs[i];
    }
    return best;
}

/* Fills baselines and the ratios derived from them; NAN means "not applicable". */
static void compare(struct config *cfs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct config *cf = &cfs[i];
        const struct row *k = cf->first;
        double p = (double)k->cnt[COL_WORKERS];
        int strong = strcmp(k->f[COL_SCALING], strong_scaling) == 0;

        cf->speedup_serial = cf->efficiency_serial = NAN;
        cf->speedup_self = cf->efficiency_self = NAN;
        cf->karp_flatt = cf->weak_efficiency = NAN;
        cf->base_serial = strong ? find_serial(cfs, n, k) : NULL;
        cf->base_self = find_self(cfs, n, k);

        if (cf->base_serial != NULL) {
            cf->speedup_serial = cf->base_serial->median / cf->median;
            cf->efficiency_serial = cf->speedup_serial / p;
        }
        if (cf->base_self == NULL)
            continue;
        if (!strong) {
            cf->weak_efficiency = cf->base_self->median / cf->median;
            continue;
        }
        /* from a baseline of p0 > 1 workers, speedup counts the baseline as
         * p0 times faster than one worker (relative speedup, as is usual
         * for codes that cannot run on one worker) */
        double p0 = (double)cf->base_self->first->cnt[COL_WORKERS];
        cf->speedup_self = p0 * cf->base_self->median / cf->median;
        cf->efficiency_self = cf->speedup_self / p;
        if (p > 1.0 && p > p0)
            cf->karp_flatt = (1.0 / cf->speedup_self - 1.0 / p) / (1.0 - 1.0 / p);
    }
}

/* Writes ",value" or "," when v is not applicable (not finite). */
static void put_num(FILE *fp, double v)
{
    fputc(',', fp);
    if (isfinite(v))
        fprintf(fp, NUM_FMT, v);
}

/* Writes a header line from n column names. */
static void put_header(FILE *fp, const char *const *cols, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fprintf(fp, "%s%s", i ? "," : "", cols[i]);
    fputc('\n', fp);
}

/* Writes summary.csv: header and one line per configuration. */
static void write_summary(FILE *fp, const struct config *cfs, size_t n)
{
    put_header(fp, summary_cols, sizeof summary_cols / sizeof summary_cols[0]);
    for (size_t i = 0; i < n; i++) {
        const struct config *cf = &cfs[i];
        const struct row *k = cf->first;
        fprintf(fp, "%s,%s,%s,%s,%s,%lld,%lld,%lld,%lld,%lld,%s,%s,%s,%s,%zu",
                k->f[COL_KERNEL], k->f[COL_DRIVER], k->f[COL_SCALING],
                k->f[COL_SIZE], k->f[COL_TOTAL_SIZE], k->cnt[COL_WORKERS],
                k->cnt[COL_RANKS], k->cnt[COL_THREADS], k->cnt[COL_NODES],
                k->cnt[COL_CORES], k->f[COL_CLASS], k->f[COL_SCHEDULE],
                k->f[COL_PARAMS], k->f[COL_RATE_UNIT], cf->n);
        put_num(fp, cf->median);
        put_num(fp, cf->ci_low);
        put_num(fp, cf->ci_high);
        put_num(fp, cf->ci_level);
        put_num(fp, cf->min);
        put_num(fp, cf->max);
        put_num(fp, cf->mean);
        put_num(fp, cf->stddev);
        put_num(fp, cf->startup_median);
        put_num(fp, cf->rate_median);
        fprintf(fp, ",%d,%s", cf->verified_all,
                cf->base_serial != NULL ? serial_driver : "");
        put_num(fp, cf->speedup_serial);
        put_num(fp, cf->efficiency_serial);
        fputc(',', fp);
        if (cf->base_self != NULL)
            fprintf(fp, "%s@%lld", k->f[COL_DRIVER], cf->base_self->first->cnt[COL_WORKERS]);
        put_num(fp, cf->speedup_self);
        put_num(fp, cf->efficiency_self);
        put_num(fp, cf->karp_flatt);
        put_num(fp, cf->weak_efficiency);
        fprintf(fp, ",%s\n", k->f[COL_HOST]);
    }
}

/* Whether a configuration is a point of its series' Amdahl fit: Amdahl's
 * law describes workers that each have a core, so past the core count only
 * the latency class (whose workers mostly wait) is fitted. */
static int fit_point(const struct config *cf)
{
    const struct row *r = cf->first;
    return strcmp(r->f[COL_CLASS], "latency") == 0
           || r->cnt[COL_WORKERS] <= r->cnt[COL_CORES];
}

/* Fits one strong-scaling series cfs[0..n) (sorted by workers) and writes its
 * line, if it has at least two distinct worker counts that are fit points.
 * Uses p and t as scratch (n doubles each). */
static void write_fit(FILE *fp, const struct config *cfs, size_t n,
                      double *p, double *t)
{
    struct amdahl_fit fit;
    size_t m = 0, first = n, last = 0;
    for (size_t i = 0; i < n; i++) {
        if (!fit_point(&cfs[i]))
            continue;
        p[m] = (double)cfs[i].first->cnt[COL_WORKERS];
        t[m++] = cfs[i].median;
        first = first < i ? first : i;
        last = i;
    }
    if (m == 0 || stats_amdahl_fit(p, t, m, &fit) != 0)
        return;
    const struct row *k = cfs[0].first;
    fprintf(fp, "%s,%s,%s,%s,%s,%zu", k->f[COL_KERNEL], k->f[COL_DRIVER],
            k->f[COL_SIZE], k->f[COL_PARAMS], k->f[COL_SCHEDULE], m);
    put_num(fp, fit.a);
    put_num(fp, fit.b);
    put_num(fp, fit.serial_fraction);
    put_num(fp, fit.r2);
    put_num(fp, fit.rms_rel);
    fprintf(fp, ",%lld,%lld\n", cfs[first].first->cnt[COL_WORKERS],
            cfs[last].first->cnt[COL_WORKERS]);
}

/* Writes fits.csv: one Amdahl fit per strong-scaling series (kernel, driver,
 * size, params, schedule). Every configuration of the series with
 * fit_point is one point (p = workers, T = median seconds), whatever its
 * ranks layout.
 * Returns 0 or -1 when out of memory. */
static int write_fits(FILE *fp, const struct config *cfs, size_t n)
{
    double *p = malloc((n ? n : 1) * sizeof *p);
    double *t = malloc((n ? n : 1) * sizeof *t);
    if (p == NULL || t == NULL) {
        free(p);
        free(t);
        return -1;
    }
    put_header(fp, fits_cols, sizeof fits_cols / sizeof fits_cols[0]);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && cmp_series(cfs[i].first, cfs[j].first) == 0)
            j++;
        if (strcmp(cfs[i].first->f[COL_SCALING], strong_scaling) == 0)
            write_fit(fp, &cfs[i], j - i, p, t);
        i = j;
    }
    free(p);
    free(t);
    return 0;
}

/* What write_output writes: summary.csv or fits.csv. */
enum output { OUT_SUMMARY, OUT_FITS };

/* Writes dir/name through a temporary file renamed into place. Returns
 * EXIT_OK or EXIT_FAULT (reported). */
static int write_output(const char *dir, const char *name, enum output what,
                        const struct config *cfs, size_t n)
{
    static const char tmp_suffix[] = ".tmp";
    size_t len = strlen(dir) + 1 + strlen(name) + sizeof tmp_suffix;
    char *path = malloc(len), *tmp = malloc(len);
    int rc = EXIT_OK;
    if (path == NULL || tmp == NULL) {
        fprintf(stderr, "%s: out of memory\n", PROG);
        rc = EXIT_FAULT;
        goto out_free_paths;
    }
    snprintf(path, len, "%s/%s", dir, name);
    snprintf(tmp, len, "%s/%s%s", dir, name, tmp_suffix);

    FILE *fp = fopen(tmp, "w");
    if (fp == NULL) {
        fprintf(stderr, "%s: cannot write '%s': %s\n", PROG, tmp, strerror(errno));
        rc = EXIT_FAULT;
        goto out_free_paths;
    }
    if (what == OUT_SUMMARY) {
        write_summary(fp, cfs, n);
    } else if (write_fits(fp, cfs, n) != 0) {
        fprintf(stderr, "%s: out of memory\n", PROG);
        rc = EXIT_FAULT;
    }
    int bad = ferror(fp);
    if (fclose(fp) != 0 || bad) {
        if (rc == EXIT_OK)
            fprintf(stderr, "%s: cannot write '%s': %s\n", PROG, tmp,
                    strerror(errno ? errno : EIO));
        rc = EXIT_FAULT;
    }
    if (rc == EXIT_OK && rename(tmp, path) != 0) {
        fprintf(stderr, "%s: cannot rename '%s' to '%s': %s\n", PROG, tmp,
                path, strerror(errno));
        rc = EXIT_FAULT;
    }
    if (rc != EXIT_OK)
        remove(tmp);
out_free_paths:
    free(path);
    free(tmp);
    return rc;
}

/* Writes v in the table's number format, or "-" when not applicable. */
static void table_num(char *buf, size_t len, double v)
{
    if (isfinite(v))
        snprintf(buf, len, TABLE_FMT, v);
    else
        snprintf(buf, len, "-");
}

/* Width of the widest value of text column c over all configurations, at
 * least the width of title. */
static int text_width(const struct config *cfs, size_t n, enum col c,
                      const char *title)
{
    size_t w = strlen(title);
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(cfs[i].first->f[c]);
        if (l > w)
            w = l;
    }
    return w > INT_MAX ? INT_MAX : (int)w;
}

/* Prints the human-readable table on stdout. */
static void print_table(const struct config *cfs, size_t n)
{
    enum { NUMBUF = 32 };
    int wk = text_width(cfs, n, COL_KERNEL, "kernel");
    int wd = text_width(cfs, n, COL_DRIVER, "driver");
    int wsz = text_width(cfs, n, COL_SIZE, "size");
    int wu = text_width(cfs, n, COL_RATE_UNIT, "unit");

    printf("# median seconds with its confidence interval (coverage in %%);\n"
           "# speedup and efficiency vs the serial driver (strong scaling),\n"
           "# weak scaling: efficiency = T(1 worker) / T(p) of the same driver\n");
    printf("%-*s  %-*s  %-6s  %-*s  %7s  %10s  %-23s  %5s  %8s  %6s  %10s  %-*s  %s\n",
           wk, "kernel", wd, "driver", "scale", wsz, "size", "workers",
           "median_s", "ci_s", "ci%", "speedup", "eff", "rate", wu, "unit",
           "verified");
    for (size_t i = 0; i < n; i++) {
        const struct config *cf = &cfs[i];
        const struct row *k = cf->first;
        int strong = strcmp(k->f[COL_SCALING], strong_scaling) == 0;
        char med[NUMBUF], lo[NUMBUF], hi[NUMBUF], ci[2 * NUMBUF + 4];
        char sp[NUMBUF], ef[NUMBUF], rate[NUMBUF];
        table_num(med, sizeof med, cf->median);
        table_num(lo, sizeof lo, cf->ci_low);
        table_num(hi, sizeof hi, cf->ci_high);
        snprintf(ci, sizeof ci, "[%s, %s]", lo, hi);
        table_num(sp, sizeof sp, cf->speedup_serial);
        table_num(ef, sizeof ef, strong ? cf->efficiency_serial : cf->weak_efficiency);
        table_num(rate, sizeof rate, cf->rate_median);
        printf("%-*s  %-*s  %-6s  %-*s  %7lld  %10s  %-23s  %5.1f  %8s  %6s  %10s  %-*s  %s\n",
               wk, k->f[COL_KERNEL], wd, k->f[COL_DRIVER], k->f[COL_SCALING],
               wsz, k->f[COL_SIZE], k->cnt[COL_WORKERS], med, ci,
               PERCENT * cf->ci_level, sp, ef, rate, wu, k->f[COL_RATE_UNIT],
               cf->verified_all ? "yes" : "NO");
    }
}

/* Prints the usage text to fp. */
static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: %s [--out DIR] [--table] RAW.csv...\n"
            "\n"
            "Summarise raw parscale CSV rows (one per timed repetition) per\n"
            "configuration and fit Amdahl's law per strong-scaling series.\n"
            "\n"
            "  -o, --out DIR  write DIR/summary.csv and DIR/fits.csv (DIR must\n"
            "                 exist; default: the directory of the first input)\n"
            "  -t, --table    also print a human-readable table on stdout\n"
            "  -h, --help     print this help and exit\n"
            "\n"
            "Exit status: 0 success, 1 I/O or memory failure, 2 bad usage or\n"
            "malformed input (reported as FILE:LINE: what is wrong).\n",
            PROG);
}

/* Parses options, reads all inputs, writes the summaries. */
int main(int argc, char **argv)
{
    static const struct option options[] = {
        {"out", required_argument, NULL, 'o'},
        {"table", no_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *out_dir = NULL;
    int table = 0, opt;

    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":o:th", options, NULL)) != -1) {
        switch (opt) {
        case 'o':
            out_dir = optarg;
            break;
        case 't':
            table = 1;
            break;
        case 'h':
            usage(stdout);
            return EXIT_OK;
        case ':':
            fprintf(stderr, "%s: option '%s' needs a value (see --help)\n",
                    PROG, argv[optind - 1]);
            return EXIT_USAGE;
        default:
            if (optopt != 0)
                fprintf(stderr, "%s: unknown option '-%c' (see --help)\n",
                        PROG, optopt);
            else
                fprintf(stderr, "%s: unknown option '%s' (see --help)\n",
                        PROG, argv[optind - 1]);
            return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "%s: no input files (see --help)\n", PROG);
        return EXIT_USAGE;
    }
    if (out_dir != NULL && *out_dir == '\0') {
        fprintf(stderr, "%s: option '--out' needs a directory (see --help)\n", PROG);
        return EXIT_USAGE;
    }

    g_paths = argv + optind;
    size_t nfiles = (size_t)(argc - optind);
    struct rowvec rows = {0};
    struct config *cfs = NULL;
    size_t ncf = 0;
    char *dir_copy = NULL;
    int rc = EXIT_OK;

    for (size_t i = 0; i < nfiles && rc == EXIT_OK; i++)
        rc = read_input(i, &rows);
    if (rc != EXIT_OK)
        goto out_free_rows;
    if (rows.n == 0) {
        fprintf(stderr, "%s: no data rows in the input, only headers\n", PROG);
        rc = EXIT_USAGE;
        goto out_free_rows;
    }

    qsort(rows.v, rows.n, sizeof *rows.v, cmp_rows);
    rc = group_rows(&rows, &cfs, &ncf);
    if (rc != EXIT_OK)
        goto out_free_rows;
    compare(cfs, ncf);

    if (out_dir == NULL) {
        dir_copy = strdup(g_paths[0]);
        if (dir_copy == NULL) {
            fprintf(stderr, "%s: out of memory\n", PROG);
            rc = EXIT_FAULT;
            goto out_free_configs;
        }
        out_dir = dirname(dir_copy);
    }
    rc = write_output(out_dir, "summary.csv", OUT_SUMMARY, cfs, ncf);
    if (rc == EXIT_OK)
        rc = write_output(out_dir, "fits.csv", OUT_FITS, cfs, ncf);
    if (rc == EXIT_OK && table) {
        print_table(cfs, ncf);
        if (fflush(stdout) != 0 || ferror(stdout)) {
            fprintf(stderr, "%s: cannot write the table: %s\n", PROG, strerror(errno));
            rc = EXIT_FAULT;
        }
    }

    free(dir_copy);
out_free_configs:
    free(cfs);
out_free_rows:
    rowvec_free(&rows);
    return rc;
}
