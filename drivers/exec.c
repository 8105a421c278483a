/*
 * exec.c - parscale-exec: a program of the user's run once per repetition,
 * each time a new process, its rows written by the drivers' one CSV
 * writer (report.c) in the raw schema every driver writes.
 *
 * What a row says (see also ps_exec_facts in common.h):
 *   seconds          the program's own time (--metric, --metric-csv), else
 *                    the wall time measured here
 *   startup_seconds  wall - the program's own time: process creation, exec,
 *                    loading, the runtime's start (MPI_Init ...) and exit;
 *                    empty without a metric
 *   wall_seconds     fork -> reaped, on CLOCK_MONOTONIC (exec_spawn.c)
 *   cpu_seconds      user + system time of the process and the descendants
 *                    it waited for (wait4)
 *   max_rss_bytes    the largest peak resident set among those processes
 *   verified         exit status 0, --check-regex matched, --check-cmd exited 0
 *   kernel, driver   --name, exec:VARIANT; class --class; params --param items
 *   kernel_lib(_sha256)  the file run (or --program) and its SHA-256
 *   empty_seconds    without a metric: the median wall time of starting and
 *                    reaping a program that does nothing (true, or sh -c :
 *                    with --shell), the fixed cost in every wall time
 * Columns about a kernel or parscale's own workers (checksum, schedule,
 * bind, affinity, working set, useful/team time, counters) stay empty, or
 * "none" for schedule.
 *
 * Exit status: 0; 3 when a repetition exited non-zero or failed a check
 * (every row is still written, verified = 0); 1 with no rows when the
 * program could not be started, was killed by a signal, ran past
 * --timeout, did not report its time in a repetition that passed, or on
 * SIGINT/SIGTERM/SIGHUP; 2 for bad input (exec_cli.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec.h"
#include "sha256.h"

#define TAIL_LINES 10          /* lines of a failed repetition's output shown */

/* Everything a run keeps between repetitions. */
struct run {
    const struct exec_opts *o;
    int null_fd, out_fd, err_fd;       /* the child's stdin, stdout, stderr */
    double deadline;           /* ps_now() when --timeout ends the run, 0: never */
    struct ps_outcome *out;
    struct ps_exec_facts facts;
    int failed;                /* timed repetitions not verified */
    int warned_own_time;       /* said once that the own time exceeds wall */
};

/* "repetition 3" or "warm-up 1" into buf. */
static const char *rep_name(char *buf, size_t len, int warmup, int i)
{
    snprintf(buf, len, "%s %d", warmup ? "warm-up" : "repetition", i + 1);
    return buf;
}

/* The last TAIL_LINES lines of text to stderr, each after "  > ". */
static void show_tail(const char *text, const char *stream)
{
    size_t n = strlen(text);
    while (n && text[n - 1] == '\n')
        n--;
    if (n == 0)
        return;
    size_t from = n;
    for (int lines = 0; from > 0; from--)
        if (text[from - 1] == '\n' && ++lines == TAIL_LINES)
            break;
    fprintf(stderr, "parscale-exec: its %s ended with:\n", stream);
    for (const char *p = text + from; p < text + n;) {
        size_t k = strcspn(p, "\n");
        if (p + k > text + n)
            k = (size_t)(text + n - p);
        fprintf(stderr, "  > %.*s\n", (int)k, p);
        p += k + 1;
    }
}

/* Why a spawn that did not finish normally ended; always PS_EXIT_FAULT. */
static int spawn_fault(const struct run *x, int rc, const char *what, const char *who)
{
    if (rc == SPAWN_TIMEOUT)
        ps_error(EXEC_PROG, "run exceeded --timeout %g s in %s; ended the %s's process "
                 "group", x->o->timeout, what, who);
    else if (rc == SPAWN_FAILED)
        ps_error(EXEC_PROG, "%s: cannot start the %s: fork: %s", what, who, strerror(errno));
    else
        ps_error(EXEC_PROG, "interrupted by %s in %s; ended the %s's process group",
                 strsignal(rc), what, who);
    return PS_EXIT_FAULT;
}

/* A finished process that was killed or never started; PS_EXIT_FAULT, or 0. */
static int start_or_signal_fault(const struct exec_result *r, const char *what,
                                 const char *who, const char *path)
{
    if (r->exec_errno) {
        ps_error(EXEC_PROG, "%s: cannot run the %s '%s': %s", what, who, path,
                 strerror(r->exec_errno));
        return PS_EXIT_FAULT;
    }
    if (WIFSIGNALED(r->status)) {
        ps_error(EXEC_PROG, "%s: the %s was killed by signal %d (%s)", what, who,
                 WTERMSIG(r->status), strsignal(WTERMSIG(r->status)));
        return PS_EXIT_FAULT;
    }
    return 0;
}

