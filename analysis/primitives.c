/*
 * primitives.c — what one team operation costs on each runtime (the sync
 * kernel, EPCC's method): a run of N iterations with operation X against
 * the same run with op=none, everything else equal; the cost of one X is
 * (median T(X) − median T(none)) / N, with the 95 % interval of a
 * difference of medians.  Pairs: same driver, scaling, size, layout, host,
 * runtime settings and params but the op= item; the schedule is left out
 * (only grab uses it).  Writes primitives.csv, the findings of section
 * "primitives", and per operation a figure's data (cost vs workers per
 * driver).
 */
#define _POSIX_C_SOURCE 200809L

#include "primitives.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "write.h"

static const char *const op_order[] = {"barrier", "allreduce1", "allreduce8", "halo",
                                       "grab", "update"};
#define NOPS (sizeof op_order / sizeof op_order[0])
#define KEY_MAX 2048

/* The op= value of params into op (empty when none), and params without
 * that item into rest. */
static void split_op(const char *params, char *op, size_t oplen, char *rest, size_t restlen)
{
    op[0] = rest[0] = '\0';
    size_t used = 0;
    for (const char *p = params; *p;) {
        size_t len = strcspn(p, ";");
        if (len > 3 && strncmp(p, "op=", 3) == 0)
            snprintf(op, oplen, "%.*s", (int)(len - 3), p + 3);
        else if (used + len + 2 < restlen)
            used += (size_t)snprintf(rest + used, restlen - used, "%s%.*s", used ? ";" : "",
                                     (int)len, p);
        p += len + (p[len] == ';');
    }
}

/* The pairing key of a configuration (params without op), interned. */
static const char *pair_key(struct analysis *a, const struct config *cf, char *op, size_t oplen)
{
    char rest[KEY_MAX / 2], key[KEY_MAX];
    split_op(cf->params, op, oplen, rest, sizeof rest);
    snprintf(key, sizeof key, "%s|%s|%s|%ld|%ld|%ld|%ld|%s|%s|%s", cf->driver, cf->scaling,
             cf->size, cf->workers, cf->ranks, cf->threads, cf->nodes, cf->host,
             cf->runtime_env, rest);
    return store_intern(a->st, key);
}

struct ptr_lookup {
    const char *const *keys;
    const char *want;
};

static int same_ptr(const void *ctx, uint32_t index)
{
    const struct ptr_lookup *l = ctx;
    return l->keys[index] == l->want;
}

static int op_rank(const char *op)
{
    for (size_t i = 0; i < NOPS; i++)
        if (strcmp(op, op_order[i]) == 0)
            return (int)i;
    return (int)NOPS;
}

static const struct analysis *g_a;

static int cmp_prim(const void *pa, const void *pb)
{
    const struct prim *x = pa, *y = pb;
    int d = op_rank(x->op) - op_rank(y->op);
    if (d == 0)
        d = strcmp(x->op, y->op);
    const struct driver_info *dx = drivers_get(g_a->drivers, g_a->st->cfg[x->cfg].driver);
    const struct driver_info *dy = drivers_get(g_a->drivers, g_a->st->cfg[y->cfg].driver);
    if (d == 0 && dx != dy)
        d = dx->order != dy->order ? dx->order - dy->order : strcmp(dx->name, dy->name);
    if (d == 0)
        d = strcmp(g_a->st->cfg[x->cfg].runtime_env, g_a->st->cfg[y->cfg].runtime_env);
    if (d == 0)
        d = (g_a->st->cfg[x->cfg].workers > g_a->st->cfg[y->cfg].workers)
            - (g_a->st->cfg[x->cfg].workers < g_a->st->cfg[y->cfg].workers);
    return d;
}

