/*
 * serial.c - the baseline: one worker, the calling process, no parallel
 * runtime at all.
 */
#include "shm_main.h"

static int one_worker(void) { return 1; }

static int launch(const struct ps_opts *o, struct ps_job *j,
                  struct shm_arena *a, struct ps_outcome *out)
{
    struct ps_team t;
    shm_team_init(&t, a, 0, 1, &o->sched, NULL);
    ps_bind_self(o->bind, 0, out->affinity);
    ps_worker(&t, j, out);
    return 0;
}

static const struct ps_shm_driver driver = {
    .info = { .name = "serial", .workers_help = "must be 1 (the default)",
              .default_workers = 1, .max_workers = 1, .binds = 1 },
    .default_workers = one_worker,
    .launch = launch,
};

int main(int argc, char **argv) { return ps_shm_main(argc, argv, &driver); }
