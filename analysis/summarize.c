/*
 * summarize.c — parscale-summarize: raw parscale CSV rows (one per timed
 * repetition) in; out, into one folder, every statistic the plots and the
 * report show: summary.csv (per configuration), fits.csv and residuals.csv
 * (scaling models per series), findings.csv (the report's conclusions) and
 * data/ (the figures' series, curves and bands).  Optionally a readable
 * table on stdout.
 */
#define _GNU_SOURCE   /* sched_getaffinity */

#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "claims.h"
#include "compare.h"
#include "primitives.h"
#include "csv.h"
#include "write.h"

#define DEFAULT_SEED 20261201ULL
#define MAX_RESAMPLES 100000
#define MIN_RESAMPLES 100
#define MAX_JOBS 256
#define DEFAULT_JOBS_CAP 8
#define TABLE_FMT "%.4g"

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: %s [--out DIR] [--table] [--drivers FILE] [--probe FILE]\n"
            "                          [--seed N] [--resamples N] [--jobs N] [--no-figure-data]\n"
            "                          RAW.csv...\n"
            "       %s --baseline A.csv [--out DIR] B.csv...\n"
            "\n"
            "Summarise raw parscale CSV rows (one per timed repetition): per\n"
            "configuration the median time with its 95%% interval, speedup and\n"
            "efficiency against the serial driver and against the same driver at one\n"
            "worker (each with an interval), POP efficiency factors and measurement\n"
            "traps; per series Amdahl, USL or Gustafson fits with bootstrap\n"
            "intervals; findings; and the data files the figures read.\n"
            "\n"
            "  -o, --out DIR        write summary.csv, fits.csv, residuals.csv,\n"
            "                       findings.csv and data/ into DIR (must exist;\n"
            "                       default: the directory of the first input)\n"
            "  -t, --table          also print a readable table on stdout\n"
            "      --drivers FILE   driver table (default: share/drivers.csv)\n"
            "      --probe FILE     capacity probe (probe.csv): flag worker counts the\n"
            "                       machine did not deliver\n"
            "      --seed N         bootstrap seed (default %llu; recorded in fits.csv)\n"
            "      --resamples N    bootstrap resamples per fit, %d to %d (default 1000;\n"
            "                       above 2000 series max(200, 2000000 / series), so\n"
            "                       the time stays linear; fits.csv records it)\n"
            "  -j, --jobs N         threads fitting the models, 1 to %d (default: the\n"
            "                       CPUs this process may use, at most %d); the\n"
            "                       results do not depend on it\n"
            "      --no-figure-data skip data/ (tables only)\n"
            "      --baseline A.csv compare instead: every configuration of the inputs\n"
            "                       (B) against the same one in A: the ratio of median\n"
            "                       times B/A with its 95%% interval and a verdict\n"
            "                       (faster, slower, no measurable difference), into\n"
            "                       DIR/compare.csv and DIR/compare.md\n"
            "  -h, --help           print this help and exit\n"
            "\n"
            "Exit status: 0 success, 1 I/O or memory failure, 2 bad usage or\n"
            "malformed input (reported as FILE:LINE: what is wrong).\n",
            PROG, PROG, (unsigned long long)DEFAULT_SEED, MIN_RESAMPLES, MAX_RESAMPLES,
            MAX_JOBS, DEFAULT_JOBS_CAP);
}

/* The CPUs in this process's affinity mask, at most DEFAULT_JOBS_CAP. */
static int default_jobs(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0)
        return 1;
    int n = CPU_COUNT(&set);
    return n < 1 ? 1 : n > DEFAULT_JOBS_CAP ? DEFAULT_JOBS_CAP : n;
}

static int parse_count(const char *opt, const char *s, unsigned long long lo,
                       unsigned long long hi, unsigned long long *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*s == '\0' || *s == '-' || *end != '\0' || errno != 0 || v < lo || v > hi) {
        fprintf(stderr, "%s: %s must be an integer from %llu to %llu, not '%.40s'\n", PROG,
                opt, lo, hi, s);
        return -1;
    }
    *out = v;
    return 0;
}

/* Reads the probe's undelivered worker counts (delivered = 0 in any phase). */
static int read_probe(const char *path, long **out, size_t *n)
{
    FILE *fp = fopen(path, "r");
    if (fp == NULL) {
        fprintf(stderr, "%s: cannot open '%s': %s\n", PROG, path, strerror(errno));
        return EXIT_USAGE;
    }
    char *line = NULL, *f[8];
    size_t cap = 0, len, count = 0, have = 0;
    long *v = NULL;
    unsigned long lineno = 0;
    int rc = EXIT_OK, got;
    while ((got = csv_getline(fp, &line, &cap, &len)) > 0) {
        if (++lineno == 1)
            continue;
        char *end;
        if (csv_split(line, f, 8) < 4) {
            fprintf(stderr, "%s: %s:%lu: expected workers,seconds,speedup,delivered,...\n",
                    PROG, path, lineno);
            rc = EXIT_USAGE;
            break;
        }
        long p = strtol(f[0], &end, 10);
        if (*end != '\0' || p < 1 || (strcmp(f[3], "0") != 0 && strcmp(f[3], "1") != 0)) {
            fprintf(stderr, "%s: %s:%lu: bad workers or delivered value\n", PROG, path, lineno);
            rc = EXIT_USAGE;
            break;
        }
        if (strcmp(f[3], "0") != 0)
            continue;
        if (count == have) {
            have = have ? 2 * have : 8;
            long *g = realloc(v, have * sizeof *g);
            if (g == NULL) {
                rc = EXIT_FAULT;
                break;
            }
            v = g;
        }
        v[count++] = p;
    }
    if (got < 0 && rc == EXIT_OK) {
        fprintf(stderr, "%s: cannot read '%s': %s\n", PROG, path, strerror(errno));
        rc = EXIT_FAULT;
    }
    free(line);
    fclose(fp);
    if (rc != EXIT_OK) {
        free(v);
        return rc;
    }
    *out = v;
    *n = count;
    return EXIT_OK;
}