int analysis_primitives(struct analysis *a)
{
    size_t n = a->st->ncfg;
    const char **keys = calloc(n ? n : 1, sizeof *keys);
    const char **ops = calloc(n ? n : 1, sizeof *ops);
    struct hashidx refs = {0};
    int rc = EXIT_OK;
    a->prims = calloc(n ? n : 1, sizeof *a->prims);
    if (keys == NULL || ops == NULL || a->prims == NULL)
        goto out_of_memory;
    for (size_t i = 0; i < n; i++) {
        const struct config *cf = &a->st->cfg[i];
        char op[64];
        if (strcmp(cf->kernel, "sync") != 0)
            continue;
        if ((keys[i] = pair_key(a, cf, op, sizeof op)) == NULL
            || (ops[i] = store_intern(a->st, op)) == NULL)
            goto out_of_memory;
        struct ptr_lookup l = {keys, keys[i]};
        uint64_t h = hash_str(keys[i]);
        /* the reference loop; with several schedules, the first read */
        if (strcmp(op, "none") == 0 && hashidx_find(&refs, h, same_ptr, &l) < 0
            && hashidx_add(&refs, h, (uint32_t)i) != 0)
            goto out_of_memory;
    }
    for (size_t i = 0; i < n; i++) {
        if (keys[i] == NULL || strcmp(ops[i], "none") == 0)
            continue;
        struct ptr_lookup l = {keys, keys[i]};
        long ref = hashidx_find(&refs, hash_str(keys[i]), same_ptr, &l);
        if (ref < 0)
            continue;
        struct prim *p = &a->prims[a->nprims++];
        p->cfg = (long)i;
        p->ref = ref;
        p->op = ops[i];
        double per = 1.0 / a->st->cfg[i].work;
        double lo, hi, d = stats_difference(&a->d[i].t, &a->d[ref].t, &lo, &hi);
        p->cost = d * per;
        p->lo = lo * per;
        p->hi = hi * per;
    }
    g_a = a;
    qsort(a->prims, a->nprims, sizeof *a->prims, cmp_prim);
    goto out;
out_of_memory:
    fprintf(stderr, "%s: out of memory\n", PROG);
    rc = EXIT_FAULT;
out:
    free(keys);
    free(ops);
    hashidx_free(&refs);
    return rc;
}

/* ---- the table ------------------------------------------------------- */

int write_primitives(FILE *fp, const struct analysis *a)
{
    fputs("op,driver,runtime_env,workers,ranks,threads_per_rank,nodes,size,params,"
          "cost_seconds,cost_low,cost_high,median_op,median_none,n_op,n_none,flags\n", fp);
    for (size_t i = 0; i < a->nprims; i++) {
        const struct prim *p = &a->prims[i];
        const struct config *cf = &a->st->cfg[p->cfg];
        fprintf(fp, "%s,%s,%s,%ld,%ld,%ld,%ld,%s,%s", p->op, cf->driver, cf->runtime_env,
                cf->workers, cf->ranks, cf->threads, cf->nodes, cf->size, cf->params);
        put_num(fp, p->cost);
        put_num(fp, p->lo);
        put_num(fp, p->hi);
        put_num(fp, a->d[p->cfg].t.median);
        put_num(fp, a->d[p->ref].t.median);
        char flags[200];
        trap_words(a->d[p->cfg].traps | a->d[p->ref].traps, flags, sizeof flags);
        size_t len = strlen(flags);
        if (p->lo <= 0.0 && p->hi >= 0.0)
            snprintf(flags + len, sizeof flags - len, "%sno-measurable-cost", len ? ";" : "");
        fprintf(fp, ",%u,%u,%s\n", cf->n, a->st->cfg[p->ref].n, flags);
    }
    return 0;
}

/* ---- findings: which runtime synchronises cheapest ------------------- */

/* "0.35 µs (95 % CI 0.30–0.40)" */
static void cost_text(char *buf, size_t len, const struct prim *p)
{
    if (isnan(p->lo))
        snprintf(buf, len, "%.3g µs", p->cost * 1e6);
    else
        snprintf(buf, len, "%.3g µs (%.3g–%.3g)", p->cost * 1e6, p->lo * 1e6, p->hi * 1e6);
}

static int cmp_cost(const void *pa, const void *pb)
{
    const struct prim *x = *(const struct prim *const *)pa, *y = *(const struct prim *const *)pb;
    return (x->cost > y->cost) - (x->cost < y->cost);
}

