/*
 * raw_schema.h - the raw CSV schema, defined once: the drivers' writer and
 * the summariser's reader both expand this list, so the header line, the
 * column order and what each value must look like cannot drift apart.
 *
 * PS_RAW_COLUMNS(X) calls X(ID, "name", KIND) once per column, in file
 * order.  Columns are only ever appended.  KIND says what a value must look
 * like (checked by the reader):
 *   TEXT      non-empty text            TEXT_OPT   text, may be empty
 *   ANY       anything (not checked)    SCALING    strong or weak
 *   COUNT     integer >= 1              COUNT0     integer >= 0
 *   COUNT_OPT integer >= 1 or empty     FLAG       0 or 1
 *   POSITIVE  finite real > 0           NONNEG     finite real >= 0
 *   NONNEG_OPT finite real >= 0 or empty
 * Files written before a column existed end earlier; the reader treats
 * their missing columns as empty, which every column after
 * PS_RAW_MIN_COLUMNS allows.
 */
#ifndef PARSCALE_RAW_SCHEMA_H
#define PARSCALE_RAW_SCHEMA_H

#define PS_RAW_COLUMNS(X)                                                     \
    X(RUN_ID, "run_id", TEXT)                                                 \
    X(KERNEL, "kernel", TEXT)                                                 \
    X(DRIVER, "driver", TEXT)                                                 \
    X(SCALING, "scaling", SCALING)                                            \
    X(SIZE, "size", TEXT)                                                     \
    X(WORKERS, "workers", COUNT)                                              \
    X(REP, "rep", COUNT)                                                      \
    X(SECONDS, "seconds", POSITIVE)                                           \
    X(STARTUP, "startup_seconds", NONNEG)                                     \
    X(RATE, "rate", NONNEG)                                                   \
    X(RATE_UNIT, "rate_unit", TEXT)                                           \
    X(VERIFIED, "verified", FLAG)                                             \
    X(HOST, "host", TEXT)                                                     \
    X(TIMESTAMP, "timestamp", TEXT)                                           \
    X(CLASS, "class", TEXT)                                                   \
    X(TOTAL_SIZE, "total_size", TEXT)                                         \
    X(RANKS, "ranks", COUNT)                                                  \
    X(THREADS, "threads_per_rank", COUNT)                                     \
    X(NODES, "nodes", COUNT)                                                  \
    X(CORES, "cores", COUNT)                                                  \
    X(SCHEDULE, "schedule", TEXT)                                             \
    X(PARAMS, "params", TEXT_OPT)                                             \
    X(WARMUP, "warmup", COUNT0)                                               \
    X(WORK, "work", NONNEG)                                                   \
    X(WORK_UNIT, "work_unit", TEXT)                                           \
    X(CHECKSUM, "checksum", ANY)                                              \
    X(CHECK_ERROR, "check_error", ANY)                                        \
    X(VERSION, "version", TEXT)                                               \
    X(HOSTS, "hosts", TEXT_OPT)                                               \
    X(BIND, "bind", TEXT_OPT)                                                 \
    X(AFFINITY, "affinity", TEXT_OPT)                                         \
    X(PHYSICAL_CORES, "physical_cores", COUNT_OPT)                            \
    X(NUMA_NODES, "numa_nodes", COUNT_OPT)                                    \
    X(LLC_BYTES, "llc_bytes", NONNEG_OPT)                                     \
    X(WORKING_SET, "working_set_bytes", NONNEG_OPT)                           \
    X(EMPTY_SECONDS, "empty_seconds", NONNEG_OPT)                             \
    X(RUNTIME_ENV, "runtime_env", TEXT_OPT)                                   \
    X(USEFUL_MAX, "useful_max", NONNEG_OPT)                                   \
    X(USEFUL_MEAN, "useful_mean", NONNEG_OPT)                                 \
    X(USEFUL_MIN, "useful_min", NONNEG_OPT)                                   \
    X(TEAM_MAX, "team_max", NONNEG_OPT)                                       \
    X(TEAM_MEAN, "team_mean", NONNEG_OPT)                                     \
    X(INSTRUCTIONS, "instructions", NONNEG_OPT)                               \
    X(CYCLES, "cycles", NONNEG_OPT)                                           \
    X(KERNEL_LIB, "kernel_lib", TEXT_OPT)                                     \
    X(KERNEL_LIB_SHA256, "kernel_lib_sha256", TEXT_OPT)

/* Column indices, PS_COL_RUN_ID = 0 ... */
enum ps_raw_col {
#define PS_RAW_ENUM(id, name, kind) PS_COL_##id,
    PS_RAW_COLUMNS(PS_RAW_ENUM)
#undef PS_RAW_ENUM
    PS_RAW_NCOLS
};

/* Files from before the first optional column end at `version`. */
#define PS_RAW_MIN_COLUMNS PS_COL_HOSTS

#endif
