/*
 * exec_plan.c - what parscale-exec's options mean for the run, once they
 * are parsed: which placeholders the commands name, how the workers split
 * into ranks and threads, the size and total size the rows write, the
 * work per repetition, and the placeholder values each repetition gets.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec.h"


const char *const exec_placeholders[PH_BUILTIN] = {
    "workers", "threads", "ranks", "nodes", "size", "total_size", "rep",
};

int exec_token(const char *s, const char *chars, size_t max)
{
    size_t n = strlen(s);
    return n > 0 && n <= max && strspn(s, chars) == n;
}

static int bad(const char *fmt, const char *arg)
{
    ps_error(EXEC_PROG, fmt, arg);
    return -1;
}

/* The placeholder table with this run's values (rep: text for {rep}). */
void exec_dict_for(const struct exec_opts *o, struct exec_dict *d, char num[4][24],
                   const char *rep)
{
    snprintf(num[0], 24, "%d", o->workers);
    snprintf(num[1], 24, "%d", o->threads);
    snprintf(num[2], 24, "%d", o->ranks);
    snprintf(num[3], 24, "%d", o->nodes);
    const char *value[PH_BUILTIN] = { num[0], num[1], num[2], num[3], o->size,
                                      o->total_size, rep };
    d->n = 0;
    for (int i = 0; i < PH_BUILTIN; i++, d->n++) {
        d->name[d->n] = exec_placeholders[i];
        d->value[d->n] = value[i];
    }
    for (int i = 0; i < o->nparams; i++, d->n++) {
        d->name[d->n] = o->param_key[i];
        d->value[d->n] = o->param_value[i];
    }
}

/* Workers, ranks and threads from what was given and what the command names. */
static int layout(struct exec_opts *o, int workers_given, unsigned used)
{
    int r = o->ranks, t = o->threads, w = o->workers;
    if (r && t) {
        if (workers_given && w != r * t) {
            ps_error(EXEC_PROG, "--workers %d is not --ranks %d x --threads %d", w, r, t);
            return -1;
        }
        w = r * t;
    } else if (r || t) {
        int given = r ? r : t;
        if (!workers_given) {
            w = given;
        } else if (w % given) {
            ps_error(EXEC_PROG, "--workers %d is not a multiple of --%s %d", w,
                     r ? "ranks" : "threads", given);
            return -1;
        }
        r = r ? r : w / t;
        t = t ? t : w / r;
    } else {
        int names_ranks = used & 1u << PH_RANKS, names_threads = used & 1u << PH_THREADS;
        if (names_ranks && names_threads) {
            ps_error(EXEC_PROG, "the command names {ranks} and {threads}: give --ranks "
                     "or --threads to say how %d workers are split", w);
            return -1;
        }
        r = names_ranks ? w : 1;
        t = names_ranks ? 1 : w;
    }
    if ((long long)r * t > PS_MAX_WORKERS) {
        ps_error(EXEC_PROG, "%d ranks x %d threads is more than %d workers", r, t,
                 PS_MAX_WORKERS);
        return -1;
    }
    o->workers = r * t;
    o->ranks = r;
    o->threads = t;
    if (o->nodes > r) {
        ps_error(EXEC_PROG, "--nodes %d is more than the ranks (%d): every node runs "
                 "at least one", o->nodes, r);
        return -1;
    }
    return 0;
}

/* size and total_size as the rows write them. */
static int sizes(struct exec_opts *o, const char *arg, unsigned used)
{
    uint64_t v;
    if (!arg) {
        if (used & (1u << PH_SIZE | 1u << PH_TOTAL_SIZE)) {
            ps_error(EXEC_PROG, "the command names {%s}: give --size",
                     used & 1u << PH_SIZE ? "size" : "total_size");
            return -1;
        }
        if (o->weak) {
            ps_error(EXEC_PROG, "--scaling weak needs --size (the size per worker)");
            return -1;
        }
        snprintf(o->size, sizeof o->size, "default");
        snprintf(o->total_size, sizeof o->total_size, "default");
        return 0;
    }
    o->size_given = 1;
    if (ps_parse_size(arg, &v) == 0) {
        o->size_numeric = 1;
        snprintf(o->size, sizeof o->size, "%llu", (unsigned long long)v);
        double total = (double)v;
        if (o->weak)
            total = nearbyint((double)v * (o->dims == 2 ? sqrt((double)o->workers)
                                                         : (double)o->workers));
        if (total > (double)PS_MAX_SIZE) {
            ps_error(EXEC_PROG, "weak scaling size %s x %d workers overflows (at most 2^53)",
                     o->size, o->workers);
            return -1;
        }
        snprintf(o->total_size, sizeof o->total_size, "%.0f", total);
        return 0;
    }
    if (!exec_token(arg, EXEC_NAME_CHARS, EXEC_VALUE_MAX) || arg[0] == '-' || (arg[0] >= '0' && arg[0] <= '9')) {
        ps_error(EXEC_PROG, "--size must be an integer from 1 to 2^53 (suffixes k M G Ki "
                 "Mi Gi) or a name of [A-Za-z0-9._-] not starting with a digit, not '%s'",
                 arg);
        return -1;
    }
    if (o->weak) {
        ps_error(EXEC_PROG, "--scaling weak needs an integer --size, not '%s'", arg);
        return -1;
    }
    snprintf(o->size, sizeof o->size, "%s", arg);
    snprintf(o->total_size, sizeof o->total_size, "%s", arg);
    return 0;
}