/* --check-cmd on this repetition's output; 0 passed, 1 failed (why in
 * reason), -1 after a message (it could not run). */
static int run_check(struct run *x, const struct exec_dict *d, int fd, const char *what,
                     char *reason, size_t len)
{
    char **argv, **env, err[PS_ERR_MAX];
    struct exec_result r;
    if (exec_cmd_expand(&x->o->check, d, &argv, &env, err, sizeof err)) {
        ps_error(EXEC_PROG, "%s: --check-cmd: %s", what, err);
        return -1;
    }
    int rc = lseek(fd, 0, SEEK_SET) == 0 ? exec_spawn(argv, env, fd, 2, 2, x->deadline, &r)
                                         : SPAWN_FAILED;
    int fault = rc != SPAWN_OK ? spawn_fault(x, rc, what, "--check-cmd")
                               : start_or_signal_fault(&r, what, "--check-cmd", argv[0]);
    exec_strv_free(argv);
    exec_strv_free(env);
    if (fault)
        return -1;
    if (WEXITSTATUS(r.status) != 0) {
        snprintf(reason, len, "--check-cmd exited %d", WEXITSTATUS(r.status));
        return 1;
    }
    return 0;
}

/* One repetition (warm-up when warmup, else timed repetition i). Returns 0
 * or PS_EXIT_FAULT after a message. */
static int repetition(struct run *x, int warmup, int i)
{
    const struct exec_opts *o = x->o;
    char what[48], num[4][24], rep[24], err[PS_ERR_MAX], reason[PS_ERR_MAX] = "";
    char **argv, **env, *text = NULL;
    struct exec_dict d;
    struct exec_result r;
    int fault = 0, verified;
    int text_fd = o->from == FROM_STDERR ? x->err_fd : x->out_fd;

    rep_name(what, sizeof what, warmup, i);
    snprintf(rep, sizeof rep, "%d", warmup ? 0 : i + 1);
    exec_dict_for(o, &d, num, rep);
    if (exec_cmd_expand(&o->cmd, &d, &argv, &env, err, sizeof err)) {
        ps_error(EXEC_PROG, "%s: %s", what, err);
        return PS_EXIT_FAULT;
    }
    if (exec_capture_reset(x->out_fd) || (x->err_fd >= 0 && exec_capture_reset(x->err_fd))) {
        ps_error(EXEC_PROG, "cannot reset the capture of the program's output: %s",
                 strerror(errno));
        fault = PS_EXIT_FAULT;
        goto out_free;
    }
    int rc = exec_spawn(argv, env, x->null_fd, x->out_fd, x->err_fd >= 0 ? x->err_fd : 2,
                        x->deadline, &r);
    fault = rc != SPAWN_OK ? spawn_fault(x, rc, what, "program")
                           : start_or_signal_fault(&r, what, "program", argv[0]);
    if (fault)
        goto out_free;
    if (r.left_behind)
        fprintf(stderr, "parscale-exec: warning: %s left processes running in its process "
                "group; ended them\n", what);
    if (x->err_fd >= 0) {               /* the program's stderr, as it wrote it */
        char *e = exec_capture_read(x->err_fd, NULL);
        if (e)
            fputs(e, stderr);
        free(e);
    }
    text = exec_capture_read(text_fd, NULL);
    if (!text) {
        ps_error(EXEC_PROG, "out of memory reading the program's output");
        fault = PS_EXIT_FAULT;
        goto out_free;
    }
    verified = WEXITSTATUS(r.status) == 0;
    if (!verified)
        snprintf(reason, sizeof reason, "exit status %d", WEXITSTATUS(r.status));
    else if (o->have_check_re && regexec(&o->check_re, text, 0, NULL, 0) != 0)
        snprintf(reason, sizeof reason, "--check-regex did not match its %s",
                 o->from == FROM_STDERR ? "stderr" : "stdout");
    else if (o->check.nwords) {
        if (run_check(x, &d, text_fd, what, reason, sizeof reason) < 0) {
            fault = PS_EXIT_FAULT;
            goto out_free;
        }
    }
    verified = !reason[0];
    if (!verified) {
        if (warmup)
            fprintf(stderr, "parscale-exec: warning: %s failed (%s); it is not reported\n",
                    what, reason);
        else
            ps_error(EXEC_PROG, "%s failed: %s", what, reason);
        if (o->from == FROM_STDOUT)
            show_tail(text, "stdout");
    }
    if (warmup)
        goto out_free;

    double own = -1;
    if (o->have_metric || o->metric_csv) {
        own = exec_metric(o, text, err, sizeof err);
        if (own < 0 && verified) {
            ps_error(EXEC_PROG, "%s: %s", what, err);
            show_tail(text, o->from == FROM_STDERR ? "stderr" : "stdout");
            fault = PS_EXIT_FAULT;
            goto out_free;
        }
    }
    x->out->seconds[i] = own > 0 ? own : r.wall;
    x->out->stamp[i] = r.end;
    x->facts.startup[i] = own > 0 && own <= r.wall ? r.wall - own : -1;
    if (own > r.wall && !x->warned_own_time++)
        fprintf(stderr, "parscale-exec: warning: %s: the program's own time %.6g s is "
                "more than the wall time %.6g s parscale measured (another clock, or "
                "rounding); its startup_seconds is left empty\n", what, own, r.wall);
    x->facts.wall[i] = r.wall;
    x->facts.cpu[i] = r.cpu;
    x->facts.max_rss[i] = r.max_rss;
    x->facts.verified[i] = verified;
    x->failed += !verified;
out_free:
    free(text);
    exec_strv_free(argv);
    exec_strv_free(env);
    return fault;
}

