/*
 * layout.c — the report order: configurations sorted into cases (kernel,
 * scaling, size, params; kernels in the order they were first run) made of
 * series (driver, schedule, and runtime settings where they vary) made of
 * configurations by worker count.
 */
#define _POSIX_C_SOURCE 200809L

#include "analysis.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Where each kernel was first seen (kernels are reported in run order):
 * its position among the distinct kernels seen[0..*n), added when new. */
static size_t kernel_rank(const char **seen, size_t *n, const char *kernel)
{
    for (size_t i = 0; i < *n; i++)
        if (seen[i] == kernel)
            return i;
    seen[*n] = kernel;
    return (*n)++;
}

static const struct analysis *sort_ctx;
static size_t *sort_kernel_rank;

static int cmp_num_text(const char *x, const char *y)
{
    char *ex, *ey;
    double a = strtod(x, &ex), b = strtod(y, &ey);
    int na = *x && *ex == '\0', nb = *y && *ey == '\0';
    if (na && nb && a != b)
        return (a > b) - (a < b);
    if (na != nb)
        return nb - na;
    return strcmp(x, y);
}

/* The case part of the order: kernel (run order), scaling, size, params. */
static int cmp_case(const struct config *x, const struct config *y, size_t kx, size_t ky)
{
    int d;
    if (kx != ky)
        return kx < ky ? -1 : 1;
    if ((d = strcmp(x->scaling, y->scaling)) != 0)
        return d;
    if ((d = cmp_num_text(x->size, y->size)) != 0)
        return d;
    return strcmp(x->params, y->params);
}

/* The series part: driver (table order), schedule. */
static int cmp_series(const struct analysis *a, const struct config *x, const struct config *y)
{
    const struct driver_info *dx = drivers_get(a->drivers, x->driver);
    const struct driver_info *dy = drivers_get(a->drivers, y->driver);
    if (dx->order != dy->order)
        return dx->order < dy->order ? -1 : 1;
    int d = strcmp(x->driver, y->driver);
    if (d != 0)
        return d;
    /* plain static first, then the others by name */
    int sx = strcmp(x->schedule, "static") != 0, sy = strcmp(y->schedule, "static") != 0;
    if (sx != sy)
        return sx - sy;
    if ((d = strcmp(x->schedule, y->schedule)) != 0)
        return d;
    return strcmp(x->series_env, y->series_env);
}

static int cmp_long(long x, long y) { return (x > y) - (x < y); }

static int cmp_order(const void *pa, const void *pb)
{
    size_t ia = *(const size_t *)pa, ib = *(const size_t *)pb;
    const struct config *x = &sort_ctx->st->cfg[ia], *y = &sort_ctx->st->cfg[ib];
    int d = cmp_case(x, y, sort_kernel_rank[ia], sort_kernel_rank[ib]);
    if (d == 0)
        d = cmp_series(sort_ctx, x, y);
    if (d == 0)
        d = cmp_long(x->workers, y->workers);
    if (d == 0)
        d = cmp_long(x->ranks, y->ranks);
    if (d == 0)
        d = cmp_long(x->nodes, y->nodes);
    return d;
}

static int same_case(const struct config *x, const struct config *y)
{
    return x->kernel == y->kernel && x->scaling == y->scaling && x->size == y->size
           && x->params == y->params;
}

static int same_series(const struct config *x, const struct config *y)
{
    return same_case(x, y) && x->driver == y->driver && x->schedule == y->schedule
           && x->series_env == y->series_env;
}

/* Order for finding runtime settings that are a variant: everything of the
 * key but the settings, then the settings. */
static int cmp_layout(const void *pa, const void *pb)
{
    size_t ia = *(const size_t *)pa, ib = *(const size_t *)pb;
    const struct config *x = &sort_ctx->st->cfg[ia], *y = &sort_ctx->st->cfg[ib];
    int d = cmp_case(x, y, sort_kernel_rank[ia], sort_kernel_rank[ib]);
    if (d == 0 && (d = strcmp(x->driver, y->driver)) == 0
        && (d = strcmp(x->schedule, y->schedule)) == 0
        && (d = cmp_long(x->workers, y->workers)) == 0 && (d = cmp_long(x->ranks, y->ranks)) == 0
        && (d = cmp_long(x->nodes, y->nodes)) == 0)
        d = strcmp(x->runtime_env, y->runtime_env);
    return d;
}

/*
 * Runtime settings tell series apart only where the same driver ran the
 * same configuration with other settings (a barrier kind, a wait policy
 * chosen by the user); settings that vary with the worker count alone (a
 * sweep makes OpenMP passive when oversubscribed) stay one series.
 */
