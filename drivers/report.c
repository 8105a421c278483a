/*
 * report.c - the one CSV writer, and the one-line summary on stderr.
 * Rows are built in memory and written in one piece, so a run never
 * leaves half its rows behind.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

/* --output: the file rank 0 writes the CSV to (opened before the run, so
 * a bad path fails before any work); NULL: stdout. */
static FILE *csv_file;
static const char *csv_path;

static const char *const columns =
    "run_id,kernel,driver,scaling,size,workers,rep,seconds,startup_seconds,"
    "rate,rate_unit,verified,host,timestamp,class,total_size,ranks,"
    "threads_per_rank,nodes,cores,schedule,params,warmup,work,work_unit,"
    "checksum,check_error,version,hosts,bind,affinity";

void ps_csv_header(FILE *f) { fprintf(f, "%s\n", columns); }

/* The rate's divisor and unit for a work unit. */
static void rate_unit(enum ps_unit u, double *scale, const char **name)
{
    *scale = u == PS_ITEMS ? 1e6 : 1e9;
    *name = u == PS_BYTES ? "GB/s" : u == PS_FLOPS ? "Gflop/s" : "Mitems/s";
}

/* Write every kernel parameter as key=value;key=value. */
static void write_params(FILE *f, const struct ps_kernel *k, const struct ps_plan *p)
{
    for (int i = 0; k->params[i].name; i++) {
        const struct ps_param *q = &k->params[i];
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

static void write_schedule(FILE *f, const struct ps_sched *s, int schedulable)
{
    if (!schedulable || s->kind == PS_SCHED_STATIC)
        fputs("static", f);
    else
        fprintf(f, "%s:%llu", s->kind == PS_SCHED_DYNAMIC ? "dynamic" : "static",
                (unsigned long long)s->chunk);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median of n values (n >= 1). */
static double median(const double *v, int n)
{
    double *s = malloc((size_t)n * sizeof *s);
    if (!s)
        return v[0];
    memcpy(s, v, (size_t)n * sizeof *s);
    qsort(s, (size_t)n, sizeof *s, cmp_double);
    double m = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    free(s);
    return m;
}

/* Every row of the run into f. */
static void write_rows(FILE *f, const struct ps_opts *o, const struct ps_job *j,
                       const struct ps_outcome *out, const struct ps_where *w)
{
    const struct ps_kernel *k = j->kernel;
    double work = k->work(&j->plan), scale;
    const char *unit;
    rate_unit(k->unit, &scale, &unit);
    for (int r = 0; r < j->reps; r++) {
        char when[32];
        time_t secs = (time_t)out->stamp[r];
        struct tm tm;
        gmtime_r(&secs, &tm);
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
        double sec = out->seconds[r];
        fprintf(f, "%s,%s,%s,%s,%llu,%d,%d,%.9g,%.9g,", o->run_id, k->name,
                o->driver->name, o->weak ? "weak" : "strong",
                (unsigned long long)(o->size ? o->size : o->weak ? k->default_size
                                                                 : j->plan.size),
                j->workers, r + 1, sec, out->startup);
        if (sec > 0)
            fprintf(f, "%.6g", work / sec / scale);
        fprintf(f, ",%s,%d,%s,%s,%s,%llu,%d,%d,%d,%ld,", unit, out->verified,
                w->host, when, ps_class_name(k->cls),
                (unsigned long long)j->plan.size, w->ranks, w->threads_per_rank,
                w->nodes, w->cores);
        write_schedule(f, &o->sched, k->schedulable);
        fputc(',', f);
        write_params(f, k, &j->plan);
        fprintf(f, ",%d,%.17g,%s,%.17g,%.6g,%s,", j->warmup, work,
                ps_unit_name(k->unit), out->checksum, out->error, PARSCALE_VERSION);
        if (w->hosts)
            fputs(w->hosts, f);
        else
            fprintf(f, "%s:%d", w->host, w->ranks);
        fprintf(f, ",%s,%s\n", o->bind == PS_BIND_CORES ? "cores" : "none",
                w->affinity ? w->affinity : "");
    }
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

int ps_report(const struct ps_opts *o, const struct ps_job *j,
              const struct ps_outcome *out, const struct ps_where *w)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (!mem) {
        ps_error(o->driver->name, "out of memory writing the CSV");
        return PS_EXIT_FAULT;
    }
    if (o->header)
        ps_csv_header(mem);
    write_rows(mem, o, j, out, w);
    if (fclose(mem) != 0) {
        free(buf);
        ps_error(o->driver->name, "out of memory writing the CSV");
        return PS_EXIT_FAULT;
    }
    int bad = put_csv(buf, len);
    int saved = errno;
    free(buf);
    if (bad) {
        if (csv_path) {
            unlink(csv_path);       /* no partial rows left behind */
            ps_error(o->driver->name, "cannot write the CSV to '%s': %s", csv_path,
                     saved ? strerror(saved) : "write error");
        } else {
            ps_error(o->driver->name, "cannot write the CSV to stdout: %s",
                     saved ? strerror(saved) : "write error");
        }
        return PS_EXIT_FAULT;
    }
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
