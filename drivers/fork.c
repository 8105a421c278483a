/*
 * fork.c - workers are processes fork()ed once per run.  They share the
 * arena mapped (MAP_SHARED) before the first fork: the process-shared
 * barrier, C11 atomics, reduction and halo slots, and rank 0's results.
 * Start-up cost: from the first fork() until every child has passed the
 * team's first barrier.
 *
 * The parent only waits.  When a child dies (signal or non-zero exit),
 * when --timeout passes, or on SIGINT/SIGTERM, it says which worker and
 * why, kills the other children, reaps them all and exits 1.  Children
 * die with the parent (PR_SET_PDEATHSIG), so none is ever orphaned.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shm_main.h"

/* One worker per CPU this process may use. */
static int allowed_cpus(void) { return (int)ps_cores(); }

/*
 * The child: run the worker and leave without touching stdio buffers.
 * It first frees its copy of the parent's pid table: the child never uses
 * it, and once the compiler drops the parent's (now dead) pointer from its
 * registers nothing in the child refers to the block any more, so a child
 * that leaves through exit() (an injected fault, or a kernel bug) would
 * have LeakSanitizer report it and turn its exit status into 1.
 */
static void child(const struct ps_opts *o, struct ps_job *j, struct shm_arena *a,
                  struct ps_outcome *out, int rank, pid_t parent,
                  const sigset_t *mask, pid_t *parent_pids)
{
    struct ps_team t;
    free(parent_pids);
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
        _exit(PS_EXIT_FAULT);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    sigprocmask(SIG_SETMASK, mask, NULL);
    shm_team_init(&t, a, rank, j->workers, &o->sched, NULL);
    ps_bind_self(o->bind, rank, out->affinity + (size_t)rank * PS_AFF_LEN);
    ps_worker(&t, j, out);
    _exit(PS_EXIT_OK);
}

/* Describe how a child ended into buf; returns 1 if that was a failure. */
static int describe(int status, char *buf, size_t len)
{
    if (WIFSIGNALED(status)) {
        snprintf(buf, len, "was killed by signal %d (%s)", WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
        return 1;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
        snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
        return 1;
    }
    return 0;
}

static int rank_of(const pid_t *pids, int n, pid_t pid)
{
    for (int i = 0; i < n; i++)
        if (pids[i] == pid)
            return i;
    return -1;
}

/* Kill every child still alive and reap them all. */
static void end_children(pid_t *pids, int n)
{
    for (int i = 0; i < n; i++)
        if (pids[i] > 0)
            kill(pids[i], SIGKILL);
    for (int i = 0; i < n; i++)
        if (pids[i] > 0)
            while (waitpid(pids[i], NULL, 0) < 0 && errno == EINTR)
                ;
}

/* Wait for n children; returns 0 when all exited 0, else prints why and
 * returns PS_EXIT_FAULT.  pids of reaped children are set to 0. */
static int wait_children(pid_t *pids, int n, double timeout, const sigset_t *set,
                         const struct ps_outcome *out, int reps)
{
    double deadline = timeout > 0 ? ps_now() + timeout : 0;
    int left = n;
    while (left > 0) {
        siginfo_t info;
        int sig;
        if (deadline > 0) {
            double rest = deadline - ps_now();
            if (rest < 0)
                rest = 0;
            struct timespec ts = { (time_t)rest,
                                   (long)((rest - floor(rest)) * 1e9) };
            sig = sigtimedwait(set, &info, &ts);
        } else {
            sig = sigwaitinfo(set, &info);
        }
        if (sig < 0 && errno == EINTR)
            continue;
        if (sig < 0) {
            char stuck[240];
            ps_describe_stuck(stuck, sizeof stuck, out->phase, n, 0, reps);
            ps_error("fork", "run exceeded --timeout %g s; %s", timeout, stuck);
            return PS_EXIT_FAULT;
        }
        if (sig != SIGCHLD) {
            ps_error("fork", "interrupted by signal %d (%s); ended %d workers",
                     sig, strsignal(sig), left);
            return PS_EXIT_FAULT;
        }
        pid_t pid;
        int status;
        while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
            int r = rank_of(pids, n, pid);
            char why[128];
            if (r < 0)
                continue;
            pids[r] = 0;
            left--;
            if (describe(status, why, sizeof why)) {
                ps_error("fork", "worker %d (pid %ld) %s; ended the other workers",
                         r, (long)pid, why);
                return PS_EXIT_FAULT;
            }
        }
    }
    return 0;
}

static int launch(const struct ps_opts *o, struct ps_job *j,
                  struct shm_arena *a, struct ps_outcome *out)
{
    int n = j->workers, rc = 0;
    pid_t parent = getpid();
    pid_t *pids = calloc((size_t)n, sizeof *pids);
    sigset_t set, old;
    if (!pids) {
        ps_error("fork", "out of memory for %d workers", n);
        return PS_EXIT_FAULT;
    }
    signal(SIGCHLD, SIG_DFL);   /* an inherited SIG_IGN would reap for us */
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigprocmask(SIG_BLOCK, &set, &old);
    fflush(NULL);
    j->t_launch = ps_now();
    for (int i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid == 0)
            child(o, j, a, out, i, parent, &old, pids);
        if (pid < 0) {
            ps_error("fork", "cannot fork worker %d of %d: %s", i, n, strerror(errno));
            rc = PS_EXIT_FAULT;
            break;
        }
        pids[i] = pid;
    }
    if (rc == 0)
        rc = wait_children(pids, n, o->timeout, &set, out, j->reps);
    end_children(pids, n);
    sigprocmask(SIG_SETMASK, &old, NULL);
    free(pids);
    return rc;
}

static const struct ps_shm_driver driver = {
    .info = { .name = "fork", .workers_help = "processes (default: the CPUs this\n"
              "                          process may use)",
              .binds = 1 },
    .process_shared = SHM_ARENA_FORK,
    .own_timeout = 1,
    .default_workers = allowed_cpus,
    .launch = launch,
    .arena_barrier = 1,
};

int main(int argc, char **argv) { return ps_shm_main(argc, argv, &driver); }
