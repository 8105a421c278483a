/*
 * py_api.c - what the Python drivers (python/parscale_py) call through
 * ctypes, in libparscale_py.so.
 *
 * Everything but starting the workers is the C drivers' own code:
 * ps_shm_main parses the command line, makes the job and the arena, checks,
 * times and reports; every worker runs ps_worker on the shared-memory team,
 * so the CLI, the timer, the checks and the CSV writer are the ones the C
 * drivers use.  Python supplies two things through callbacks:
 *   - launch: start the workers as threading threads or multiprocessing
 *     processes, each calling psy_work, and wait for them;
 *   - a kernel's repetition written in Python (--param impl=python): it
 *     takes its items with psy_loop_begin/psy_loop_next, computes them
 *     holding the GIL, and hands its result to psy_put_result, so that the
 *     kernel's own check() verifies it.  With impl=c the C kernel's run()
 *     runs, and ctypes has released the GIL for the whole of psy_work.
 * One run per process: the run's pointers are kept here while it lasts.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "shm_main.h"

/* Which code a Python driver runs for a kernel's repetition. */
enum { IMPL_AUTO, IMPL_C, IMPL_PYTHON };

static char impl_help[320];       /* names the kernels with a Python form */
static const struct ps_param driver_params[] = {
    { "impl", PS_PCHOICE, "auto", 0, 0, "auto|c|python", impl_help },
    { NULL, 0, NULL, 0, 0, NULL, NULL },
};

typedef int (*psy_launch_fn)(void);
typedef void (*psy_form_fn)(ps_team *t, void *state);

static psy_launch_fn py_launch;   /* starts the workers and waits */
static psy_form_fn py_form;       /* a repetition in Python */
static char py_forms[256];        /* kernels with a Python form, "a, b" */

static struct {
    const struct ps_opts *o;
    struct ps_job *j;
    struct shm_arena *a;
    struct ps_outcome *out;
} run;

static struct ps_kernel python_kernel;   /* the job's kernel, run() in Python */
static __thread struct ps_loop loop;     /* this worker's loop (impl=python) */

/* Index of the impl parameter in a plan of kernel k. */
static int impl_index(const struct ps_kernel *k)
{
    int n = 0;
    while (k->params[n].name)
        n++;
    return n;
}

/* 1 if name is an item of the list ("a, b"). */
static int listed(const char *list, const char *name)
{
    size_t len = strlen(name);
    for (const char *c = list; *c;) {
        size_t n = strcspn(c, ",");
        if (n == len && strncmp(c, name, len) == 0)
            return 1;
        c += n;
        c += strspn(c, ", ");
    }
    return 0;
}

/* Settle impl=auto; refuse impl=python for a kernel without that form. */
static int validate(struct ps_job *j, char *err, size_t errlen)
{
    const struct ps_kernel *k = j->kernel;
    if (impl_index(k) >= PS_MAX_PARAMS) {   /* no room left for impl */
        snprintf(err, errlen, "kernel '%s' has too many parameters for the "
                 "Python drivers", k->name);
        return -1;
    }
    double *impl = &j->plan.param[impl_index(k)];
    int has = k->put_result && py_form && listed(py_forms, k->name);
    if ((int)*impl == IMPL_AUTO)
        *impl = has ? IMPL_PYTHON : IMPL_C;
    if ((int)*impl == IMPL_PYTHON && !has) {
        snprintf(err, errlen, "kernel '%s' has no impl=python form (kernels with "
                 "one: %s)", k->name, py_forms[0] ? py_forms : "none");
        return -1;
    }
    return 0;
}

/* A repetition of the Python form. */
static void python_run(ps_team *t, void *state) { py_form(t, state); }

/* With impl=python the job's kernel is a copy whose run() is in Python. */
static void use_form(struct ps_job *j)
{
    if ((int)j->plan.param[impl_index(j->kernel)] != IMPL_PYTHON)
        return;
    python_kernel = *j->kernel;
    python_kernel.run = python_run;
    j->kernel = &python_kernel;
}

static int launch(const struct ps_opts *o, struct ps_job *j, struct shm_arena *a,
                  struct ps_outcome *out)
{
    run.o = o;
    run.j = j;
    run.a = a;
    run.out = out;
    use_form(j);
    fflush(NULL);              /* forked workers must not write it again */
    return py_launch();
}

static int online_cores(void) { return (int)ps_cores(); }

/* The driver called name whose workers are `workers_are`: "thread", or a
 * multiprocessing start method ("fork", "spawn", "forkserver"). */
static void make_driver(struct ps_shm_driver *d, const char *name,
                        const char *workers_are)
{
    int share = strcmp(workers_are, "thread") == 0 ? SHM_ARENA_THREADS
                : strcmp(workers_are, "fork") == 0 ? SHM_ARENA_FORK
                                                   : SHM_ARENA_FILE;
    memset(d, 0, sizeof *d);
    d->info.name = name;
    d->info.workers_help = share == SHM_ARENA_THREADS
                           ? "threads (default: online CPUs)"
                           : "processes (default: online CPUs)";
    d->info.binds = 1;
    d->info.params = driver_params;
    d->info.validate = validate;
    d->process_shared = share;
    d->own_timeout = share != SHM_ARENA_THREADS;   /* Python watches them */
    d->default_workers = online_cores;
    d->launch = launch;
    d->arena_barrier = 1;
}

