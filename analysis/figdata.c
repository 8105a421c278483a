/*
 * figdata.c — everything the figures show, as plain data files in
 * DIR/data/, so that the gnuplot scripts only read columns:
 *
 *   figures.tsv        name, script, case, title, subtitle, note, caption
 *   CASE.meta          cores max_workers ideal_is_p has_serial nseries
 *   CASE.series.tsv    per series: name, colour, point, dash, fit legends
 *   CASE.dat           per series a block: workers, time with its interval,
 *                      speedup and efficiency vs serial and vs itself,
 *                      weak-scaling efficiency, each with its interval
 *   CASE-fit.dat       per series a block: the preferred model's curve and
 *                      its bootstrap band, as time, speedups and efficiency
 *   CASE-pop.dat       per series a block: POP factors vs workers
 *   startup.dat        per driver a block: start-up per worker vs workers
 * Blocks are separated by two blank lines (gnuplot's `index`); a missing
 * value is NaN.
 */
#define _POSIX_C_SOURCE 200809L

#include "write.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "primitives.h"

#define SUBDIR "data"

/* " value" or " NaN". */
static void col(FILE *fp, double v)
{
    char buf[40];
    if (isfinite(v)) {
        buf[0] = ' ';
        fwrite(buf, 1, (size_t)format_g9(buf + 1, v) + 1, fp);
    } else {
        fputs(" NaN", fp);
    }
}

static void col3(FILE *fp, struct ratio r)
{
    col(fp, r.v);
    col(fp, r.lo);
    col(fp, r.hi);
}

/* The case a figure-data writer is working on. */
static const struct kcase *g_case;

static int has_parallel(const struct analysis *a, const struct kcase *kc)
{
    for (size_t s = kc->first; s < kc->first + kc->n; s++)
        if (strcmp(a->series[s].drv->name, "serial") != 0)
            return 1;
    return 0;
}

/* Whether some series of the case has a speedup against itself at 1 worker
 * beyond its own baseline point. */
static int has_self(const struct analysis *a, const struct kcase *kc)
{
    for (size_t s = kc->first; s < kc->first + kc->n; s++)
        for (size_t i = a->series[s].first; i < a->series[s].first + a->series[s].n; i++)
            if (an_cfg(a, i)->workers > 1 && isfinite(an_der(a, i)->speedup_self.v))
                return 1;
    return 0;
}

static int write_meta(FILE *fp, const struct analysis *a)
{
    fprintf(fp, "%ld %ld %d %d %zu\n", g_case->cores, g_case->max_workers,
            g_case->ideal_is_p, g_case->serial >= 0, g_case->n);
    (void)a;
    return 0;
}

static void fit_legend(char *buf, size_t len, const struct fit *f, const char *name)
{
    if (f == NULL)
        snprintf(buf, len, "-");
    else if (f->model == MODEL_USL)
        snprintf(buf, len, "%s USL: σ = %.2g, κ = %.2g", name, f->s, f->kappa);
    else
        snprintf(buf, len, "%s %s: s = %.2g [%.2g, %.2g]", name,
                 f->model == MODEL_AMDAHL ? "Amdahl" : "Gustafson", f->s, f->s_lo, f->s_hi);
}

static int write_series(FILE *fp, const struct analysis *a)
{
    fputs("name\tcolor\tpoint\tdash\tfit\n", fp);
    for (size_t s = g_case->first; s < g_case->first + g_case->n; s++) {
        const struct series *se = &a->series[s];
        char legend[300];
        fit_legend(legend, sizeof legend, preferred_fit(a, s), se->name);
        /* variants of a driver (schedules) get open points and dashes */
        int point = se->drv->point - (se->variant > 0 && se->drv->point % 2 == 1);
        fprintf(fp, "%s\t%s\t%d\t%d\t%s\n", se->name, se->drv->color, point,
                se->variant % 3 == 0 ? 1 : se->variant % 3 == 1 ? 4 : 5, legend);
    }
    return 0;
}

