/*
 * claims.c — the usual claims about threads and processes in Python, each
 * checked against what the study measured (the python preset's
 * configurations: sqrtpow and sleep, as Python loops and as the C kernel
 * through ctypes, in Python threads, forked and spawned processes, beside
 * the C pthread and fork drivers).  A claim whose configurations were not
 * run is left out; one the machine could not test (a second core not
 * delivered) says so.  Writes claims.csv: claim, measured, verdict.
 */
#define _POSIX_C_SOURCE 200809L

#include "claims.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "write.h"

/* Below this speedup at 2 workers the C control shows no second core. */
#define SECOND_CORE 1.3
#define TEXT_MAX 700

/* The configuration of kernel/driver at p workers whose params carry
 * impl=IMPL (NULL: no impl item at all, a C driver), or -1. */
static long find(const struct analysis *a, const char *kernel, const char *driver,
                 const char *impl, long p)
{
    char want[32];
    if (impl)
        snprintf(want, sizeof want, "impl=%s", impl);
    for (size_t i = 0; i < a->st->ncfg; i++) {
        const struct config *cf = &a->st->cfg[i];
        if (cf->workers != p || strcmp(cf->kernel, kernel) != 0 || strcmp(cf->driver, driver) != 0
            || strcmp(cf->scaling, "strong") != 0)
            continue;
        const char *at = strstr(cf->params, "impl=");
        if (impl ? at && strncmp(at, want, strlen(want)) == 0
                       && (at[strlen(want)] == '\0' || at[strlen(want)] == ';')
                 : at == NULL)
            return (long)i;
    }
    return -1;
}

/* Speedup T(1)/T(p) of one series, with its interval; NAN when not run. */
static struct ratio speedup(const struct analysis *a, const char *kernel, const char *driver,
                            const char *impl, long p)
{
    long one = find(a, kernel, driver, impl, 1), at = find(a, kernel, driver, impl, p);
    struct ratio r = {NAN, NAN, NAN};
    if (one >= 0 && at >= 0)
        r.v = stats_ratio(&a->d[one].t, &a->d[at].t, &r.lo, &r.hi);
    return r;
}

static const char *fmt_ratio(char *buf, size_t len, struct ratio r)
{
    if (isnan(r.lo))
        snprintf(buf, len, "%.2f", r.v);
    else
        snprintf(buf, len, "%.2f [%.2f, %.2f]", r.v, r.lo, r.hi);
    return buf;
}

static const char *fmt_time(char *buf, size_t len, const struct derived *d)
{
    double m = d->t.median, lo = d->t.ci_low, hi = d->t.ci_high;
    const char *u = m >= 1 ? "s" : "ms";
    double k = m >= 1 ? 1 : 1e3;
    snprintf(buf, len, "%.3g %s [%.3g, %.3g]", m * k, u, lo * k, hi * k);
    return buf;
}

struct claim {
    const char *claim;
    char measured[TEXT_MAX], verdict[TEXT_MAX];
};

__attribute__((format(printf, 3, 4)))
static void say(char *buf, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, len, fmt, ap);
    va_end(ap);
}

/* Whether the C control shows a second core: pthread's speedup at 2. */
static int second_core(struct ratio control)
{
    return !isnan(control.v) && control.v >= SECOND_CORE;
}

static int gil(const struct analysis *a, struct claim *c)
{
    struct ratio py = speedup(a, "sqrtpow", "py-thread", "python", 2);
    struct ratio ctl = speedup(a, "sqrtpow", "pthread", NULL, 2);
    if (isnan(py.v))
        return 0;
    char b1[64], b2[64];
    c->claim = "CPU-bound Python code gains nothing from a second thread (the GIL)";
    say(c->measured, TEXT_MAX, "sqrtpow as a Python loop in threads: speedup at 2 threads %s; "
        "the C kernel in pthreads: %s", fmt_ratio(b1, sizeof b1, py), fmt_ratio(b2, sizeof b2, ctl));
    if (!second_core(ctl))
        say(c->verdict, TEXT_MAX, "not testable here: the machine did not deliver a second core "
            "(the C control's speedup is below %.1f)", SECOND_CORE);
    else if (py.hi < SECOND_CORE || py.v < 1.1)
        say(c->verdict, TEXT_MAX, "holds: two threads are no faster than one while the C code on "
            "the same cores is");
    else
        say(c->verdict, TEXT_MAX, "does not hold: the Python threads scaled");
    return 1;
}

