/*
 * kernel.h - the kernel interface and the team interface kernels run on.
 *
 * A kernel is written once, SPMD-style: every worker of a team calls the
 * same functions with its own rank.  The team is implemented by each driver
 * (serial, pthread, OpenMP, fork, MPI); kernels never see which one.
 */
#ifndef PARSCALE_KERNEL_H
#define PARSCALE_KERNEL_H

#include <stddef.h>
#include <stdint.h>

/* ---- the team: implemented once per driver ---------------------------- */

/* Opaque per-worker handle. */
typedef struct ps_team ps_team;

enum ps_op { PS_SUM, PS_MAX, PS_MIN };

/* This worker's rank, 0 <= rank < size. */
int ps_rank(const ps_team *t);
/* Number of workers in the team. */
int ps_size(const ps_team *t);
/* Wait until every worker has arrived. */
void ps_barrier(ps_team *t);
/* Combine n doubles elementwise over all workers; every worker gets the result.
 * The combination order is by rank, so every driver gives the same bits. */
void ps_allreduce_f64(ps_team *t, double *v, size_t n, enum ps_op op);
/* Same for unsigned 64-bit integers. */
void ps_allreduce_u64(ps_team *t, uint64_t *v, size_t n, enum ps_op op);

/*
 * Halo exchange between row-block neighbours (rank - 1 is "above").
 * Sends `first` (this worker's first row) up and `last` down; receives the
 * last row of rank - 1 into `above` and the first row of rank + 1 into
 * `below`.  `above` is untouched on rank 0 and `below` on the last rank.
 * Collective; n is the same on every worker.
 */
void ps_halo(ps_team *t, size_t n, const double *first, const double *last,
             double *above, double *below);

/*
 * Work distribution over items [0, n).  The schedule (static block,
 * static chunks, dynamic chunks) is chosen by the user; kernels just loop:
 *     struct ps_loop l; ps_loop_begin(t, n, &l);
 *     while (ps_loop_next(t, &l, &lo, &hi)) for (i = lo; i < hi; i++) ...
 * ps_loop_begin is collective.
 */
enum ps_sched_kind { PS_SCHED_STATIC, PS_SCHED_STATIC_CHUNK, PS_SCHED_DYNAMIC };

struct ps_loop {
    uint64_t n;        /* items in the loop */
    uint64_t next;     /* static schedules: next item this worker takes */
    uint64_t stride;   /* static,CHUNK: distance between this worker's chunks */
    uint64_t chunk;    /* items per chunk */
    int kind;          /* the schedule kind, enum ps_sched_kind */
};
void ps_loop_begin(ps_team *t, uint64_t n, struct ps_loop *l);
/* Next range [*lo, *hi) for this worker; returns 0 when none is left. */
int ps_loop_next(ps_team *t, struct ps_loop *l, uint64_t *lo, uint64_t *hi);

/* The static block [*lo, *hi) of n items owned by this worker. */
void ps_block(const ps_team *t, uint64_t n, uint64_t *lo, uint64_t *hi);

/*
 * Shared counters: one array of n uint64 counters visible to every worker
 * (atomics in shared memory, or MPI one-sided accumulate).  At most one
 * array per team.  Collective: create, zero, read.  Returns 0, or -1 when
 * it cannot be made (out of memory).
 */
int ps_counters_create(ps_team *t, size_t n);
/* Add v to counter i; concurrent adds from every worker are safe. */
void ps_counter_add(ps_team *t, size_t i, uint64_t v);
/* Set every counter to 0. */
void ps_counters_zero(ps_team *t);
/* Copy every counter into out[0..n) once all adds are complete. */
void ps_counters_read(ps_team *t, uint64_t *out);

/* ---- kernels ---------------------------------------------------------- */

enum ps_class { PS_COMPUTE, PS_MEMORY, PS_LATENCY, PS_IMBALANCE, PS_HALO,
                PS_CONTENTION, PS_PRIMITIVE };
enum ps_unit { PS_BYTES, PS_FLOPS, PS_ITEMS };
enum ps_ptype { PS_PINT, PS_PREAL, PS_PCHOICE };

#define PS_MAX_PARAMS 6

/* A kernel parameter: --param name=value. */
struct ps_param {
    const char *name;
    enum ps_ptype type;
    const char *def;      /* default value, as typed on the command line */
    double min, max;      /* allowed range (PS_PINT, PS_PREAL) */
    const char *choices;  /* '|'-separated (PS_PCHOICE) */
    const char *help;
};

