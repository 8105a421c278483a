/*
 * sync - what one team operation costs, EPCC style.
 *
 * Every worker runs the same loop of N iterations (N = --size); each
 * iteration does `delay` dependent floating-point operations (the work
 * between two synchronisations) and then one operation `op`:
 *   none        nothing: the reference loop
 *   barrier     ps_barrier
 *   allreduce1  ps_allreduce_f64 of 1 double (sum)
 *   allreduce8  ps_allreduce_f64 of 8 doubles (sum)
 *   halo        ps_halo of `halo` doubles each way
 *   grab        one item from the dynamic queue (needs --schedule dynamic):
 *               the team drains N x workers items one at a time
 *   update      ps_counter_add of 1 to one counter shared by the team
 * The cost of one operation is (T(op) - T(none)) / N, from two runs that
 * differ only in op; the summariser pairs them.
 * Work: N operations per repetition (items).
 * Verified exactly, independently of the operation's own result path:
 * every worker did every iteration of every pass; each pass's reduction
 * sums equal their closed form (worker r sends (r + 1)(e + 1) + (i mod
 * 256) in element e of iteration i; all integers below 2^53); every halo
 * holds the neighbour's values, including an iteration stamp in its first
 * and last element, so a stale or misrouted row is caught; the queue
 * handed out every item exactly once per pass (count, sum and sum of
 * squares of item indices); the shared counter ends at passes x N x
 * workers.  The checksum is the operations each worker did over the run,
 * the same on every driver.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parscale/kernel.h"

enum { P_OP, P_DELAY, P_HALO };
enum { OP_NONE, OP_BARRIER, OP_ALLREDUCE1, OP_ALLREDUCE8, OP_HALO, OP_GRAB,
       OP_UPDATE };
#define WIDE 8                 /* doubles in op=allreduce8 */
#define ITER_MASK 255u         /* iteration term of a reduced value */
#define STAMP_MOD 4294967296.0 /* halo stamps count iterations mod 2^32 */
#define MAX_ITERS 100000000    /* keeps every reduction sum below 2^53 */
#define MAX_HALO (1 << 20)
#define DELAY_A 0.999999       /* delay: x <- a x + b, a contraction to 1 */
#define DELAY_B 0.000001
#define UNTOUCHED (-0.5)       /* a halo buffer's value before any exchange */

static const struct ps_param params[] = {
    { "op", PS_PCHOICE, "barrier", 0, 0,
      "none|barrier|allreduce1|allreduce8|halo|grab|update",
      "operation per iteration (none: the reference loop)" },
    { "delay", PS_PINT, "100", 0, 1000000, NULL,
      "dependent flops between two operations" },
    { "halo", PS_PINT, "1024", 1, MAX_HALO, NULL,
      "doubles sent each way by op=halo" },
    { NULL, 0, NULL, 0, 0, NULL, NULL },
};

struct state {
    int op, rank, size;
    uint64_t n, delay, halo;
    uint64_t reps;                 /* passes the run makes: warm-up + timed */
    double x;                      /* the delay chain, carried on */
    uint64_t done;                 /* iterations (grab: items) over the run */
    uint64_t passes;
    uint64_t bad;                  /* wrong sums or halo values seen */
    uint64_t ids, idsq;            /* grab: sum and sum of squares of items */
    uint64_t stamp;                /* halo: iterations exchanged so far */
    double want[WIDE];             /* allreduce: one pass's sum, element e */
    double *first, *last, *above, *below;   /* halo rows */
};

/* Closed form of sum over i < n of (i mod 256). */
static double iter_term_sum(uint64_t n)
{
    uint64_t m = ITER_MASK + 1, q = n / m, r = n % m;
    return (double)(q * (m * (m - 1) / 2) + r * (r - 1) / 2);
}

static int validate(struct ps_plan *p, int workers, char *err, size_t len)
{
    (void)workers;
    if (p->size > MAX_ITERS) {
        snprintf(err, len, "sync: size must be at most %d iterations", MAX_ITERS);
        return -1;
    }
    if ((int)p->param[P_OP] == OP_GRAB
        && (p->sched_kind != PS_SCHED_DYNAMIC || p->sched_chunk != 1)) {
        snprintf(err, len, "sync: op=grab takes one item per grab from the "
                 "dynamic queue; use --schedule dynamic (chunk 1)");
        return -1;
    }
    return 0;
}

static double memory(const struct ps_plan *p, int workers)
{
    return (double)workers * (sizeof(struct state) + 4 * p->param[P_HALO] * sizeof(double));
}

static double work(const struct ps_plan *p) { return (double)p->size; }

