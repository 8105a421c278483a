/*
 * compare.c — parscale-summarize --baseline A.csv B.csv...: did B change
 * anything?  Per configuration present in both (same kernel, driver,
 * scaling, size, params, schedule and layout), the ratio of median times
 * B/A with its 95 % interval (the same ratio interval as every speedup) and
 * a verdict: faster (the interval is below 1), slower (above 1), or no
 * measurable difference.  Configurations in only one of them are listed.
 * Writes compare.csv and compare.md.
 */
#define _POSIX_C_SOURCE 200809L

#include "compare.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "write.h"

/* What one configuration of one side comes to. */
struct side {
    const struct config *cf;
    struct sample_stat t;
};

struct pairing {
    const struct store *a, *b;
    struct side *sa, *sb;
    long *match;               /* for each of b's configs, a's index or -1 */
    int *matched_a;            /* a's configs that b matched */
};

static uint64_t config_hash(const struct config *cf)
{
    const char *text[] = {cf->kernel, cf->driver, cf->scaling, cf->size, cf->params,
                          cf->schedule};
    uint64_t h = 0;
    for (size_t i = 0; i < sizeof text / sizeof text[0]; i++)
        h = hash_mix(h, hash_str(text[i]));
    h = hash_mix(h, (uint64_t)cf->workers);
    h = hash_mix(h, (uint64_t)cf->ranks);
    h = hash_mix(h, (uint64_t)cf->threads);
    return hash_mix(h, (uint64_t)cf->nodes);
}

static int same_key(const struct config *x, const struct config *y)
{
    return x->workers == y->workers && x->ranks == y->ranks && x->threads == y->threads
           && x->nodes == y->nodes && strcmp(x->kernel, y->kernel) == 0
           && strcmp(x->driver, y->driver) == 0 && strcmp(x->scaling, y->scaling) == 0
           && strcmp(x->size, y->size) == 0 && strcmp(x->params, y->params) == 0
           && strcmp(x->schedule, y->schedule) == 0;
}

struct key_of {
    const struct store *a;
    const struct config *want;
};

static int matches(const void *ctx, uint32_t index)
{
    const struct key_of *k = ctx;
    return same_key(&k->a->cfg[index], k->want);
}

static void describe_all(const struct store *st, struct side *out)
{
    for (size_t i = 0; i < st->ncfg; i++) {
        out[i].cf = &st->cfg[i];
        stats_describe(st->cfg[i].seconds, st->cfg[i].n, &out[i].t);
    }
}

/* "faster", "slower" or "no measurable difference" for a time ratio B/A. */
static const char *verdict(double lo, double hi)
{
    if (isnan(lo))
        return "too few repetitions to tell";
    if (hi < 1.0)
        return "faster";
    if (lo > 1.0)
        return "slower";
    return "no measurable difference";
}

static const struct pairing *g_pair;

static void put_key(FILE *fp, const struct config *cf)
{
    fprintf(fp, "%s,%s,%s,%s,%s,%s,%ld,%ld,%ld,%ld", cf->kernel, cf->driver, cf->scaling,
            cf->size, cf->params, cf->schedule, cf->workers, cf->ranks, cf->threads,
            cf->nodes);
}

static int write_csv(FILE *fp, const struct analysis *unused)
{
    const struct pairing *p = g_pair;
    (void)unused;
    fputs("kernel,driver,scaling,size,params,schedule,workers,ranks,threads_per_rank,nodes,"
          "n_a,median_a,n_b,median_b,ratio,ratio_low,ratio_high,verdict\n", fp);
    for (size_t i = 0; i < p->b->ncfg; i++) {
        const struct side *b = &p->sb[i];
        put_key(fp, b->cf);
        if (p->match[i] < 0) {
            fprintf(fp, ",,,%u", b->cf->n);
            put_num(fp, b->t.median);
            fputs(",,,,only in B\n", fp);
            continue;
        }
        const struct side *a = &p->sa[p->match[i]];
        double lo, hi, r = stats_ratio(&b->t, &a->t, &lo, &hi);
        fprintf(fp, ",%u", a->cf->n);
        put_num(fp, a->t.median);
        fprintf(fp, ",%u", b->cf->n);
        put_num(fp, b->t.median);
        put_num(fp, r);
        put_num(fp, lo);
        put_num(fp, hi);
        fprintf(fp, ",%s\n", verdict(lo, hi));
    }
    for (size_t i = 0; i < p->a->ncfg; i++) {
        if (p->matched_a[i])
            continue;
        put_key(fp, p->sa[i].cf);
        fprintf(fp, ",%u", p->sa[i].cf->n);
        put_num(fp, p->sa[i].t.median);
        fputs(",,,,,,only in A\n", fp);
    }
    return 0;
}

