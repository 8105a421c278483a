/*
 * exec_spawn.c - one process of parscale-exec: fork, exec, wait.
 *
 * The wall clock (CLOCK_MONOTONIC) starts just before fork() and stops as
 * soon as the child's SIGCHLD is taken, so it holds everything the user
 * waits for: process creation, exec, loading, the program's own start-up,
 * its work and its exit.  wait4() gives the CPU time and peak resident set
 * of the child and of the descendants it waited for.
 *
 * parscale-exec keeps SIGCHLD, SIGINT, SIGTERM and SIGHUP blocked and takes
 * them with sigtimedwait(), so a timeout or an interrupt can never be lost
 * between a check and a wait.  The child runs in a process group of its
 * own, which a timeout or an interrupt ends (SIGTERM, then SIGKILL after
 * KILL_GRACE seconds); processes the program leaves behind in its group
 * are ended too.  parscale-exec is a child subreaper, so descendants
 * orphaned on the way are reaped here rather than left as zombies.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exec.h"

#define KILL_GRACE 2.0                 /* seconds from SIGTERM to SIGKILL */
#define CAPTURE_MAX ((off_t)16 << 20)  /* bytes of output searched */

static sigset_t waited, original;
static const char *workdir;    /* --chdir, NULL: this process's */

void exec_spawn_init(const char *dir)
{
    workdir = dir;
    sigemptyset(&waited);
    sigaddset(&waited, SIGCHLD);
    sigaddset(&waited, SIGINT);
    sigaddset(&waited, SIGTERM);
    sigaddset(&waited, SIGHUP);
    sigprocmask(SIG_BLOCK, &waited, &original);
    prctl(PR_SET_CHILD_SUBREAPER, 1);
}

/* Reap finished children other than pid (orphans adopted as subreaper).
 * Each is looked at first without being reaped, so that pid, should it
 * have ended meanwhile, is left for wait4 and its status and usage are
 * not lost; its SIGCHLD is then pending and brings the caller back. */
static void reap_others(pid_t pid)
{
    for (;;) {
        siginfo_t info;
        memset(&info, 0, sizeof info);
        if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid == 0
            || info.si_pid == pid)
            return;
        waitpid(info.si_pid, NULL, 0);
    }
}

/* Wait for signals in set until deadline (0: none); the signal, or -1 when
 * the deadline passed. */
static int wait_signal(const sigset_t *set, double deadline)
{
    for (;;) {
        int sig;
        if (deadline > 0) {
            double left = deadline - ps_now();
            if (left <= 0)
                return -1;
            struct timespec ts = { (time_t)left, (long)((left - (double)(time_t)left) * 1e9) };
            sig = sigtimedwait(set, NULL, &ts);
            if (sig < 0 && errno == EAGAIN)
                return -1;
        } else {
            sig = sigwaitinfo(set, NULL);
        }
        if (sig > 0)
            return sig;
    }
}

/* After SIGKILL to group pid (whose leader was reaped): reap its members
 * as they die (orphans are ours, as subreaper) until none is left, for at
 * most KILL_GRACE seconds, so that nothing of the program outlives this
 * process, not even as a zombie nobody would reap. */
static void drain_group(pid_t pid)
{
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    double until = ps_now() + KILL_GRACE;
    for (;;) {
        reap_others(pid);
        if (kill(-pid, 0) != 0 || wait_signal(&chld, until) < 0)
            return;
    }
}

/* End pid's process group: SIGTERM, then SIGKILL after the grace; reap pid. */
static void end_group(pid_t pid)
{
    sigset_t chld;
    int st;
    struct rusage ru;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    kill(-pid, SIGTERM);
    double until = ps_now() + KILL_GRACE;
    while (wait4(pid, &st, WNOHANG, &ru) == 0) {
        if (wait_signal(&chld, until) < 0) {
            kill(-pid, SIGKILL);
            waitpid(pid, &st, 0);
            break;
        }
    }
    kill(-pid, SIGKILL);
    drain_group(pid);
}

int exec_spawn(char *const *argv, char *const *env, int in, int out, int err,
               double deadline, struct exec_result *r)
{
    int report[2];
    memset(r, 0, sizeof *r);
    if (pipe2(report, O_CLOEXEC) != 0)
        return SPAWN_FAILED;
    pid_t parent = getpid();
    double t0 = ps_now();
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(report[0]);
        close(report[1]);
        errno = e;
        return SPAWN_FAILED;
    }
    if (pid == 0) {
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        if ((in != 0 && dup2(in, 0) < 0) || (out != 1 && dup2(out, 1) < 0)
            || (err != 2 && dup2(err, 2) < 0))
            goto child_failed;
        sigprocmask(SIG_SETMASK, &original, NULL);
        if (workdir && chdir(workdir) != 0)
            goto child_failed;
        for (size_t i = 0; env[i]; i++)
            if (putenv(env[i]) != 0)
                goto child_failed;
        execvp(argv[0], argv);
child_failed: {
            int e = errno;
            ssize_t w = write(report[1], &e, sizeof e);
            (void)w;
            _exit(127);
        }
    }
    setpgid(pid, pid);         /* as the child does: whichever runs first */
    close(report[1]);
    int status = 0, rc = SPAWN_OK;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    for (;;) {
        int sig = wait_signal(&waited, deadline);
        double now = ps_now();
        if (sig == SIGCHLD) {
            if (wait4(pid, &status, WNOHANG, &ru) == pid) {
                r->wall = now - t0;
                break;
            }
            reap_others(pid);
            continue;
        }
        end_group(pid);
        rc = sig < 0 ? SPAWN_TIMEOUT : sig;
        break;
    }
    if (rc == SPAWN_OK) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        r->end = (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
        r->status = status;
        r->cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6
                 + (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
        r->max_rss = (double)ru.ru_maxrss * 1024.0;
        int e;
        if (read(report[0], &e, sizeof e) == (ssize_t)sizeof e)
            r->exec_errno = e ? e : ENOEXEC;
        /* what the program left running in its group */
        reap_others(pid);
        if (kill(-pid, 0) == 0) {
            kill(-pid, SIGKILL);
            r->left_behind = 1;
            drain_group(pid);
        }
    }
    close(report[0]);
    return rc;
}

int exec_capture_open(const char *what)
{
    return memfd_create(what, MFD_CLOEXEC);
}

int exec_capture_reset(int fd)
{
    if (ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0)
        return -1;
    return 0;
}

char *exec_capture_read(int fd, size_t *len)
{
    struct stat sb;
    if (fstat(fd, &sb) != 0)
        return NULL;
    off_t from = sb.st_size > CAPTURE_MAX ? sb.st_size - CAPTURE_MAX : 0;
    size_t n = (size_t)(sb.st_size - from), got = 0;
    char *buf = malloc(n + 1);
    if (!buf)
        return NULL;
    while (got < n) {
        ssize_t k = pread(fd, buf + got, n - got, from + (off_t)got);
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    for (size_t i = 0; i < got; i++)
        if (buf[i] == '\0')
            buf[i] = ' ';
    buf[got] = '\0';
    if (len)
        *len = got;
    return buf;
}
