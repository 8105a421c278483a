/*
 * cli.c - the one command line every driver parses, and the run plan it
 * turns into.  Every rejected input gets one line on stderr and exit 2.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include "common.h"
#include "plugin.h"

#define MAX_PARAM_ARGS 32
#define DEFAULT_REPS 5
#define DEFAULT_WARMUP 1

/* Long options; the short ones are the same letters in optstring. */
enum { OPT_SCALING = 256, OPT_WARMUP, OPT_SCHEDULE, OPT_PARAM, OPT_RUN_ID,
       OPT_TIMEOUT, OPT_NO_HEADER, OPT_LIST_NAMES, OPT_THREADS, OPT_BIND,
       OPT_TOPOLOGY, OPT_ACCOUNTING, OPT_KERNEL_LIB, OPT_OUTPUT, OPT_CHECK };

static const struct option options[] = {
    { "kernel", required_argument, NULL, 'k' },
    { "kernel-lib", required_argument, NULL, OPT_KERNEL_LIB },
    { "workers", required_argument, NULL, 'w' },
    { "size", required_argument, NULL, 'n' },
    { "scaling", required_argument, NULL, OPT_SCALING },
    { "reps", required_argument, NULL, 'r' },
    { "warmup", required_argument, NULL, OPT_WARMUP },
    { "schedule", required_argument, NULL, OPT_SCHEDULE },
    { "param", required_argument, NULL, OPT_PARAM },
    { "run-id", required_argument, NULL, OPT_RUN_ID },
    { "timeout", required_argument, NULL, OPT_TIMEOUT },
    { "no-header", no_argument, NULL, OPT_NO_HEADER },
    { "threads", required_argument, NULL, OPT_THREADS },
    { "bind", required_argument, NULL, OPT_BIND },
    { "output", required_argument, NULL, OPT_OUTPUT },
    { "check-config", optional_argument, NULL, OPT_CHECK },
    { "list", no_argument, NULL, 'l' },
    { "list-names", no_argument, NULL, OPT_LIST_NAMES },
    { "topology", no_argument, NULL, OPT_TOPOLOGY },
    { "accounting", required_argument, NULL, OPT_ACCOUNTING },
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'V' },
    { NULL, 0, NULL, 0 },
};

static int quiet_errors;

void ps_error(const char *driver, const char *fmt, ...)
{
    char msg[PS_ERR_MAX * 2];
    va_list ap;
    if (quiet_errors)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    for (char *c = msg; *c; c++)      /* a value with a newline stays one line */
        if ((unsigned char)*c < ' ' || *c == 0x7f)
            *c = '?';
    fprintf(stderr, "parscale-%s: %s\n", driver, msg);
}