static int write_md(FILE *fp, const struct analysis *unused)
{
    const struct pairing *p = g_pair;
    size_t n[3] = {0, 0, 0};
    (void)unused;
    for (size_t i = 0; i < p->b->ncfg; i++) {
        if (p->match[i] < 0)
            continue;
        double lo, hi;
        stats_ratio(&p->sb[i].t, &p->sa[p->match[i]].t, &lo, &hi);
        n[isnan(lo) ? 2 : hi < 1.0 ? 0 : lo > 1.0 ? 1 : 2]++;
    }
    fprintf(fp, "B against A: %zu faster, %zu slower, %zu with no measurable difference "
            "(or too few repetitions to tell).\n\n", n[0], n[1], n[2]);
    fputs("| kernel | driver | scaling | size | params | schedule | workers | A median (s) | "
          "B median (s) | B/A [95 % interval] | verdict |\n"
          "|---|---|---|---|---|---|---|---|---|---|---|\n", fp);
    for (size_t i = 0; i < p->b->ncfg; i++) {
        const struct config *cf = p->sb[i].cf;
        fprintf(fp, "| %s | %s | %s | %s | %s | %s | %ld |", cf->kernel, cf->driver,
                cf->scaling, cf->size, *cf->params ? cf->params : "–", cf->schedule,
                cf->workers);
        if (p->match[i] < 0) {
            fprintf(fp, " – | %.4g | – | only in B |\n", p->sb[i].t.median);
            continue;
        }
        double lo, hi, r = stats_ratio(&p->sb[i].t, &p->sa[p->match[i]].t, &lo, &hi);
        fprintf(fp, " %.4g | %.4g | %.3f", p->sa[p->match[i]].t.median, p->sb[i].t.median, r);
        if (!isnan(lo))
            fprintf(fp, " [%.3f, %.3f]", lo, hi);
        fprintf(fp, " | %s |\n", verdict(lo, hi));
    }
    for (size_t i = 0; i < p->a->ncfg; i++)
        if (!p->matched_a[i]) {
            const struct config *cf = p->sa[i].cf;
            fprintf(fp, "| %s | %s | %s | %s | %s | %s | %ld | %.4g | – | – | only in A |\n",
                    cf->kernel, cf->driver, cf->scaling, cf->size, *cf->params ? cf->params : "–",
                    cf->schedule, cf->workers, p->sa[i].t.median);
        }
    return 0;
}

int compare_write(const char *dir, const struct store *a, const struct store *b)
{
    struct pairing p = {a, b, malloc((a->ncfg + 1) * sizeof *p.sa),
                        malloc((b->ncfg + 1) * sizeof *p.sb),
                        malloc((b->ncfg + 1) * sizeof *p.match),
                        calloc(a->ncfg + 1, sizeof *p.matched_a)};
    struct hashidx index = {0};
    int rc = EXIT_OK;
    if (!p.sa || !p.sb || !p.match || !p.matched_a)
        goto out_of_memory;
    describe_all(a, p.sa);
    describe_all(b, p.sb);
    for (size_t i = 0; i < a->ncfg; i++)
        if (hashidx_add(&index, config_hash(&a->cfg[i]), (uint32_t)i) != 0)
            goto out_of_memory;
    for (size_t i = 0; i < b->ncfg; i++) {
        struct key_of k = {a, &b->cfg[i]};
        p.match[i] = hashidx_find(&index, config_hash(&b->cfg[i]), matches, &k);
        if (p.match[i] >= 0)
            p.matched_a[p.match[i]] = 1;
    }
    g_pair = &p;
    rc = write_file(dir, "compare.csv", write_csv, NULL);
    if (rc == EXIT_OK)
        rc = write_file(dir, "compare.md", write_md, NULL);
    goto out;
out_of_memory:
    fprintf(stderr, "%s: out of memory\n", PROG);
    rc = EXIT_FAULT;
out:
    hashidx_free(&index);
    free(p.sa);
    free(p.sb);
    free(p.match);
    free(p.matched_a);
    return rc;
}
