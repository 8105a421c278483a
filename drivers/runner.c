/*
 * runner.c - the per-worker body every driver runs, the clock, and the
 * watchdog.  Workers are started before this and ended after it, never
 * inside a timed repetition.
 *
 * Test-only fault injection: PARSCALE_FAULT=RANK:KIND makes worker RANK,
 * at the start of its first timed repetition, do KIND: "kill" (SIGKILL
 * itself), "segv" (SIGSEGV), "exit" (exit status 7 from that worker) or
 * "hang" (sleep forever), or "skip" (skip its share of that repetition, so
 * kernels whose result depends on every worker must fail verification).
 * It exists so the fault paths can be tested; it is not for measurements.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

#define FAULT_EXIT_STATUS 7
#define TIMER_SLACK_NS 1UL     /* 0 would mean "the default" (50 us) */

/* Seconds since the epoch, for timestamps. */
static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void ps_hostname(char *buf, size_t len)
{
    if (gethostname(buf, len) != 0)
        snprintf(buf, len, "unknown");
    buf[len - 1] = '\0';
    for (char *c = buf; *c; c++)     /* keep the CSV field plain */
        if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                    "0123456789.-_", *c))
            *c = '_';
}

size_t ps_outcome_bytes(int reps, int workers)
{
    return sizeof(struct ps_outcome) + 9 * (size_t)reps * sizeof(double)
           + (size_t)workers * (sizeof(double) + PS_AFF_LEN + sizeof(int));
}

void ps_outcome_init(struct ps_outcome *out, int reps, int workers)
{
    memset(out, 0, ps_outcome_bytes(reps, workers));
    out->seconds = (double *)(out + 1);
    out->stamp = out->seconds + reps;
    out->useful_max = out->stamp + reps;
    out->useful_mean = out->useful_max + reps;
    out->useful_min = out->useful_mean + reps;
    out->team_max = out->useful_min + reps;
    out->team_mean = out->team_max + reps;
    out->instructions = out->team_mean + reps;
    out->cycles = out->instructions + reps;
    out->arrival = out->cycles + reps;
    out->phase = (volatile int *)(out->arrival + workers);
    out->affinity = (char *)(out->phase + workers);
    out->empty = -1;
}

void ps_env_add(char *env, const char *key, const char *value)
{
    size_t used = strlen(env);
    int n = snprintf(env + used, PS_ENV_MAX - used, "%s%s=", used ? ";" : "", key);
    if (n < 0 || (size_t)n >= PS_ENV_MAX - used) {
        env[used] = '\0';
        return;
    }
    used += (size_t)n;
    for (const char *c = value; *c && used + 1 < PS_ENV_MAX; c++)
        env[used++] = *c == ',' ? '+'
                      : strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                               "0123456789._:{}+*-", *c) ? *c : '_';
    env[used] = '\0';
}

/* Do an injected fault (see the file comment); returns 1 if this worker
 * should skip its share of the repetition. */
static int do_fault(int kind)
{
    if (kind == PS_FAULT_KILL)
        raise(SIGKILL);
    else if (kind == PS_FAULT_SEGV)
        raise(SIGSEGV);
    else if (kind == PS_FAULT_EXIT)
        exit(FAULT_EXIT_STATUS);
    else if (kind == PS_FAULT_HANG)
        for (;;)
            pause();
    return kind == PS_FAULT_SKIP;
}

/* Append s to buf (of len, holding *used); async-signal-safe. */
static void put(char *buf, size_t len, size_t *used, const char *s)
{
    while (*s && *used + 1 < len)
        buf[(*used)++] = *s++;
    buf[*used] = '\0';
}

/* Append a non-negative integer; async-signal-safe. */
static void put_int(char *buf, size_t len, size_t *used, long v)
{
    char digits[24];
    int n = 0;
    do
        digits[n++] = (char)('0' + v % 10);
    while ((v /= 10) > 0 && n < 23);
    while (n > 0 && *used + 1 < len)
        buf[(*used)++] = digits[--n];
    buf[*used] = '\0';
}

static __thread int current_worker = -1;   /* team rank of this thread */
static const char *dying_driver;

/* "parscale-D: worker N WHAT" on stderr, async-signal-safe. */
static void say_worker(const char *what)
{
    char buf[160];
    size_t used = 0;
    put(buf, sizeof buf, &used, "parscale-");
    put(buf, sizeof buf, &used, dying_driver);
    put(buf, sizeof buf, &used, ": worker ");
    put_int(buf, sizeof buf, &used, current_worker);
    put(buf, sizeof buf, &used, what);
    put(buf, sizeof buf, &used, "\n");
    ssize_t w = write(STDERR_FILENO, buf, used);
    (void)w;
}