/* Register the Python side: launch (NULL in a worker process), the Python
 * form of a repetition, and the kernels that have one ("sleep, sqrtpow"). */
void psy_set_python(psy_launch_fn launch_fn, psy_form_fn form_fn,
                    const char *forms)
{
    py_launch = launch_fn;
    py_form = form_fn;
    snprintf(py_forms, sizeof py_forms, "%s", forms);
    snprintf(impl_help, sizeof impl_help, "c: the C kernel, the GIL released; "
             "python: a loop in Python, holding the GIL (%s); auto: python "
             "where there is one, else c", forms);
}

/* The whole run of driver `name`, whose workers are `workers_are` (see
 * make_driver): returns the process exit code. */
int psy_main(const char *name, const char *workers_are, int argc, char **argv)
{
    static struct ps_shm_driver d;
    make_driver(&d, name, workers_are);
    int rc = ps_shm_main(argc, argv, &d);
    fflush(NULL);
    memset(&run, 0, sizeof run);
    return rc;
}

/* In a worker process started by exec (spawn): make the same job from the
 * same arguments and map the parent's arena from its memory file at path,
 * at the address `at` where the parent has it.
 * Returns 0, or PS_EXIT_FAULT with a message. */
int psy_attach(const char *name, const char *workers_are, int argc, char **argv,
               int workers, const char *path, uintptr_t at, double t_launch)
{
    static struct ps_shm_driver d;
    static struct ps_opts o;
    static struct ps_job j;
    char err[PS_ERR_MAX];
    void *extra;
    make_driver(&d, name, workers_are);
    if (ps_cli_parse(argc, argv, &d.info, &o, 1) != PS_CONTINUE
        || ps_job_make(&o, workers, workers, &j, err, sizeof err) != 0) {
        ps_error(name, "a worker could not make the parent's job from its arguments");
        return PS_EXIT_FAULT;
    }
    int fd = open(path, O_RDWR | O_CLOEXEC);
    struct shm_arena *a = fd >= 0 ? shm_arena_attach(fd, (void *)at, &extra) : NULL;
    if (!a) {
        ps_error(name, "a worker cannot map the shared arena '%s': %s", path,
                 strerror(errno));
        if (fd >= 0)
            close(fd);
        return PS_EXIT_FAULT;
    }
    close(fd);
    j.one_clock = 1;           /* every worker reads this host's clock */
    ps_topo_init();            /* the CPUs --bind cores hands out */
    j.t_launch = t_launch;
    run.o = &o;
    run.j = &j;
    run.a = a;
    run.out = extra;
    use_form(&j);
    return 0;
}

/* Start the start-up clock: the workers are about to be started.  Returns
 * the time (seconds on the monotonic clock). */
double psy_start_clock(void)
{
    run.j->t_launch = ps_now();
    return run.j->t_launch;
}

/* Be worker `rank` of the run; returns when the run ends.  parent != 0:
 * this is a worker process, which must not outlive its parent: the
 * driver's pid, or -1 when a fork server started it (and dies with the
 * driver). */
int psy_work(int rank, long parent)
{
    struct ps_team t;
    if (parent != 0) {
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0
            || (parent > 0 && getppid() != (pid_t)parent))
            return PS_EXIT_FAULT;
        signal(SIGINT, SIG_DFL);   /* the parent reports an interruption */
        signal(SIGTERM, SIG_DFL);
    }
    shm_team_init(&t, run.a, rank, run.j->workers, &run.o->sched, NULL);
    ps_bind_self(run.o->bind, rank, run.out->affinity + (size_t)rank * PS_AFF_LEN);
    ps_worker(&t, run.j, run.out);
    return 0;
}

int psy_workers(void) { return run.j->workers; }
double psy_timeout(void) { return run.o->timeout; }
int psy_arena_fd(void) { return shm_arena_fd(run.a); }
uintptr_t psy_arena_address(void) { return (uintptr_t)run.a; }
const char *psy_kernel_name(void) { return run.j->kernel->name; }
uint64_t psy_size(void) { return run.j->plan.size; }

/* The value of parameter name (kernel or driver), or NaN if none. */
double psy_param(const char *name)
{
    const struct ps_param *p;
    for (int i = 0; (p = ps_param_at(run.j->kernel, run.o->driver, i)); i++)
        if (strcmp(p->name, name) == 0)
            return run.j->plan.param[i];
    return NAN;
}

/* Which workers were behind, for a --timeout message. */
void psy_describe_stuck(char *buf, size_t len)
{
    ps_describe_stuck(buf, len, run.out->phase, run.j->workers, 0, run.j->reps);
}

/* This worker's loop over n items (collective), then its ranges. */
void psy_loop_begin(ps_team *t, uint64_t n) { ps_loop_begin(t, n, &loop); }
int psy_loop_next(ps_team *t, uint64_t *lo, uint64_t *hi)
{
    return ps_loop_next(t, &loop, lo, hi);
}

/* Hand this worker's result of a Python repetition to the kernel. */
int psy_put_result(void *state, const double *v, size_t n)
{
    return run.j->kernel->put_result(state, v, n);
}