/* The value worker r sends in element j of its first (dir 0) or last
 * (dir 1) halo row: distinct for every worker, direction and element. */
static double halo_value(int r, int dir, uint64_t j, uint64_t n)
{
    return (double)(((uint64_t)r * 2 + (uint64_t)dir) * n + j);
}

/* The stamp in the first and last element of a row in exchange k:
 * negative, so it never equals a halo_value. */
static double halo_stamp(int r, int dir, uint64_t k, int size)
{
    return -1.0 - ((double)(k % (uint64_t)STAMP_MOD) * 2 * size + 2 * r + dir);
}

static void teardown(void *st)
{
    struct state *s = st;
    free(s->first);
    free(s->last);
    free(s->above);
    free(s->below);
    free(s);
}

static int setup(ps_team *t, const struct ps_plan *p, void **out)
{
    struct state *s = calloc(1, sizeof *s);
    int fail = !s;
    if (s) {
        s->op = (int)p->param[P_OP];
        s->rank = ps_rank(t);
        s->size = ps_size(t);
        s->n = p->size;
        s->delay = (uint64_t)p->param[P_DELAY];
        s->halo = (uint64_t)p->param[P_HALO];
        s->reps = (uint64_t)p->reps_total;
        s->x = 1.0;
        double workers = s->size;
        for (int e = 0; e < WIDE; e++)
            s->want[e] = (double)s->n * (e + 1) * workers * (workers + 1) / 2
                         + workers * iter_term_sum(s->n);
    }
    if (s && s->op == OP_HALO) {
        size_t bytes = s->halo * sizeof(double);
        s->first = malloc(bytes);
        s->last = malloc(bytes);
        s->above = malloc(bytes);
        s->below = malloc(bytes);
        fail = !s->first || !s->last || !s->above || !s->below;
        for (uint64_t j = 0; !fail && j < s->halo; j++) {
            s->first[j] = halo_value(s->rank, 0, j, s->halo);
            s->last[j] = halo_value(s->rank, 1, j, s->halo);
            s->above[j] = s->below[j] = UNTOUCHED;
        }
    }
    /* collective, so every worker makes it even if its own allocation failed */
    if ((int)p->param[P_OP] == OP_UPDATE) {
        if (ps_counters_create(t, 1) != 0)
            fail = 1;
        ps_counters_zero(t);
    }
    if (fail) {
        if (s)
            teardown(s);
        return -1;
    }
    *out = s;
    return 0;
}

/* The work between two operations: a dependent chain of n multiply-adds
 * that the compiler can neither vectorise nor drop. */
static inline double delay(double x, uint64_t n)
{
    for (uint64_t k = 0; k < n; k++)
        x = x * DELAY_A + DELAY_B;
    return x;
}

/* One iteration's halo: stamp both rows, exchange, count wrong stamps. */
static void halo_once(ps_team *t, struct state *s)
{
    uint64_t end = s->halo - 1, k = s->stamp++;
    int r = s->rank;
    s->first[0] = s->first[end] = halo_stamp(r, 0, k, s->size);
    s->last[0] = s->last[end] = halo_stamp(r, 1, k, s->size);
    ps_halo(t, s->halo, s->first, s->last, s->above, s->below);
    if (r > 0)
        s->bad += (s->above[0] != halo_stamp(r - 1, 1, k, s->size))
                  + (s->above[end] != halo_stamp(r - 1, 1, k, s->size));
    if (r + 1 < s->size)
        s->bad += (s->below[0] != halo_stamp(r + 1, 0, k, s->size))
                  + (s->below[end] != halo_stamp(r + 1, 0, k, s->size));
}