/* Everything a kernel needs to know about one run, fixed before it starts. */
struct ps_plan {
    uint64_t size;                  /* total problem size, kernel's unit */
    int size_given;                 /* the user set it (else the default) */
    double param[PS_MAX_PARAMS];    /* parsed values; a choice is its index */
    int reps_total;                 /* warm-up + timed repetitions */
    enum ps_sched_kind sched_kind;  /* the user's --schedule ... */
    uint64_t sched_chunk;           /* ... and its chunk (0: static block) */
};

/* A kernel's description, one row of the registry. */
struct ps_kernel {
    const char *name;
    const char *summary;
    enum ps_class cls;
    const char *size_unit;
    uint64_t default_size;
    uint64_t min_size;
    int dims;                 /* 1, or 2 when size is points per side: weak
                                 scaling then grows the side by sqrt(workers) */
    int schedulable;          /* honours --schedule */
    enum ps_unit unit;
    const struct ps_param *params;   /* terminated by a { NULL } row */

    /* Adjust the size from parameters (e.g. ep's class), check the size is
     * usable; on error write a one-line message to err and return -1.
     * NULL: every size from min_size up is usable. */
    int (*validate)(struct ps_plan *p, int workers, char *err, size_t errlen);
    /* Bytes of memory the whole run needs, over all workers. */
    double (*memory)(const struct ps_plan *p, int workers);
    /* Work per repetition, in `unit`. */
    double (*work)(const struct ps_plan *p);
    /* Allocate and initialise this worker's part. Collective. Returns 0 or
     * -1 (out of memory); *state is passed to the other calls. */
    int (*setup)(ps_team *t, const struct ps_plan *p, void **state);
    /* One repetition, the timed part. Collective. */
    void (*run)(ps_team *t, void *state);
    /* Verify against an analytic or independent answer. Collective; every
     * worker returns the same: 1 if it passed.  *checksum is the result
     * drivers must agree on, *error the measure compared to the tolerance. */
    int (*check)(ps_team *t, void *state, double *checksum, double *error);
    /* Free this worker's part. */
    void (*teardown)(void *state);
    /* Optional, for drivers that run a repetition's loop outside C (the
     * Python drivers' --param impl=python): store this worker's result of
     * one repetition, computed elsewhere over the items ps_loop_next handed
     * it, with the same per-item math, as n numbers in the order the
     * kernel's header comment gives; check() then verifies it exactly as a
     * result of run().  Returns 0, or -1 if n is not the kernel's count.
     * NULL: the kernel has no such form. */
    int (*put_result)(void *state, const double *v, size_t n);
};

/* In a kernel's descriptor: the functions every kernel file defines under
 * these names. */
#define PS_KERNEL_FUNCTIONS                                                   \
    .memory = memory, .work = work, .setup = setup, .run = run,               \
    .check = check, .teardown = teardown

/* ---- a kernel library of one's own (plugins) -------------------------- */

/*
 * A kernel written outside parscale is built as a shared object (the CMake
 * package's parscale_add_kernel) that ends with one line naming its
 * descriptors:
 *     PS_PLUGIN(&my_kernel);
 * Every driver loads such a library given with --kernel-lib PATH (or found
 * through PARSCALE_KERNEL_PATH) and runs its kernels like the built-in ones;
 * the team calls above resolve to the driver's own.  The sizes recorded
 * here let a driver refuse a library built against another kernel.h.
 * Bump PS_PLUGIN_ABI whenever a change here would break a built library.
 */
#define PS_PLUGIN_ABI 1

struct ps_plugin {
    int abi;                  /* PS_PLUGIN_ABI of the kernel.h it was built with */
    size_t kernel_bytes;      /* sizeof(struct ps_kernel) there */
    size_t plan_bytes;        /* sizeof(struct ps_plan) there */
    const struct ps_kernel *const *kernels;   /* NULL-terminated */
};

#define PS_PLUGIN(...)                                                        \
    static const struct ps_kernel *const ps_plugin_kernels_[] = {             \
        __VA_ARGS__, NULL };                                                  \
    __attribute__((visibility("default"))) extern const struct ps_plugin      \
        ps_plugin_info;                                                       \
    const struct ps_plugin ps_plugin_info = {                                 \
        PS_PLUGIN_ABI, sizeof(struct ps_kernel), sizeof(struct ps_plan),      \
        ps_plugin_kernels_ }

/* The symbol a driver looks up in a kernel library. */
#define PS_PLUGIN_SYMBOL "ps_plugin_info"

/* The registry: every built-in kernel, in --list order, NULL-terminated.
 * Kernels of loaded libraries follow them in --list (drivers/plugin.h). */
extern const struct ps_kernel *const ps_kernels[];

/* Find a built-in kernel by name; NULL if there is none. */
const struct ps_kernel *ps_kernel_find(const char *name);

/* Names for the enums, as printed in the CSV. */
const char *ps_class_name(enum ps_class c);
const char *ps_unit_name(enum ps_unit u);

#endif