static int mark_env_variants(struct analysis *a, size_t *idx, const char *empty)
{
    size_t n = a->st->ncfg;
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    qsort(idx, n, sizeof *idx, cmp_layout);
    for (size_t i = 0; i < n;) {
        const struct config *g = &a->st->cfg[idx[i]];
        size_t j = i;
        int variant = 0;
        while (j < n) {
            const struct config *c = &a->st->cfg[idx[j]];
            if (!same_case(g, c) || c->driver != g->driver || c->schedule != g->schedule)
                break;
            if (j > i) {
                const struct config *p = &a->st->cfg[idx[j - 1]];
                variant |= p->workers == c->workers && p->ranks == c->ranks
                           && p->nodes == c->nodes && p->runtime_env != c->runtime_env;
            }
            j++;
        }
        for (size_t k = i; k < j; k++)
            a->st->cfg[idx[k]].series_env = variant ? a->st->cfg[idx[k]].runtime_env : empty;
        i = j;
    }
    return 0;
}

/* Keeps [A-Za-z0-9._-], maps the rest to '_'. */
static void slug_append(char *buf, size_t len, const char *s)
{
    size_t used = strlen(buf);
    for (; *s && used + 1 < len; s++)
        buf[used++] = (isalnum((unsigned char)*s) || strchr("._-", *s)) ? *s : '_';
    buf[used] = '\0';
}

static void make_slug(struct kcase *kc, const struct config *cf)
{
    kc->slug[0] = '\0';
    const char *parts[] = {cf->kernel, "-", cf->scaling, "-", cf->size};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        slug_append(kc->slug, sizeof kc->slug, parts[i]);
    if (*cf->params) {
        slug_append(kc->slug, sizeof kc->slug, "-");
        slug_append(kc->slug, sizeof kc->slug, cf->params);
    }
}

/* Splits the ordered configurations into series and cases. */
static int index_series(struct analysis *a)
{
    size_t n = a->st->ncfg, nseries = 1, ncases = 1;
    for (size_t i = 1; i < n; i++) {    /* count first: a series is 200+ bytes */
        nseries += !same_series(an_cfg(a, i - 1), an_cfg(a, i));
        ncases += !same_case(an_cfg(a, i - 1), an_cfg(a, i));
    }
    a->series = calloc(nseries, sizeof *a->series);
    a->cases = calloc(ncases, sizeof *a->cases);
    if (a->series == NULL || a->cases == NULL)
        return -1;
    for (size_t i = 0; i < n;) {
        const struct config *first = an_cfg(a, i);
        struct kcase *kc = &a->cases[a->ncases];
        memset(kc, 0, sizeof *kc);
        kc->first = a->nseries;
        kc->serial = -1;
        kc->ideal_is_p = strcmp(first->cls, "latency") == 0;
        make_slug(kc, first);
        size_t j = i;
        while (j < n && same_case(first, an_cfg(a, j))) {
            const struct config *sfirst = an_cfg(a, j);
            struct series *s = &a->series[a->nseries];
            s->first = j;
            s->kcase = a->ncases;
            s->drv = drivers_get(a->drivers, sfirst->driver);
            s->variant = 0;
            for (size_t k = kc->first; k < a->nseries; k++)
                s->variant += a->series[k].drv == s->drv;
            if (strcmp(sfirst->schedule, "static") == 0)
                snprintf(s->name, sizeof s->name, "%s", sfirst->driver);
            else
                snprintf(s->name, sizeof s->name, "%s/%s", sfirst->driver, sfirst->schedule);
            if (*sfirst->series_env) {
                size_t len = strlen(s->name);
                snprintf(s->name + len, sizeof s->name - len, "[%s]", sfirst->series_env);
            }
            while (j < n && same_series(sfirst, an_cfg(a, j))) {
                const struct config *cf = an_cfg(a, j);
                a->d[a->order[j]].series = a->nseries;
                if (cf->cores > kc->cores)
                    kc->cores = cf->cores;
                if (cf->workers > kc->max_workers)
                    kc->max_workers = cf->workers;
                kc->traps |= a->d[a->order[j]].traps;
                j++;
            }
            s->n = j - s->first;
            a->nseries++;
        }
        kc->n = a->nseries - kc->first;
        a->ncases++;
        i = j;
    }
    return 0;
}

int analysis_layout(struct analysis *a)
{
    struct store *st = a->st;
    size_t n = st->ncfg, nkernels = 0;
    const char *empty = store_intern(st, "");
    const char **kernels = malloc((n ? n : 1) * sizeof *kernels);
    a->order = malloc((n ? n : 1) * sizeof *a->order);
    sort_kernel_rank = malloc((n ? n : 1) * sizeof *sort_kernel_rank);
    int rc = -1;
    if (empty == NULL || kernels == NULL || a->order == NULL || sort_kernel_rank == NULL)
        goto out;
    for (size_t i = 0; i < n; i++) {
        const struct config *cf = &st->cfg[i];
        sort_kernel_rank[i] = i > 0 && cf->kernel == st->cfg[i - 1].kernel
                                  ? sort_kernel_rank[i - 1]
                                  : kernel_rank(kernels, &nkernels, cf->kernel);
    }
    sort_ctx = a;
    mark_env_variants(a, a->order, empty);
    for (size_t i = 0; i < n; i++)
        a->order[i] = i;
    qsort(a->order, n, sizeof *a->order, cmp_order);
    rc = index_series(a);
out:
    free(kernels);
    free(sort_kernel_rank);
    sort_kernel_rank = NULL;
    return rc;
}
