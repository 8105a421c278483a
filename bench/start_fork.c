/*
 * start_fork.c - reference: the cost of starting N worker processes, as
 * fork() to a barrier: from before the first fork() until every child
 * has passed a process-shared pthread barrier (measured by child 0), the
 * way parscale-fork defines its start-up.
 *   start_fork N [STEP,...]
 * prints the seconds.  STEPs add, one at a time, what parscale-fork's
 * children do before their first barrier, so the benchmark can say where
 * its extra time goes:
 *   pdeathsig  prctl(PR_SET_PDEATHSIG) and getppid() in the child
 *   signals    the parent blocks SIGCHLD/SIGINT/SIGTERM/SIGHUP and waits
 *              with sigwaitinfo; the child restores handlers and the mask
 *   affinity   sched_getaffinity() in the child, as --bind none records it
 *   arena      the barrier lives in a 16 MiB MAP_NORESERVE shared mapping
 *              made before the fork, as parscale's arena is
 *   fflush     fflush(NULL) before the clock starts (not timed; for show)
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define ARENA_BYTES (16UL << 20)

struct shared {
    pthread_barrier_t barrier;
    double t_all;              /* when child 0 passed the barrier */
    double arrived[];          /* when each child reached it */
};

static int has(const char *steps, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = steps; p && *p;) {
        if (strncmp(p, name, n) == 0 && (p[n] == ',' || p[n] == '\0'))
            return 1;
        p = strchr(p, ',');
        p = p ? p + 1 : NULL;
    }
    return 0;
}

int main(int argc, char **argv)
{
    int n = (int)bench_arg(argc, argv, 1, 1, 4096);
    const char *steps = argc > 2 ? argv[2] : "";
    size_t bytes = sizeof(struct shared) + (size_t)n * sizeof(double);
    if (has(steps, "arena") && bytes < ARENA_BYTES)
        bytes = ARENA_BYTES;
    struct shared *sh = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                             MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    pthread_barrierattr_t attr;
    sigset_t set, old;
    pid_t parent = getpid();
    if (sh == MAP_FAILED)
        return 1;
    pthread_barrierattr_init(&attr);
    pthread_barrierattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    pthread_barrier_init(&sh->barrier, &attr, (unsigned)n);
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    if (has(steps, "signals"))
        sigprocmask(SIG_BLOCK, &set, &old);
    if (has(steps, "fflush"))
        fflush(NULL);
    double t0 = bench_now();
    for (int i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0)
            return 1;
        if (pid > 0)
            continue;
        if (has(steps, "pdeathsig")
            && (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent))
            _exit(1);
        if (has(steps, "signals")) {
            signal(SIGINT, SIG_DFL);
            signal(SIGTERM, SIG_DFL);
            sigprocmask(SIG_SETMASK, &old, NULL);
        }
        if (has(steps, "affinity")) {
            cpu_set_t cpus;
            sched_getaffinity(0, sizeof cpus, &cpus);
        }
        sh->arrived[i] = bench_now();
        pthread_barrier_wait(&sh->barrier);
        if (i == 0)
            sh->t_all = bench_now();
        _exit(0);
    }
    if (has(steps, "signals")) {
        siginfo_t info;
        for (int left = n; left > 0;) {
            if (sigwaitinfo(&set, &info) != SIGCHLD)
                continue;
            while (waitpid(-1, NULL, WNOHANG) > 0)
                left--;
        }
    } else {
        for (int i = 0; i < n; i++)
            wait(NULL);
    }
    double last = sh->arrived[0];
    for (int i = 1; i < n; i++)
        last = sh->arrived[i] > last ? sh->arrived[i] : last;
    printf("%.9g %.9g\n", sh->t_all - t0, last - t0);
    return 0;
}
