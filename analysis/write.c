/*
 * write.c — the summariser's tables: summary.csv (one row per
 * configuration), fits.csv (one row per series and model), residuals.csv
 * (one row per fitted point) and findings.csv.  Each file is written to a
 * temporary name and renamed into place, so a reader never sees half of one.
 */
#define _POSIX_C_SOURCE 200809L

#include "write.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "primitives.h"

/* Significant digits of every number written. */
#define DIGITS 9
/* Powers of ten a double holds exactly. */
static const double pow10_exact[] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/*
 * v with 9 significant digits in the shape of printf's %.9g, without
 * printf (which dominated writing a large summary): the digits are v
 * scaled by an exact power of ten and rounded once, so they can differ
 * from %.9g's correctly rounded ones in the last digit only when v lies
 * within an ulp of a rounding boundary.  Values whose exponent is beyond
 * the exact powers go to printf.
 */
int format_g9(char *buf, double v)
{
    if (v == 0.0)
        return sprintf(buf, "0");
    double a = fabs(v);
    int e = (int)floor(log10(a)), shift = DIGITS - 1 - e;
    if (shift > 22 || shift < -22)
        return sprintf(buf, "%.9g", v);
    double m = shift >= 0 ? a * pow10_exact[shift] : a / pow10_exact[-shift];
    unsigned long long d = (unsigned long long)llround(m);
    if (d >= 1000000000ULL) {      /* log10 landed low, or rounding carried */
        d = (d + 5) / 10;
        e++;
    } else if (d < 100000000ULL) { /* log10 landed high */
        return sprintf(buf, "%.9g", v);
    }
    char digits[DIGITS + 1];
    for (int i = DIGITS - 1; i >= 0; i--, d /= 10)
        digits[i] = (char)('0' + d % 10);
    int n = DIGITS;
    while (n > 1 && digits[n - 1] == '0')
        n--;
    char *p = buf;
    if (v < 0)
        *p++ = '-';
    if (e < -4 || e >= DIGITS) {      /* d.ddde+XX, as %g */
        *p++ = digits[0];
        if (n > 1) {
            *p++ = '.';
            memcpy(p, digits + 1, (size_t)n - 1);
            p += n - 1;
        }
        p += sprintf(p, "e%c%02d", e < 0 ? '-' : '+', e < 0 ? -e : e);
    } else if (e >= 0) {              /* ddd.ddd */
        for (int i = 0; i <= e; i++)
            *p++ = i < n ? digits[i] : '0';
        if (n > e + 1) {
            *p++ = '.';
            memcpy(p, digits + e + 1, (size_t)(n - e - 1));
            p += n - e - 1;
        }
    } else {                          /* 0.000ddd */
        *p++ = '0';
        *p++ = '.';
        for (int i = 0; i < -e - 1; i++)
            *p++ = '0';
        memcpy(p, digits, (size_t)n);
        p += n;
    }
    *p = '\0';
    return (int)(p - buf);
}

void put_num(FILE *fp, double v)
{
    char buf[40];
    fputc(',', fp);
    if (isfinite(v)) {
        int n = format_g9(buf, v);
        fwrite(buf, 1, (size_t)n, fp);
    }
}

static void put_ratio(FILE *fp, struct ratio r)
{
    put_num(fp, r.v);
    put_num(fp, r.lo);
    put_num(fp, r.hi);
}

static void put_text(FILE *fp, const char *s)
{
    fputc(',', fp);
    csv_put_field(fp, s);
}

/* name, name_low, name_high for a ratio column. */
static void put_ratio_header(FILE *fp, const char *name)
{
    fprintf(fp, ",%s,%s_low,%s_high", name, name, name);
}

static const char *const summary_head =
    "kernel,driver,scaling,size,total_size,workers,ranks,threads_per_rank,nodes,"
    "cores,physical_cores,class,schedule,params,rate_unit,n,median,ci_low,ci_high,"
    "ci_level,min,max,mean,stddev,startup_median,startup_per_worker,empty_median,"
    "rate_median,verified_all,baseline_serial";