static int processes(const struct analysis *a, struct claim *c, long cores)
{
    struct ratio f2 = speedup(a, "sqrtpow", "py-fork", "python", 2);
    struct ratio f4 = speedup(a, "sqrtpow", "py-fork", "python", 4);
    struct ratio s2 = speedup(a, "sqrtpow", "py-spawn", "python", 2);
    if (isnan(f2.v))
        return 0;
    char b1[64], b2[64], b3[64];
    c->claim = "Processes give 1.7–2.9× on 2–4 workers";
    say(c->measured, TEXT_MAX, "sqrtpow as a Python loop: forked processes %s at 2, %s at 4; "
        "spawned %s at 2 (speedup vs 1 process; %ld cores)", fmt_ratio(b1, sizeof b1, f2),
        fmt_ratio(b2, sizeof b2, f4), fmt_ratio(b3, sizeof b3, s2), cores);
    int at2 = !isnan(f2.hi) ? f2.hi >= 1.7 : f2.v >= 1.7;
    int at4 = !isnan(f4.v) && (!isnan(f4.hi) ? f4.hi >= 1.7 : f4.v >= 1.7);
    if (at2 && (at4 || cores < 4))
        say(c->verdict, TEXT_MAX, "%s", cores < 4 && !at4
            ? "holds only up to the core count: 2 processes on 2 cores give it, 4 cannot"
            : "holds");
    else if (at2)
        say(c->verdict, TEXT_MAX, "holds at 2 workers only");
    else
        say(c->verdict, TEXT_MAX, "does not hold here: 2 processes fell short of 1.7× (%s)",
            cores < 2 ? "one core" : "the machine may not have delivered its cores");
    return 1;
}

static int io(const struct analysis *a, struct claim *c)
{
    static const long counts[] = {5, 10, 50};
    size_t used = 0;
    int threads_win = 0, tested = 0, startup_decides = 0;
    c->claim = "Threads win for I/O-bound work (0.04 s vs 1.4–8.7 s at 5–50 workers)";
    for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++) {
        long t = find(a, "sleep", "py-thread", "python", counts[k]);
        long f = find(a, "sleep", "py-fork", "python", counts[k]);
        long s = find(a, "sleep", "py-spawn", "python", counts[k]);
        if (t < 0 || f < 0)
            continue;
        tested++;
        char bt[64], bf[64], bs[64] = "–";
        struct ratio r;
        r.v = stats_ratio(&a->d[f].t, &a->d[t].t, &r.lo, &r.hi);
        if (s >= 0)
            fmt_time(bs, sizeof bs, &a->d[s]);
        used += (size_t)snprintf(c->measured + used, used < TEXT_MAX ? TEXT_MAX - used : 0,
                                 "%s%ld workers: repetition threads %s, fork %s, spawn %s; start-up "
                                 "threads %.3g ms, fork %.3g ms, spawn %.3g ms",
                                 used ? "; " : "", counts[k], fmt_time(bt, sizeof bt, &a->d[t]),
                                 fmt_time(bf, sizeof bf, &a->d[f]), bs, a->d[t].startup * 1e3,
                                 a->d[f].startup * 1e3, s >= 0 ? a->d[s].startup * 1e3 : NAN);
        if (!isnan(r.lo) && r.lo > 1.0)
            threads_win++;
        if (s >= 0 && a->d[s].startup > 10 * a->d[t].startup)
            startup_decides++;
    }
    if (tested == 0)
        return 0;
    if (threads_win == tested)
        say(c->verdict, TEXT_MAX, "holds: threads are faster per repetition at every count");
    else if (startup_decides > 0)
        say(c->verdict, TEXT_MAX, "holds only when start-up is counted%s: per repetition the "
            "waiting workers are %s", threads_win ? " or at many workers per core" : "",
            threads_win ? "equal except at the largest counts" : "equally fast");
    else
        say(c->verdict, TEXT_MAX, "does not hold here: processes wait as well as threads and "
            "start nearly as fast");
    return 1;
}