/* The name of the file the command runs, for --name's default. */
static int default_name(struct exec_opts *o, char *buf, size_t len)
{
    if (o->cmd.shell) {
        ps_error(EXEC_PROG, "--shell needs --name (the kernel column: what the "
                 "command runs)");
        return -1;
    }
    const char *base = strrchr(o->cmd.words[0], '/');
    base = base ? base + 1 : o->cmd.words[0];
    size_t n = 0;
    for (; base[n] && n + 1 < len && n < EXEC_NAME_MAX; n++)
        buf[n] = strchr(EXEC_NAME_CHARS, base[n]) ? base[n] : '_';
    buf[n] = '\0';
    if (n == 0) {
        ps_error(EXEC_PROG, "give --name: the program '%s' has no file name", o->cmd.words[0]);
        return -1;
    }
    return 0;
}

int exec_plan_copy(const struct exec_opts *o, int workers, int workers_given,
                   const char *size_arg)
{
    struct exec_opts t = *o;   /* shares o's commands and regexes, read only */
    t.workers = workers;
    return exec_plan(&t, workers_given, size_arg) ? PS_EXIT_USAGE : PS_EXIT_OK;
}

int exec_plan(struct exec_opts *o, int workers_given, const char *size_arg)
{
    static char name_buf[EXEC_NAME_MAX + 1];
    char err[PS_ERR_MAX * 2];
    /* every placeholder known; note which the commands name */
    struct exec_dict d;
    char num[4][24];
    unsigned used = 0;
    snprintf(o->size, sizeof o->size, "1");
    snprintf(o->total_size, sizeof o->total_size, "1");
    exec_dict_for(o, &d, num, "1");
    if (exec_cmd_check(&o->cmd, &d, &used, err, sizeof err)
        || exec_cmd_check(&o->check, &d, &used, err, sizeof err))
        return bad("%s", err);
    unsigned work_used = 0;
    char *w = o->work_text ? exec_subst(o->work_text, &d, &work_used, err, sizeof err) : NULL;
    if (o->work_text && !w)
        return bad("--work: %s", err);
    free(w);
    if (work_used & 1u << PH_REP)
        return bad("%s", "--work cannot depend on {rep}");
    if (layout(o, workers_given, used | work_used) || sizes(o, size_arg, used | work_used))
        return -1;

    /* the work per repetition, now that every value is known */
    o->work = -1;
    if (o->work_text) {
        exec_dict_for(o, &d, num, "0");
        w = exec_subst(o->work_text, &d, NULL, err, sizeof err);
        if (!w)
            return bad("--work: %s", err);
        int rc = ps_parse_real(w, 0, 1e300, &o->work);
        if (rc || o->work <= 0) {
            ps_error(EXEC_PROG, "--work must be a number above 0, not '%s'", w);
            free(w);
            return -1;
        }
        free(w);
    }
    if (!o->name) {
        if (default_name(o, name_buf, sizeof name_buf))
            return -1;
        o->name = name_buf;
    }
    snprintf(o->driver, sizeof o->driver, "exec%s%s", o->variant ? ":" : "",
             o->variant ? o->variant : "");
    size_t used_len = 0;
    for (int i = 0; i < o->nparams; i++)
        used_len += (size_t)snprintf(o->params + used_len, sizeof o->params - used_len,
                                     "%s%s=%s", i ? ";" : "", o->param_key[i],
                                     o->param_value[i]);
    return 0;
}
