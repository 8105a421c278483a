/*
 * exec_cli.c - parscale-exec's command line.  Every rejected input gets
 * one line on stderr and exit 2, before anything runs.  Numbers, sizes and
 * run ids are parsed by the drivers' own parsers (cli.c), so the limits
 * are theirs.
 */
#include <getopt.h>
#include <sys/stat.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec.h"

#define DEFAULT_REPS 5
#define DEFAULT_WARMUP 1
#define DEFAULT_CLASS "program"
#define KEY_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_"
#define VALUE_CHARS EXEC_NAME_CHARS ":+/@%"

static const char *const classes[] = {
    "program", "compute", "memory", "latency", "imbalance", "halo", "contention",
    "primitive", NULL,
};

enum { OPT_SHELL = 256, OPT_NAME, OPT_VARIANT, OPT_CLASS, OPT_RANKS, OPT_THREADS,
       OPT_NODES, OPT_SCALING, OPT_DIMS, OPT_WARMUP, OPT_TIMEOUT, OPT_RUN_ID, OPT_PARAM,
       OPT_METRIC, OPT_METRIC_CSV, OPT_METRIC_UNIT, OPT_FROM, OPT_CHECK_REGEX,
       OPT_CHECK_CMD, OPT_WORK, OPT_WORK_UNIT, OPT_PROGRAM, OPT_NO_HEADER, OPT_OUTPUT,
       OPT_CHECK_CONFIG, OPT_CHDIR, OPT_WHICH };

static const struct option options[] = {
    { "command", required_argument, NULL, 'c' },
    { "shell", no_argument, NULL, OPT_SHELL },
    { "name", required_argument, NULL, OPT_NAME },
    { "variant", required_argument, NULL, OPT_VARIANT },
    { "class", required_argument, NULL, OPT_CLASS },
    { "workers", required_argument, NULL, 'w' },
    { "ranks", required_argument, NULL, OPT_RANKS },
    { "threads", required_argument, NULL, OPT_THREADS },
    { "nodes", required_argument, NULL, OPT_NODES },
    { "size", required_argument, NULL, 'n' },
    { "scaling", required_argument, NULL, OPT_SCALING },
    { "dims", required_argument, NULL, OPT_DIMS },
    { "reps", required_argument, NULL, 'r' },
    { "warmup", required_argument, NULL, OPT_WARMUP },
    { "timeout", required_argument, NULL, OPT_TIMEOUT },
    { "run-id", required_argument, NULL, OPT_RUN_ID },
    { "param", required_argument, NULL, OPT_PARAM },
    { "metric", required_argument, NULL, OPT_METRIC },
    { "metric-csv", required_argument, NULL, OPT_METRIC_CSV },
    { "metric-unit", required_argument, NULL, OPT_METRIC_UNIT },
    { "from", required_argument, NULL, OPT_FROM },
    { "check-regex", required_argument, NULL, OPT_CHECK_REGEX },
    { "check-cmd", required_argument, NULL, OPT_CHECK_CMD },
    { "work", required_argument, NULL, OPT_WORK },
    { "work-unit", required_argument, NULL, OPT_WORK_UNIT },
    { "program", required_argument, NULL, OPT_PROGRAM },
    { "no-header", no_argument, NULL, OPT_NO_HEADER },
    { "output", required_argument, NULL, OPT_OUTPUT },
    { "chdir", required_argument, NULL, OPT_CHDIR },
    { "which", no_argument, NULL, OPT_WHICH },
    { "check-config", optional_argument, NULL, OPT_CHECK_CONFIG },
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'V' },
    { NULL, 0, NULL, 0 },
};

