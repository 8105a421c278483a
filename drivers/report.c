/*
 * report.c - the one CSV writer, and the one-line summary on stderr.
 * The header and every row expand PS_RAW_COLUMNS (raw_schema.h): each
 * column has its writer col_ID below, so a column added to the schema
 * without one does not compile.  Rows are built in memory and written in
 * one piece, so a run never leaves half its rows behind.
 *
 * parscale-exec's rows (a program of the user's, no kernel) come through
 * the same writers: where a column says something about the kernel, its
 * writer takes the run's ps_exec_facts instead (x->e).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "parscale/raw_schema.h"
#include "plugin.h"

/* --output: the file rank 0 writes the CSV to (opened before the run, so
 * a bad path fails before any work); NULL: stdout. */
static FILE *csv_file;
static const char *csv_path;

/* Everything a row is made from. */
struct row {
    const struct ps_opts *o;
    const struct ps_job *j;
    const struct ps_outcome *out;
    const struct ps_where *w;
    const struct ps_exec_facts *e;     /* parscale-exec's run, else NULL */
    int r;                     /* repetition, from 0 */
    double work, scale;        /* work per repetition; rate divisor */
    const char *unit;          /* rate unit */
    const char *when;          /* the repetition's end, ISO 8601 UTC */
};

void ps_csv_header(FILE *f)
{
#define PS_NAME(id, name, kind) name,
    static const char *const names[] = { PS_RAW_COLUMNS(PS_NAME) };
#undef PS_NAME
    for (int c = 0; c < PS_RAW_NCOLS; c++)
        fprintf(f, "%s%s", c ? "," : "", names[c]);
    fputc('\n', f);
}

/* The rate's divisor and unit for a work unit. */
static void rate_unit(enum ps_unit u, double *scale, const char **name)
{
    *scale = u == PS_ITEMS ? 1e6 : 1e9;
    *name = u == PS_BYTES ? "GB/s" : u == PS_FLOPS ? "Gflop/s" : "Mitems/s";
}

/* A value the run measured, or nothing when it was not measured (< 0). */
static void put_opt(FILE *f, double v)
{
    if (v >= 0)
        fprintf(f, "%.9g", v);
}

static void col_RUN_ID(FILE *f, const struct row *x) { fputs(x->o->run_id, f); }
static void col_KERNEL(FILE *f, const struct row *x)
{
    fputs(x->e ? x->e->kernel : x->j->kernel->name, f);
}

static void col_DRIVER(FILE *f, const struct row *x) { fputs(x->o->driver->name, f); }

static void col_SCALING(FILE *f, const struct row *x)
{
    fputs(x->o->weak ? "weak" : "strong", f);
}

/* --size as given: per worker (weak) or total (strong). */
static void col_SIZE(FILE *f, const struct row *x)
{
    if (x->e) {
        fputs(x->e->size, f);
        return;
    }
    const struct ps_kernel *k = x->j->kernel;
    uint64_t size = x->o->size ? x->o->size : x->o->weak ? k->default_size
                                                         : x->j->plan.size;
    fprintf(f, "%llu", (unsigned long long)size);
}

static void col_WORKERS(FILE *f, const struct row *x) { fprintf(f, "%d", x->j->workers); }
static void col_REP(FILE *f, const struct row *x) { fprintf(f, "%d", x->r + 1); }

static void col_SECONDS(FILE *f, const struct row *x)
{
    fprintf(f, "%.9g", x->out->seconds[x->r]);
}

/* A program's start-up is its own in each repetition (empty when unknown). */
static void col_STARTUP(FILE *f, const struct row *x)
{
    if (x->e)
        put_opt(f, x->e->startup[x->r]);
    else
        fprintf(f, "%.9g", x->out->startup);
}

static void col_RATE(FILE *f, const struct row *x)
{
    double sec = x->out->seconds[x->r];
    if (sec > 0 && x->work >= 0)
        fprintf(f, "%.6g", x->work / sec / x->scale);
}

