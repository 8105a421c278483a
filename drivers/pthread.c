/*
 * pthread.c - workers are POSIX threads, created once per run.
 * Start-up cost: from the first pthread_create until every thread has
 * passed the team's first barrier.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "shm_main.h"

struct worker {
    pthread_t tid;
    struct ps_team team;
    struct ps_job *job;
    struct ps_outcome *out;
    enum ps_bind bind;
};

/* Start gate: threads wait here until all were created, or told to quit. */
static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cond = PTHREAD_COND_INITIALIZER;
static int gate_state;   /* 0 wait, 1 go, -1 quit */

static int gate_wait(void)
{
    pthread_mutex_lock(&gate_lock);
    while (gate_state == 0)
        pthread_cond_wait(&gate_cond, &gate_lock);
    int go = gate_state > 0;
    pthread_mutex_unlock(&gate_lock);
    return go;
}

static void gate_open(int state)
{
    pthread_mutex_lock(&gate_lock);
    gate_state = state;
    pthread_cond_broadcast(&gate_cond);
    pthread_mutex_unlock(&gate_lock);
}

static void *thread_main(void *arg)
{
    struct worker *w = arg;
    if (gate_wait()) {
        ps_bind_self(w->bind, w->team.rank,
                     w->out->affinity + (size_t)w->team.rank * PS_AFF_LEN);
        ps_worker(&w->team, w->job, w->out);
    }
    return NULL;
}

/* One worker per CPU this process may use. */
static int allowed_cpus(void) { return (int)ps_cores(); }

static int launch(const struct ps_opts *o, struct ps_job *j,
                  struct shm_arena *a, struct ps_outcome *out)
{
    int n = j->workers, made;
    struct worker *w = calloc((size_t)n, sizeof *w);
    if (!w) {
        ps_error("pthread", "out of memory for %d workers", n);
        return PS_EXIT_FAULT;
    }
    j->t_launch = ps_now();
    for (made = 0; made < n; made++) {
        w[made].job = j;
        w[made].out = out;
        w[made].bind = o->bind;
        shm_team_init(&w[made].team, a, made, n, &o->sched, NULL);
        int err = pthread_create(&w[made].tid, NULL, thread_main, &w[made]);
        if (err) {
            ps_error("pthread", "cannot create thread %d of %d: %s", made, n,
                     strerror(err));
            break;
        }
    }
    gate_open(made == n ? 1 : -1);
    for (int i = 0; i < made; i++)
        pthread_join(w[i].tid, NULL);
    free(w);
    return made == n ? 0 : PS_EXIT_FAULT;
}

static const struct ps_shm_driver driver = {
    .info = { .name = "pthread", .workers_help = "threads (default: the CPUs this\n"
              "                          process may use)",
              .binds = 1 },
    .default_workers = allowed_cpus,
    .launch = launch,
    .arena_barrier = 1,
};

int main(int argc, char **argv) { return ps_shm_main(argc, argv, &driver); }