static void run(ps_team *t, void *st)
{
    struct state *s = st;
    double x = s->x, one, wide[WIDE], acc[WIDE] = { 0 };
    double mine = s->rank + 1;
    struct ps_loop l;
    uint64_t lo, hi;
    switch (s->op) {
    case OP_NONE:
        for (uint64_t i = 0; i < s->n; i++)
            x = delay(x, s->delay);
        s->done += s->n;
        break;
    case OP_BARRIER:
        for (uint64_t i = 0; i < s->n; i++) {
            x = delay(x, s->delay);
            ps_barrier(t);
        }
        s->done += s->n;
        break;
    case OP_ALLREDUCE1:
        for (uint64_t i = 0; i < s->n; i++) {
            x = delay(x, s->delay);
            one = mine + (double)(i & ITER_MASK);
            ps_allreduce_f64(t, &one, 1, PS_SUM);
            acc[0] += one;
        }
        s->bad += acc[0] != s->want[0];
        s->done += s->n;
        break;
    case OP_ALLREDUCE8:
        for (uint64_t i = 0; i < s->n; i++) {
            x = delay(x, s->delay);
            for (int e = 0; e < WIDE; e++)
                wide[e] = mine * (e + 1) + (double)(i & ITER_MASK);
            ps_allreduce_f64(t, wide, WIDE, PS_SUM);
            for (int e = 0; e < WIDE; e++)
                acc[e] += wide[e];
        }
        for (int e = 0; e < WIDE; e++)
            s->bad += acc[e] != s->want[e];
        s->done += s->n;
        break;
    case OP_HALO:
        for (uint64_t i = 0; i < s->n; i++) {
            x = delay(x, s->delay);
            halo_once(t, s);
        }
        s->done += s->n;
        break;
    case OP_GRAB: {
        uint64_t items = 0, ids = 0, idsq = 0;
        ps_loop_begin(t, s->n * (uint64_t)s->size, &l);
        while (ps_loop_next(t, &l, &lo, &hi)) {
            for (uint64_t i = lo; i < hi; i++) {
                x = delay(x, s->delay);
                items++;
                ids += i;
                idsq += i * i;
            }
        }
        s->done += items;
        s->ids += ids;
        s->idsq += idsq;
        break;
    }
    case OP_UPDATE:
        for (uint64_t i = 0; i < s->n; i++) {
            x = delay(x, s->delay);
            ps_counter_add(t, 0, 1);
        }
        s->done += s->n;
        break;
    }
    s->x = x;
    s->passes++;
}

/* Sum over i < n of i and of i^2, modulo 2^64. */
static void index_sums(uint64_t n, uint64_t *sum, uint64_t *sumsq)
{
    unsigned __int128 m = n;
    *sum = (uint64_t)(m * (m - 1) / 2);
    *sumsq = (uint64_t)(m * (m - 1) / 2 * (2 * m - 1) / 3);
}

/* Rows seen in the last exchange: every element the neighbour's value,
 * the first and last its stamp; rank 0's above and the last rank's below
 * untouched.  Returns the wrong elements. */
static uint64_t check_rows(const struct state *s)
{
    uint64_t bad = 0, end = s->halo - 1, k = s->stamp - 1;
    int r = s->rank;
    for (uint64_t j = 0; j < s->halo; j++) {
        int edge = j == 0 || j == end;
        double a = r == 0 ? UNTOUCHED
                   : edge ? halo_stamp(r - 1, 1, k, s->size)
                          : halo_value(r - 1, 1, j, s->halo);
        double b = r + 1 == s->size ? UNTOUCHED
                   : edge ? halo_stamp(r + 1, 0, k, s->size)
                          : halo_value(r + 1, 0, j, s->halo);
        bad += (s->above[j] != a) + (s->below[j] != b);
    }
    return bad;
}

static int check(ps_team *t, void *st, double *checksum, double *error)
{
    struct state *s = st;
    uint64_t bad = s->bad + (s->passes != s->reps), per = s->reps * s->n;
    if (s->op == OP_HALO && s->stamp > 0)
        bad += check_rows(s);
    if (s->op == OP_GRAB) {
        uint64_t got[3] = { s->done, s->ids, s->idsq }, sum, sumsq;
        uint64_t total = s->n * (uint64_t)s->size;
        ps_allreduce_u64(t, got, 3, PS_SUM);
        index_sums(total, &sum, &sumsq);
        bad += (got[0] != s->reps * total) + (got[1] != s->reps * sum)
               + (got[2] != s->reps * sumsq);
    } else {
        /* every worker did every iteration of every pass */
        uint64_t lohi[2] = { s->done, s->done };
        ps_allreduce_u64(t, &lohi[0], 1, PS_MIN);
        ps_allreduce_u64(t, &lohi[1], 1, PS_MAX);
        bad += (lohi[0] != per) + (lohi[1] != per);
    }
    if (s->op == OP_UPDATE) {
        uint64_t count;
        ps_counters_read(t, &count);
        bad += count != per * (uint64_t)s->size;
    }
    ps_allreduce_u64(t, &bad, 1, PS_SUM);
    *checksum = (double)per;
    *error = (double)bad;
    return bad == 0;
}

const struct ps_kernel ps_kernel_sync = {
    .name = "sync",
    .summary = "one team operation per iteration after a delay: its cost vs op=none",
    .cls = PS_PRIMITIVE,
    .size_unit = "iterations",
    .default_size = 10000,
    .min_size = 1,
    .dims = 1,
    .schedulable = 1,
    .unit = PS_ITEMS,
    .params = params,
    .validate = validate,
    PS_KERNEL_FUNCTIONS,
};
