/*
 * exec.h - parscale-exec: a program of the user's, run once per repetition
 * as a process of its own, timed by parscale and written as rows of the
 * same raw CSV every driver writes.
 *
 *   exec_cli.c    the command line
 *   exec_plan.c   what it means for the run: layout, sizes, placeholder values
 *   exec_cmd.c    command templates: words, NAME=VALUE prefixes, {placeholders}
 *   exec_spawn.c  one process: fork/exec, wall clock, wait4, timeout, signals
 *   exec_out.c    what the output says: --metric, --metric-csv, --check-regex
 *   exec.c        main: the repetitions, verification, the rows
 */
#ifndef PARSCALE_EXEC_H
#define PARSCALE_EXEC_H

#include <regex.h>
#include <stddef.h>

#include "common.h"

#define EXEC_PROG "exec"                /* messages say parscale-exec: */
#define EXEC_NAME_MAX 32                /* --name, --variant, --param keys */
#define EXEC_VALUE_MAX 64               /* --size and --param values */
#define EXEC_MAX_PARAMS 16
#define EXEC_MAX_WORDS 4096             /* words of one command */
#define EXEC_DRIVER_MAX (sizeof "exec:" + EXEC_NAME_MAX)
#define EXEC_NAME_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-"

/* The placeholders of parscale's own, in exec_dict order (--param keys
 * follow them). */
enum { PH_WORKERS, PH_THREADS, PH_RANKS, PH_NODES, PH_SIZE, PH_TOTAL_SIZE, PH_REP,
       PH_BUILTIN };
extern const char *const exec_placeholders[PH_BUILTIN];

/* A command template: words to exec (NAME=VALUE words before them set the
 * environment, as env(1) does), or one line for /bin/sh -c. */
struct exec_cmd {
    char **env;                /* the leading NAME=VALUE words */
    size_t nenv;
    char **words;              /* the program and its arguments; with
                                  shell, words[0] is the whole line */
    size_t nwords;
    int shell;                 /* run through /bin/sh -c */
};

/* Placeholder values, {name} -> value. */
struct exec_dict {
    const char *name[EXEC_MAX_PARAMS + 8];
    const char *value[EXEC_MAX_PARAMS + 8];
    int n;
};

enum exec_from { FROM_STDOUT, FROM_STDERR };

/* The command line, parsed and checked. */
struct exec_opts {
    struct exec_cmd cmd;       /* the program */
    struct exec_cmd check;     /* --check-cmd, nwords 0: none */
    const char *name, *variant, *cls;
    char driver[EXEC_DRIVER_MAX];       /* exec or exec:VARIANT */
    char size[EXEC_VALUE_MAX + 24];     /* as the rows write it, or "default" */
    char total_size[EXEC_VALUE_MAX + 24];
    int size_given, size_numeric;
    int workers, ranks, threads, nodes;
    int weak, dims;
    int reps, warmup;
    double timeout;            /* seconds for the whole run, 0: none */
    char run_id[PS_RUN_ID_MAX + 1];
    int header;
    const char *output;        /* --output FILE, NULL: stdout */
    const char *chdir;         /* --chdir DIR: where the program runs */
    int which;                 /* --which: print the program's path, run nothing */
    const char *param_key[EXEC_MAX_PARAMS], *param_value[EXEC_MAX_PARAMS];
    int nparams;
    char params[EXEC_MAX_PARAMS * (EXEC_NAME_MAX + EXEC_VALUE_MAX + 2) + 1];
    regex_t metric, check_re;
    int have_metric, have_check_re;
    const char *metric_text, *metric_csv;
    double metric_scale;       /* --metric-unit: seconds per unit */
    enum exec_from from;
    const char *work_text;     /* --work template, NULL: none */
    double work;               /* its value, < 0: none */
    enum ps_unit unit;
    int unit_given;
    const char *program;       /* --program, NULL: the file the command runs */
};

/*
 * Parse argv into o.  Prints --help and --version (returns 0) and usage
 * errors (returns 2); PS_CONTINUE to go on.  Frees nothing on success:
 * exec_opts_free does.
 */
int exec_cli_parse(int argc, char **argv, struct exec_opts *o);
void exec_opts_free(struct exec_opts *o);
/* After parsing: check every placeholder, settle workers = ranks x threads,
 * the sizes, the work, the default name, the driver and params columns.
 * Returns 0, or -1 after printing a usage error. */