static void usage(const struct ps_driver *d)
{
    printf("usage: parscale-%s --kernel NAME [options]\n"
           "\n"
           "Runs one kernel with the %s driver and writes CSV to stdout:\n"
           "a header, then one row per timed repetition.\n"
           "\n"
           "  -k, --kernel NAME       kernel to run (--list shows them)\n"
           "      --kernel-lib PATH   load the kernels of a library built with\n"
           "                          parscale_add_kernel, or of every *.so in a\n"
           "                          folder (repeatable; then those named by\n"
           "                          %s, then the plugins folder\n"
           "                          beside this program)\n"
           "  -w, --workers N         %s\n"
           "  -n, --size N            problem size in the kernel's unit: total for\n"
           "                          strong scaling, per worker for weak scaling;\n"
           "                          suffixes k M G (10^3..) and Ki Mi Gi (2^10..)\n"
           "      --scaling MODE      strong (default) or weak\n"
           "  -r, --reps N            timed repetitions (default %d)\n"
           "      --warmup N          untimed repetitions first (default %d)\n"
           "      --schedule S        static (default), static,CHUNK, dynamic[,CHUNK]\n"
           "                          (dynamic chunk default 1); kernels that own\n"
           "                          their data have a fixed static split\n"
           "      --param KEY=VALUE   kernel parameter (repeatable; --list shows them)\n"
           "      --run-id ID         identifier written in every row\n"
           "                          ([A-Za-z0-9._-], at most %d characters)\n"
           "      --timeout SECONDS   end the run (exit 1) if it takes longer\n"
           "      --bind POLICY       none (default: the OS places workers) or cores\n"
           "                          (worker i pinned to one CPU of the i-th physical\n"
           "                          core it may use, wrapping around); MPI ranks\n"
           "                          are bound by the launcher (--bind-to)\n"
           "      --accounting MODE   on (default; off for primitive-class kernels,\n"
           "                          whose cost it would add to): split each\n"
           "                          worker's time in a repetition into team calls\n"
           "                          and the rest, and count instructions and\n"
           "                          cycles where the CPU lets it;\n"
           "                          off: no clock reads in team calls, those\n"
           "                          columns empty; alternate: on in every other\n"
           "                          repetition (to measure what it costs)\n"
           "      --threads N         OpenMP threads per MPI rank (parscale-hybrid;\n"
           "                          default OMP_NUM_THREADS)\n"
           "      --no-header         omit the CSV header line\n"
           "      --output FILE       write the CSV to FILE instead of stdout (created\n"
           "                          or emptied before the run; removed if the run\n"
           "                          cannot write it)\n"
           "      --check-config[=LIST]\n"
           "                          check everything (sizes, memory, parameters) for\n"
           "                          each worker count of LIST (N or N@LOCAL, LOCAL of\n"
           "                          them on this host; default --workers) and exit 0\n"
           "                          or 2 without running\n"
           "  -l, --list              list kernels, classes, size units, defaults\n"
           "      --list-names        list kernel names only, one per line\n"
           "      --topology          print the CPUs a run may use as key=value\n"
           "                          lines (cores, physical_cores, numa_nodes,\n"
           "                          llc_bytes, cpus) and exit\n"
           "  -h, --help              show this help\n"
           "  -V, --version           show the version\n"
           "\n"
           "Exit status: 0 ok, 1 runtime failure, 2 usage error, 3 verification failed.\n",
           d->name, d->name, PS_PLUGIN_PATH_ENV, d->workers_help, DEFAULT_REPS,
           DEFAULT_WARMUP, PS_RUN_ID_MAX);
}

/* Print one parameter's allowed values. */
static void print_param_range(const struct ps_param *p)
{
    if (p->type == PS_PCHOICE)
        printf("%s", p->choices);
    else
        printf("%.15g..%.15g", p->min, p->max);
}

/* Print one parameter's line of --list. */
static void print_param(const struct ps_param *p)
{
    printf("%-10s   --param %s=%s (", "", p->name, p->def);
    print_param_range(p);
    printf(")  %s\n", p->help);
}

/* The i-th kernel --list shows: the built-in ones, then the loaded ones. */
static const struct ps_kernel *kernel_at(size_t i)
{
    size_t nbuiltin = 0;
    while (ps_kernels[nbuiltin])
        nbuiltin++;
    return i < nbuiltin ? ps_kernels[i] : ps_plugin_at(i - nbuiltin);
}

static void list_kernels(const struct ps_driver *d)
{
    const struct ps_kernel *k;
    printf("%-10s %-11s %-20s %12s  %-8s %s\n", "kernel", "class", "size unit",
           "default size", "schedule", "description");
    for (size_t i = 0; (k = kernel_at(i)); i++) {
        const char *lib, *sha256;
        printf("%-10s %-11s %-20s %12llu  %-8s %s\n", k->name,
               ps_class_name(k->cls), k->size_unit,
               (unsigned long long)k->default_size,
               k->schedulable ? "any" : "static", k->summary);
        ps_plugin_source(k, &lib, &sha256);
        if (lib)
            printf("%-10s   from %s\n", "", lib);
        for (const struct ps_param *p = k->params; p->name; p++)
            print_param(p);
    }
    if (d->params) {
        printf("parameters of parscale-%s itself, for every kernel:\n", d->name);
        for (const struct ps_param *p = d->params; p->name; p++)
            print_param(p);
    }
}

const struct ps_param *ps_param_at(const struct ps_kernel *k,
                                   const struct ps_driver *d, int i)
{
    int nk = 0;
    while (k->params[nk].name)
        nk++;
    if (i < nk)
        return &k->params[i];
    if (!d || !d->params || i >= PS_MAX_PARAMS)
        return NULL;
    for (int j = 0; d->params[j].name; j++)
        if (nk + j == i)
            return &d->params[j];
    return NULL;
}

/* Parse a non-negative integer with an optional k/M/G or Ki/Mi/Gi suffix.
 * Returns 0, or -1 if it is not one or does not fit in 64 bits. */
