/*
 * analysis.h — what parscale-summarize derives from the store: per
 * configuration the statistics, baselines, ratios with intervals and
 * measurement-trap flags; the configurations ordered into series and cases
 * (one case = one figure); the scaling models per series; the findings.
 * Every statistic parscale shows is computed here, once.
 */
#ifndef PARSCALE_ANALYSIS_ANALYSIS_H
#define PARSCALE_ANALYSIS_ANALYSIS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "drivertab.h"
#include "stats.h"
#include "store.h"

/* A ratio with its 95% interval; NAN where it does not apply. */
struct ratio {
    double v, lo, hi;
};

/* Measurement traps, each a word in the summary's flags column. */
enum trap {
    TRAP_FEW_REPS = 1 << 0,     /* n < 6: no 95% interval of the median */
    TRAP_UNVERIFIED = 1 << 1,   /* a repetition failed verification */
    TRAP_CACHE = 1 << 2,        /* memory/halo working set fits in the LLC */
    TRAP_SHORT = 1 << 3,        /* median repetition under SHORT_REP_SECONDS */
    TRAP_FIXED = 1 << 4,        /* the fixed cost of a repetition is >= 10 % */
    TRAP_OVERSUB = 1 << 5,      /* more workers than cores */
    TRAP_UNDELIVERED = 1 << 6,  /* the capacity probe says p was not delivered */
};
#define TRAP_COUNT 7
/* Below this a repetition is of the order of timer and scheduler noise. */
#define SHORT_REP_SECONDS 1e-4
/* Share of a repetition taken by its fixed cost (barriers and the time
 * reduction, measured as empty repetitions) that makes it "fixed". */
#define FIXED_COST_SHARE 0.1

/* POP efficiency factors of one configuration (medians over repetitions). */
struct pop {
    struct ratio lb, comm, pe, comp_self, comp_serial, ge_self, ge_serial;
    double pe_log_se;                /* of PE per repetition */
    double useful, useful_log_se;    /* median of useful_mean x workers, seconds */
    double team_share;               /* median of team_mean / seconds */
    /* hardware counters in useful time, when recorded: instructions summed
     * over workers and instructions per cycle, medians over repetitions */
    double instr, instr_log_se, ipc, ipc_log_se;
    struct ratio instr_self, instr_serial;   /* instruction scaling */
    struct ratio ipc_self, ipc_serial;       /* IPC scaling */
};

/* Everything derived for one configuration. */
struct derived {
    struct sample_stat t;      /* of seconds */
    double startup, startup_per_worker, empty, rate;
    int verified_all;
    long base_serial, base_self;   /* config indices, -1 none */
    struct ratio speedup_serial, eff_serial, speedup_self, eff_self;
    struct ratio karp_flatt, weak_eff;
    struct pop pop;
    unsigned traps;
    size_t series;             /* index into analysis.series */
};

/* One series: a driver (and schedule) of one case over worker counts. */
struct series {
    size_t first, n;           /* range in analysis.order */
    size_t kcase;
    const struct driver_info *drv;
    char name[200];            /* "openmp", "openmp/dynamic:4", "pthread[barrier=futex]" */
    int variant;               /* earlier series of the same driver in the case */
    size_t fit_first, nfit;    /* its models' range in analysis.fits */
};

/* One case: a kernel, scaling, size and params; one figure of each kind. */
struct kcase {
    size_t first, n;           /* range of series */
    char slug[160];            /* file name stem, [A-Za-z0-9._-] */
    long cores, max_workers;
    int ideal_is_p;            /* latency class: ideal speedup p, else min(p, cores) */
    long serial;               /* config index of the serial baseline, -1 none */
    unsigned traps;            /* union over its configurations */
};

enum model { MODEL_AMDAHL, MODEL_USL, MODEL_GUSTAFSON, MODEL_COUNT };

/* Points of the fitted curve written for the figures. */
#define CURVE_POINTS 33

