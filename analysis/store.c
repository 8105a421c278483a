/*
 * store.c — reads raw parscale CSV in one pass: every field is checked
 * against its kind in the schema, rows are grouped into configurations as
 * they come, and only a small sample per row is kept.  Anything malformed
 * stops the reader with "FILE:LINE: what is wrong", so no summary is ever
 * built from rows it could not read.
 */
#define _POSIX_C_SOURCE 200809L

#include "store.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "stats.h"

/* Characters of a bad value quoted in an error message. */
#define SHOW_MAX 40
#define INITIAL 64
/* A configuration's first room for samples: a typical run's repetitions. */
#define SAMPLES_FIRST 8

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

/* Columns every row of one configuration must agree on. */
static const enum ps_raw_col consistent[] = {
    PS_COL_CLASS, PS_COL_TOTAL_SIZE, PS_COL_CORES, PS_COL_RATE_UNIT, PS_COL_HOST,
    PS_COL_KERNEL_LIB_SHA256,
};

/* One row being read: its fields and the values parsed from them. */
struct row {
    char *f[PS_RAW_NCOLS];
    double num[PS_RAW_NCOLS];  /* NAN for empty optional numbers */
    long long cnt[PS_RAW_NCOLS];
    size_t file;
    unsigned long line;
};

void store_input_error(const struct store *st, size_t file, unsigned long line,
                       const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: %s:%lu: ", PROG, st->paths[file], line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static int out_of_memory(void)
{
    fprintf(stderr, "%s: out of memory\n", PROG);
    return EXIT_FAULT;
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
static int is_header(char *const *fields, size_t n)
{
    if (n < PS_RAW_MIN_COLUMNS || n > PS_RAW_NCOLS)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(fields[i], cols[i].name) != 0)
            return 0;
    return 1;
}

/* Prints why a first line is not the raw header. */
static void header_error(const struct store *st, size_t file, char *const *fields, size_t n)
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
static int parse_row(const struct store *st, struct row *r, char *const *fields,
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

/* ---- configurations and runs ---------------------------------------- */

static uint64_t key_hash(const struct row *r)
{
    static const enum ps_raw_col text[] = {
        PS_COL_KERNEL, PS_COL_DRIVER, PS_COL_SCALING, PS_COL_SIZE,
        PS_COL_PARAMS, PS_COL_SCHEDULE, PS_COL_RUNTIME_ENV,
    };
    uint64_t h = 0;
    for (size_t i = 0; i < sizeof text / sizeof text[0]; i++)
        h = hash_mix(h, hash_str(r->f[text[i]]));
    h = hash_mix(h, (uint64_t)r->cnt[PS_COL_WORKERS]);
    h = hash_mix(h, (uint64_t)r->cnt[PS_COL_RANKS]);
    h = hash_mix(h, (uint64_t)r->cnt[PS_COL_THREADS]);
    return hash_mix(h, (uint64_t)r->cnt[PS_COL_NODES]);
}

/* Is configuration cf the one row r belongs to? */
static int key_equal(const struct config *cf, const struct row *r)
{
    return cf->workers == r->cnt[PS_COL_WORKERS] && cf->ranks == r->cnt[PS_COL_RANKS]
           && cf->threads == r->cnt[PS_COL_THREADS] && cf->nodes == r->cnt[PS_COL_NODES]
           && strcmp(cf->kernel, r->f[PS_COL_KERNEL]) == 0
           && strcmp(cf->driver, r->f[PS_COL_DRIVER]) == 0
           && strcmp(cf->scaling, r->f[PS_COL_SCALING]) == 0
           && strcmp(cf->size, r->f[PS_COL_SIZE]) == 0
           && strcmp(cf->params, r->f[PS_COL_PARAMS]) == 0
           && strcmp(cf->schedule, r->f[PS_COL_SCHEDULE]) == 0
           && strcmp(cf->runtime_env, r->f[PS_COL_RUNTIME_ENV]) == 0;
}

struct key_lookup {
    const struct store *st;
    const struct row *r;
};

static int config_matches(const void *ctx, uint32_t index)
{
    const struct key_lookup *l = ctx;
    return key_equal(&l->st->cfg[index], l->r);
}

struct run_lookup {
    const struct store *st;
    const char *id;
};

static int run_matches(const void *ctx, uint32_t index)
{
    const struct run_lookup *l = ctx;
    return strcmp(l->st->runs[index].id, l->id) == 0;
}

const char *store_intern(struct store *st, const char *s)
{
    return strpool_intern(st->pool, s);
}

/* Grows *v (of *cap elements of size each) to hold one more than n,
 * starting at `first` elements. */
static int reserve_from(void **v, size_t *cap, size_t n, size_t each, size_t first)
{
    if (n < *cap)
        return 0;
    size_t grown = *cap ? *cap + *cap / 2 : first;    /* 1.5x: less slack per config */
    void *p = realloc(*v, grown * each);
    if (p == NULL)
        return -1;
    *v = p;
    *cap = grown;
    return 0;
}

static int reserve(void **v, size_t *cap, size_t n, size_t each)
{
    return reserve_from(v, cap, n, each, INITIAL);
}

/* Makes a new configuration from its first row; returns its index or -1. */
static long new_config(struct store *st, const struct row *r, uint64_t h)
{
    if (st->ncfg >= UINT32_MAX
        || reserve((void **)&st->cfg, &st->capcfg, st->ncfg, sizeof *st->cfg) != 0)
        return -1;
    struct config *cf = &st->cfg[st->ncfg];
    memset(cf, 0, sizeof *cf);
    const char **text[] = {
        &cf->kernel, &cf->driver, &cf->scaling, &cf->size, &cf->params, &cf->schedule,
        &cf->cls, &cf->total_size, &cf->rate_unit, &cf->work_unit, &cf->host,
        &cf->hosts, &cf->bind, &cf->runtime_env, &cf->kernel_lib_sha256,
    };
    static const enum ps_raw_col from[] = {
        PS_COL_KERNEL, PS_COL_DRIVER, PS_COL_SCALING, PS_COL_SIZE, PS_COL_PARAMS,
        PS_COL_SCHEDULE, PS_COL_CLASS, PS_COL_TOTAL_SIZE, PS_COL_RATE_UNIT,
        PS_COL_WORK_UNIT, PS_COL_HOST, PS_COL_HOSTS, PS_COL_BIND, PS_COL_RUNTIME_ENV,
        PS_COL_KERNEL_LIB_SHA256,
    };
    for (size_t i = 0; i < sizeof from / sizeof from[0]; i++)
        if ((*text[i] = store_intern(st, r->f[from[i]])) == NULL)
            return -1;
    cf->workers = r->cnt[PS_COL_WORKERS];
    cf->ranks = r->cnt[PS_COL_RANKS];
    cf->threads = r->cnt[PS_COL_THREADS];
    cf->nodes = r->cnt[PS_COL_NODES];
    cf->cores = r->cnt[PS_COL_CORES];
    cf->physical_cores = r->cnt[PS_COL_PHYSICAL_CORES];
    cf->numa_nodes = r->cnt[PS_COL_NUMA_NODES];
    cf->llc_bytes = r->num[PS_COL_LLC_BYTES];
    cf->working_set = r->num[PS_COL_WORKING_SET];
    cf->work = r->num[PS_COL_WORK];
    cf->first_file = (uint16_t)r->file;
    cf->first_line = (uint32_t)r->line;
    if (hashidx_add(&st->cfg_index, h, (uint32_t)st->ncfg) != 0)
        return -1;
    return (long)st->ncfg++;
}

/* The configuration row r belongs to, made when new; -1 out of memory, -2
 * after reporting a row that contradicts its configuration. */
static long find_config(struct store *st, const struct row *r, long hint)
{
    long i = hint;
    if (i < 0 || !key_equal(&st->cfg[i], r)) {
        uint64_t h = key_hash(r);
        struct key_lookup l = {st, r};
        i = hashidx_find(&st->cfg_index, h, config_matches, &l);
        if (i < 0)
            return new_config(st, r, h);
    }
    const struct config *cf = &st->cfg[i];
    const char *have[] = {cf->cls, cf->total_size, NULL, cf->rate_unit, cf->host,
                          cf->kernel_lib_sha256};
    for (size_t k = 0; k < sizeof consistent / sizeof consistent[0]; k++) {
        enum ps_raw_col c = consistent[k];
        char cores[32];
        if (c == PS_COL_CORES)
            snprintf(cores, sizeof cores, "%ld", cf->cores);
        const char *want = c == PS_COL_CORES ? cores : have[k];
        int differs = c == PS_COL_CORES ? r->cnt[c] != cf->cores
                                        : strcmp(want, r->f[c]) != 0;
        if (differs) {
            store_input_error(st, r->file, r->line, "%s '%.*s' differs from '%.*s' "
                              "at %s:%lu for the same configuration", cols[c].name,
                              SHOW_MAX, r->f[c], SHOW_MAX, want, st->paths[cf->first_file],
                              (unsigned long)cf->first_line);
            return -2;
        }
    }
    return i;
}

/* The run of row r (made when new); -1 out of memory, -2 after reporting
 * a run id that names rows of two configurations. */
static long find_run(struct store *st, const struct row *r, long config, long hint)
{
    const char *id = r->f[PS_COL_RUN_ID];
    long i = hint;
    if (i < 0 || strcmp(st->runs[i].id, id) != 0) {
        uint64_t h = hash_str(id);
        struct run_lookup l = {st, id};
        i = hashidx_find(&st->run_index, h, run_matches, &l);
        if (i < 0) {
            if (st->nruns >= UINT32_MAX
                || reserve((void **)&st->runs, &st->capruns, st->nruns, sizeof *st->runs) != 0)
                return -1;
            struct run *run = &st->runs[st->nruns];
            run->id = store_intern(st, id);
            run->config = (uint32_t)config;
            run->startup = r->num[PS_COL_STARTUP];
            run->empty = r->num[PS_COL_EMPTY_SECONDS];
            if (run->id == NULL || hashidx_add(&st->run_index, h, (uint32_t)st->nruns) != 0)
                return -1;
            return (long)st->nruns++;
        }
    }
    if (st->runs[i].config != (uint32_t)config) {
        const struct config *other = &st->cfg[st->runs[i].config];
        store_input_error(st, r->file, r->line, "run '%.*s' has rows of two "
                          "configurations (its first is at %s:%lu)", SHOW_MAX, id,
                          st->paths[other->first_file], (unsigned long)other->first_line);
        return -2;
    }
    return i;
}

/* Adds row r's sample to its configuration. */
static int add_sample(struct config *cf, const struct row *r, uint32_t run)
{
    size_t cap = cf->cap;
    if (cf->n == UINT32_MAX
        || reserve_from((void **)&cf->s, &cap, cf->n, sizeof *cf->s, SAMPLES_FIRST) != 0)
        return -1;
    cf->cap = (uint32_t)cap;
    struct sample *s = &cf->s[cf->n++];
    s->seconds = r->num[PS_COL_SECONDS];
    s->rate = (float)r->num[PS_COL_RATE];
    s->useful_max = (float)r->num[PS_COL_USEFUL_MAX];
    s->useful_mean = (float)r->num[PS_COL_USEFUL_MEAN];
    s->useful_min = (float)r->num[PS_COL_USEFUL_MIN];
    s->team_max = (float)r->num[PS_COL_TEAM_MAX];
    s->team_mean = (float)r->num[PS_COL_TEAM_MEAN];
    s->run = run;
    s->rep = r->cnt[PS_COL_REP] > UINT32_MAX ? UINT32_MAX : (uint32_t)r->cnt[PS_COL_REP];
    s->line = r->line > UINT32_MAX ? UINT32_MAX : (uint32_t)r->line;
    s->file = (uint16_t)r->file;
    s->verified = (uint8_t)r->cnt[PS_COL_VERIFIED];
    return 0;
}

int store_init(struct store *st, char *const *paths)
{
    memset(st, 0, sizeof *st);
    st->paths = paths;
    st->pool = strpool_new();
    return st->pool ? 0 : -1;
}

int store_read(struct store *st, size_t file)
{
    const char *path = st->paths[file];
    if (file > UINT16_MAX) {
        fprintf(stderr, "%s: too many input files (at most %u)\n", PROG, UINT16_MAX + 1);
        return EXIT_USAGE;
    }
    FILE *fp = fopen(path, "r");
    if (fp == NULL) {
        fprintf(stderr, "%s: cannot open '%s': %s\n", PROG, path, strerror(errno));
        return EXIT_USAGE;
    }
    int rc = EXIT_OK;
    unsigned long lineno = 0;
    size_t ncols = PS_RAW_NCOLS, cap = 0, len;
    char *line = NULL, *fields[PS_RAW_NCOLS];
    long last_cfg = -1, last_run = -1;
    struct row r;
    for (;;) {
        int got = csv_getline(fp, &line, &cap, &len);
        if (got == 0)
            break;
        if (got < 0) {
            fprintf(stderr, "%s: cannot read '%s': %s\n", PROG, path, strerror(errno));
            rc = EXIT_FAULT;
            break;
        }
        lineno++;
        const char *defect;
        size_t n = csv_split_checked(line, len, fields, PS_RAW_NCOLS, &defect);
        if (defect != NULL) {
            store_input_error(st, file, lineno, "%s", defect);
            rc = EXIT_USAGE;
            break;
        }
        if (is_header(fields, n)) {
            if (lineno > 1 && n != ncols) {
                store_input_error(st, file, lineno, "header with %zu columns after one "
                                  "with %zu", n, ncols);
                rc = EXIT_USAGE;
                break;
            }
            ncols = n;
            continue;
        }
        if (lineno == 1) {
            header_error(st, file, fields, n);
            rc = EXIT_USAGE;
            break;
        }
        r.file = file;
        r.line = lineno;
        if (parse_row(st, &r, fields, n, ncols) != 0) {
            rc = EXIT_USAGE;
            break;
        }
        long c = find_config(st, &r, last_cfg);
        long run = c >= 0 ? find_run(st, &r, c, last_run) : c;
        if (run == -2) {
            rc = EXIT_USAGE;
            break;
        }
        if (run < 0 || add_sample(&st->cfg[c], &r, (uint32_t)run) != 0) {
            rc = out_of_memory();
            break;
        }
        last_cfg = c;
        last_run = run;
    }
    free(line);
    if (rc == EXIT_OK && lineno == 0) {
        store_input_error(st, file, 1, "empty file, expected the raw parscale header");
        rc = EXIT_USAGE;
    }
    if (fclose(fp) != 0 && rc == EXIT_OK) {
        fprintf(stderr, "%s: cannot read '%s': %s\n", PROG, path, strerror(errno));
        rc = EXIT_FAULT;
    }
    return rc;
}

/* Sample order that makes repeated repetitions meet: run, repetition, then
 * where they were read, so the later one is reported. */
static int cmp_sample(const void *pa, const void *pb)
{
    const struct sample *a = pa, *b = pb;
    if (a->run != b->run)
        return a->run < b->run ? -1 : 1;
    if (a->rep != b->rep)
        return a->rep < b->rep ? -1 : 1;
    if (a->file != b->file)
        return a->file < b->file ? -1 : 1;
    return (a->line > b->line) - (a->line < b->line);
}

/* Whether samples are already in cmp_sample order (the usual case: a
 * driver writes its repetitions in order, one run after another). */
static int samples_sorted(const struct sample *s, uint32_t n)
{
    for (uint32_t k = 1; k < n; k++)
        if (cmp_sample(&s[k - 1], &s[k]) > 0)
            return 0;
    return 1;
}

int store_finish(struct store *st)
{
    for (size_t i = 0; i < st->ncfg; i++) {
        struct config *cf = &st->cfg[i];
        if (!samples_sorted(cf->s, cf->n))
            qsort(cf->s, cf->n, sizeof *cf->s, cmp_sample);
        for (uint32_t k = 1; k < cf->n; k++) {
            const struct sample *a = &cf->s[k - 1], *b = &cf->s[k];
            if (a->run == b->run && a->rep == b->rep) {
                store_input_error(st, b->file, b->line, "repetition %u of run '%.*s' "
                                  "already read at %s:%u", b->rep, SHOW_MAX,
                                  st->runs[b->run].id, st->paths[a->file], a->line);
                return EXIT_USAGE;
            }
        }
        cf->seconds = malloc(cf->n * sizeof *cf->seconds);
        if (cf->seconds == NULL)
            return out_of_memory();
        for (uint32_t k = 0; k < cf->n; k++)
            cf->seconds[k] = cf->s[k].seconds;
        stats_sort(cf->seconds, cf->n);
    }
    return EXIT_OK;
}

void store_drop_samples(struct store *st)
{
    for (size_t i = 0; i < st->ncfg; i++) {
        free(st->cfg[i].s);
        st->cfg[i].s = NULL;
        st->cfg[i].cap = 0;
    }
}

void store_free(struct store *st)
{
    for (size_t i = 0; i < st->ncfg; i++) {
        free(st->cfg[i].s);
        free(st->cfg[i].seconds);
    }
    free(st->cfg);
    free(st->runs);
    hashidx_free(&st->cfg_index);
    hashidx_free(&st->run_index);
    strpool_free(st->pool);
}