static void table_num(char *buf, size_t len, double v)
{
    if (isfinite(v))
        snprintf(buf, len, TABLE_FMT, v);
    else
        snprintf(buf, len, "-");
}

/* The readable table: one line per configuration. */
static void print_table(const struct analysis *a)
{
    enum { NUM = 32 };
    printf("# median seconds with its 95%% interval; speedup and efficiency vs the serial\n"
           "# driver (strong scaling) or weak efficiency T(1)/T(p); flags: measurement traps\n");
    printf("%-10s %-14s %-6s %-10s %7s %10s %-23s %8s %7s %10s %-8s %s\n", "kernel", "series",
           "scale", "size", "workers", "median_s", "interval_s", "speedup", "eff", "rate",
           "unit", "flags");
    for (size_t i = 0; i < a->st->ncfg; i++) {
        const struct config *cf = an_cfg(a, i);
        const struct derived *d = an_der(a, i);
        int strong = strcmp(cf->scaling, "strong") == 0;
        char med[NUM], lo[NUM], hi[NUM], ci[2 * NUM + 4], sp[NUM], ef[NUM], rate[NUM],
            flags[160];
        table_num(med, sizeof med, d->t.median);
        table_num(lo, sizeof lo, d->t.ci_low);
        table_num(hi, sizeof hi, d->t.ci_high);
        snprintf(ci, sizeof ci, "[%s, %s]", lo, hi);
        table_num(sp, sizeof sp, d->speedup_serial.v);
        table_num(ef, sizeof ef, strong ? d->eff_serial.v : d->weak_eff.v);
        table_num(rate, sizeof rate, d->rate);
        trap_words(d->traps, flags, sizeof flags);
        printf("%-10s %-14s %-6s %-10s %7ld %10s %-23s %8s %7s %10s %-8s %s\n", cf->kernel,
               a->series[d->series].name, cf->scaling, cf->size, cf->workers, med, ci, sp, ef,
               rate, cf->rate_unit, *flags ? flags : "-");
    }
}

/* Reads one or more files into a finished store; returns an exit code. */
static int load(struct store *st, char *const *paths, size_t n)
{
    if (store_init(st, paths) != 0) {
        fprintf(stderr, "%s: out of memory\n", PROG);
        return EXIT_FAULT;
    }
    int rc = EXIT_OK;
    for (size_t i = 0; i < n && rc == EXIT_OK; i++)
        rc = store_read(st, i);
    if (rc == EXIT_OK && st->ncfg == 0) {
        fprintf(stderr, "%s: no data rows in '%s', only headers\n", PROG, paths[0]);
        rc = EXIT_USAGE;
    }
    return rc == EXIT_OK ? store_finish(st) : rc;
}

