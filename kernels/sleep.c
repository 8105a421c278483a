/*
 * sleep - latency-bound work standing in for I/O.
 *
 * Each item waits wait_us microseconds (clock_nanosleep, like a blocking
 * read; wait_us=0 makes no call at all) and then does spin floating-point
 * operations.  The drivers lower the workers' timer slack to 1 ns, so a
 * wait ends when asked rather than up to 50 us later.  While one worker
 * waits another can run, so more workers than cores keep helping: the
 * ideal speedup is p, not min(p, cores).  Items follow --schedule.
 * Work: N items per repetition.
 * Verified exactly: every item was processed exactly once (the count is N
 * and the sum of item indices is N(N-1)/2), and every worker's measured
 * waiting time is at least its items x wait_us.
 * A result computed outside run() (put_result) is four numbers: items
 * done, the sum of their indices, nanoseconds waited, and 1 if any wait
 * ended early (else 0); counts are exact below 2^53.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <time.h>

#include "parscale/kernel.h"

enum { P_WAIT, P_SPIN };
#define NS_PER_US 1000L
#define NS_PER_S 1000000000L

static const struct ps_param params[] = {
    { "wait_us", PS_PINT, "1000", 0, 10000000, NULL,
      "microseconds each item waits" },
    { "spin", PS_PINT, "1000", 0, 100000000, NULL,
      "floating-point operations each item does after waiting" },
    { NULL, 0, NULL, 0, 0, NULL, NULL },
};

struct state {
    uint64_t n, wait_ns, spin;
    uint64_t items, idsum;   /* this worker's, last repetition */
    uint64_t waited_ns;      /* measured, last repetition */
    int waited_short;        /* a wait ended early */
    double sink;             /* keeps the spin from being optimised out */
};

static double memory(const struct ps_plan *p, int workers)
{
    (void)p;
    return (double)workers * sizeof(struct state);
}

static double work(const struct ps_plan *p) { return (double)p->size; }

static int setup(ps_team *t, const struct ps_plan *p, void **out)
{
    (void)t;
    struct state *s = calloc(1, sizeof *s);
    if (!s)
        return -1;
    s->n = p->size;
    s->wait_ns = (uint64_t)p->param[P_WAIT] * NS_PER_US;
    s->spin = (uint64_t)p->param[P_SPIN];
    *out = s;
    return 0;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

/* Wait ns nanoseconds, resuming after signals; returns the time waited. */
static uint64_t wait_for(uint64_t ns)
{
    uint64_t start = now_ns();
    struct timespec left = { (time_t)(ns / NS_PER_S), (long)(ns % NS_PER_S) };
    while (clock_nanosleep(CLOCK_MONOTONIC, 0, &left, &left) == EINTR)
        ;
    return now_ns() - start;
}

static void run(ps_team *t, void *st)
{
    struct state *s = st;
    struct ps_loop l;
    uint64_t lo, hi;
    double acc = 0;
    s->items = s->idsum = s->waited_ns = 0;
    s->waited_short = 0;
    ps_loop_begin(t, s->n, &l);
    while (ps_loop_next(t, &l, &lo, &hi)) {
        for (uint64_t i = lo; i < hi; i++) {
            if (s->wait_ns) {   /* a zero wait is no wait: no system call */
                uint64_t waited = wait_for(s->wait_ns);
                if (waited < s->wait_ns)
                    s->waited_short = 1;
                s->waited_ns += waited;
            }
            double x = (double)i;
            for (uint64_t k = 0; k < s->spin; k++)
                x = sqrt(x + 1.0);
            acc += x;
            s->items++;
            s->idsum += i;
        }
    }
    s->sink = acc;
}

static int check(ps_team *t, void *st, double *checksum, double *error)
{
    struct state *s = st;
    uint64_t v[3] = { s->items, s->idsum, (uint64_t)s->waited_short };
    ps_allreduce_u64(t, v, 3, PS_SUM);
    /* n(n-1)/2 without overflow for n < 2^53 */
    uint64_t want = s->n % 2 ? s->n * ((s->n - 1) / 2) : (s->n / 2) * (s->n - 1);
    *checksum = (double)v[1];
    *error = (double)(v[0] > s->n ? v[0] - s->n : s->n - v[0]) + (double)v[2];
    return v[0] == s->n && v[1] == want && v[2] == 0;
}

/* This worker's counts, computed outside run(); see the header. */
static int put_result(void *st, const double *v, size_t n)
{
    struct state *s = st;
    if (n != 4)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (!(v[i] >= 0 && v[i] < 0x1p64))   /* also refuses NaN */
            return -1;
    s->items = (uint64_t)v[0];
    s->idsum = (uint64_t)v[1];
    s->waited_ns = (uint64_t)v[2];
    s->waited_short = v[3] != 0;
    return 0;
}

static void teardown(void *st) { free(st); }

const struct ps_kernel ps_kernel_sleep = {
    .name = "sleep",
    .summary = "each item waits (like I/O) then computes: latency-bound",
    .cls = PS_LATENCY,
    .size_unit = "work items",
    .default_size = 2000,
    .min_size = 1,
    .dims = 1,
    .schedulable = 1,
    .unit = PS_ITEMS,
    .params = params,
    PS_KERNEL_FUNCTIONS,
    .put_result = put_result,
};
