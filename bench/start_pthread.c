/*
 * start_pthread.c - reference: the cost of starting N worker threads, as
 * pthread_create to a barrier: from before the first pthread_create until
 * every thread has passed a pthread barrier (measured by thread 0), the
 * way parscale-pthread defines its start-up.
 *   start_pthread N
 * prints "passed arrived": seconds until all passed the barrier, and until
 * the last thread arrived at it.
 */
#include <pthread.h>

#include "bench.h"

static pthread_barrier_t barrier;
static double t_all, *arrived;

static void *worker(void *arg)
{
    int me = (int)(long)arg;
    arrived[me] = bench_now();
    pthread_barrier_wait(&barrier);
    if (me == 0)
        t_all = bench_now();
    return NULL;
}

int main(int argc, char **argv)
{
    int n = (int)bench_arg(argc, argv, 1, 1, 4096);
    pthread_t *tid = malloc((size_t)n * sizeof *tid);
    arrived = malloc((size_t)n * sizeof *arrived);
    if (!tid || !arrived)
        return 1;
    pthread_barrier_init(&barrier, NULL, (unsigned)n);
    double t0 = bench_now();
    for (int i = 0; i < n; i++)
        if (pthread_create(&tid[i], NULL, worker, (void *)(long)i) != 0)
            return 1;
    for (int i = 0; i < n; i++)
        pthread_join(tid[i], NULL);
    double last = arrived[0];
    for (int i = 1; i < n; i++)
        last = arrived[i] > last ? arrived[i] : last;
    printf("%.9g %.9g\n", t_all - t0, last - t0);
    free(arrived);
    free(tid);
    return 0;
}
