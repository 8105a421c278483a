/*
 * start_pthread.c - reference: the cost of starting N worker threads, as
 * pthread_create to a barrier: from before the first pthread_create until
 * every thread has passed a pthread barrier (measured by thread 0), the
 * way parscale-pthread defines its start-up.
 *   start_pthread N      prints the seconds
 */
#include <pthread.h>

#include "bench.h"

static pthread_barrier_t barrier;
static double t_all;

static void *worker(void *arg)
{
    pthread_barrier_wait(&barrier);
    if (arg == NULL)               /* thread 0 */
        t_all = bench_now();
    return NULL;
}

int main(int argc, char **argv)
{
    int n = (int)bench_arg(argc, argv, 1, 1, 4096);
    pthread_t *tid = malloc((size_t)n * sizeof *tid);
    if (!tid)
        return 1;
    pthread_barrier_init(&barrier, NULL, (unsigned)n);
    double t0 = bench_now();
    for (int i = 0; i < n; i++)
        if (pthread_create(&tid[i], NULL, worker, i ? &tid[i] : NULL) != 0)
            return 1;
    for (int i = 0; i < n; i++)
        pthread_join(tid[i], NULL);
    printf("%.9g\n", t_all - t0);
    free(tid);
    return 0;
}
