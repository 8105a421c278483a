/*
 * findings_fit.c — the findings about why a curve bends: the preferred
 * scaling model per series (or, grouped by reason, why there is none), and
 * the dominant loss per series from the POP efficiency factors, at the most
 * workers that each have a core and past the cores.  findings.c holds the
 * other sections and the helpers.
 */
#define _POSIX_C_SOURCE 200809L

#include "analysis.h"
#include "findings.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- models ---------------------------------------------------------- */

/* Series with no model, grouped by why (reasons are interned, so equal
 * reasons are equal pointers): one sentence per reason. */
struct nofit {
    const char *reason;
    size_t series;
};

static int cmp_nofit(const void *pa, const void *pb)
{
    const struct nofit *x = pa, *y = pb;
    if (x->reason != y->reason)
        return x->reason < y->reason ? -1 : 1;
    return (x->series > y->series) - (x->series < y->series);
}

/* How many series a no-model sentence names before "and N more". */
#define NOFIT_NAMED 6

static int nofit_findings(struct analysis *a, struct nofit *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_nofit);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        char names[700] = "";
        size_t used = 0;
        while (j < n && v[j].reason == v[i].reason) {
            if (j - i < NOFIT_NAMED && used + 1 < sizeof names) {
                const struct series *se = &a->series[v[j].series];
                const struct config *cf = an_cfg(a, se->first);
                used += (size_t)snprintf(names + used, sizeof names - used, "%s%s %s %s/%s",
                                         j > i ? ", " : "", cf->kernel, cf->scaling,
                                         cf->size, se->name);
            }
            j++;
        }
        if (j - i > NOFIT_NAMED && used + 1 < sizeof names)
            snprintf(names + used, sizeof names - used, " and %zu more", j - i - NOFIT_NAMED);
        if (finding_add(a, "models", "no model", "No model for %zu series (%s): %s.", j - i, names,
                v[i].reason) != 0)
            return -1;
        i = j;
    }
    return 0;
}

int model_findings(struct analysis *a)
{
    struct nofit *none = malloc((a->nseries ? a->nseries : 1) * sizeof *none);
    size_t nnone = 0;
    if (none == NULL)
        return -1;
    for (size_t s = 0; s < a->nseries; s++) {
        const struct series *se = &a->series[s];
        const struct config *cf = an_cfg(a, se->first);
        if (strcmp(cf->driver, "serial") == 0)
            continue;
        if (se->nfit == 0)
            continue;
        const struct fit *best = preferred_fit(a, s), *any = &a->fits[se->fit_first];
        char label[200], subject[400];
        finding_case_label(a, &a->cases[se->kcase], label, sizeof label);
        snprintf(subject, sizeof subject, "%s/%s", a->cases[se->kcase].slug, se->name);
        int rc;
        if (best == NULL) {
            none[nnone++] = (struct nofit){any->reason, s};
            continue;
        }
        if (best->model == MODEL_USL)
            rc = finding_add(a, "models", subject, "%s, %s: USL, contention sigma %.3g (95 %% CI "
                     "%.3g–%.3g), coherency kappa %.3g (%.3g–%.3g), fastest near %.3g "
                     "workers; rms residual %.1f %% over %d points. %s.", label, se->name,
                     best->s, best->s_lo, best->s_hi, best->kappa, best->kappa_lo,
                     best->kappa_hi, best->p_peak, 100 * best->rms_rel, best->points,
                     best->criterion);
        else
            rc = finding_add(a, "models", subject, "%s, %s: %s, serial fraction %.3g (95 %% CI "
                     "%.3g–%.3g) over %ld–%ld workers; rms residual %.1f %% over %d points. "
                     "%s.", label, se->name, best->model == MODEL_AMDAHL ? "Amdahl" : "Gustafson",
                     best->s, best->s_lo, best->s_hi, best->p_min, best->p_max,
                     100 * best->rms_rel, best->points, best->criterion);
        if (rc != 0) {
            free(none);
            return -1;
        }
    }
    int rc = nofit_findings(a, none, nnone);
    free(none);
    return rc;
}

/* ---- POP: the dominant loss ------------------------------------------ */

/* "load balance 0.97, communication efficiency 0.61, computation scaling
 * 0.95 — the loss is communication" for one configuration. */
static void pop_clause(char *buf, size_t len, const struct derived *d)
{
    struct ratio comp = isfinite(d->pop.comp_serial.v) ? d->pop.comp_serial : d->pop.comp_self;
    double v[] = {d->pop.lb.v, d->pop.comm.v, comp.v};
    int worst = 0;
    for (int k = 1; k < 3; k++)
        if (isfinite(v[k]) && (!isfinite(v[worst]) || v[k] < v[worst]))
            worst = k;
    const char *loss = worst == 0 ? "load imbalance" : worst == 1
                       ? "communication (time in team calls)" : "computation scaling (useful time grew)";
    char f[3][48];
    for (int k = 0; k < 3; k++)
        if (isfinite(v[k]))
            snprintf(f[k], sizeof f[k], "%.2f", v[k]);
        else
            snprintf(f[k], sizeof f[k], "%s", d->pop.useful > 0.0 ? "not measured"
                     : "undefined (no useful time left)");
    snprintf(buf, len, "load balance %s, communication efficiency %s, computation scaling "
             "%s — %s%s", f[0], f[1], f[2], v[worst] >= GOOD_EFFICIENCY ? "no factor below 0.8"
             : "the loss is ", v[worst] >= GOOD_EFFICIENCY ? "" : loss);
}

/* Per series: the factors at the largest worker count with a core each
 * (the series' own scaling), and past the cores where it ran there
 * (oversubscription, which shows as computation scaling). */
int pop_findings(struct analysis *a)
{
    for (size_t s = 0; s < a->nseries; s++) {
        const struct series *se = &a->series[s];
        const struct config *cf = an_cfg(a, se->first);
        if (strcmp(cf->scaling, "strong") != 0 || strcmp(cf->driver, "serial") == 0)
            continue;
        const struct derived *in = NULL, *over = NULL;
        long pin = 0, pover = 0, cores = 0;
        for (size_t i = se->first; i < se->first + se->n; i++) {
            const struct config *c = an_cfg(a, i);
            const struct pop *p = &an_der(a, i)->pop;
            if ((!isfinite(p->lb.v) && !isfinite(p->comm.v)) || c->workers < 2)
                continue;
            cores = c->cores;
            if (c->workers <= c->cores) {
                in = an_der(a, i);
                pin = c->workers;
            } else {
                over = an_der(a, i);
                pover = c->workers;
            }
        }
        if (in == NULL && over == NULL)
            continue;
        char label[200], subject[400], c1[300] = "", c2[340] = "";
        finding_case_label(a, &a->cases[se->kcase], label, sizeof label);
        snprintf(subject, sizeof subject, "%s/%s", a->cases[se->kcase].slug, se->name);
        if (in != NULL) {
            pop_clause(c1, sizeof c1, in);
            if (over != NULL) {
                char tmp[300];
                pop_clause(tmp, sizeof tmp, over);
                snprintf(c2, sizeof c2, "; past the %ld cores, at %ld workers: %s", cores, pover, tmp);
            }
            if (finding_add(a, "pop", subject, "%s, %s at %ld workers: %s%s.", label, se->name, pin, c1,
                    c2) != 0)
                return -1;
        } else {
            pop_clause(c1, sizeof c1, over);
            if (finding_add(a, "pop", subject, "%s, %s at %ld workers (more than the %ld cores): %s.",
                    label, se->name, pover, cores, c1) != 0)
                return -1;
        }
    }
    return 0;
}