static void col_RATE_UNIT(FILE *f, const struct row *x)
{
    if (x->work >= 0)
        fputs(x->unit, f);
}
static void col_VERIFIED(FILE *f, const struct row *x)
{
    fprintf(f, "%d", x->e ? x->e->verified[x->r] : x->out->verified);
}
static void col_HOST(FILE *f, const struct row *x) { fputs(x->w->host, f); }
static void col_TIMESTAMP(FILE *f, const struct row *x) { fputs(x->when, f); }
static void col_CLASS(FILE *f, const struct row *x)
{
    fputs(x->e ? x->e->cls : ps_class_name(x->j->kernel->cls), f);
}

static void col_TOTAL_SIZE(FILE *f, const struct row *x)
{
    if (x->e)
        fputs(x->e->total_size, f);
    else
        fprintf(f, "%llu", (unsigned long long)x->j->plan.size);
}

static void col_RANKS(FILE *f, const struct row *x) { fprintf(f, "%d", x->w->ranks); }
static void col_THREADS(FILE *f, const struct row *x) { fprintf(f, "%d", x->w->threads_per_rank); }
static void col_NODES(FILE *f, const struct row *x) { fprintf(f, "%d", x->w->nodes); }
static void col_CORES(FILE *f, const struct row *x) { fprintf(f, "%ld", x->w->topo.cores); }

static void col_SCHEDULE(FILE *f, const struct row *x)
{
    const struct ps_sched *s = &x->o->sched;
    if (x->e)
        fputs("none", f);      /* parscale hands a program no work items */
    else if (!x->j->kernel->schedulable || s->kind == PS_SCHED_STATIC)
        fputs("static", f);
    else
        fprintf(f, "%s:%llu", s->kind == PS_SCHED_DYNAMIC ? "dynamic" : "static",
                (unsigned long long)s->chunk);
}

/* Every kernel parameter, then the driver's, as key=value;key=value. */
static void col_PARAMS(FILE *f, const struct row *x)
{
    const struct ps_plan *p = &x->j->plan;
    const struct ps_param *q;
    if (x->e) {
        fputs(x->e->params, f);
        return;
    }
    for (int i = 0; (q = ps_param_at(x->j->kernel, x->o->driver, i)); i++) {
        fprintf(f, "%s%s=", i ? ";" : "", q->name);
        if (q->type == PS_PCHOICE) {
            const char *c = q->choices;
            for (int n = 0; n < (int)p->param[i]; n++)
                c += strcspn(c, "|") + 1;
            fprintf(f, "%.*s", (int)strcspn(c, "|"), c);
        } else if (q->type == PS_PINT) {
            fprintf(f, "%.0f", p->param[i]);
        } else {
            fprintf(f, "%.17g", p->param[i]);
        }
    }
}

static void col_WARMUP(FILE *f, const struct row *x) { fprintf(f, "%d", x->j->warmup); }
static void col_WORK(FILE *f, const struct row *x)
{
    if (x->work >= 0)
        fprintf(f, "%.17g", x->work);
}

static void col_WORK_UNIT(FILE *f, const struct row *x)
{
    if (x->work >= 0)
        fputs(ps_unit_name(x->e ? x->e->unit : x->j->kernel->unit), f);
}

/* A program's result is checked (exit status, output) but has no checksum. */
static void col_CHECKSUM(FILE *f, const struct row *x)
{
    if (!x->e)
        fprintf(f, "%.17g", x->out->checksum);
}

static void col_CHECK_ERROR(FILE *f, const struct row *x)
{
    if (!x->e)
        fprintf(f, "%.6g", x->out->error);
}
static void col_VERSION(FILE *f, const struct row *x) { (void)x; fputs(PARSCALE_VERSION, f); }

