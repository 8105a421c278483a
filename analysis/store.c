/*
 * store.c — reads raw parscale CSV in one pass: every field is checked
 * against its kind in the schema, rows are grouped into configurations as
 * they come, and only a small sample per row is kept.  Anything malformed
 * stops the reader with "FILE:LINE: what is wrong", so no summary is ever
 * built from rows it could not read.
 */
#define _POSIX_C_SOURCE 200809L

#include "store.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "rowparse.h"
#include "stats.h"

#define INITIAL 64
/* A configuration's first room for samples: a typical run's repetitions. */
#define SAMPLES_FIRST 8

/* Columns every row of one configuration must agree on. */
static const enum ps_raw_col consistent[] = {
    PS_COL_CLASS, PS_COL_TOTAL_SIZE, PS_COL_CORES, PS_COL_RATE_UNIT, PS_COL_HOST,
    PS_COL_KERNEL_LIB_SHA256,
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

int store_reserve(void **v, size_t *cap, size_t n, size_t each, size_t first)
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
    return store_reserve(v, cap, n, each, INITIAL);
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
                              "at %s:%lu for the same configuration", row_column_name(c),
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
        || store_reserve((void **)&cf->s, &cap, cf->n, sizeof *cf->s, SAMPLES_FIRST) != 0)
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
    s->instructions = (float)r->num[PS_COL_INSTRUCTIONS];
    s->cycles = (float)r->num[PS_COL_CYCLES];
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
        if (row_is_header(fields, n)) {
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
            row_header_error(st, file, fields, n);
            rc = EXIT_USAGE;
            break;
        }
        r.file = file;
        r.line = lineno;
        if (row_parse(st, &r, fields, n, ncols) != 0) {
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
