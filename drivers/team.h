/*
 * team.h - what every team implementation provides besides the public
 * ps_* calls, for the generic work-distribution code in loop.c.
 */
#ifndef PARSCALE_TEAM_H
#define PARSCALE_TEAM_H

#include "parscale/kernel.h"
#include "acct.h"

/* The user's --schedule. */
struct ps_sched {
    enum ps_sched_kind kind;
    uint64_t chunk;        /* items per chunk; 0 for the static block split */
};

/* Collective: the barrier workers pass once, when they have all started
 * (see ps_worker).  It must not keep a CPU busy while it waits, so that a
 * worker that started early cannot delay one that has not yet run. */
void ps_team_start_barrier(ps_team *t);

/* This worker's time accounting (acct.h). */
struct ps_acct *ps_team_acct(ps_team *t);

/* The schedule this team runs loops with. */
const struct ps_sched *ps_team_sched(const ps_team *t);
/* Collective: rewind the dynamic queue to item 0. */
void ps_team_queue_reset(ps_team *t);
/* Take `chunk` items from the dynamic queue; returns the first one (which
 * may be past the end of the loop). */
uint64_t ps_team_queue_take(ps_team *t, uint64_t chunk);

/* Collective: combine n 8-byte values (doubles when is_f64, else unsigned
 * 64-bit integers) over every worker in place; ps_allreduce_* call it. */
void ps_team_allreduce(ps_team *t, void *v, size_t n, int is_f64, enum ps_op op);

/* Combine n 8-byte values of src into dst elementwise: doubles when is_f64,
 * else unsigned 64-bit integers. */
void ps_combine(void *dst, const void *src, size_t n, int is_f64, enum ps_op op);

#endif