/* --baseline: the inputs against A. */
static int compare_main(const char *a_path, char **paths, size_t n, const char *out_dir)
{
    char *a_paths[] = {(char *)a_path, NULL};
    struct store a, b;
    char *dir_copy = NULL;
    int rc = load(&a, a_paths, 1);
    if (rc == EXIT_OK)
        rc = load(&b, paths, n);
    else
        memset(&b, 0, sizeof b);
    if (rc == EXIT_OK && out_dir == NULL) {
        dir_copy = strdup(paths[0]);
        if (dir_copy == NULL) {
            fprintf(stderr, "%s: out of memory\n", PROG);
            rc = EXIT_FAULT;
        } else {
            out_dir = dirname(dir_copy);
        }
    }
    if (rc == EXIT_OK)
        rc = compare_write(out_dir, &a, &b);
    free(dir_copy);
    store_free(&a);
    store_free(&b);
    return rc;
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        {"out", required_argument, NULL, 'o'},
        {"table", no_argument, NULL, 't'},
        {"drivers", required_argument, NULL, 'D'},
        {"probe", required_argument, NULL, 'P'},
        {"seed", required_argument, NULL, 'S'},
        {"resamples", required_argument, NULL, 'R'},
        {"jobs", required_argument, NULL, 'j'},
        {"no-figure-data", no_argument, NULL, 'N'},
        {"baseline", required_argument, NULL, 'B'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *out_dir = NULL, *drivers_path = NULL, *probe_path = NULL, *baseline = NULL;
    int table = 0, figure_data = 1, opt;
    unsigned long long seed = DEFAULT_SEED, resamples = 0;   /* 0: by study size */
    unsigned long long jobs = 0;                             /* 0: by the CPUs */

    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":o:thj:", options, NULL)) != -1) {
        switch (opt) {
        case 'o':
            out_dir = optarg;
            break;
        case 't':
            table = 1;
            break;
        case 'D':
            drivers_path = optarg;
            break;
        case 'P':
            probe_path = optarg;
            break;
        case 'S':
            if (parse_count("--seed", optarg, 0, ULLONG_MAX, &seed) != 0)
                return EXIT_USAGE;
            break;
        case 'R':
            if (parse_count("--resamples", optarg, MIN_RESAMPLES, MAX_RESAMPLES, &resamples) != 0)
                return EXIT_USAGE;
            break;
        case 'j':
            if (parse_count("--jobs", optarg, 1, MAX_JOBS, &jobs) != 0)
                return EXIT_USAGE;
            break;
        case 'N':
            figure_data = 0;
            break;
        case 'B':
            baseline = optarg;
            break;
        case 'h':
            usage(stdout);
            return EXIT_OK;
        case ':':
            fprintf(stderr, "%s: option '%s' needs a value (see --help)\n", PROG,
                    argv[optind - 1]);
            return EXIT_USAGE;
        default:
            if (optopt != 0)
                fprintf(stderr, "%s: unknown option '-%c' (see --help)\n", PROG, optopt);
            else
                fprintf(stderr, "%s: unknown option '%s' (see --help)\n", PROG, argv[optind - 1]);
            return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "%s: no input files (see --help)\n", PROG);
        return EXIT_USAGE;
    }
    if (out_dir != NULL && *out_dir == '\0') {
        fprintf(stderr, "%s: option '--out' needs a directory (see --help)\n", PROG);
        return EXIT_USAGE;
    }

    if (baseline != NULL)
        return compare_main(baseline, argv + optind, (size_t)(argc - optind), out_dir);

    char default_drivers[PATH_MAX + 64];
    if (drivers_path == NULL)
        drivers_path = drivers_default_path(argv[0], default_drivers, sizeof default_drivers);
    struct drivers drivers;
    int rc = drivers_load(&drivers, drivers_path);
    if (rc != EXIT_OK) {
        drivers_free(&drivers);
        return rc;
    }
    long *undelivered = NULL;
    size_t nundelivered = 0;
    if (probe_path != NULL && (rc = read_probe(probe_path, &undelivered, &nundelivered)) != EXIT_OK) {
        drivers_free(&drivers);
        return rc;
    }

    struct store st;
    struct analysis a = {.st = &st, .drivers = &drivers, .seed = seed,
                         .resamples = (int)resamples, .curves = figure_data,
                         .jobs = jobs ? (int)jobs : default_jobs()};
    char *dir_copy = NULL;
    if (store_init(&st, argv + optind) != 0) {
        rc = EXIT_FAULT;
        fprintf(stderr, "%s: out of memory\n", PROG);
        goto out;
    }
    size_t nfiles = (size_t)(argc - optind);
    for (size_t i = 0; i < nfiles && rc == EXIT_OK; i++)
        rc = store_read(&st, i);
    if (rc == EXIT_OK && st.ncfg == 0) {
        fprintf(stderr, "%s: no data rows in the input, only headers\n", PROG);
        rc = EXIT_USAGE;
    }
    if (rc == EXIT_OK)
        rc = store_finish(&st);
    if (rc == EXIT_OK)
        rc = analysis_derive(&a, undelivered, nundelivered);
    store_drop_samples(&st);       /* what the rest needs is derived */
    if (rc == EXIT_OK)
        rc = analysis_fit(&a);
    if (rc == EXIT_OK)
        rc = analysis_startup(&a);
    if (rc == EXIT_OK)
        rc = analysis_primitives(&a);
    if (rc == EXIT_OK)
        rc = analysis_findings(&a);
    if (rc != EXIT_OK)
        goto out;
    if (out_dir == NULL) {
        dir_copy = strdup(argv[optind]);
        if (dir_copy == NULL) {
            fprintf(stderr, "%s: out of memory\n", PROG);
            rc = EXIT_FAULT;
            goto out;
        }
        out_dir = dirname(dir_copy);
    }
    rc = write_tables(out_dir, &a);
    if (rc == EXIT_OK)
        rc = write_claims_file(out_dir, &a);
    if (rc == EXIT_OK && figure_data)
        rc = write_figure_data(out_dir, &a);
    if (rc == EXIT_OK && table) {
        print_table(&a);
        if (fflush(stdout) != 0 || ferror(stdout)) {
            fprintf(stderr, "%s: cannot write the table: %s\n", PROG, strerror(errno));
            rc = EXIT_FAULT;
        }
    }
out:
    free(dir_copy);
    analysis_free(&a);
    store_free(&st);
    free(undelivered);
    drivers_free(&drivers);
    return rc;
}
