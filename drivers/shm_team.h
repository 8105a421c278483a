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

/* The arena's barrier for pthread and fork workers (PARSCALE_BARRIER):
 * spin on a round counter for a bounded time, then sleep on it with a
 * futex; or glibc's process-shared pthread barrier, which always sleeps. */
enum shm_barrier { SHM_BARRIER_SPIN, SHM_BARRIER_FUTEX };

/* The barrier called name ("spin", "futex"; NULL: the default, spin) into
 * *kind; returns 0, or -1 for any other name. */
int shm_barrier_parse(const char *name, enum shm_barrier *kind);
/* "spin" or "futex". */
const char *shm_barrier_name(enum shm_barrier kind);

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

/* How an arena is shared (shm_arena_create's process_shared). */
enum {
    SHM_ARENA_THREADS = 0,   /* by threads of this process */
    SHM_ARENA_FORK = 1,      /* also by processes fork()ed after it is made */
    SHM_ARENA_FILE = 2,      /* also by processes that map its memory file at
                                its address (shm_arena_fd, shm_arena_attach) */
};

/* Map an arena for `workers` workers with `extra` bytes the driver may use
 * (returned in *extra_out, zeroed), shared as process_shared (SHM_ARENA_*).
 * kind: the barrier teams made without one of their own use.
 * Returns NULL (errno set) on failure. */
struct shm_arena *shm_arena_create(int workers, int process_shared,
                                   enum shm_barrier kind, size_t extra,
                                   void **extra_out);
/* The memory file of a SHM_ARENA_FILE arena, in the process that made it;
 * else -1. */
int shm_arena_fd(const struct shm_arena *a);
/* In another process: map the arena in memory file fd at the address `at`
 * where its maker has it (pointers inside hold only there); *extra_out
 * gets the driver's bytes.  NULL (errno) on failure. */
struct shm_arena *shm_arena_attach(int fd, void *at, void **extra_out);
/* Unmap an arena (and close the memory file, in its maker). */
void shm_arena_destroy(struct shm_arena *a);
/* Fill in worker `rank`'s handle.  barrier == NULL: the arena's own
 * (spin or futex, as the arena was made); size 1 teams need none. */
void shm_team_init(struct ps_team *t, struct shm_arena *a, int rank, int size,
                   const struct ps_sched *sched,
                   void (*barrier)(struct ps_team *t));

#endif
