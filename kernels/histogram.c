/*
 * histogram - contended shared state.
 *
 * Item i falls in bin ((i mod bins) * (HASH_PRIME mod bins)) mod bins.
 * mode=shared: every item adds 1 to one histogram shared by the team
 * (atomics in shared memory for threads and fork, MPI one-sided
 * accumulate for MPI), so workers fight over the same cache lines or
 * window.  mode=private: each worker counts privately and merges its
 * bins into the shared histogram once per repetition, so the cost of
 * sharing is the difference between the two.  Items follow --schedule.
 * Work: N items (one update each) per repetition.
 * Verified by exact counts: HASH_PRIME is a prime larger than any bin
 * count, so i -> bin is a bijection on each run of `bins` consecutive
 * items; every bin gets floor(N/bins) per pass, plus one for the bins hit
 * by the last N mod bins items, times the passes made.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parscale/kernel.h"

enum { P_BINS, P_MODE };
enum { MODE_SHARED, MODE_PRIVATE };
#define HASH_PRIME 2654435761ULL
#define MAX_BINS (1 << 20)

static const struct ps_param params[] = {
    { "bins", PS_PINT, "16", 1, MAX_BINS, NULL,
      "histogram bins (fewer bins, more contention)" },
    { "mode", PS_PCHOICE, "shared", 0, 0, "shared|private",
      "update the shared histogram per item, or merge private counts once" },
    { NULL, 0, NULL, 0, 0, NULL, NULL },
};

struct state {
    uint64_t n, bins, mult;
    int mode, passes;
    uint64_t *local;     /* private counts (mode=private) */
};

static uint64_t bin_of(uint64_t i, uint64_t bins, uint64_t mult)
{
    return (i % bins) * mult % bins;
}

static double memory(const struct ps_plan *p, int workers)
{
    return (double)(2 * workers + 2) * p->param[P_BINS] * sizeof(uint64_t);
}

static double work(const struct ps_plan *p) { return (double)p->size; }

static int setup(ps_team *t, const struct ps_plan *p, void **out)
{
    struct state *s = calloc(1, sizeof *s);
    int fail = !s;
    if (s) {
        s->n = p->size;
        s->bins = (uint64_t)p->param[P_BINS];
        s->mult = HASH_PRIME % s->bins;
        s->mode = (int)p->param[P_MODE];
        s->local = calloc(s->bins, sizeof *s->local);
        fail = !s->local;
    }
    /* collective, so every worker makes it even if its own calloc failed */
    if (ps_counters_create(t, s && !fail ? s->bins : 1) != 0)
        fail = 1;
    if (fail) {
        if (s)
            free(s->local);
        free(s);
        return -1;
    }
    ps_counters_zero(t);
    *out = s;
    return 0;
}

static void run(ps_team *t, void *st)
{
    struct state *s = st;
    struct ps_loop l;
    uint64_t lo, hi;
    ps_loop_begin(t, s->n, &l);
    if (s->mode == MODE_SHARED) {
        while (ps_loop_next(t, &l, &lo, &hi))
            for (uint64_t i = lo; i < hi; i++)
                ps_counter_add(t, bin_of(i, s->bins, s->mult), 1);
    } else {
        memset(s->local, 0, s->bins * sizeof *s->local);
        while (ps_loop_next(t, &l, &lo, &hi))
            for (uint64_t i = lo; i < hi; i++)
                s->local[bin_of(i, s->bins, s->mult)]++;
        for (uint64_t b = 0; b < s->bins; b++)
            if (s->local[b])
                ps_counter_add(t, b, s->local[b]);
    }
    s->passes++;
}

static int check(ps_team *t, void *st, double *checksum, double *error)
{
    struct state *s = st;
    uint64_t *got = malloc(s->bins * sizeof *got);
    uint64_t *want = calloc(s->bins, sizeof *want);
    uint64_t fail = !got || !want, bad = 0, total = 0;
    ps_allreduce_u64(t, &fail, 1, PS_MAX);
    if (fail) {
        free(got);
        free(want);
        *checksum = 0;
        *error = (double)s->bins;
        return 0;
    }
    ps_counters_read(t, got);
    for (uint64_t r = 0; r < s->n % s->bins; r++)
        want[bin_of(r, s->bins, s->mult)] = 1;
    for (uint64_t b = 0; b < s->bins; b++) {
        uint64_t w = (s->n / s->bins + want[b]) * (uint64_t)s->passes;
        bad += got[b] != w;
        total += got[b];
    }
    free(got);
    free(want);
    *checksum = (double)total;
    *error = (double)bad;
    return bad == 0;
}

static void teardown(void *st)
{
    struct state *s = st;
    free(s->local);
    free(s);
}

const struct ps_kernel ps_kernel_histogram = {
    .name = "histogram",
    .summary = "every item updates one shared histogram: contended shared state",
    .cls = PS_CONTENTION,
    .size_unit = "work items",
    .default_size = 20000000,
    .min_size = 1,
    .dims = 1,
    .schedulable = 1,
    .unit = PS_ITEMS,
    .params = params,
    PS_KERNEL_FUNCTIONS,
};