/* Whether p's cost is measurable: its interval lies above 0 (without an
 * interval, its value is above 0). */
static int measurable(const struct prim *p)
{
    return isnan(p->lo) ? p->cost > 0.0 : p->lo > 0.0;
}

static const char *prim_name(const struct analysis *a, const struct prim *p)
{
    return a->series[a->d[p->cfg].series].name;
}

/* Appends to text (used of len) with printf's rules; keeps *used <= len - 1. */
__attribute__((format(printf, 4, 5)))
static void append(char *text, size_t len, size_t *used, const char *fmt, ...)
{
    if (*used + 1 >= len)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text + *used, len - *used, fmt, ap);
    va_end(ap);
    if (n > 0)
        *used += (size_t)n < len - *used ? (size_t)n : len - *used - 1;
}

/* The sentence about one operation at w workers, group[0..m) sorted by
 * cost: first the runtimes whose cost is not measurable (an interval that
 * includes 0, or lies below it: the loop ran no slower with the
 * operation), which are the cheapest; then, of those with a measurable
 * cost, the cheapest, the next and by what factor (or that the two cannot
 * be told apart), and the rest. */
static void primitive_sentence(const struct analysis *a, const char *op, long w,
                               const struct prim **group, size_t m, char *text, size_t len)
{
    size_t used = 0, nm = 0, nu = 0;
    const struct prim *first = NULL;
    char c[80];
    append(text, len, &used, "one %s at %ld workers: ", op, w);
    for (size_t k = 0; k < m; k++) {
        const struct prim *q = group[k];
        if (measurable(q))
            continue;
        cost_text(c, sizeof c, q);
        append(text, len, &used, "%s%s %s%s", nu++ ? ", " : "no measurable cost on ",
               prim_name(a, q), c, !isnan(q->hi) && q->hi < 0.0 ? " (below the loop without it)"
                                                               : "");
    }
    for (size_t k = 0; k < m; k++) {
        const struct prim *q = group[k];
        if (!measurable(q))
            continue;
        cost_text(c, sizeof c, q);
        if (nm == 0) {
            append(text, len, &used, "%s%s is cheapest, %s", nu ? "; of the others, " : "",
                   prim_name(a, q), c);
            first = q;
        } else if (nm == 1) {
            int apart = !isnan(first->hi) && !isnan(q->lo) && first->hi < q->lo;
            append(text, len, &used, "; %s %s, ", prim_name(a, q), c);
            if (apart)
                append(text, len, &used, "%.2g× as costly", q->cost / first->cost);
            else
                append(text, len, &used, "no measurable difference between the two");
        } else {
            append(text, len, &used, "; %s %s", prim_name(a, q), c);
        }
        nm++;
    }
    append(text, len, &used, ".");
}

int primitive_findings(struct analysis *a, finding_fn add)
{
    const struct prim **group = malloc((a->nprims ? a->nprims : 1) * sizeof *group);
    if (group == NULL)
        return -1;
    /* every (op, workers) pair measured by two or more runtimes */
    for (size_t i = 0; i < a->nprims; i++) {
        const struct prim *p = &a->prims[i];
        long w = a->st->cfg[p->cfg].workers;
        int first = 1;
        for (size_t k = 0; k < i; k++)
            if (a->prims[k].op == p->op && a->st->cfg[a->prims[k].cfg].workers == w)
                first = 0;
        if (!first)
            continue;
        size_t m = 0;
        for (size_t k = i; k < a->nprims; k++)
            if (a->prims[k].op == p->op && a->st->cfg[a->prims[k].cfg].workers == w)
                group[m++] = &a->prims[k];
        if (m < 2)
            continue;
        qsort(group, m, sizeof *group, cmp_cost);
        char text[1200];
        primitive_sentence(a, p->op, w, group, m, text, sizeof text);
        char subject[96];
        snprintf(subject, sizeof subject, "%s@%ld", p->op, w);
        if (add(a, "primitives", subject, text) != 0) {
            free(group);
            return -1;
        }
    }
    free(group);
    return 0;
}