static int write_points(FILE *fp, const struct analysis *a)
{
    for (size_t s = g_case->first; s < g_case->first + g_case->n; s++) {
        const struct series *se = &a->series[s];
        fprintf(fp, "%s# series %s: workers median ci_low ci_high speedup_serial(3) "
                "efficiency_serial(3) speedup_self(3) efficiency_self(3) weak_efficiency(3)\n",
                s > g_case->first ? "\n\n" : "", se->name);
        for (size_t i = se->first; i < se->first + se->n; i++) {
            const struct derived *d = an_der(a, i);
            fprintf(fp, "%ld", an_cfg(a, i)->workers);
            col3(fp, (struct ratio){d->t.median, d->t.ci_low, d->t.ci_high});
            col3(fp, d->speedup_serial);
            col3(fp, d->eff_serial);
            col3(fp, d->speedup_self);
            col3(fp, d->eff_self);
            col3(fp, d->weak_eff);
            fputc('\n', fp);
        }
    }
    return 0;
}

/* The median time of a series at one worker (its self baseline), NAN if none. */
static double self_base(const struct analysis *a, const struct series *se)
{
    for (size_t i = se->first; i < se->first + se->n; i++)
        if (an_cfg(a, i)->workers == 1)
            return an_der(a, i)->t.median;
    return NAN;
}

static int write_curves(FILE *fp, const struct analysis *a)
{
    double serial = g_case->serial >= 0 ? a->d[g_case->serial].t.median : NAN;
    for (size_t s = g_case->first; s < g_case->first + g_case->n; s++) {
        const struct series *se = &a->series[s];
        const struct fit *f = preferred_fit(a, s);
        fprintf(fp, "%s# series %s: workers time lo hi speedup_self(3) speedup_serial(3) "
                "efficiency_self(3) efficiency_serial(3) weak_efficiency(3)%s\n",
                s > g_case->first ? "\n\n" : "", se->name, f ? "" : " — no fit");
        if (f == NULL || f->curve == NULL) {
            fputs("NaN NaN NaN NaN NaN NaN NaN NaN NaN NaN NaN NaN NaN NaN NaN NaN NaN NaN NaN\n", fp);
            continue;
        }
        double self = self_base(a, se);
        int weak = f->model == MODEL_GUSTAFSON;
        for (int c = 0; c < CURVE_POINTS; c++) {
            const struct curve *cv = f->curve;
            double p = cv->p[c], t = cv->t[c], lo = cv->lo[c], hi = cv->hi[c];
            fprintf(fp, "%.6g", p);
            col(fp, t);
            col(fp, lo);
            col(fp, hi);
            /* a slower fitted time is a smaller speedup: the band's ends swap */
            double bases[2] = {weak ? NAN : self, weak ? NAN : serial};
            for (int k = 0; k < 2; k++)
                col3(fp, (struct ratio){bases[k] / t, bases[k] / hi, bases[k] / lo});
            for (int k = 0; k < 2; k++)
                col3(fp, (struct ratio){bases[k] / t / p, bases[k] / hi / p, bases[k] / lo / p});
            col3(fp, weak ? (struct ratio){f->t1 / t, f->t1 / hi, f->t1 / lo}
                          : (struct ratio){NAN, NAN, NAN});
            fputc('\n', fp);
        }
    }
    return 0;
}

static int write_pop(FILE *fp, const struct analysis *a)
{
    for (size_t s = g_case->first; s < g_case->first + g_case->n; s++) {
        const struct series *se = &a->series[s];
        fprintf(fp, "%s# series %s: workers load_balance(3) comm_efficiency(3) "
                "parallel_efficiency(3) comp_scaling(3) global_efficiency(3); scaling "
                "vs serial where it ran, else vs the same driver at 1 worker\n",
                s > g_case->first ? "\n\n" : "", se->name);
        for (size_t i = se->first; i < se->first + se->n; i++) {
            const struct pop *p = &an_der(a, i)->pop;
            int serial = isfinite(p->comp_serial.v);
            fprintf(fp, "%ld", an_cfg(a, i)->workers);
            col3(fp, p->lb);
            col3(fp, p->comm);
            col3(fp, p->pe);
            col3(fp, serial ? p->comp_serial : p->comp_self);
            col3(fp, serial ? p->ge_serial : p->ge_self);
            fputc('\n', fp);
        }
    }
    return 0;
}