static int write_summary(FILE *fp, const struct analysis *a)
{
    fputs(summary_head, fp);
    put_ratio_header(fp, "speedup_serial");
    put_ratio_header(fp, "efficiency_serial");
    fputs(",baseline_self", fp);
    static const char *const ratios[] = {
        "speedup_self", "efficiency_self", "karp_flatt", "weak_efficiency",
        "load_balance", "comm_efficiency", "parallel_efficiency", "comp_scaling_self",
        "comp_scaling_serial", "global_efficiency_self", "global_efficiency_serial",
        "instruction_scaling_self", "instruction_scaling_serial", "ipc_scaling_self",
        "ipc_scaling_serial",
    };
    for (size_t i = 0; i < sizeof ratios / sizeof ratios[0]; i++)
        put_ratio_header(fp, ratios[i]);
    fputs(",team_share,working_set_bytes,llc_bytes,flags,host,series,case\n", fp);
    for (size_t i = 0; i < a->st->ncfg; i++) {
        const struct config *cf = an_cfg(a, i);
        const struct derived *d = an_der(a, i);
        fprintf(fp, "%s,%s,%s,%s,%s,%ld,%ld,%ld,%ld,%ld,", cf->kernel, cf->driver,
                cf->scaling, cf->size, cf->total_size, cf->workers, cf->ranks,
                cf->threads, cf->nodes, cf->cores);
        if (cf->physical_cores > 0)
            fprintf(fp, "%ld", cf->physical_cores);
        fprintf(fp, ",%s,%s,%s,%s,%zu", cf->cls, cf->schedule, cf->params,
                cf->rate_unit, d->t.n);
        const double stat[] = {d->t.median, d->t.ci_low, d->t.ci_high, d->t.ci_level,
                               d->t.min, d->t.max, d->t.mean, d->t.sd, d->startup,
                               d->startup_per_worker, d->empty, d->rate};
        for (size_t k = 0; k < sizeof stat / sizeof stat[0]; k++)
            put_num(fp, stat[k]);
        fprintf(fp, ",%d,%s", d->verified_all, d->base_serial >= 0 ? "serial" : "");
        put_ratio(fp, d->speedup_serial);
        put_ratio(fp, d->eff_serial);
        fputc(',', fp);
        if (d->base_self >= 0)
            fprintf(fp, "%s@1", cf->driver);
        const struct ratio r[] = {
            d->speedup_self, d->eff_self, d->karp_flatt, d->weak_eff, d->pop.lb,
            d->pop.comm, d->pop.pe, d->pop.comp_self, d->pop.comp_serial,
            d->pop.ge_self, d->pop.ge_serial, d->pop.instr_self, d->pop.instr_serial,
            d->pop.ipc_self, d->pop.ipc_serial,
        };
        for (size_t k = 0; k < sizeof r / sizeof r[0]; k++)
            put_ratio(fp, r[k]);
        put_num(fp, d->pop.team_share);
        put_num(fp, cf->working_set);
        put_num(fp, cf->llc_bytes);
        char flags[160];
        trap_words(d->traps, flags, sizeof flags);
        fprintf(fp, ",%s,%s", flags, cf->host);
        put_text(fp, a->series[d->series].name);
        put_text(fp, a->cases[a->series[d->series].kcase].slug);
        fputc('\n', fp);
    }
    return 0;
}

/* The key of a series' first configuration, as the first six columns. */
static void put_series_key(FILE *fp, const struct analysis *a, const struct series *se)
{
    const struct config *cf = an_cfg(a, se->first);
    fprintf(fp, "%s,%s,%s,%s,%s,%s", cf->kernel, cf->driver, cf->scaling, cf->size,
            cf->params, cf->schedule);
}

static int write_fits(FILE *fp, const struct analysis *a)
{
    fputs("kernel,driver,scaling,size,params,schedule,series,case,model,fitted,reason,"
          "points,distinct,p_min,p_max", fp);
    put_ratio_header(fp, "t1");
    put_ratio_header(fp, "serial_fraction");
    put_ratio_header(fp, "kappa");
    fputs(",p_peak,rms_rel_residual,max_rel_residual,preferred,criterion,resamples,seed\n", fp);
    for (size_t i = 0; i < a->nfits; i++) {
        const struct fit *f = &a->fits[i];
        const struct series *se = &a->series[f->series];
        put_series_key(fp, a, se);
        put_text(fp, se->name);
        put_text(fp, a->cases[se->kcase].slug);
        fprintf(fp, ",%s,%d", model_name(f->model), f->fitted);
        put_text(fp, f->fitted ? "" : f->reason);
        fprintf(fp, ",%d,%d,%ld,%ld", f->points, f->distinct, f->p_min, f->p_max);
        if (!f->fitted) {
            fputs(",,,,,,,,,,,,,0,,,\n", fp);
            continue;
        }
        put_ratio(fp, (struct ratio){f->t1, f->t1_lo, f->t1_hi});
        put_ratio(fp, (struct ratio){f->s, f->s_lo, f->s_hi});
        put_ratio(fp, (struct ratio){f->kappa, f->kappa_lo, f->kappa_hi});
        put_num(fp, f->p_peak);
        put_num(fp, f->rms_rel);
        put_num(fp, f->max_rel);
        fprintf(fp, ",%d", f->preferred);
        put_text(fp, f->criterion);
        fprintf(fp, ",%d,%llu\n", a->resamples, (unsigned long long)a->seed);
    }
    return 0;
}

/* Whether configuration cf was a point of the fits (models.c's rule). */
static int fitted_point(const struct config *cf)
{
    return strcmp(cf->cls, "latency") == 0 || cf->workers <= cf->cores;
}

static int write_residuals(FILE *fp, const struct analysis *a)
{
    fputs("kernel,driver,scaling,size,params,schedule,model,workers,median,fitted,"
          "rel_residual\n", fp);
    for (size_t i = 0; i < a->nfits; i++) {
        const struct fit *f = &a->fits[i];
        if (!f->fitted)
            continue;
        const struct series *se = &a->series[f->series];
        for (size_t k = se->first; k < se->first + se->n; k++) {
            const struct config *cf = an_cfg(a, k);
            if (!fitted_point(cf))
                continue;
            double t = an_der(a, k)->t.median, fit = fit_time(f, (double)cf->workers);
            put_series_key(fp, a, se);
            fprintf(fp, ",%s,%ld", model_name(f->model), cf->workers);
            put_num(fp, t);
            put_num(fp, fit);
            put_num(fp, (t - fit) / t);
            fputc('\n', fp);
        }
    }
    return 0;
}