static void crash_handler(int sig)
{
    static const struct { int sig; const char *what; } names[] = {
        { SIGSEGV, " crashed: signal 11 (SIGSEGV, bad memory access)" },
        { SIGBUS, " crashed: SIGBUS (bus error)" },
        { SIGFPE, " crashed: SIGFPE (arithmetic fault)" },
        { SIGILL, " crashed: SIGILL (illegal instruction)" },
        { SIGABRT, " crashed: SIGABRT (aborted)" },
    };
    if (current_worker >= 0)
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            if (names[i].sig == sig)
                say_worker(names[i].what);
    signal(sig, SIG_DFL);        /* and die of it, as the caller expects */
    raise(sig);
}

static void exit_handler(void)
{
    if (current_worker >= 0)
        say_worker(" called exit() before the run ended");
}

void ps_name_dying_workers(const char *driver)
{
    static const int sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
    struct sigaction sa;
    dying_driver = driver;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = crash_handler;
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaction(sigs[i], &sa, NULL);
    atexit(exit_handler);
}

/*
 * Start-up: from when starting workers began until the last one was
 * running.  Where every worker shares one clock and one outcome (serial,
 * pthread, OpenMP, fork) that is the latest arrival each worker recorded
 * for itself as it began; the start barrier after it sleeps rather than
 * spins (ps_team_start_barrier), so a worker that arrived early cannot
 * keep a later one off the CPU, and how long the barrier takes to wake
 * everybody is not counted.  (An OpenMP barrier spins first: at 2 threads
 * on a busy machine the first thread's spinning delayed the master's
 * arrival by a scheduler slice, 4-8 ms instead of 0.1 ms.)  MPI ranks have
 * no common clock across hosts: there rank 0 reads its own clock once the
 * start barrier is passed.
 */
static double startup_seconds(const struct ps_job *j, const struct ps_outcome *out)
{
    if (!j->one_clock)
        return ps_now() - j->t_launch;
    double last = out->arrival[0];
    for (int i = 1; i < j->workers; i++)
        if (out->arrival[i] > last)
            last = out->arrival[i];
    return last - j->t_launch;
}

void ps_worker(ps_team *t, const struct ps_job *j, struct ps_outcome *out)
{
    const struct ps_kernel *k = j->kernel;
    int rank0 = ps_rank(t) == 0;
    volatile int *phase = &out->phase[ps_rank(t) - j->first];
    void *state = NULL;
    int fault = j->fault && j->fault_rank == ps_rank(t) ? j->fault : PS_FAULT_NONE;

    struct ps_acct *acct = ps_team_acct(t);
    struct ps_acct_run run;

    acct->on = 0;                        /* the team zeroed the rest */
    acct->perf_fd = acct->perf_member = -1;
    /* Sleeps and timed waits end when asked, not up to 50 us later. */
    prctl(PR_SET_TIMERSLACK, TIMER_SLACK_NS, 0, 0, 0);
    current_worker = ps_rank(t);
    out->arrival[ps_rank(t) - j->first] = ps_now();
    ps_team_start_barrier(t);            /* every worker is running */
    if (rank0 && j->t_launch > 0)
        out->startup = startup_seconds(j, out);
    *phase = PS_PHASE_SETUP;
    uint64_t failed = k->setup(t, &j->plan, &state) != 0;
    ps_allreduce_u64(t, &failed, 1, PS_MAX);
    if (failed) {
        if (state)
            k->teardown(state);
        if (rank0)
            out->failed = 1;
        current_worker = -1;
        return;
    }
    *phase = PS_PHASE_WARMUP;
    for (int w = 0; w < j->warmup; w++) {
        k->run(t, state);
        ps_barrier(t);
    }
    ps_acct_setup(t, j, &run);
    for (int r = 0; r < j->reps; r++) {
        *phase = PS_PHASE_REP + 2 * r;
        ps_barrier(t);
        double t0 = ps_acct_begin(t, &run, r);
        int skip = r == 0 && fault && do_fault(fault);
        if (!skip)
            k->run(t, state);
        *phase = PS_PHASE_REP + 2 * r + 1;
        ps_barrier(t);                   /* waiting here is team time */
        double stop = ps_now(), useful, team;
        ps_acct_end(t, &run, r, stop, &useful, &team);
        /* max of the time, useful, team; min of useful as max of -useful */
        double m[4] = { stop - t0, useful, team, -useful };
        ps_allreduce_f64(t, m, run.accounting ? 4 : 1, PS_MAX);
        if (rank0) {
            out->seconds[r] = m[0];
            out->useful_max[r] = m[1];
            out->team_max[r] = m[2];
            out->useful_min[r] = -m[3];
            out->stamp[r] = wall_now();
        }
    }
    /* The fixed cost every repetition carries: the same barrier, start,
     * accounting, barrier, stop and max over workers, without run(). */
    double empty[PS_EMPTY_REPS];
    *phase = PS_PHASE_REP + 2 * j->reps;
    for (int e = 0; e < PS_EMPTY_REPS; e++) {
        double useful, team;
        ps_barrier(t);
        double t0 = ps_acct_begin(t, &run, -1);
        ps_barrier(t);
        double stop = ps_now();
        ps_acct_end(t, &run, -1, stop, &useful, &team);
        empty[e] = stop - t0;
    }
    ps_acct_finish(t, &run, out, j->workers);
    ps_allreduce_f64(t, empty, PS_EMPTY_REPS, PS_MAX);
    if (rank0)
        out->empty = ps_median(empty, PS_EMPTY_REPS);
    double checksum, error;
    int ok = k->check(t, state, &checksum, &error);
    if (rank0) {
        out->verified = ok;
        out->checksum = checksum;
        out->error = error;
    }
    k->teardown(state);
    current_worker = -1;
}

