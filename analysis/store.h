/*
 * store.h — raw parscale rows read in one pass into configurations.
 *
 * The reader checks every field against the one schema
 * (include/parscale/raw_schema.h) and keeps only what the summary needs: per
 * configuration its key and descriptive fields (interned strings, so equal
 * strings are equal pointers), and per repetition one small sample.  Memory
 * is linear in the rows and does not hold their text.
 */
#ifndef PARSCALE_ANALYSIS_STORE_H
#define PARSCALE_ANALYSIS_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "hashidx.h"
#include "parscale/raw_schema.h"

/* Exit codes (DESIGN.md): success, runtime fault, bad input or usage. */
enum { EXIT_OK = 0, EXIT_FAULT = 1, EXIT_USAGE = 2 };

#define PROG "parscale-summarize"

/* One timed repetition: what varies from row to row. */
struct sample {
    double seconds;
    float rate;
    float useful_max, useful_mean, useful_min;   /* NAN when not recorded */
    float team_max, team_mean;
    float instructions, cycles;              /* NAN when not counted */
    uint32_t run;              /* index into store.runs */
    uint32_t rep;
    uint32_t line;             /* where it was read, for messages */
    uint16_t file;
    uint8_t verified;
};

/* One driver run (a run_id): what is the same on all its rows. */
struct run {
    const char *id;
    uint32_t config;
    double startup, empty;     /* empty NAN when not recorded */
};

/* One configuration: the key (kernel, driver, scaling, size, params,
 * schedule, runtime settings, layout), the fields every row must agree
 * on, and its samples. */
struct config {
    const char *kernel, *driver, *scaling, *size, *params, *schedule;
    long workers, ranks, threads, nodes;
    const char *cls, *total_size, *rate_unit, *work_unit, *host, *hosts,
        *bind, *runtime_env, *kernel_lib_sha256;
    const char *series_env;    /* runtime_env where it tells series apart,
                                  else "" (set by derive.c) */
    long cores, physical_cores, numa_nodes;   /* 0: not recorded */
    double llc_bytes, working_set, work;      /* NAN: not recorded */
    uint16_t first_file;
    uint32_t first_line;
    struct sample *s;
    uint32_t n, cap;
    double *seconds;           /* sorted copy, made by store_finish */
};

struct store {
    struct config *cfg;
    size_t ncfg, capcfg;
    struct run *runs;
    size_t nruns, capruns;
    char *const *paths;        /* input file names, for messages */
    struct strpool *pool;
    struct hashidx cfg_index, run_index;
};

/* Prints "parscale-summarize: FILE:LINE: " and the message, one line. */
void store_input_error(const struct store *st, size_t file, unsigned long line,
                       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Prepares an empty store for inputs named paths[0..]. Returns 0 or -1. */
int store_init(struct store *st, char *const *paths);
/* Reads paths[file] into the store.  Returns EXIT_OK, EXIT_USAGE for bad
 * input or EXIT_FAULT for an I/O or memory failure (all reported). */
int store_read(struct store *st, size_t file);
/* After the last file: rejects repeated repetitions and sorts each
 * configuration's times.  Returns EXIT_OK, EXIT_USAGE or EXIT_FAULT. */
int store_finish(struct store *st);
/* Frees every configuration's samples (their sorted times stay). */
void store_drop_samples(struct store *st);
void store_free(struct store *st);

/* Grows *v (*cap elements of `each` bytes) to hold one more than n: to
 * `first` elements, then by half again.  Returns 0, or -1 out of memory
 * (*v unchanged). */
int store_reserve(void **v, size_t *cap, size_t n, size_t each, size_t first);

/* Interns s; returns the one copy of it (NULL when out of memory). */
const char *store_intern(struct store *st, const char *s);

#endif