/* ---- figure data: per operation, cost vs workers per driver ---------- */

static const char *g_op;

static int write_cost(FILE *fp, const struct analysis *a)
{
    const struct config *last = NULL;
    for (size_t i = 0; i < a->nprims; i++) {
        const struct prim *p = &a->prims[i];
        if (p->op != g_op)
            continue;
        const struct config *cf = &a->st->cfg[p->cfg];
        if (last == NULL || cf->driver != last->driver || cf->runtime_env != last->runtime_env)
            fprintf(fp, "%s# series %s: workers cost_us low_us high_us\n", last ? "\n\n" : "",
                    a->series[a->d[p->cfg].series].name);
        fprintf(fp, "%ld %.6g %.6g %.6g\n", cf->workers, p->cost * 1e6, p->lo * 1e6,
                p->hi * 1e6);
        last = cf;
    }
    return 0;
}

static int write_cost_series(FILE *fp, const struct analysis *a)
{
    const struct config *last = NULL;
    fputs("name\tcolor\tpoint\tdash\tfit\n", fp);
    for (size_t i = 0; i < a->nprims; i++) {
        const struct prim *p = &a->prims[i];
        const struct config *cf = &a->st->cfg[p->cfg];
        if (p->op != g_op || (last && cf->driver == last->driver
                              && cf->runtime_env == last->runtime_env))
            continue;
        const struct series *se = &a->series[a->d[p->cfg].series];
        fprintf(fp, "%s\t%s\t%d\t%d\t-\n", se->name, se->drv->color, se->drv->point,
                se->variant % 3 == 0 ? 1 : se->variant % 3 == 1 ? 4 : 5);
        last = cf;
    }
    return 0;
}

static int write_cost_meta(FILE *fp, const struct analysis *a)
{
    long cores = 0, wmax = 1;
    size_t series = 0;
    const struct config *last = NULL;
    for (size_t i = 0; i < a->nprims; i++) {
        const struct config *cf = &a->st->cfg[a->prims[i].cfg];
        if (a->prims[i].op != g_op)
            continue;
        cores = cf->cores > cores ? cf->cores : cores;
        wmax = cf->workers > wmax ? cf->workers : wmax;
        series += last == NULL || cf->driver != last->driver || cf->runtime_env != last->runtime_env;
        last = cf;
    }
    fprintf(fp, "%ld %ld 0 0 %zu\n", cores, wmax, series);
    return 0;
}

void list_primitive_figures(FILE *fp, const struct analysis *a)
{
    for (size_t i = 0; i < a->nprims; i++) {
        if (i > 0 && a->prims[i].op == a->prims[i - 1].op)
            continue;
        const char *op = a->prims[i].op;
        fprintf(fp, "primitives-%s\tcost\tprimitives-%s\tcost of one %s per runtime\t"
                "sync kernel, EPCC method: (T(op) − T(none)) / N · host %s\t-\t"
                "what one %s costs vs workers, per driver: the difference of median times "
                "with and without it, per operation, with its 95 %% interval\n",
                op, op, op, a->st->cfg[a->prims[i].cfg].host, op);
    }
}

int write_primitive_data(const char *dir, const struct analysis *a)
{
    for (size_t i = 0; i < a->nprims; i++) {
        if (i > 0 && a->prims[i].op == a->prims[i - 1].op)
            continue;
        char name[128];
        g_op = a->prims[i].op;
        snprintf(name, sizeof name, "primitives-%s.dat", g_op);
        int rc = write_file(dir, name, write_cost, a);
        snprintf(name, sizeof name, "primitives-%s.series.tsv", g_op);
        if (rc == EXIT_OK)
            rc = write_file(dir, name, write_cost_series, a);
        snprintf(name, sizeof name, "primitives-%s.meta", g_op);
        if (rc == EXIT_OK)
            rc = write_file(dir, name, write_cost_meta, a);
        if (rc != EXIT_OK)
            return rc;
    }
    return EXIT_OK;
}