#define STUCK_NAMED 8   /* workers named before "and N more" */

void ps_describe_stuck(char *buf, size_t len, const volatile int *phase, int n,
                       int first, int reps)
{
    size_t used = 0;
    int low = phase[0], behind = 0, named = 0;
    buf[0] = '\0';
    for (int i = 1; i < n; i++)
        if (phase[i] < low)
            low = phase[i];
    for (int i = 0; i < n; i++)
        behind += phase[i] == low;
    put(buf, len, &used, behind == 1 ? "worker " : "workers ");
    for (int i = 0; i < n && named < STUCK_NAMED; i++) {
        if (phase[i] != low)
            continue;
        put(buf, len, &used, named++ ? ", " : "");
        put_int(buf, len, &used, first + i);
    }
    if (behind > named) {
        put(buf, len, &used, " and ");
        put_int(buf, len, &used, behind - named);
        put(buf, len, &used, " more");
    }
    if (low < PS_PHASE_SETUP) {
        put(buf, len, &used, " had not started");
    } else if (low == PS_PHASE_SETUP) {
        put(buf, len, &used, " still setting up");
    } else if (low == PS_PHASE_WARMUP) {
        put(buf, len, &used, " still in warm-up");
    } else if (low >= PS_PHASE_REP + 2 * reps) {
        put(buf, len, &used, " still verifying");
    } else {
        int rep = (low - PS_PHASE_REP) / 2 + 1;
        put(buf, len, &used, (low - PS_PHASE_REP) % 2 ? " finished repetition "
                                                        : " still in repetition ");
        put_int(buf, len, &used, rep);
        if ((low - PS_PHASE_REP) % 2)
            put(buf, len, &used, " and waited for the others");
    }
    if (behind < n) {
        put(buf, len, &used, " (the other ");
        put_int(buf, len, &used, n - behind);
        put(buf, len, &used, n - behind == 1 ? " was further on)" : " were further on)");
    }
}

static char watchdog_msg[400];
static const volatile int *watch_phase;
static int watch_n, watch_first, watch_reps;

static void watchdog_fire(int sig)
{
    char stuck[240];
    size_t len = strlen(watchdog_msg);
    (void)sig;
    ps_describe_stuck(stuck, sizeof stuck, watch_phase, watch_n, watch_first,
                      watch_reps);
    ssize_t w = write(STDERR_FILENO, watchdog_msg, len);
    w = write(STDERR_FILENO, stuck, strlen(stuck));
    w = write(STDERR_FILENO, "\n", 1);
    (void)w;
    _exit(PS_EXIT_FAULT);
}

void ps_watchdog(const char *driver, double seconds, const volatile int *phase,
                 int n, int first, int reps)
{
    if (seconds <= 0)
        return;
    watch_phase = phase;
    watch_n = n;
    watch_first = first;
    watch_reps = reps;
    snprintf(watchdog_msg, sizeof watchdog_msg,
             "parscale-%s: run exceeded --timeout %g s; ", driver, seconds);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = watchdog_fire;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = { { 0, 0 }, { (time_t)seconds,
                            (suseconds_t)((seconds - (double)(time_t)seconds) * 1e6) } };
    if (it.it_value.tv_sec == 0 && it.it_value.tv_usec == 0)
        it.it_value.tv_usec = 1;
    setitimer(ITIMER_REAL, &it, NULL);
}