int exec_plan(struct exec_opts *o, int workers_given, const char *size_arg);
/* exec_plan on a copy of o with `workers` workers: PS_EXIT_OK or
 * PS_EXIT_USAGE (--check-config). */
int exec_plan_copy(const struct exec_opts *o, int workers, int workers_given,
                   const char *size_arg);
/* 1 if s is 1..max characters of chars. */
int exec_token(const char *s, const char *chars, size_t max);
/* The placeholder values of o's run, {rep} as rep (num: room for numbers). */
void exec_dict_for(const struct exec_opts *o, struct exec_dict *d, char num[4][24],
                   const char *rep);

/* Split line into a command (shell: one word, the line itself; else words
 * split as a shell would, quotes and backslashes honoured, nothing
 * expanded).  Returns 0, or -1 with a one-line message in err. */
int exec_cmd_parse(const char *line, int shell, struct exec_cmd *c,
                   char *err, size_t errlen);
/* The command from argv words as given (no splitting). */
int exec_cmd_from_argv(char **argv, int n, int shell, struct exec_cmd *c,
                       char *err, size_t errlen);
void exec_cmd_free(struct exec_cmd *c);
/*
 * Replace every {name} in tmpl by its value in d ({{ is a literal {).
 * Returns a new string, or NULL with a message in err (an unknown
 * placeholder, or out of memory).  used, when not NULL, gets bit i set for
 * each d entry i that tmpl names.
 */
char *exec_subst(const char *tmpl, const struct exec_dict *d, unsigned *used,
                 char *err, size_t errlen);
/* Check every placeholder of c against d and note those used. */
int exec_cmd_check(const struct exec_cmd *c, const struct exec_dict *d,
                   unsigned *used, char *err, size_t errlen);
/* The argv and NAME=VALUE list of c with d's values (NULL-terminated,
 * freed with exec_strv_free); -1 out of memory or bad placeholder. */
int exec_cmd_expand(const struct exec_cmd *c, const struct exec_dict *d,
                    char ***argv, char ***env, char *err, size_t errlen);
void exec_strv_free(char **v);
/* The file c runs: a word with '/' as it is (relative to dir when not
 * NULL), else found on PATH (the command's own PATH= if it sets one); NULL
 * for a shell line or when not found.  Returns a new string. */
char *exec_cmd_which(const struct exec_cmd *c, char **env, const char *dir);

/* One finished process. */
struct exec_result {
    int status;                /* wait status */
    int exec_errno;            /* the program could not be started: why */
    double wall;               /* seconds from fork to reaping it */
    double cpu;                /* user + system seconds, it and the
                                  descendants it waited for */
    double max_rss;            /* bytes, the largest of those processes */
    double end;                /* CLOCK_REALTIME when it ended */
    int left_behind;           /* processes of its group outlived it (ended) */
};

/* How a spawn ended. */
enum { SPAWN_OK = 0, SPAWN_TIMEOUT = -1, SPAWN_FAILED = -2 };

/* Block the signals exec_spawn waits for, and run every process in dir
 * (NULL: this process's folder); call once, before any spawn. */
void exec_spawn_init(const char *dir);
/*
 * Run argv (env: NAME=VALUE to set first) in a process group of its own
 * with fds in/out/err as its 0/1/2, wait for it until deadline (ps_now
 * seconds, 0: none).  Returns SPAWN_OK with *r filled; SPAWN_TIMEOUT after
 * ending its process group; SPAWN_FAILED when fork failed (errno); a
 * signal number > 0 when SIGINT/SIGTERM/SIGHUP came for parscale-exec (the
 * process group is ended first).
 */
int exec_spawn(char *const *argv, char *const *env, int in, int out, int err,
               double deadline, struct exec_result *r);

/* A capture file for a process's output (a memfd); -1 on failure. */
int exec_capture_open(const char *what);
/* Empty it for the next process. */
int exec_capture_reset(int fd);
/* Its last bytes (at most a fixed bound) as a NUL-terminated string, NUL
 * bytes in it turned into spaces; NULL out of memory. */
char *exec_capture_read(int fd, size_t *len);

/* The program's own time in seconds from its output text: -1 when
 * the metric is not there or not a positive number (why in err). */
double exec_metric(const struct exec_opts *o, const char *text, char *err, size_t errlen);

#endif