static void col_HOSTS(FILE *f, const struct row *x)
{
    if (x->w->hosts)
        fputs(x->w->hosts, f);
    else
        fprintf(f, "%s:%d", x->w->host, x->w->ranks);
}

/* A program places its workers itself: nothing parscale could say. */
static void col_BIND(FILE *f, const struct row *x)
{
    if (!x->e)
        fputs(x->o->bind == PS_BIND_CORES ? "cores" : "none", f);
}

static void col_AFFINITY(FILE *f, const struct row *x)
{
    if (x->w->affinity)
        fputs(x->w->affinity, f);
}

static void col_PHYSICAL_CORES(FILE *f, const struct row *x)
{
    if (x->w->topo.known)
        fprintf(f, "%ld", x->w->topo.physical_cores);
}

static void col_NUMA_NODES(FILE *f, const struct row *x)
{
    if (x->w->topo.known)
        fprintf(f, "%ld", x->w->topo.numa_nodes);
}

static void col_LLC_BYTES(FILE *f, const struct row *x)
{
    if (x->w->topo.known)
        fprintf(f, "%.0f", x->w->topo.llc_bytes);
}

/* What the kernel's memory() says the whole run holds, over all workers. */
static void col_WORKING_SET(FILE *f, const struct row *x)
{
    if (!x->e)
        fprintf(f, "%.0f", x->j->kernel->memory(&x->j->plan, x->j->workers));
}

static void col_EMPTY_SECONDS(FILE *f, const struct row *x) { put_opt(f, x->out->empty); }

static void col_RUNTIME_ENV(FILE *f, const struct row *x)
{
    if (x->w->runtime_env)
        fputs(x->w->runtime_env, f);
}

/* Per-worker time accounting (acct.h), when the repetition was accounted. */
static void put_acct(FILE *f, const struct row *x, const double *v)
{
    if (x->out->accounted && v[x->r] >= 0)
        fprintf(f, "%.9g", v[x->r]);
}

static void col_USEFUL_MAX(FILE *f, const struct row *x) { put_acct(f, x, x->out->useful_max); }
static void col_USEFUL_MEAN(FILE *f, const struct row *x) { put_acct(f, x, x->out->useful_mean); }
static void col_USEFUL_MIN(FILE *f, const struct row *x) { put_acct(f, x, x->out->useful_min); }
static void col_TEAM_MAX(FILE *f, const struct row *x) { put_acct(f, x, x->out->team_max); }
static void col_TEAM_MEAN(FILE *f, const struct row *x) { put_acct(f, x, x->out->team_mean); }

/* Hardware counters in useful time, summed over workers (perfctr.c). */
static void col_INSTRUCTIONS(FILE *f, const struct row *x)
{
    if (x->out->counted && x->out->instructions[x->r] >= 0)
        fprintf(f, "%.0f", x->out->instructions[x->r]);
}

static void col_CYCLES(FILE *f, const struct row *x)
{
    if (x->out->counted && x->out->cycles[x->r] >= 0)
        fprintf(f, "%.0f", x->out->cycles[x->r]);
}

/* The library a loaded kernel came from (plugin.h), and its SHA-256:
 * what a rerun needs to run the same code.  Empty for a built-in kernel. */
static void col_KERNEL_LIB(FILE *f, const struct row *x)
{
    const char *path, *sha256;
    if (x->e) {
        path = x->e->program;
    } else {
        ps_plugin_source(x->o->kernel, &path, &sha256);
    }
    if (path)
        fputs(path, f);
}

static void col_KERNEL_LIB_SHA256(FILE *f, const struct row *x)
{
    const char *path, *sha256;
    if (x->e)
        sha256 = x->e->program_sha256;
    else
        ps_plugin_source(x->o->kernel, &path, &sha256);
    if (sha256)
        fputs(sha256, f);
}

/* What parscale-exec measures of a program's process in each repetition
 * (wait4); empty for the kernel drivers. */