static int write_findings(FILE *fp, const struct analysis *a)
{
    fputs("section,subject,text\n", fp);
    for (size_t i = 0; i < a->nfindings; i++) {
        const struct finding *f = &a->findings[i];
        csv_put_field(fp, f->section);
        put_text(fp, f->subject);
        put_text(fp, f->text);
        fputc('\n', fp);
    }
    return 0;
}

/* write_file, its error (one line, no newline) kept in err rather than
 * printed, for writers running side by side. */
static int write_file_to(const char *dir, const char *name, write_fn fn,
                         const struct analysis *a, char *err, size_t errlen)
{
    static const char tmp_suffix[] = ".tmp";
    size_t len = strlen(dir) + 1 + strlen(name) + sizeof tmp_suffix;
    char *path = malloc(len), *tmp = malloc(len);
    int rc = EXIT_OK;
    if (path == NULL || tmp == NULL) {
        snprintf(err, errlen, "%s: out of memory", PROG);
        rc = EXIT_FAULT;
        goto out_free_paths;
    }
    snprintf(path, len, "%s/%s", dir, name);
    snprintf(tmp, len, "%s/%s%s", dir, name, tmp_suffix);
    FILE *fp = fopen(tmp, "w");
    if (fp == NULL) {
        snprintf(err, errlen, "%s: cannot write '%s': %s", PROG, tmp, strerror(errno));
        rc = EXIT_FAULT;
        goto out_free_paths;
    }
    errno = 0;
    /* held for the whole file: once the fitting threads have run, every
     * stdio call would otherwise take the lock with an atomic */
    flockfile(fp);
    if (fn(fp, a) != 0)
        rc = EXIT_FAULT;
    funlockfile(fp);
    int bad = ferror(fp);
    if (fclose(fp) != 0 || bad) {
        if (rc == EXIT_OK)     /* a writer that failed has said why */
            snprintf(err, errlen, "%s: cannot write '%s': %s", PROG, tmp,
                     strerror(errno ? errno : EIO));
        rc = EXIT_FAULT;
    }
    if (rc == EXIT_OK && rename(tmp, path) != 0) {
        snprintf(err, errlen, "%s: cannot rename '%s' to '%s': %s", PROG, tmp, path,
                 strerror(errno));
        rc = EXIT_FAULT;
    }
    if (rc != EXIT_OK)
        remove(tmp);
out_free_paths:
    free(path);
    free(tmp);
    return rc;
}

int write_file(const char *dir, const char *name, write_fn fn, const struct analysis *a)
{
    char err[2 * PATH_MAX + 200] = "";
    int rc = write_file_to(dir, name, fn, a, err, sizeof err);
    if (rc != EXIT_OK && *err)
        fprintf(stderr, "%s\n", err);
    return rc;
}

struct table_job {
    const char *dir, *name;
    write_fn fn;
    const struct analysis *a;
    int rc;
    char err[2 * PATH_MAX + 200];
};

static void *table_thread(void *arg)
{
    struct table_job *j = arg;
    j->err[0] = '\0';
    j->rc = write_file_to(j->dir, j->name, j->fn, j->a, j->err, sizeof j->err);
    return NULL;
}

int write_tables(const char *dir, const struct analysis *a)
{
    static const struct {
        const char *name;
        write_fn fn;
    } files[] = {
        {"summary.csv", write_summary},
        {"fits.csv", write_fits},
        {"residuals.csv", write_residuals},
        {"findings.csv", write_findings},
        {"primitives.csv", write_primitives},
    };
    /* summary.csv, the largest by far, is written beside the others when
     * there is more than one CPU to write with; of the errors, the first
     * file's is said (one line, as ever) */
    static struct table_job big, rest;
    big = (struct table_job){dir, files[0].name, files[0].fn, a, EXIT_OK, ""};
    pthread_t tid;
    int threaded = a->jobs > 1 && pthread_create(&tid, NULL, table_thread, &big) == 0;
    if (!threaded)
        table_thread(&big);
    rest.rc = EXIT_OK;
    rest.err[0] = '\0';
    for (size_t i = 1; i < sizeof files / sizeof files[0] && rest.rc == EXIT_OK; i++)
        rest.rc = write_file_to(dir, files[i].name, files[i].fn, a, rest.err, sizeof rest.err);
    if (threaded)
        pthread_join(tid, NULL);
    const struct table_job *failed = big.rc != EXIT_OK ? &big : rest.rc != EXIT_OK ? &rest : NULL;
    if (failed == NULL)
        return EXIT_OK;
    if (*failed->err)
        fprintf(stderr, "%s\n", failed->err);
    return failed->rc;
}