/* Median of v[0..n) (sorted in place); -1 when n is 0. */
static double median(double *v, int n)
{
    return n <= 0 ? -1 : ps_median(v, n);
}

/* Without a metric: the wall time of a program that does nothing, started
 * and reaped the same way (the median of PS_EMPTY_REPS); -1 if it fails. */
static double empty_seconds(struct run *x)
{
    static char t[] = "true", sh[] = "/bin/sh", c[] = "-c", colon[] = ":";
    char *nothing[] = { t, NULL }, *shell[] = { sh, c, colon, NULL }, *noenv[] = { NULL };
    double v[PS_EMPTY_REPS];
    for (int k = 0; k < PS_EMPTY_REPS; k++) {
        struct exec_result r;
        if (exec_capture_reset(x->out_fd)
            || exec_spawn(x->o->cmd.shell ? shell : nothing, noenv, x->null_fd, x->out_fd,
                          x->out_fd, x->deadline, &r) != SPAWN_OK
            || r.exec_errno || r.status != 0)
            return -1;
        v[k] = r.wall;
    }
    return median(v, PS_EMPTY_REPS);
}

/* Where the file the command runs is, and its SHA-256 (for kernel_lib). */
static void program_source(const struct exec_opts *o, char **path, char *sha)
{
    *path = o->program ? realpath(o->program, NULL)
                       : exec_cmd_which(&o->cmd, o->cmd.env, o->chdir);
    if (*path && strpbrk(*path, ",\"\n\r\t")) {
        fprintf(stderr, "parscale-exec: warning: the program's path holds a ',', a quote "
                "or a control character; the rows do not record it\n");
        free(*path);
        *path = NULL;
    }
    if (*path && ps_sha256_file(*path, sha) != 0) {
        fprintf(stderr, "parscale-exec: warning: cannot read '%s' to record its SHA-256: "
                "%s\n", *path, strerror(errno));
        free(*path);
        *path = NULL;
    }
}

/* The one-line summary on stderr, as the kernel drivers print one. */
static void summary(const struct run *x)
{
    const struct exec_opts *o = x->o;
    double *v = malloc(2 * (size_t)o->reps * sizeof *v);
    if (!v)
        return;
    memcpy(v, x->out->seconds, (size_t)o->reps * sizeof *v);
    memcpy(v + o->reps, x->facts.wall, (size_t)o->reps * sizeof *v);
    double med = median(v, o->reps), wall = median(v + o->reps, o->reps);
    fprintf(stderr, "parscale-exec: %s (%s), workers=%d (%d x %d): median %.6g s %s over "
            "%d reps, wall %.6g s, %s\n", o->name, o->driver, o->workers, o->ranks,
            o->threads, med, o->have_metric || o->metric_csv ? "(its own time)" : "(wall)",
            o->reps, wall, x->failed ? "VERIFICATION FAILED" : "verified");
    free(v);
}