static void usage(void)
{
    printf("usage: parscale-exec [options] [--] PROGRAM [ARGUMENT...]\n"
           "       parscale-exec [options] --command 'COMMAND LINE'\n"
           "\n"
           "Runs a program of your own once per repetition, each time as a new\n"
           "process, and writes parscale's raw CSV to stdout: a header, then one\n"
           "row per timed repetition.\n"
           "\n"
           "How the command runs: directly (fork + exec), never through a shell,\n"
           "unless --shell is given.  A --command line is split into words as a\n"
           "shell would split it (quotes, backslashes) but nothing in it is\n"
           "expanded or evaluated: $VAR, globs, ~, pipes and redirections are\n"
           "refused (use --shell for them).  Leading NAME=VALUE words set the\n"
           "program's environment, as env(1) does.  With --shell the line is run\n"
           "by /bin/sh -c, which evaluates it.\n"
           "\n"
           "Placeholders, replaced in every word (and in the --shell line) before\n"
           "the program starts: {workers} {threads} {ranks} {nodes} {size}\n"
           "{total_size} {rep} (the timed repetition, 0 in warm-ups) and {KEY} of\n"
           "each --param; {{ is a literal {.  An unknown one is an error.\n"
           "\n"
           "  -c, --command LINE      the command as one line (instead of words after --)\n"
           "      --shell             run the command through /bin/sh -c\n"
           "      --name NAME         the kernel column (default: the program's file\n"
           "                          name; needed with --shell)\n"
           "      --variant NAME      the driver column is exec:NAME (default: exec)\n"
           "      --class CLASS       program (default), compute, memory, latency,\n"
           "                          imbalance, halo, contention or primitive\n"
           "  -w, --workers N         workers = ranks x threads (default 1)\n"
           "      --ranks R           processes of the program (e.g. MPI ranks)\n"
           "      --threads T         threads in each of them; with only --workers,\n"
           "                          a command naming {ranks} but not {threads} runs\n"
           "                          N ranks of 1 thread, any other N threads\n"
           "      --nodes N           hosts the ranks run on (default 1)\n"
           "  -n, --size SIZE         problem size: an integer (suffixes k M G Ki Mi Gi)\n"
           "                          or a name of [A-Za-z0-9._-] (strong scaling only)\n"
           "      --scaling MODE      strong (default) or weak (SIZE per worker)\n"
           "      --dims 1|2          weak scaling grows {total_size} by workers (1,\n"
           "                          default) or by sqrt(workers) (2: SIZE per side)\n"
           "  -r, --reps N            timed repetitions (default %d)\n"
           "      --warmup N          repetitions run first and not reported (default %d)\n"
           "      --timeout SECONDS   end the run (exit 1) if it takes longer, ending\n"
           "                          the program's process group\n"
           "      --run-id ID         identifier written in every row\n"
           "      --param KEY=VALUE   a setting of yours: written in the params column\n"
           "                          and available as {KEY} (repeatable)\n"
           "      --metric REGEX      the program's own time: the first group of the\n"
           "                          first match of this POSIX extended regex\n"
           "      --metric-csv COLUMN or: that column of the first CSV row after the\n"
           "                          first line naming it\n"
           "      --metric-unit UNIT  s (default), ms, us or ns\n"
           "      --from STREAM       stdout (default) or stderr: where --metric,\n"
           "                          --metric-csv and --check-regex look\n"
           "      --check-regex REGEX the output must match it to count as verified\n"
           "      --check-cmd COMMAND run after each repetition with its output on\n"
           "                          stdin; it must exit 0 (run like the command)\n"
           "      --work N            work per repetition, for the rate column (may be\n"
           "                          a placeholder, e.g. {total_size})\n"
           "      --work-unit UNIT    items (default), flops or bytes\n"
           "      --chdir DIR         run the program (and --check-cmd) in DIR\n"
           "      --program PATH      record this file's path and SHA-256 (default:\n"
           "                          the file the command runs)\n"
           "      --which             print that file's path (nothing if none) and exit\n"
           "      --no-header         omit the CSV header line\n"
           "      --output FILE       write the CSV to FILE instead of stdout (created\n"
           "                          or emptied before the run; removed if it\n"
           "                          cannot be written)\n"
           "      --check-config[=LIST]\n"
           "                          check the options for each worker count of LIST\n"
           "                          (N or N@LOCAL, comma-separated; default\n"
           "                          --workers) and exit 0 or 2 without running\n"
           "  -h, --help              show this help\n"
           "  -V, --version           show the version\n"
           "\n"
           "Columns: seconds is the program's own time with --metric or --metric-csv,\n"
           "else the wall time; startup_seconds = wall - own time (empty without a\n"
           "metric); wall_seconds, cpu_seconds (user + system) and max_rss_bytes\n"
           "as measured by parscale (wait4).  A repetition is verified when the\n"
           "program exits 0 and passes --check-regex and --check-cmd.\n"
           "\n"
           "Exit status: 0 ok, 1 the program could not be started, was killed by a\n"
           "signal, did not report its time, or the run timed out (no rows), 2 usage\n"
           "error, 3 a repetition failed (non-zero exit or a failed check: rows kept,\n"
           "verified = 0).\n",
           DEFAULT_REPS, DEFAULT_WARMUP);
}

