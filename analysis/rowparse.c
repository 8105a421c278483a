/*
 * rowparse.c — one raw CSV line checked field by field against its kind in
 * the schema (include/parscale/raw_schema.h), numbers parsed without strtod
 * in the common case; for store.c, which groups the rows.
 */
#define _POSIX_C_SOURCE 200809L

#include "rowparse.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* What a raw field must look like (raw_schema.h). */
enum kind { TEXT, TEXT_OPT, ANY, SCALING, COUNT, COUNT0, COUNT_OPT, FLAG,
            POSITIVE, NONNEG, NONNEG_OPT };

static const struct {
    const char *name;
    enum kind kind;
} cols[PS_RAW_NCOLS] = {
#define PS_RAW_SPEC(id, name, kind) [PS_COL_##id] = {name, kind},
    PS_RAW_COLUMNS(PS_RAW_SPEC)
#undef PS_RAW_SPEC
};

const char *row_column_name(enum ps_raw_col c)
{
    return cols[c].name;
}

/* Powers of ten a double holds exactly. */
static const double exact_pow10[] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};
#define EXACT_POW10_MAX 22
#define EXACT_MANTISSA (1ULL << 53)

/* The common case of a number as printf writes it ([-]digits[.digits]
 * [e[+-]digits]) without strtod: when the digits form an integer below
 * 2^53 and the power of ten is at most 10^22, m x 10^e or m / 10^e is one
 * correctly rounded operation on exact operands (Clinger's fast path).
 * Returns 0, or -1 to leave the field to strtod. */
static int parse_fast(const char *s, double *out)
{
    const char *p = s;
    int neg = *p == '-';
    if (*p == '-' || *p == '+')
        p++;
    unsigned long long m = 0;
    int digits = 0, scale = 0;
    for (; *p >= '0' && *p <= '9'; p++, digits++) {
        if (m >= EXACT_MANTISSA / 10)
            return -1;
        m = m * 10 + (unsigned)(*p - '0');
    }
    if (*p == '.') {
        for (p++; *p >= '0' && *p <= '9'; p++, digits++, scale--) {
            if (m >= EXACT_MANTISSA / 10)
                return -1;
            m = m * 10 + (unsigned)(*p - '0');
        }
    }
    if (digits == 0)
        return -1;
    if (*p == 'e' || *p == 'E') {
        int eneg = 0, e = 0, edigits = 0;
        p++;
        if (*p == '-' || *p == '+')
            eneg = *p++ == '-';
        for (; *p >= '0' && *p <= '9' && e < 1000; p++, edigits++)
            e = e * 10 + (*p - '0');
        if (edigits == 0)
            return -1;
        scale += eneg ? -e : e;
    }
    if (*p != '\0' || scale > EXACT_POW10_MAX || scale < -EXACT_POW10_MAX)
        return -1;
    double v = scale >= 0 ? (double)m * exact_pow10[scale] : (double)m / exact_pow10[-scale];
    *out = neg ? -v : v;
    return 0;
}