static int parse_u64(const char *s, uint64_t *out)
{
    static const struct { const char *suffix; uint64_t mult; } suffixes[] = {
        { "", 1 }, { "k", 1000 }, { "K", 1000 }, { "M", 1000000 },
        { "G", 1000000000 }, { "Ki", 1024 }, { "Mi", 1048576 },
        { "Gi", 1073741824 },
    };
    char *end;
    if (!*s || *s == '-' || *s == '+' || *s == ' ')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s)
        return -1;
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        if (strcmp(end, suffixes[i].suffix) == 0) {
            if (v > UINT64_MAX / suffixes[i].mult)
                return -1;
            *out = (uint64_t)v * suffixes[i].mult;
            return 0;
        }
    }
    return -1;
}

/* Parse an integer in [lo, hi]; -1 if it is not one. */
static int parse_int(const char *s, long long lo, long long hi, long long *out)
{
    char *end;
    if (*s != '-' && (*s < '0' || *s > '9'))   /* no blanks, no '+' */
        return -1;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* Parse a finite real in [lo, hi]; -1 if it is not one. */
static int parse_real(const char *s, double lo, double hi, double *out)
{
    char *end;
    if (*s != '-' && *s != '.' && (*s < '0' || *s > '9'))
        return -1;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v) || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* static, static,N, dynamic, dynamic,N */
static int parse_schedule(const char *s, struct ps_sched *out)
{
    const char *comma = strchr(s, ',');
    size_t len = comma ? (size_t)(comma - s) : strlen(s);
    uint64_t chunk = 0;
    if (comma && (parse_u64(comma + 1, &chunk) || chunk == 0 || chunk > PS_MAX_SIZE))
        return -1;
    if (len == 6 && strncmp(s, "static", len) == 0) {
        out->kind = comma ? PS_SCHED_STATIC_CHUNK : PS_SCHED_STATIC;
        out->chunk = chunk;
        return 0;
    }
    if (len == 7 && strncmp(s, "dynamic", len) == 0) {
        out->kind = PS_SCHED_DYNAMIC;
        out->chunk = comma ? chunk : 1;
        return 0;
    }
    return -1;
}

static int valid_run_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > PS_RUN_ID_MAX)
        return 0;
    return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                     "0123456789._-") == n;
}

/* Default run id: host-UTCtime-pid. */
static void default_run_id(char *buf, size_t len)
{
    char host[PS_HOST_MAX + 1], when[17];
    time_t now = time(NULL);
    struct tm tm;
    ps_hostname(host, sizeof host);
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y%m%dT%H%M%SZ", &tm);
    snprintf(buf, len, "%.30s-%.16s-%ld", host, when, (long)getpid());
}

/* Match --param KEY=VALUE strings to the kernel's parameters. */
static int resolve_params(const struct ps_driver *d, struct ps_opts *o,
                          char **raw, int nraw)
{
    for (int i = 0; i < nraw; i++) {
        char *eq = strchr(raw[i], '=');
        size_t klen = eq ? (size_t)(eq - raw[i]) : 0;
        int found = -1;
        if (!eq || klen == 0) {
            ps_error(d->name, "--param '%s' is not KEY=VALUE", raw[i]);
            return -1;
        }
        const struct ps_param *q;
        for (int p = 0; (q = ps_param_at(o->kernel, d, p)); p++)
            if (strlen(q->name) == klen && strncmp(q->name, raw[i], klen) == 0)
                found = p;
        if (found < 0) {
            ps_error(d->name, "kernel '%s' has no parameter '%.*s'",
                     o->kernel->name, (int)klen, raw[i]);
            return -1;
        }
        o->param[found] = eq + 1;
    }
    return 0;
}

int ps_cli_parse(int argc, char **argv, const struct ps_driver *d,
                 struct ps_opts *o, int quiet)
{
    char *raw_params[MAX_PARAM_ARGS];
    const char *libs[PS_PLUGIN_MAX_ARGS];
    int nraw = 0, nlibs = 0, c, list = 0, acct_given = 0;
    long long v;
    const char *kernel = NULL;