static int bad(const char *fmt, const char *arg)
{
    ps_error(EXEC_PROG, fmt, arg);
    return PS_EXIT_USAGE;
}

static int int_arg(const char *opt, const char *s, long long lo, long long hi, int *out)
{
    long long v;
    if (ps_parse_int(s, lo, hi, &v)) {
        ps_error(EXEC_PROG, "--%s must be an integer from %lld to %lld, not '%s'", opt,
                 lo, hi, s);
        return -1;
    }
    *out = (int)v;
    return 0;
}

/* Compile --metric or --check-regex; a message and -1 if it is not one. */
static int regex_arg(const char *opt, const char *s, regex_t *re, int *have)
{
    if (*have)
        regfree(re);
    *have = 0;
    int rc = regcomp(re, s, REG_EXTENDED | REG_NEWLINE);
    if (rc != 0) {
        char why[128];
        regerror(rc, re, why, sizeof why);
        ps_error(EXEC_PROG, "--%s '%.40s' is not a regular expression: %s", opt, s, why);
        return -1;
    }
    *have = 1;
    return 0;
}

/* --param KEY=VALUE */
static int param_arg(struct exec_opts *o, const char *s)
{
    const char *eq = strchr(s, '=');
    size_t klen = eq ? (size_t)(eq - s) : 0;
    char key[EXEC_NAME_MAX + 1];
    if (!eq || klen == 0 || klen > EXEC_NAME_MAX || (s[0] >= '0' && s[0] <= '9')) {
        ps_error(EXEC_PROG, "--param '%s' is not KEY=VALUE with KEY 1 to %d characters "
                 "of [A-Za-z0-9_], not starting with a digit", s, EXEC_NAME_MAX);
        return -1;
    }
    memcpy(key, s, klen);
    key[klen] = '\0';
    if (!exec_token(key, KEY_CHARS, EXEC_NAME_MAX)) {
        ps_error(EXEC_PROG, "--param '%s' is not KEY=VALUE with KEY 1 to %d characters "
                 "of [A-Za-z0-9_], not starting with a digit", s, EXEC_NAME_MAX);
        return -1;
    }
    if (!exec_token(eq + 1, VALUE_CHARS, EXEC_VALUE_MAX)) {
        ps_error(EXEC_PROG, "--param %s: the value must be 1 to %d characters of "
                 "[A-Za-z0-9._:+/@%%-], not '%s'", key, EXEC_VALUE_MAX, eq + 1);
        return -1;
    }
    for (int i = 0; i < PH_BUILTIN; i++)
        if (strcmp(key, exec_placeholders[i]) == 0) {
            if (i == PH_REP)
                ps_error(EXEC_PROG, "--param rep: {rep} is a placeholder of parscale's "
                         "own (the repetition); pick another name");
            else
                ps_error(EXEC_PROG, "--param %s: {%s} is a placeholder of parscale's own; "
                         "use --%s", key, key, i == PH_TOTAL_SIZE ? "size" : key);
            return -1;
        }
    for (int i = 0; i < o->nparams; i++)
        if (strlen(o->param_key[i]) == klen && strncmp(o->param_key[i], s, klen) == 0) {
            ps_error(EXEC_PROG, "--param %s is given twice", key);
            return -1;
        }
    if (o->nparams == EXEC_MAX_PARAMS) {
        ps_error(EXEC_PROG, "too many --param options (at most %d)", EXEC_MAX_PARAMS);
        return -1;
    }
    char *k = strdup(key);
    if (!k) {
        ps_error(EXEC_PROG, "out of memory");
        return -1;
    }
    o->param_key[o->nparams] = k;
    o->param_value[o->nparams++] = eq + 1;
    return 0;
}