/* One model fitted (or not) to one series. */
struct fit {
    size_t series;
    enum model model;
    int fitted;                /* else why: reason */
    const char *reason;        /* interned; "" when fitted */
    int points, distinct;
    long p_min, p_max;
    double t1, t1_lo, t1_hi;   /* fitted time on one worker */
    double s, s_lo, s_hi;      /* serial fraction (Amdahl, Gustafson), sigma (USL) */
    double kappa, kappa_lo, kappa_hi;
    double p_peak;             /* USL: workers of the fastest time */
    double rms_rel, max_rel;
    double coef[3];            /* Amdahl a, b; USL a, b, k; Gustafson s */
    int preferred;
    const char *criterion;     /* interned; why it is or is not preferred */
    struct curve *curve;       /* preferred fits, when figures are wanted */
};

/* A fitted curve over its worker range with its bootstrap band. */
struct curve {
    double p[CURVE_POINTS], t[CURVE_POINTS], lo[CURVE_POINTS], hi[CURVE_POINTS];
};

/* Start-up cost per worker of one driver at one worker count: over the
 * configurations (kernel cases) that ran it. */
struct startup_row {
    const struct driver_info *drv;
    long workers;
    double median, min, max;   /* seconds per worker */
    int cases;
};

struct finding {
    const char *section;       /* static: see findings.c */
    const char *subject, *text;   /* interned */
};

/* The cost of one team operation (primitives.c). */
struct prim {
    long cfg, ref;             /* config indices: op=X, and its op=none */
    const char *op;            /* interned */
    double cost, lo, hi;       /* seconds per operation, 95 % interval */
};

struct analysis {
    struct store *st;
    struct drivers *drivers;
    size_t *order;             /* config indices in report order */
    struct derived *d;         /* by config index */
    struct series *series;
    size_t nseries;
    struct kcase *cases;
    size_t ncases;
    struct fit *fits;
    size_t nfits;
    struct prim *prims;
    size_t nprims;
    struct startup_row *startup;
    size_t nstartup;
    struct finding *findings;
    size_t nfindings, capfindings;
    uint64_t seed;
    int resamples;
    int jobs;                  /* fitting threads (models.c) */
    int curves;                /* fit curves and bands for the figures */
    int pop_recorded;          /* some row had useful/team times */
    int counters_recorded;     /* some row had instructions and cycles */
};

/* Orders the configurations into cases and series and derives every
 * per-configuration figure.  probe: the capacity probe's undelivered worker
 * counts (sorted), or NULL.  Returns EXIT_OK or EXIT_FAULT (reported). */
int analysis_derive(struct analysis *a, const long *undelivered, size_t nundelivered);

/* The report order (layout.c): a->order, a->cases and a->series from the
 * configurations and their derived traps; returns 0, or -1 out of memory. */
int analysis_layout(struct analysis *a);

/* Fits the models of every series (models.c).  Returns EXIT_OK or EXIT_FAULT. */
int analysis_fit(struct analysis *a);
/* The fitted time of a model with coefficients coef at p workers (for a
 * Gustafson fit, t1 is the measured time at one worker). */
double fit_time(const struct fit *f, double p);
/* Start-up cost per worker per driver and worker count (findings.c). */
int analysis_startup(struct analysis *a);
/* Writes the findings (findings.c).  Returns EXIT_OK or EXIT_FAULT. */
int analysis_findings(struct analysis *a);
void analysis_free(struct analysis *a);

/* The words of a trap set, ';'-joined, into buf. */
void trap_words(unsigned traps, char *buf, size_t len);
/* One sentence that says what a trap means for the numbers. */
const char *trap_meaning(enum trap t);
const char *model_name(enum model m);

/* The preferred model of series s, or NULL (models.c). */
const struct fit *preferred_fit(const struct analysis *a, size_t s);

/* The configuration at position i of the report order. */
static inline const struct config *an_cfg(const struct analysis *a, size_t i)
{
    return &a->st->cfg[a->order[i]];
}
static inline const struct derived *an_der(const struct analysis *a, size_t i)
{
    return &a->d[a->order[i]];
}

#endif
