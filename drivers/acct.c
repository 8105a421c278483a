/*
 * acct.c - the runner's side of per-worker time accounting (acct.h): set
 * up before the timed repetitions, begin and end each one, and gather the
 * per-worker figures after them.
 *
 * Per repetition the runner already reduces the repetition's time with a
 * maximum over workers; the maxima of useful and team time (and the
 * minimum of useful, as the maximum of its negation) travel in that same
 * reduction.  The sums (for the means, and instructions and cycles) are
 * kept per worker and reduced once after the last repetition, so nothing
 * is added between repetitions but three more values in one reduction.
 */
#include <stdlib.h>
#include <string.h>

#include "common.h"

#define CLOCK_TRIES 16
#define OUTLIER 16             /* samples beyond 16 x the median ...      */
#define OUTLIER_S 2e-6         /* ... and beyond 2 us are left out         */

enum { SUM_USEFUL, SUM_TEAM, SUM_INSTR, SUM_CYCLES, SUM_KINDS };

/* Seconds that reading the clock twice adds to an interval: the least of
 * a few back-to-back reads. */
static double clock_cost(void)
{
    double best = 1;
    for (int i = 0; i < CLOCK_TRIES; i++) {
        double a = ps_now(), b = ps_now();
        if (b - a < best)
            best = b - a;
    }
    return best;
}

void ps_acct_record(struct ps_acct *a, double t0)
{
    double d = ps_now() - t0 - a->clock_cost;
    if (a->nsamples == PS_ACCT_SAMPLES) {   /* keep every other one */
        for (int i = 0; i < PS_ACCT_SAMPLES / 2; i++)
            a->sample[i] = a->sample[2 * i];
        a->nsamples = PS_ACCT_SAMPLES / 2;
        a->every *= 2;
    }
    a->sample[a->nsamples++] = (float)(d > 0 ? d : 0);
}

/* The frequent calls' total from the samples (acct.h): calls x the mean of
 * the samples, leaving out those above max(OUTLIER x median, OUTLIER_S). */
static double frequent_calls_seconds(const struct ps_acct *a)
{
    double s[PS_ACCT_SAMPLES];
    int n = a->nsamples, kept = 0;
    for (int i = 0; i < n; i++)
        s[i] = a->sample[i];
    double median = ps_median(s, n);
    double cap = OUTLIER * median > OUTLIER_S ? OUTLIER * median : OUTLIER_S, sum = 0;
    for (int i = 0; i < n; i++)
        if (s[i] <= cap) {
            sum += s[i];
            kept++;
        }
    return kept ? sum / kept * (double)a->calls : 0;
}

void ps_acct_setup(ps_team *t, const struct ps_job *j, struct ps_acct_run *run)
{
    struct ps_acct *a = ps_team_acct(t);
    memset(run, 0, sizeof *run);
    run->reps = j->reps;
    if (j->accounting) {
        run->sums = calloc((size_t)SUM_KINDS * (size_t)j->reps, sizeof *run->sums);
        a->clock_cost = clock_cost();
        a->perf_fd = ps_perf_open(&a->perf_member);
    }
    /* every worker must have its sums (and counters, to count) */
    uint64_t have[2] = { run->sums != NULL, a->perf_fd >= 0 };
    ps_allreduce_u64(t, have, 2, PS_MIN);
    run->accounting = (int)have[0];
    run->alternate = j->accounting == PS_ACCT_ALTERNATE;
    run->counting = run->accounting && have[1];
    if (!run->counting && a->perf_fd >= 0) {
        ps_perf_close(a->perf_fd, a->perf_member);
        a->perf_fd = a->perf_member = -1;
    }
    if (!run->accounting) {
        free(run->sums);
        run->sums = NULL;
    }
}

/* Whether repetition r (< 0: an empty one) is accounted. */
static int accounted(const struct ps_acct_run *run, int r)
{
    return run->accounting && !(run->alternate && r >= 0 && r % 2);
}

double ps_acct_begin(ps_team *t, const struct ps_acct_run *run, int r)
{
    struct ps_acct *a = ps_team_acct(t);
    if (!accounted(run, r))
        return ps_now();
    a->useful = a->team = 0;
    a->calls = 0;
    a->nsamples = 0;
    a->every = 1;
    if (a->perf_fd >= 0)
        ps_perf_start(a->perf_fd);     /* before the clock: not in the time */
    a->last = ps_now();
    a->on = 1;
    return a->last;
}

void ps_acct_end(ps_team *t, struct ps_acct_run *run, int r, double stop,
                 double *useful, double *team)
{
    struct ps_acct *a = ps_team_acct(t);
    *useful = *team = 0;
    if (!accounted(run, r))
        return;
    a->on = 0;
    a->useful += stop - a->last;
    if (a->nsamples > 0) {
        /* the frequent calls' time, timed or not, is inside useful */
        double move = frequent_calls_seconds(a);
        if (move > a->useful)
            move = a->useful;
        a->useful -= move;
        a->team += move;
    }
    *useful = a->useful;
    *team = a->team;
    double instr, cycles;
    int stopped = a->perf_fd < 0 || ps_perf_stop(a->perf_fd, &instr, &cycles) == 0;
    if (r < 0)          /* an empty repetition: shape only, nothing kept */
        return;
    double *s = run->sums + (size_t)r * SUM_KINDS;
    s[SUM_USEFUL] = a->useful;
    s[SUM_TEAM] = a->team;
    if (!stopped)
        run->perf_failed = 1;
    else if (a->perf_fd >= 0) {
        s[SUM_INSTR] = instr;
        s[SUM_CYCLES] = cycles;
    }
}

void ps_acct_finish(ps_team *t, struct ps_acct_run *run, struct ps_outcome *out,
                    int workers)
{
    struct ps_acct *a = ps_team_acct(t);
    if (run->accounting) {
        uint64_t perf_failed = (uint64_t)run->perf_failed;
        ps_allreduce_u64(t, &perf_failed, 1, PS_MAX);
        ps_allreduce_f64(t, run->sums, (size_t)SUM_KINDS * (size_t)run->reps, PS_SUM);
        if (ps_rank(t) == 0) {
            out->accounted = 1;
            out->counted = run->counting && !perf_failed;
            for (int r = 0; r < run->reps; r++) {
                const double *s = run->sums + (size_t)r * SUM_KINDS;
                int on = accounted(run, r);
                out->useful_mean[r] = on ? s[SUM_USEFUL] / workers : -1;
                out->team_mean[r] = on ? s[SUM_TEAM] / workers : -1;
                out->instructions[r] = on ? s[SUM_INSTR] : -1;
                out->cycles[r] = on ? s[SUM_CYCLES] : -1;
                if (!on)
                    out->useful_max[r] = out->useful_min[r] = out->team_max[r] = -1;
            }
        }
    }
    if (a->perf_fd >= 0)
        ps_perf_close(a->perf_fd, a->perf_member);
    a->perf_fd = a->perf_member = -1;
    free(run->sums);
    run->sums = NULL;
}
