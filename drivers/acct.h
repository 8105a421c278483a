/*
 * acct.h - per-worker time accounting, for POP's efficiency metrics.
 *
 * During a timed repetition every worker splits its time on the monotonic
 * clock into time inside team calls (barrier waits, reductions, halo
 * exchanges, dynamic-queue grabs, shared updates) and the rest, "useful"
 * time.  Each worker keeps its own ps_acct in its team handle: no locks,
 * nothing shared on the hot path; the runner gathers the figures after the
 * repetition (runner.c).
 *
 * Collective calls are timed whole: the clock is read on entry (the time
 * since the last team call was useful) and on exit (the call's time).
 *
 * Frequent calls - a shared update per histogram item, a queue grab per
 * chunk of one item - are counted, and only one call in `every` is timed:
 * timing each would cost more than the call (two clock reads, ~40 ns,
 * against an atomic add of ~5-50 ns).  A repetition starts by timing
 * every call; up to PS_ACCT_SAMPLES durations are kept (the cost of
 * reading the clock, measured once per worker, taken off each), and when
 * they are full every other one is dropped and calls are timed half as
 * often, so the samples stay spread over the whole repetition and a few
 * calls are all timed.  A million calls time about 900 of them.  After
 * the repetition, calls x the samples' mean is moved from useful to team
 * time, leaving out samples above 16 x their median and above 2 us: the
 * thread took an interrupt or lost its CPU inside that one call, time that
 * would land anywhere, and one sample stands for up to `every` calls.
 * At this grain the estimate is an upper bound: a timed call pays its
 * whole latency, while in the kernel's loop an atomic add partly overlaps
 * the work around it; the moved time never exceeds the useful time.
 * With one worker a shared-memory shared update is a plain add that nobody
 * shares: useful time, not counted.
 *
 * Team calls must not call one another's public entry points (each would
 * count the time twice); they use their team's internal barrier instead.
 */
#ifndef PARSCALE_ACCT_H
#define PARSCALE_ACCT_H

#include <stdint.h>
#include <time.h>

#include "clock.h"

#define PS_ACCT_SAMPLES 64


struct ps_acct {
    int on;                  /* accounting on and inside a timed repetition */
    int perf_fd;             /* hardware counters of this worker, -1: none */
    int perf_member;         /* the group's second counter (cycles) */
    double last;             /* end of the last team call (or the start) */
    double useful, team;     /* seconds so far in this repetition */
    uint64_t calls;          /* frequent calls this repetition */
    uint64_t every;          /* time one frequent call in every (2^k) */
    double clock_cost;       /* seconds a pair of clock reads adds */
    int nsamples;
    float sample[PS_ACCT_SAMPLES];   /* durations of timed frequent calls */
};

/* Hardware counters of the calling thread (perfctr.c): open a group of
 * instructions and cycles (returns its fd and the member's in *member, or
 * -1 with errno set: the machine has none); zero and start it; pause and
 * resume it; stop it and read both (0, or -1); close it. */
int ps_perf_open(int *member);
void ps_perf_start(int fd);
void ps_perf_pause(int fd);
void ps_perf_resume(int fd);
int ps_perf_stop(int fd, double *instructions, double *cycles);
void ps_perf_close(int fd, int member);

/* A collective team call begins. */
static inline void ps_acct_enter(struct ps_acct *a)
{
    if (!a->on)
        return;
    double now = ps_now();
    a->useful += now - a->last;
    a->last = now;
    if (a->perf_fd >= 0)
        ps_perf_pause(a->perf_fd);
}

/* A collective team call ends. */
static inline void ps_acct_leave(struct ps_acct *a)
{
    if (!a->on)
        return;
    if (a->perf_fd >= 0)
        ps_perf_resume(a->perf_fd);
    double now = ps_now();
    a->team += now - a->last;
    a->last = now;
}

/* One frequent call, between ps_acct_call_begin and ps_acct_call_end.
 * Everything is read before the call and kept in registers: an atomic add
 * is a full fence on x86, and each load after it would wait for it (in a
 * contended histogram that was +15 % with two loads there). */
struct ps_acct_call {
    uint64_t n;              /* calls before this one */
    int state;               /* 0: not accounting, 1: counted, 2: timed */
    double t0;               /* start, when timed */
};

/* Record a timed frequent call's duration. */
void ps_acct_record(struct ps_acct *a, double t0);

/* Whether the call about to be made is counted (state 1) or timed (2);
 * a timed one then starts with ps_acct_call_start. */
static inline struct ps_acct_call ps_acct_call_begin(const struct ps_acct *a)
{
    struct ps_acct_call c = { a->calls, 0, 0 };
    if (a->on)
        c.state = c.n & (a->every - 1) ? 1 : 2;
    return c;
}

static inline void ps_acct_call_start(struct ps_acct_call *c) { c->t0 = ps_now(); }

static inline void ps_acct_call_end(struct ps_acct *a, struct ps_acct_call c)
{
    if (c.state)
        a->calls = c.n + 1;
    if (c.state == 2)
        ps_acct_record(a, c.t0);
}

#endif
