/*
 * shm_team.h - the team for workers that share memory: serial, pthread,
 * OpenMP and fork.  All shared state lives in one arena mapped before any
 * worker starts, so forked processes see it at the same address.
 */
#ifndef PARSCALE_SHM_TEAM_H
#define PARSCALE_SHM_TEAM_H

#include <stddef.h>

#include "team.h"

struct shm_arena;

/* One worker's handle; every worker has its own, all point at one arena. */
struct ps_team {
    int rank, size;
    struct shm_arena *arena;
    const struct ps_sched *sched;
    void (*barrier)(struct ps_team *t);
    unsigned red_round, halo_round;   /* double-buffer parities */
    size_t ncounters;
    struct ps_acct acct;              /* this worker's time accounting */
};

/* Map an arena for `workers` workers with `extra` bytes the driver may use
 * (returned in *extra_out, zeroed).  process_shared: usable across fork().
 * Returns NULL (errno set) on failure. */
struct shm_arena *shm_arena_create(int workers, int process_shared,
                                   size_t extra, void **extra_out);
/* Unmap an arena made by shm_arena_create. */
void shm_arena_destroy(struct shm_arena *a);
/* Fill in worker `rank`'s handle.  barrier == NULL: the arena's own
 * (process-shared) pthread barrier; size 1 teams need none. */
void shm_team_init(struct ps_team *t, struct shm_arena *a, int rank, int size,
                   const struct ps_sched *sched,
                   void (*barrier)(struct ps_team *t));

#endif