static int write_startup(FILE *fp, const struct analysis *a)
{
    for (size_t i = 0; i < a->nstartup; i++) {
        const struct startup_row *r = &a->startup[i];
        if (i > 0 && r->drv != a->startup[i - 1].drv)
            fputs("\n\n", fp);
        if (i == 0 || r->drv != a->startup[i - 1].drv)
            fprintf(fp, "# series %s: workers median_us min_us max_us cases\n", r->drv->name);
        fprintf(fp, "%ld %.6g %.6g %.6g %d\n", r->workers, r->median * 1e6, r->min * 1e6,
                r->max * 1e6, r->cases);
    }
    return 0;
}

static int write_startup_series(FILE *fp, const struct analysis *a)
{
    fputs("name\tcolor\tpoint\tdash\tfit\n", fp);
    for (size_t i = 0; i < a->nstartup; i++)
        if (i == 0 || a->startup[i].drv != a->startup[i - 1].drv)
            fprintf(fp, "%s\t%s\t%d\t1\t-\n", a->startup[i].drv->name,
                    a->startup[i].drv->color, a->startup[i].drv->point);
    return 0;
}

/* Title lines of a case's figures. */
static void titles(const struct analysis *a, const struct kcase *kc, char *title,
                   size_t tlen, char *sub, size_t slen, char *note, size_t nlen)
{
    const struct config *cf = an_cfg(a, a->series[kc->first].first);
    snprintf(title, tlen, "%s — %s kernel, %s scaling, size %s%s%s", cf->kernel, cf->cls,
             cf->scaling, cf->size, *cf->params ? ", " : "", cf->params);
    char phys[48] = "";
    if (cf->physical_cores > 0 && cf->physical_cores != cf->cores)
        snprintf(phys, sizeof phys, " (%ld physical)", cf->physical_cores);
    snprintf(sub, slen, "host %s · %ld cores%s usable by the run", cf->host, kc->cores, phys);
    note[0] = '\0';
    static const enum trap loud[] = {TRAP_CACHE, TRAP_UNVERIFIED, TRAP_UNDELIVERED,
                                     TRAP_FIXED, TRAP_SHORT};
    static const char *const words[] = {"working set in cache", "failed verification",
                                        "cores not delivered", "fixed cost ≥ 10 %",
                                        "repetitions < 100 µs"};
    size_t used = 0;
    for (size_t i = 0; i < sizeof loud / sizeof loud[0]; i++)
        if ((kc->traps & loud[i]) && used + 1 < nlen)
            used += (size_t)snprintf(note + used, nlen - used, "%s%s", used ? ", " : "warning: ",
                                     words[i]);
    if (used == 0)
        snprintf(note, nlen, "-");
}