/* Parses a whole field as a finite double; returns 0 or -1. */
static int parse_real(const char *s, double *out)
{
    if (parse_fast(s, out) == 0)
        return 0;
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
    const char *p = s;
    long long fast = 0;
    while (*p >= '0' && *p <= '9' && fast < LLONG_MAX / 10 - 10)
        fast = fast * 10 + (*p++ - '0');
    if (*p == '\0' && p > s) {
        *out = fast;
        return 0;
    }
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
static int check_field(const struct store *st, struct row *r, enum ps_raw_col c)
{
    const char *s = r->f[c], *name = cols[c].name;
    enum kind kind = cols[c].kind;
    double v;
    long long k;

    r->num[c] = NAN;
    r->cnt[c] = 0;
    if (*s == '\0' && (kind == TEXT_OPT || kind == ANY || kind == COUNT_OPT
                       || kind == NONNEG_OPT))
        return 0;
    switch (kind) {
    case ANY:
    case TEXT_OPT:
        return 0;
    case TEXT:
        if (*s != '\0')
            return 0;
        store_input_error(st, r->file, r->line, "%s is empty", name);
        return -1;
    case SCALING:
        if (strcmp(s, "strong") == 0 || strcmp(s, "weak") == 0)
            return 0;
        store_input_error(st, r->file, r->line, "%s is '%.*s', expected strong or weak",
                          name, SHOW_MAX, s);
        return -1;
    case FLAG:
        if (strcmp(s, "0") == 0 || strcmp(s, "1") == 0) {
            r->cnt[c] = *s == '1';
            return 0;
        }
        store_input_error(st, r->file, r->line, "%s is '%.*s', expected 0 or 1",
                          name, SHOW_MAX, s);
        return -1;
    case COUNT:
    case COUNT0:
    case COUNT_OPT: {
        long long least = kind == COUNT0 ? 0 : 1;
        if (parse_int(s, &k) == 0 && k >= least) {
            r->cnt[c] = k;
            return 0;
        }
        store_input_error(st, r->file, r->line, "%s is '%.*s', expected an integer >= %lld",
                          name, SHOW_MAX, s, least);
        return -1;
    }
    case POSITIVE:
    case NONNEG:
    case NONNEG_OPT:
        if (parse_real(s, &v) != 0) {
            store_input_error(st, r->file, r->line, "%s is '%.*s', not a finite number",
                              name, SHOW_MAX, s);
            return -1;
        }
        if (v < 0.0 || (v == 0.0 && kind == POSITIVE)) {
            store_input_error(st, r->file, r->line, "%s is '%.*s', expected a number %s 0",
                              name, SHOW_MAX, s, kind == POSITIVE ? ">" : ">=");
            return -1;
        }
        r->num[c] = v;
        return 0;
    }
    return 0;
}

/* Returns 1 if the n split fields are the raw header of this or an older
 * version (a prefix of at least PS_RAW_MIN_COLUMNS columns). */
int row_is_header(char *const *fields, size_t n)
{
    if (n < PS_RAW_MIN_COLUMNS || n > PS_RAW_NCOLS)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(fields[i], cols[i].name) != 0)
            return 0;
    return 1;
}

/* Prints why a first line is not the raw header. */
void row_header_error(const struct store *st, size_t file, char *const *fields, size_t n)
{
    size_t shown = n < PS_RAW_NCOLS ? n : PS_RAW_NCOLS;
    for (size_t i = 0; i < shown; i++) {
        if (strcmp(fields[i], cols[i].name) != 0) {
            store_input_error(st, file, 1, "foreign header, not a raw parscale csv: "
                              "column %zu is '%.*s', expected '%s'",
                              i + 1, SHOW_MAX, fields[i], cols[i].name);
            return;
        }
    }
    store_input_error(st, file, 1, "foreign header, not a raw parscale csv: "
                      "%zu columns, expected %d to %d", n, PS_RAW_MIN_COLUMNS,
                      PS_RAW_NCOLS);
}

/* Checks every field of a data line; returns 0 or -1 after printing. */
int row_parse(const struct store *st, struct row *r, char *const *fields,
                     size_t n, size_t ncols)
{
    if (n != ncols) {
        store_input_error(st, r->file, r->line, "expected %zu fields, found %zu", ncols, n);
        return -1;
    }
    for (size_t c = 0; c < PS_RAW_NCOLS; c++)
        r->f[c] = c < n ? fields[c] : "";
    for (size_t c = 0; c < PS_RAW_NCOLS; c++)
        if (check_field(st, r, (enum ps_raw_col)c) != 0)
            return -1;
    long long ranks = r->cnt[PS_COL_RANKS], threads = r->cnt[PS_COL_THREADS];
    if (ranks > LLONG_MAX / threads || ranks * threads != r->cnt[PS_COL_WORKERS]) {
        store_input_error(st, r->file, r->line, "workers %lld is not ranks %lld x "
                          "threads_per_rank %lld", r->cnt[PS_COL_WORKERS], ranks, threads);
        return -1;
    }
    return 0;
}