static int run(const struct exec_opts *o)
{
    struct run x = { .o = o, .null_fd = -1, .out_fd = -1, .err_fd = -1 };
    struct ps_where w = { .ranks = o->ranks, .threads_per_rank = o->threads,
                          .nodes = o->nodes };
    char sha[PS_SHA256_HEX], *program = NULL;
    double *arrays = NULL;
    int *verified = NULL;
    int rc = PS_EXIT_FAULT;

    ps_topo_init();
    ps_topo_of(ps_topo_allowed(), &w.topo);
    ps_hostname(w.host, sizeof w.host);
    if (o->nodes > 1) {        /* the other hosts' CPUs are not seen from here */
        w.topo.cores *= o->nodes;
        w.topo.known = 0;
        w.hosts = (char *)"";
    } else {
        ps_warn_oversubscribed(EXEC_PROG, o->workers, w.topo.cores);
    }
    exec_spawn_init(o->chdir);
    x.null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    x.out_fd = exec_capture_open("parscale-exec-stdout");
    if (o->from == FROM_STDERR)
        x.err_fd = exec_capture_open("parscale-exec-stderr");
    x.out = malloc(ps_outcome_bytes(o->reps, 1));
    arrays = malloc(4 * (size_t)o->reps * sizeof *arrays);
    verified = malloc((size_t)o->reps * sizeof *verified);
    if (x.null_fd < 0 || x.out_fd < 0 || (o->from == FROM_STDERR && x.err_fd < 0)) {
        ps_error(EXEC_PROG, "cannot make files for the program's output: %s",
                 strerror(errno));
        goto out_free;
    }
    if (!x.out || !arrays || !verified) {
        ps_error(EXEC_PROG, "out of memory");
        goto out_free;
    }
    ps_outcome_init(x.out, o->reps, 1);
    program_source(o, &program, sha);
    x.facts = (struct ps_exec_facts){
        .kernel = o->name, .cls = o->cls, .size = o->size, .total_size = o->total_size,
        .params = o->params, .work = o->work, .unit = o->unit, .program = program,
        .program_sha256 = program ? sha : NULL, .startup = arrays,
        .wall = arrays + o->reps, .cpu = arrays + 2 * o->reps,
        .max_rss = arrays + 3 * o->reps, .verified = verified };
    x.out->exec = &x.facts;
    x.deadline = o->timeout > 0 ? ps_now() + o->timeout : 0;
    struct ps_driver self = { .name = EXEC_PROG };
    struct ps_opts out_opts = { .driver = &self, .output = o->output };
    if (ps_output_open(&out_opts))
        goto out_free;

    for (int i = 0; i < o->warmup; i++)
        if (repetition(&x, 1, i))
            goto out_free;
    for (int i = 0; i < o->reps; i++)
        if (repetition(&x, 0, i))
            goto out_free;
    if (!o->have_metric && !o->metric_csv)
        x.out->empty = empty_seconds(&x);
    x.out->verified = x.failed == 0;

    struct ps_driver drv = { .name = o->driver };
    struct ps_opts po = { .driver = &drv, .weak = o->weak, .header = o->header };
    struct ps_job job = { .workers = o->workers, .warmup = o->warmup, .reps = o->reps };
    memcpy(po.run_id, o->run_id, sizeof po.run_id);
    rc = ps_csv_write(EXEC_PROG, &po, &job, x.out, &w);
    if (rc != PS_EXIT_OK)
        goto out_free;
    summary(&x);
    if (x.failed) {
        ps_error(EXEC_PROG, "%s failed verification in %d of %d repetitions", o->name,
                 x.failed, o->reps);
        rc = PS_EXIT_VERIFY;
    }
out_free:
    free(program);
    free(arrays);
    free(verified);
    free(x.out);
    if (x.null_fd >= 0)
        close(x.null_fd);
    if (x.out_fd >= 0)
        close(x.out_fd);
    if (x.err_fd >= 0)
        close(x.err_fd);
    return rc;
}

int main(int argc, char **argv)
{
    struct exec_opts o;
    int rc = exec_cli_parse(argc, argv, &o);
    if (rc == PS_CONTINUE && o.which) {
        char sha[PS_SHA256_HEX], *path;
        program_source(&o, &path, sha);
        if (path)
            printf("%s\n", path);
        free(path);
        rc = fflush(stdout) == 0 ? PS_EXIT_OK : PS_EXIT_FAULT;
    } else if (rc == PS_CONTINUE) {
        rc = run(&o);
    }
    exec_opts_free(&o);
    return rc;
}
