/*
 * shm_main.h - the main() shared by the drivers whose workers share one
 * arena (serial, pthread, OpenMP, fork).  A driver supplies how to start
 * its workers; everything else is here.
 */
#ifndef PARSCALE_SHM_MAIN_H
#define PARSCALE_SHM_MAIN_H

#include "common.h"
#include "shm_team.h"

struct ps_shm_driver {
    struct ps_driver info;
    int process_shared;        /* SHM_ARENA_*: who else maps the arena */
    int own_timeout;           /* the driver enforces --timeout itself */
    /* Workers when --workers is not given. */
    int (*default_workers)(void);
    /* Run j on its workers, each calling ps_worker with a team on arena a;
     * rank 0's results go to out.  Sets j->t_launch when starting begins.
     * Returns 0, or PS_EXIT_FAULT after printing why. */
    int (*launch)(const struct ps_opts *o, struct ps_job *j,
                  struct shm_arena *a, struct ps_outcome *out);
    /* Append the runtime's settings to env (ps_env_add), after the run;
     * NULL: none. */
    void (*runtime_env)(char *env);
    int arena_barrier;         /* workers meet in the arena's barrier, as
                                  PARSCALE_BARRIER says (recorded in
                                  runtime_env) */
};

/* Parse, plan, start workers, report.  Returns the process exit code. */
int ps_shm_main(int argc, char **argv, const struct ps_shm_driver *d);

#endif