    quiet_errors = quiet;
    memset(o, 0, sizeof *o);
    o->driver = d;
    o->reps = DEFAULT_REPS;
    o->warmup = DEFAULT_WARMUP;
    o->header = 1;
    o->accounting = PS_ACCT_ON;
    o->sched.kind = PS_SCHED_STATIC;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":k:w:n:r:lhV", options, NULL)) != -1) {
        switch (c) {
        case 'k':
            kernel = optarg;
            break;
        case OPT_KERNEL_LIB:
            if (nlibs == PS_PLUGIN_MAX_ARGS) {
                ps_error(d->name, "too many --kernel-lib options (at most %d)",
                         PS_PLUGIN_MAX_ARGS);
                return PS_EXIT_USAGE;
            }
            libs[nlibs++] = optarg;
            break;
        case 'w':
            if (parse_int(optarg, 1, PS_MAX_WORKERS, &v)) {
                ps_error(d->name, "--workers must be an integer from 1 to %d, not '%s'",
                         PS_MAX_WORKERS, optarg);
                return PS_EXIT_USAGE;
            }
            o->workers = (int)v;
            break;
        case 'n':
            if (parse_u64(optarg, &o->size) || o->size == 0 || o->size > PS_MAX_SIZE) {
                ps_error(d->name, "--size must be an integer from 1 to 2^53 "
                         "(suffixes k M G Ki Mi Gi), not '%s'", optarg);
                return PS_EXIT_USAGE;
            }
            break;
        case OPT_SCALING:
            if (strcmp(optarg, "strong") && strcmp(optarg, "weak")) {
                ps_error(d->name, "--scaling must be strong or weak, not '%s'", optarg);
                return PS_EXIT_USAGE;
            }
            o->weak = optarg[0] == 'w';
            break;
        case 'r':
            if (parse_int(optarg, 1, PS_MAX_REPS, &v)) {
                ps_error(d->name, "--reps must be an integer from 1 to %d, not '%s'",
                         PS_MAX_REPS, optarg);
                return PS_EXIT_USAGE;
            }
            o->reps = (int)v;
            break;
        case OPT_WARMUP:
            if (parse_int(optarg, 0, PS_MAX_REPS, &v)) {
                ps_error(d->name, "--warmup must be an integer from 0 to %d, not '%s'",
                         PS_MAX_REPS, optarg);
                return PS_EXIT_USAGE;
            }
            o->warmup = (int)v;
            break;
        case OPT_SCHEDULE:
            if (parse_schedule(optarg, &o->sched)) {
                ps_error(d->name, "--schedule must be static, static,CHUNK, dynamic "
                         "or dynamic,CHUNK, not '%s'", optarg);
                return PS_EXIT_USAGE;
            }
            o->sched_given = 1;
            break;
        case OPT_PARAM:
            if (nraw == MAX_PARAM_ARGS) {
                ps_error(d->name, "too many --param options (at most %d)",
                         MAX_PARAM_ARGS);
                return PS_EXIT_USAGE;
            }
            raw_params[nraw++] = optarg;
            break;
        case OPT_RUN_ID:
            if (!valid_run_id(optarg)) {
                ps_error(d->name, "--run-id must be 1 to %d characters of "
                         "[A-Za-z0-9._-], not '%s'", PS_RUN_ID_MAX, optarg);
                return PS_EXIT_USAGE;
            }
            snprintf(o->run_id, sizeof o->run_id, "%s", optarg);
            break;
        case OPT_TIMEOUT: {
            double t;
            if (parse_real(optarg, 0, PS_MAX_TIMEOUT, &t) || t <= 0) {
                ps_error(d->name, "--timeout must be seconds above 0 and at most "
                         "%g, not '%s'", PS_MAX_TIMEOUT, optarg);
                return PS_EXIT_USAGE;
            }
            o->timeout = t;
            break;
        }
        case OPT_NO_HEADER:
            o->header = 0;
            break;
        case OPT_OUTPUT:
            if (!*optarg) {
                ps_error(d->name, "--output needs a file name");
                return PS_EXIT_USAGE;
            }
            o->output = optarg;
            break;
        case OPT_CHECK:
            o->check = optarg ? optarg : "";
            break;
        case OPT_THREADS:
            if (!d->takes_threads) {
                ps_error(d->name, "--threads is for parscale-hybrid; use --workers");
                return PS_EXIT_USAGE;
            }
            if (parse_int(optarg, 1, PS_MAX_WORKERS, &v)) {
                ps_error(d->name, "--threads must be an integer from 1 to %d, not '%s'",
                         PS_MAX_WORKERS, optarg);
                return PS_EXIT_USAGE;
            }
            o->threads = (int)v;
            break;
        case OPT_BIND:
            if (strcmp(optarg, "none") && strcmp(optarg, "cores")) {
                ps_error(d->name, "--bind must be none or cores, not '%s'", optarg);
                return PS_EXIT_USAGE;
            }
            if (!d->binds && optarg[0] == 'c') {
                ps_error(d->name, "ranks are bound by the launcher: use mpirun "
                         "--bind-to core or srun --cpu-bind=cores");
                return PS_EXIT_USAGE;
            }
            o->bind = optarg[0] == 'c' ? PS_BIND_CORES : PS_BIND_NONE;
            break;
        case 'l':
            list = 'l';
            break;
        case OPT_ACCOUNTING:
            acct_given = 1;
            if (strcmp(optarg, "on") == 0) {
                o->accounting = PS_ACCT_ON;
            } else if (strcmp(optarg, "off") == 0) {
                o->accounting = PS_ACCT_OFF;
            } else if (strcmp(optarg, "alternate") == 0) {
                o->accounting = PS_ACCT_ALTERNATE;
            } else {
                ps_error(d->name, "--accounting must be on, off or alternate, not '%s'",
                         optarg);
                return PS_EXIT_USAGE;
            }
            break;
        case OPT_TOPOLOGY:
            return PS_TOPOLOGY;
        case OPT_LIST_NAMES:
            list = 'n';
            break;
        case 'h':
            if (!quiet)
                usage(d);
            return PS_EXIT_OK;
        case 'V':
            if (!quiet)
                printf("parscale-%s %s\n", d->name, PARSCALE_VERSION);
            return PS_EXIT_OK;
        case ':':
            ps_error(d->name, "option '%s' needs a value", argv[optind - 1]);
            return PS_EXIT_USAGE;
        default:
            ps_error(d->name, "unknown option '%s' (see --help)", argv[optind - 1]);
            return PS_EXIT_USAGE;
        }
    }
    {
        char err[PS_ERR_MAX * 2];
        if (ps_plugins_load(libs, nlibs, d, err, sizeof err)) {
            ps_error(d->name, "%s", err);
            return PS_EXIT_USAGE;
        }
    }
    if (list == 'l' && !quiet)
        list_kernels(d);
    for (size_t i = 0; list == 'n' && !quiet && kernel_at(i); i++)
        printf("%s\n", kernel_at(i)->name);
    if (list)
        return PS_EXIT_OK;
    if (optind < argc) {
        ps_error(d->name, "unexpected argument '%s' (see --help)", argv[optind]);
        return PS_EXIT_USAGE;
    }
    if (d->max_workers && o->workers > d->max_workers) {
        ps_error(d->name, "the %s driver runs exactly %d worker, not %d", d->name,
                 d->max_workers, o->workers);
        return PS_EXIT_USAGE;
    }
    if (!kernel) {
        ps_error(d->name, "no kernel given: use --kernel NAME (--list shows them)");
        return PS_EXIT_USAGE;
    }
    o->kernel = ps_kernel_find(kernel);
    if (!o->kernel)
        o->kernel = ps_plugin_find(kernel);
    if (!o->kernel) {
        ps_error(d->name, "unknown kernel '%s' (--list shows them)", kernel);
        return PS_EXIT_USAGE;
    }
    if (o->sched_given && !o->kernel->schedulable && o->sched.kind != PS_SCHED_STATIC) {
        ps_error(d->name, "kernel '%s' owns its data in static blocks; "
                 "--schedule %s does not apply", o->kernel->name,
                 o->sched.kind == PS_SCHED_DYNAMIC ? "dynamic" : "static,CHUNK");
        return PS_EXIT_USAGE;
    }
    /* a primitive's cost is what the accounting's clock reads would add
     * to, so such kernels are not accounted unless asked */
    if (!acct_given && o->kernel->cls == PS_PRIMITIVE)
        o->accounting = PS_ACCT_OFF;
    if (resolve_params(d, o, raw_params, nraw))
        return PS_EXIT_USAGE;
    if (!o->run_id[0])
        default_run_id(o->run_id, sizeof o->run_id);
    return PS_CONTINUE;
}

/* The parsers above, for parscale-exec's own command line (common.h). */
int ps_parse_int(const char *s, long long lo, long long hi, long long *out)
{
    return parse_int(s, lo, hi, out);
}

int ps_parse_real(const char *s, double lo, double hi, double *out)
{
    return parse_real(s, lo, hi, out);
}

int ps_parse_size(const char *s, uint64_t *out)
{
    uint64_t v;
    if (parse_u64(s, &v) || v == 0 || v > PS_MAX_SIZE)
        return -1;
    *out = v;
    return 0;
}

int ps_valid_run_id(const char *s) { return valid_run_id(s); }
void ps_default_run_id(char *buf, size_t len) { default_run_id(buf, len); }