static int release(const struct analysis *a, struct claim *c)
{
    struct ratio cc = speedup(a, "sqrtpow", "py-thread", "c", 2);
    struct ratio py = speedup(a, "sqrtpow", "py-thread", "python", 2);
    struct ratio ctl = speedup(a, "sqrtpow", "pthread", NULL, 2);
    if (isnan(cc.v))
        return 0;
    char b1[64], b2[64], b3[64];
    c->claim = "Releasing the GIL in a C extension lets threads scale";
    say(c->measured, TEXT_MAX, "sqrtpow at 2 threads: the C kernel through ctypes %s, the Python "
        "loop %s, C pthreads %s (speedup vs 1 thread)", fmt_ratio(b1, sizeof b1, cc),
        fmt_ratio(b2, sizeof b2, py), fmt_ratio(b3, sizeof b3, ctl));
    if (!second_core(ctl))
        say(c->verdict, TEXT_MAX, "not testable here: the machine did not deliver a second core");
    else if (!isnan(cc.lo) && !isnan(ctl.hi) && cc.hi >= ctl.lo && cc.v > py.v)
        say(c->verdict, TEXT_MAX, "holds: with the GIL released Python threads scale like C threads");
    else if (cc.v > py.v)
        say(c->verdict, TEXT_MAX, "holds in part: better than the Python loop, short of C threads");
    else
        say(c->verdict, TEXT_MAX, "does not hold");
    return 1;
}

static int spawn(const struct analysis *a, struct claim *c)
{
    long p = 5;
    long s = find(a, "sleep", "py-spawn", "python", p), f = find(a, "sleep", "py-fork", "python", p);
    long cf = find(a, "sleep", "fork", NULL, p);
    if (s < 0 || f < 0)
        return 0;
    c->claim = "Starting processes with spawn is expensive";
    say(c->measured, TEXT_MAX, "start-up per worker at %ld workers: Python spawn %.3g ms, Python "
        "fork %.3g ms%s%.3g ms (one start-up per run: no interval)", p,
        a->d[s].startup_per_worker * 1e3, a->d[f].startup_per_worker * 1e3,
        cf >= 0 ? ", C fork " : "", cf >= 0 ? a->d[cf].startup_per_worker * 1e3 : NAN);
    double ratio = a->d[s].startup / a->d[f].startup;
    if (ratio > 3)
        say(c->verdict, TEXT_MAX, "holds: spawn takes %.0f× as long as fork to start a worker "
            "(a new interpreter each)", ratio);
    else
        say(c->verdict, TEXT_MAX, "does not hold here: spawn takes only %.1f× as long as fork", ratio);
    return 1;
}

static struct claim g_claims[5];
static size_t g_n;

static int write_claims(FILE *fp, const struct analysis *a)
{
    (void)a;
    fputs("claim,measured,verdict\n", fp);
    for (size_t i = 0; i < g_n; i++) {
        csv_put_field(fp, g_claims[i].claim);
        fputc(',', fp);
        csv_put_field(fp, g_claims[i].measured);
        fputc(',', fp);
        csv_put_field(fp, g_claims[i].verdict);
        fputc('\n', fp);
    }
    return 0;
}

int write_claims_file(const char *dir, const struct analysis *a)
{
    long cores = 0;
    for (size_t i = 0; i < a->st->ncfg; i++)
        cores = a->st->cfg[i].cores > cores ? a->st->cfg[i].cores : cores;
    g_n = 0;
    g_n += (size_t)gil(a, &g_claims[g_n]);
    g_n += (size_t)processes(a, &g_claims[g_n], cores);
    g_n += (size_t)io(a, &g_claims[g_n]);
    g_n += (size_t)release(a, &g_claims[g_n]);
    g_n += (size_t)spawn(a, &g_claims[g_n]);
    if (g_n == 0) {
        /* no claim's configurations ran: no stale table either */
        size_t len = strlen(dir) + sizeof "/claims.csv";
        char *path = malloc(len);
        if (path) {
            snprintf(path, len, "%s/claims.csv", dir);
            remove(path);
            free(path);
        }
        return EXIT_OK;
    }
    return write_file(dir, "claims.csv", write_claims, a);
}