/* One figures.tsv line. */
static void figure(FILE *fp, const char *name, const char *script, const char *kcase,
                   const char *title, const char *sub, const char *note, const char *caption)
{
    fprintf(fp, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", name, script, kcase, title, sub, note, caption);
}

static int write_figures(FILE *fp, const struct analysis *a)
{
    fputs("name\tscript\tcase\ttitle\tsubtitle\tnote\tcaption\n", fp);
    for (size_t c = 0; c < a->ncases; c++) {
        const struct kcase *kc = &a->cases[c];
        const struct config *cf = an_cfg(a, a->series[kc->first].first);
        int strong = strcmp(cf->scaling, "strong") == 0;
        char title[300], sub[200], note[200], name[220], cap[600];
        titles(a, kc, title, sizeof title, sub, sizeof sub, note, sizeof note);
        char ideal[64];
        if (kc->ideal_is_p)
            snprintf(ideal, sizeof ideal, "p (latency class: waiting workers need no core)");
        else
            snprintf(ideal, sizeof ideal, "min(p, %ld cores)", kc->cores);
        snprintf(name, sizeof name, "%s-time", kc->slug);
        figure(fp, name, "time", kc->slug, title, sub, note, "median time per repetition vs "
               "workers; bars: 95 % interval of the median (min–max where there are fewer "
               "than 6 repetitions), points shifted slightly sideways to keep bars apart");
        if (!has_parallel(a, kc))
            continue;
        if (!strong) {
            snprintf(name, sizeof name, "%s-weak", kc->slug);
            snprintf(cap, sizeof cap, "weak-scaling efficiency T(1)/T(p), same driver at 1 "
                     "worker, with 95 %% intervals; dashed: Gustafson fit with its bootstrap "
                     "band where at least 3 worker counts have a core each");
            figure(fp, name, "weak", kc->slug, title, sub, note, cap);
            continue;
        }
        if (kc->serial >= 0) {
            snprintf(name, sizeof name, "%s-speedup-serial", kc->slug);
            snprintf(cap, sizeof cap, "speedup vs the serial driver (ratio of median times, "
                     "95 %% intervals); ideal %s; dashed: preferred model (Amdahl or USL) "
                     "with its 95 %% bootstrap band, over the worker counts it was fitted to",
                     ideal);
            figure(fp, name, "speedup-serial", kc->slug, title, sub, note, cap);
        }
        if (has_self(a, kc)) {
            snprintf(name, sizeof name, "%s-speedup", kc->slug);
            snprintf(cap, sizeof cap, "speedup vs the same driver measured at 1 worker "
                     "(a series without a 1-worker run has no curve here); ideal %s", ideal);
            figure(fp, name, "speedup", kc->slug, title, sub, note, cap);
        }
        snprintf(name, sizeof name, "%s-efficiency", kc->slug);
        snprintf(cap, sizeof cap, "parallel efficiency = speedup / p vs %s, 95 %% "
                 "intervals; grey: the ideal %s / p; dotted: 0.8",
                 kc->serial >= 0 ? "the serial driver" : "the same driver at 1 worker", ideal);
        figure(fp, name, "efficiency", kc->slug, title, sub, note, cap);
        snprintf(name, sizeof name, "%s-panel", kc->slug);
        figure(fp, name, "panel", kc->slug, title, sub, note, "time, speedup and efficiency "
               "side by side (as in the single figures)");
        if (a->pop_recorded) {
            snprintf(name, sizeof name, "%s-pop", kc->slug);
            figure(fp, name, "pop", kc->slug, title, sub, note, "POP efficiency factors vs "
                   "workers, one panel per driver: load balance, communication efficiency, "
                   "parallel efficiency, computation scaling, global efficiency; 0.8 dotted");
        }
    }
    list_primitive_figures(fp, a);
    if (a->nstartup > 0)
        figure(fp, "startup", "startup", "startup", "start-up cost per worker",
               "median over kernel cases; bars: min–max", "-",
               "time to start the workers divided by their number, vs workers, per driver "
               "(median over the kernel cases that ran it; bars: min–max over them)");
    return 0;
}

/* Writes every case's files with the writer fn under SLUG+suffix. */
static int per_case(const char *dir, const char *suffix, write_fn fn, const struct analysis *a)
{
    for (size_t c = 0; c < a->ncases; c++) {
        char name[220];
        g_case = &a->cases[c];
        snprintf(name, sizeof name, "%s%s", g_case->slug, suffix);
        int rc = write_file(dir, name, fn, a);
        if (rc != EXIT_OK)
            return rc;
    }
    return EXIT_OK;
}

int write_figure_data(const char *dir, const struct analysis *a)
{
    size_t len = strlen(dir) + sizeof SUBDIR + 1;
    char *sub = malloc(len);
    if (sub == NULL) {
        fprintf(stderr, "%s: out of memory\n", PROG);
        return EXIT_FAULT;
    }
    snprintf(sub, len, "%s/%s", dir, SUBDIR);
    int rc = EXIT_OK;
    if (mkdir(sub, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "%s: cannot create '%s': %s\n", PROG, sub, strerror(errno));
        rc = EXIT_FAULT;
    }
    if (rc == EXIT_OK)
        rc = per_case(sub, ".meta", write_meta, a);
    if (rc == EXIT_OK)
        rc = per_case(sub, ".series.tsv", write_series, a);
    if (rc == EXIT_OK)
        rc = per_case(sub, ".dat", write_points, a);
    if (rc == EXIT_OK)
        rc = per_case(sub, "-fit.dat", write_curves, a);
    if (rc == EXIT_OK && a->pop_recorded)
        rc = per_case(sub, "-pop.dat", write_pop, a);
    if (rc == EXIT_OK)
        rc = write_file(sub, "startup.dat", write_startup, a);
    if (rc == EXIT_OK)
        rc = write_file(sub, "startup.series.tsv", write_startup_series, a);
    if (rc == EXIT_OK)
        rc = write_primitive_data(sub, a);
    if (rc == EXIT_OK)
        rc = write_file(sub, "figures.tsv", write_figures, a);
    free(sub);
    return rc;
}