static void col_WALL_SECONDS(FILE *f, const struct row *x)
{
    if (x->e)
        put_opt(f, x->e->wall[x->r]);
}

static void col_CPU_SECONDS(FILE *f, const struct row *x)
{
    if (x->e)
        put_opt(f, x->e->cpu[x->r]);
}

static void col_MAX_RSS(FILE *f, const struct row *x)
{
    if (x->e && x->e->max_rss[x->r] >= 0)
        fprintf(f, "%.0f", x->e->max_rss[x->r]);
}

/* Format a wall-clock time (seconds since the epoch) as ISO 8601 UTC into
 * when (32 bytes); only when its second differs from the last one, since
 * repetitions are usually far shorter than a second. */
static void stamp(double t, time_t *last, char *when)
{
    time_t secs = (time_t)t;
    if (secs == *last && when[0])
        return;
    struct tm tm;
    gmtime_r(&secs, &tm);
    strftime(when, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
    *last = secs;
}

/* Columns whose value is the same on every row of a run: formatted once,
 * not once per row (printf of doubles was ~90 % of a serial run's cost
 * per repetition).  A column not listed here is written row by row, so a
 * new per-repetition column is right without touching this list. */
static int per_run(int c, const struct row *x)
{
    switch (c) {
    case PS_COL_STARTUP: case PS_COL_VERIFIED:
        return !x->e;          /* a program's differ per repetition */
    case PS_COL_RUN_ID: case PS_COL_KERNEL: case PS_COL_DRIVER: case PS_COL_SCALING:
    case PS_COL_SIZE: case PS_COL_WORKERS: case PS_COL_RATE_UNIT: case PS_COL_HOST: case PS_COL_CLASS: case PS_COL_TOTAL_SIZE:
    case PS_COL_RANKS: case PS_COL_THREADS: case PS_COL_NODES: case PS_COL_CORES:
    case PS_COL_SCHEDULE: case PS_COL_PARAMS: case PS_COL_WARMUP: case PS_COL_WORK:
    case PS_COL_WORK_UNIT: case PS_COL_CHECKSUM: case PS_COL_CHECK_ERROR:
    case PS_COL_VERSION: case PS_COL_HOSTS: case PS_COL_BIND: case PS_COL_AFFINITY:
    case PS_COL_PHYSICAL_CORES: case PS_COL_NUMA_NODES: case PS_COL_LLC_BYTES:
    case PS_COL_WORKING_SET: case PS_COL_EMPTY_SECONDS: case PS_COL_RUNTIME_ENV:
        return 1;
    default:
        return 0;
    }
}

typedef void (*col_writer)(FILE *f, const struct row *x);

/* Every row of the run into f. */
static void write_rows(FILE *f, const struct ps_opts *o, const struct ps_job *j,
                       const struct ps_outcome *out, const struct ps_where *w)
{
#define PS_WRITER(id, name, kind) col_##id,
    static const col_writer writers[PS_RAW_NCOLS] = { PS_RAW_COLUMNS(PS_WRITER) };
#undef PS_WRITER
    char when[32] = "", *fixed = NULL;
    size_t fixed_len = 0, at[PS_RAW_NCOLS];
    time_t last = 0;
    struct row x = { .o = o, .j = j, .out = out, .w = w, .e = out->exec, .when = when };
    x.work = x.e ? x.e->work : j->kernel->work(&j->plan);
    rate_unit(x.e ? x.e->unit : j->kernel->unit, &x.scale, &x.unit);
    /* the per-run columns' text, NUL-separated, column c at fixed + at[c] */
    FILE *m = open_memstream(&fixed, &fixed_len);
    for (int c = 0; m && c < PS_RAW_NCOLS; c++) {
        at[c] = (size_t)ftell(m);
        if (per_run(c, &x))
            writers[c](m, &x);
        fputc('\0', m);
    }
    if (m && fclose(m) != 0) {
        free(fixed);
        fixed = NULL;
    }
    for (x.r = 0; x.r < j->reps; x.r++) {
        stamp(out->stamp[x.r], &last, when);
        for (int c = 0; c < PS_RAW_NCOLS; c++) {
            if (c)
                fputc(',', f);
            if (fixed && per_run(c, &x))
                fputs(fixed + at[c], f);
            else
                writers[c](f, &x);
        }
        fputc('\n', f);
    }
    free(fixed);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median of n values (n >= 1). */
double ps_median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Median of n values (n >= 1), v left as it is. */
static double median(const double *v, int n)
{
    double *s = malloc((size_t)n * sizeof *s);
    if (!s)
        return v[0];
    memcpy(s, v, (size_t)n * sizeof *s);
    double m = ps_median(s, n);
    free(s);
    return m;
}

int ps_output_open(const struct ps_opts *o)
{
    if (!o->output)
        return 0;
    csv_file = fopen(o->output, "w");
    if (!csv_file) {
        ps_error(o->driver->name, "cannot open --output '%s': %s", o->output,
                 strerror(errno));
        return PS_EXIT_FAULT;
    }
    csv_path = o->output;
    return 0;
}

/* Write len bytes of buf as the CSV; 0, or -1 with errno set. */
static int put_csv(const char *buf, size_t len)
{
    FILE *f = csv_file ? csv_file : stdout;
    errno = 0;
    size_t put = fwrite(buf, 1, len, f);
    int bad = put != len || fflush(f) != 0 || ferror(f);
    int saved = errno;
    if (csv_file && fclose(csv_file) != 0 && !bad) {
        bad = 1;
        saved = errno;
    }
    csv_file = NULL;
    errno = saved;
    return bad ? -1 : 0;
}

int ps_csv_write(const char *prog, const struct ps_opts *o, const struct ps_job *j,
                 const struct ps_outcome *out, const struct ps_where *w)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (!mem) {
        ps_error(prog, "out of memory writing the CSV");
        return PS_EXIT_FAULT;
    }
    if (o->header)
        ps_csv_header(mem);
    write_rows(mem, o, j, out, w);
    if (fclose(mem) != 0) {
        free(buf);
        ps_error(prog, "out of memory writing the CSV");
        return PS_EXIT_FAULT;
    }
    int bad = put_csv(buf, len);
    int saved = errno;
    free(buf);
    if (bad) {
        if (csv_path) {
            unlink(csv_path);       /* no partial rows left behind */
            ps_error(prog, "cannot write the CSV to '%s': %s", csv_path,
                     saved ? strerror(saved) : "write error");
        } else {
            ps_error(prog, "cannot write the CSV to stdout: %s",
                     saved ? strerror(saved) : "write error");
        }
        return PS_EXIT_FAULT;
    }
    return PS_EXIT_OK;
}

int ps_report(const struct ps_opts *o, const struct ps_job *j,
              const struct ps_outcome *out, const struct ps_where *w)
{
    int rc = ps_csv_write(o->driver->name, o, j, out, w);
    if (rc != PS_EXIT_OK)
        return rc;
    double scale;
    const char *unit;
    rate_unit(j->kernel->unit, &scale, &unit);
    double med = median(out->seconds, j->reps);
    fprintf(stderr, "parscale-%s: %s, workers=%d: median %.6g s over %d reps, "
            "%.4g %s, start-up %.3g s, %s (error %.3g)\n", o->driver->name,
            j->kernel->name, j->workers, med, j->reps,
            med > 0 ? j->kernel->work(&j->plan) / med / scale : 0.0, unit,
            out->startup, out->verified ? "verified" : "VERIFICATION FAILED",
            out->error);
    if (!out->verified) {
        ps_error(o->driver->name, "%s failed verification (error %.3g)",
                 j->kernel->name, out->error);
        return PS_EXIT_VERIFY;
    }
    return PS_EXIT_OK;
}