/* --check-config[=LIST]: plan the run at each worker count of LIST (N or
 * N@LOCAL; empty: --workers as given) without running; 0 or 2. */
static int check_config(const struct exec_opts *o, const char *list, int workers_given,
                        const char *size_arg)
{
    if (!*list)
        return exec_plan_copy(o, o->workers, workers_given, size_arg);
    for (const char *item = list;; item += strcspn(item, ",") + 1) {
        char one[24];
        size_t n = strcspn(item, ",");
        long long w;
        snprintf(one, sizeof one, "%.*s", (int)(n < sizeof one - 1 ? n : sizeof one - 1), item);
        one[strcspn(one, "@")] = '\0';    /* exec runs no workers of its own here */
        if (n >= sizeof one || ps_parse_int(one, 1, PS_MAX_WORKERS, &w)) {
            ps_error(EXEC_PROG, "--check-config wants worker counts N or N@LOCAL from 1 "
                     "to %d, comma-separated, not '%.*s'", PS_MAX_WORKERS, (int)n, item);
            return PS_EXIT_USAGE;
        }
        if (exec_plan_copy(o, (int)w, 1, size_arg))
            return PS_EXIT_USAGE;
        if (!item[n])
            return PS_EXIT_OK;
    }
}

int exec_cli_parse(int argc, char **argv, struct exec_opts *o)
{
    const char *line = NULL, *check = NULL, *size_arg = NULL, *unit = NULL;
    const char *check_list = NULL;
    int c, shell = 0, workers_given = 0;
    char err[PS_ERR_MAX * 2];

    memset(o, 0, sizeof *o);
    o->reps = DEFAULT_REPS;
    o->warmup = DEFAULT_WARMUP;
    o->header = 1;
    o->workers = 1;
    o->nodes = 1;
    o->dims = 1;
    o->cls = DEFAULT_CLASS;
    o->metric_scale = 1;
    o->unit = PS_ITEMS;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+:c:w:n:r:hV", options, NULL)) != -1) {
        switch (c) {
        case 'c':
            line = optarg;
            break;
        case OPT_SHELL:
            shell = 1;
            break;
        case OPT_NAME:
            if (!exec_token(optarg, EXEC_NAME_CHARS, EXEC_NAME_MAX))
                return bad("--name must be 1 to 32 characters of [A-Za-z0-9._-], not '%s'",
                           optarg);
            o->name = optarg;
            break;
        case OPT_VARIANT:
            if (!exec_token(optarg, EXEC_NAME_CHARS, EXEC_NAME_MAX))
                return bad("--variant must be 1 to 32 characters of [A-Za-z0-9._-], "
                           "not '%s'", optarg);
            o->variant = optarg;
            break;
        case OPT_CLASS: {
            int k = 0;
            while (classes[k] && strcmp(classes[k], optarg))
                k++;
            if (!classes[k])
                return bad("--class must be program, compute, memory, latency, imbalance, "
                           "halo, contention or primitive, not '%s'", optarg);
            o->cls = classes[k];
            break;
        }
        case 'w':
            if (int_arg("workers", optarg, 1, PS_MAX_WORKERS, &o->workers))
                return PS_EXIT_USAGE;
            workers_given = 1;
            break;
        case OPT_RANKS:
            if (int_arg("ranks", optarg, 1, PS_MAX_WORKERS, &o->ranks))
                return PS_EXIT_USAGE;
            break;
        case OPT_THREADS:
            if (int_arg("threads", optarg, 1, PS_MAX_WORKERS, &o->threads))
                return PS_EXIT_USAGE;
            break;
        case OPT_NODES:
            if (int_arg("nodes", optarg, 1, PS_MAX_WORKERS, &o->nodes))
                return PS_EXIT_USAGE;
            break;
        case 'n':
            size_arg = optarg;
            break;
        case OPT_SCALING:
            if (strcmp(optarg, "strong") && strcmp(optarg, "weak"))
                return bad("--scaling must be strong or weak, not '%s'", optarg);
            o->weak = optarg[0] == 'w';
            break;
        case OPT_DIMS:
            if (strcmp(optarg, "1") && strcmp(optarg, "2"))
                return bad("--dims must be 1 or 2, not '%s'", optarg);
            o->dims = optarg[0] - '0';
            break;
        case 'r':
            if (int_arg("reps", optarg, 1, PS_MAX_REPS, &o->reps))
                return PS_EXIT_USAGE;
            break;
        case OPT_WARMUP:
            if (int_arg("warmup", optarg, 0, PS_MAX_REPS, &o->warmup))
                return PS_EXIT_USAGE;
            break;
        case OPT_TIMEOUT:
            if (ps_parse_real(optarg, 0, PS_MAX_TIMEOUT, &o->timeout) || o->timeout <= 0) {
                ps_error(EXEC_PROG, "--timeout must be seconds above 0 and at most %g, "
                         "not '%s'", PS_MAX_TIMEOUT, optarg);
                return PS_EXIT_USAGE;
            }
            break;
        case OPT_RUN_ID:
            if (!ps_valid_run_id(optarg)) {
                ps_error(EXEC_PROG, "--run-id must be 1 to %d characters of "
                         "[A-Za-z0-9._-], not '%s'", PS_RUN_ID_MAX, optarg);
                return PS_EXIT_USAGE;
            }
            snprintf(o->run_id, sizeof o->run_id, "%s", optarg);
            break;
        case OPT_PARAM:
            if (param_arg(o, optarg))
                return PS_EXIT_USAGE;
            break;
        case OPT_METRIC:
            if (regex_arg("metric", optarg, &o->metric, &o->have_metric))
                return PS_EXIT_USAGE;
            if (o->metric.re_nsub < 1)
                return bad("--metric '%.40s' has no group: put the number in parentheses, "
                           "e.g. 'time: ([0-9.e+-]+) s'", optarg);
            o->metric_text = optarg;
            break;
        case OPT_METRIC_CSV:
            if (!*optarg || strpbrk(optarg, ",\n"))
                return bad("--metric-csv must name one CSV column, not '%s'", optarg);
            o->metric_csv = optarg;
            break;
        case OPT_METRIC_UNIT:
            o->metric_scale = !strcmp(optarg, "s") ? 1 : !strcmp(optarg, "ms") ? 1e-3
                              : !strcmp(optarg, "us") ? 1e-6 : !strcmp(optarg, "ns") ? 1e-9 : 0;
            if (o->metric_scale == 0)
                return bad("--metric-unit must be s, ms, us or ns, not '%s'", optarg);
            unit = optarg;
            break;
        case OPT_FROM:
            if (strcmp(optarg, "stdout") && strcmp(optarg, "stderr"))
                return bad("--from must be stdout or stderr, not '%s'", optarg);
            o->from = optarg[3] == 'e' ? FROM_STDERR : FROM_STDOUT;
            break;
        case OPT_CHECK_REGEX:
            if (regex_arg("check-regex", optarg, &o->check_re, &o->have_check_re))
                return PS_EXIT_USAGE;
            break;
        case OPT_CHECK_CMD:
            check = optarg;
            break;
        case OPT_WORK:
            o->work_text = optarg;
            break;
        case OPT_WORK_UNIT:
            if (strcmp(optarg, "items") && strcmp(optarg, "flops") && strcmp(optarg, "bytes"))
                return bad("--work-unit must be items, flops or bytes, not '%s'", optarg);
            o->unit = optarg[0] == 'i' ? PS_ITEMS : optarg[0] == 'f' ? PS_FLOPS : PS_BYTES;
            o->unit_given = 1;
            break;
        case OPT_PROGRAM:
            if (access(optarg, R_OK) != 0)
                return bad("--program '%s' is not a file parscale can read", optarg);
            o->program = optarg;
            break;
        case OPT_OUTPUT:
            if (!*optarg)
                return bad("%s", "--output needs a file name");
            o->output = optarg;
            break;
        case OPT_CHDIR: {
            struct stat sb;
            if (stat(optarg, &sb) != 0 || !S_ISDIR(sb.st_mode) || access(optarg, X_OK) != 0)
                return bad("--chdir '%s' is not a folder parscale can enter", optarg);
            o->chdir = optarg;
            break;
        }
        case OPT_WHICH:
            o->which = 1;
            break;
        case OPT_CHECK_CONFIG:
            check_list = optarg ? optarg : "";
            break;
        case OPT_NO_HEADER:
            o->header = 0;
            break;
        case 'h':
            usage();
            return PS_EXIT_OK;
        case 'V':
            printf("parscale-exec %s\n", PARSCALE_VERSION);
            return PS_EXIT_OK;
        case ':':
            return bad("option '%s' needs a value", argv[optind - 1]);
        default:
            return bad("unknown option '%s' (see --help)", argv[optind - 1]);
        }
    }
    if (o->have_metric && o->metric_csv)
        return bad("%s", "give --metric or --metric-csv, not both");
    if (unit && !o->have_metric && !o->metric_csv)
        return bad("--metric-unit %s needs --metric or --metric-csv", unit);
    if (o->unit_given && !o->work_text)
        return bad("%s", "--work-unit needs --work");
    if (line && optind < argc)
        return bad("give the command with --command or after the options, not both "
                   "(at '%s')", argv[optind]);
    if (line ? exec_cmd_parse(line, shell, &o->cmd, err, sizeof err)
             : optind == argc ? (snprintf(err, sizeof err, "no command given: put it after "
                                          "the options (or use --command; see --help)"), -1)
                              : exec_cmd_from_argv(argv + optind, argc - optind, shell,
                                                   &o->cmd, err, sizeof err))
        return bad("%s", err);
    if (check && exec_cmd_parse(check, shell, &o->check, err, sizeof err)) {
        ps_error(EXEC_PROG, "--check-cmd: %s", err);
        return PS_EXIT_USAGE;
    }

    if (o->which)              /* the program's file only: nothing to plan */
        return PS_CONTINUE;
    if (check_list)
        return check_config(o, check_list, workers_given, size_arg);
    if (exec_plan(o, workers_given, size_arg))
        return PS_EXIT_USAGE;
    if (!o->run_id[0])
        ps_default_run_id(o->run_id, sizeof o->run_id);
    return PS_CONTINUE;
}

void exec_opts_free(struct exec_opts *o)
{
    exec_cmd_free(&o->cmd);
    exec_cmd_free(&o->check);
    if (o->have_metric)
        regfree(&o->metric);
    if (o->have_check_re)
        regfree(&o->check_re);
    for (int i = 0; i < o->nparams; i++)
        free((char *)o->param_key[i]);
    memset(o, 0, sizeof *o);
}
