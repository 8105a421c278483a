/*
 * exec_cmd.c - command templates for parscale-exec.  Without --shell a
 * command line is split into words the way a shell splits them (blanks
 * separate words; '...' is literal; "..." keeps \" \\ \$ \` escapes; a
 * backslash outside quotes escapes the next character) and nothing else:
 * no variable, glob, tilde or command expansion, no pipes or redirections.
 * Characters a shell would act on (outside quotes, and $ or ` inside
 * "...") are refused with a pointer to --shell, so nothing the user did
 * not ask to be evaluated is, and nothing silently means something else.
 * Leading NAME=VALUE words set the program's environment, as env(1) does.
 *
 * Placeholders {name} are replaced in every word (quoted or not, and in the
 * --shell line) by the run's values; {{ is a literal {.  A { that does not
 * start {NAME} (NAME of letters, digits and _) is left as it is.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec.h"

/* Outside quotes, what a shell would expand, redirect or run. */
#define SHELL_SPECIAL "|&;<>()$`*?["

static int push(char ***v, size_t *n, char *s)
{
    if (*n + 2 > EXEC_MAX_WORDS + 1)
        return -1;
    char **grown = realloc(*v, (*n + 2) * sizeof **v);
    if (!grown)
        return -1;
    *v = grown;
    (*v)[(*n)++] = s;
    (*v)[*n] = NULL;
    return 0;
}

void exec_strv_free(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

void exec_cmd_free(struct exec_cmd *c)
{
    exec_strv_free(c->env);
    exec_strv_free(c->words);
    memset(c, 0, sizeof *c);
}

/* 1 if w is NAME=VALUE with NAME a valid environment variable name. */
static int is_assignment(const char *w)
{
    if (!((*w >= 'A' && *w <= 'Z') || (*w >= 'a' && *w <= 'z') || *w == '_'))
        return 0;
    size_t n = strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                         "0123456789_");
    return w[n] == '=';
}

/* Sort the words into leading assignments and the rest; takes them. */
static int sort_words(char **w, size_t n, int shell, struct exec_cmd *c,
                      char *err, size_t errlen)
{
    int bad = 0;
    memset(c, 0, sizeof *c);
    c->shell = shell;
    for (size_t i = 0; i < n; i++) {
        int is_env = !shell && c->nwords == 0 && is_assignment(w[i]);
        if (bad || (is_env ? push(&c->env, &c->nenv, w[i])
                           : push(&c->words, &c->nwords, w[i]))) {
            bad = 1;
            free(w[i]);
        }
    }
    free(w);
    if (bad) {
        exec_cmd_free(c);
        snprintf(err, errlen, "the command has more than %d words", EXEC_MAX_WORDS);
        return -1;
    }
    if (c->nwords == 0) {
        snprintf(err, errlen, c->nenv ? "the command sets variables but names no program"
                                      : "the command is empty");
        exec_cmd_free(c);
        return -1;
    }
    return 0;
}

int exec_cmd_parse(const char *line, int shell, struct exec_cmd *c,
                   char *err, size_t errlen)
{
    char **w = NULL, *cur = NULL;
    size_t n = 0, len = 0;
    int in_word = 0;
    memset(c, 0, sizeof *c);
    if (shell) {
        if (line[strspn(line, " \t\n")] == '\0') {
            snprintf(err, errlen, "the command is empty");
            return -1;
        }
        char *copy = strdup(line);
        if (!copy || push(&w, &n, copy)) {
            free(copy);
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        return sort_words(w, n, 1, c, err, errlen);
    }
    cur = malloc(strlen(line) + 1);
    if (!cur)
        goto out_of_memory;
    for (const char *p = line;; p++) {
        char ch = *p;
        if (ch == '\0' || ch == ' ' || ch == '\t' || ch == '\n') {
            if (in_word) {
                cur[len] = '\0';
                char *word = strdup(cur);
                if (!word || push(&w, &n, word)) {
                    free(word);
                    if (word) {
                        snprintf(err, errlen, "the command has more than %d words",
                                 EXEC_MAX_WORDS);
                        goto out_free;
                    }
                    goto out_of_memory;
                }
                len = 0;
                in_word = 0;
            }
            if (ch == '\0')
                break;
            continue;
        }
        in_word = 1;
        if (ch == '\'') {
            const char *end = strchr(p + 1, '\'');
            if (!end) {
                snprintf(err, errlen, "the command has an unmatched '");
                goto out_free;
            }
            memcpy(cur + len, p + 1, (size_t)(end - p - 1));
            len += (size_t)(end - p - 1);
            p = end;
        } else if (ch == '"') {
            for (p++; *p && *p != '"'; p++) {
                if (*p == '\\' && p[1] && strchr("\"\\$`\n", p[1])) {
                    p++;
                } else if (*p == '$' || *p == '`') {
                    snprintf(err, errlen, "the command has '%c' inside \"...\", which only "
                             "a shell expands: add --shell, or use '...' for a literal %c",
                             *p, *p);
                    goto out_free;
                }
                cur[len++] = *p;
            }
            if (!*p) {
                snprintf(err, errlen, "the command has an unmatched \"");
                goto out_free;
            }
        } else if (ch == '\\') {
            if (!p[1]) {
                snprintf(err, errlen, "the command ends in a lone backslash");
                goto out_free;
            }
            cur[len++] = *++p;
        } else if (strchr(SHELL_SPECIAL, ch) || ((ch == '~' || ch == '#') && len == 0)) {
            snprintf(err, errlen, "the command has '%c' outside quotes, which only a "
                     "shell understands: add --shell to run it through /bin/sh -c, "
                     "or quote it", ch);
            goto out_free;
        } else {
            cur[len++] = ch;
        }
    }
    free(cur);
    return sort_words(w, n, 0, c, err, errlen);
out_of_memory:
    snprintf(err, errlen, "out of memory");
out_free:
    free(cur);
    exec_strv_free(w);
    return -1;
}

int exec_cmd_from_argv(char **argv, int n, int shell, struct exec_cmd *c,
                       char *err, size_t errlen)
{
    char **w = NULL;
    size_t nw = 0;
    memset(c, 0, sizeof *c);
    if (shell && n > 1) {
        snprintf(err, errlen, "with --shell give the command as one argument "
                 "(quote it), not %d", n);
        return -1;
    }
    if (n == 0 || (shell && argv[0][strspn(argv[0], " \t\n")] == '\0')) {
        snprintf(err, errlen, "the command is empty");
        return -1;
    }
    for (int i = 0; i < n; i++) {
        char *word = strdup(argv[i]);
        if (!word || push(&w, &nw, word)) {
            free(word);
            exec_strv_free(w);
            snprintf(err, errlen, word ? "the command has more than %d words"
                                       : "out of memory", EXEC_MAX_WORDS);
            return -1;
        }
    }
    return sort_words(w, nw, shell, c, err, errlen);
}

/* The length of a placeholder name at s ({ already passed), ending in }. */
static size_t name_len(const char *s)
{
    size_t n = 0;
    if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
        return 0;
    while ((s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= 'a' && s[n] <= 'z')
           || (s[n] >= '0' && s[n] <= '9') || s[n] == '_')
        n++;
    return s[n] == '}' && n <= EXEC_NAME_MAX ? n : 0;
}

char *exec_subst(const char *tmpl, const struct exec_dict *d, unsigned *used,
                 char *err, size_t errlen)
{
    size_t cap = strlen(tmpl) + 1, len = 0;
    char *out = malloc(cap);
    if (!out)
        goto out_of_memory;
    for (const char *p = tmpl; *p;) {
        const char *add = p;
        size_t addlen = 1, skip = 1, n;
        if (p[0] == '{' && p[1] == '{') {
            skip = 2;
        } else if (p[0] == '{' && (n = name_len(p + 1)) > 0) {
            int k = 0;
            while (k < d->n && !(strlen(d->name[k]) == n
                                 && strncmp(d->name[k], p + 1, n) == 0))
                k++;
            if (k == d->n) {
                snprintf(err, errlen, "unknown placeholder {%.*s} (there are {workers} "
                         "{threads} {ranks} {nodes} {size} {total_size} {rep} and "
                         "{KEY} of each --param; {{ is a literal {)", (int)n, p + 1);
                free(out);
                return NULL;
            }
            if (used)
                *used |= 1u << k;
            add = d->value[k];
            addlen = strlen(add);
            skip = n + 2;
        }
        if (len + addlen + 1 > cap) {
            cap = 2 * (len + addlen + 1);
            char *grown = realloc(out, cap);
            if (!grown) {
                free(out);
                goto out_of_memory;
            }
            out = grown;
        }
        memcpy(out + len, add, addlen);
        len += addlen;
        p += skip;
    }
    out[len] = '\0';
    return out;
out_of_memory:
    snprintf(err, errlen, "out of memory");
    return NULL;
}

int exec_cmd_check(const struct exec_cmd *c, const struct exec_dict *d,
                   unsigned *used, char *err, size_t errlen)
{
    unsigned u = 0;
    for (size_t i = 0; i < c->nenv + c->nwords; i++) {
        char *s = exec_subst(i < c->nenv ? c->env[i] : c->words[i - c->nenv], d, &u,
                             err, errlen);
        if (!s)
            return -1;
        free(s);
    }
    *used |= u;
    return 0;
}

int exec_cmd_expand(const struct exec_cmd *c, const struct exec_dict *d,
                    char ***argv, char ***env, char *err, size_t errlen)
{
    char **a = NULL, **e = NULL;
    size_t na = 0, ne = 0;
    static char sh[] = "/bin/sh", dash_c[] = "-c";
    if (c->shell) {
        char *s1 = strdup(sh), *s2 = strdup(dash_c);
        if (!s1 || push(&a, &na, s1)) {
            free(s1);
            free(s2);
            goto out_of_memory;
        }
        if (!s2 || push(&a, &na, s2)) {
            free(s2);
            goto out_of_memory;
        }
    }
    for (size_t i = 0; i < c->nenv + c->nwords; i++) {
        int is_env = i < c->nenv;
        char *s = exec_subst(is_env ? c->env[i] : c->words[i - c->nenv], d, NULL,
                             err, errlen);
        if (!s)
            goto out_free;
        if (is_env ? push(&e, &ne, s) : push(&a, &na, s)) {
            free(s);
            goto out_of_memory;
        }
    }
    if (!e && !(e = calloc(1, sizeof *e)))
        goto out_of_memory;
    *argv = a;
    *env = e;
    return 0;
out_of_memory:
    snprintf(err, errlen, "out of memory");
out_free:
    exec_strv_free(a);
    exec_strv_free(e);
    return -1;
}

char *exec_cmd_which(const struct exec_cmd *c, char **env, const char *dir)
{
    if (c->shell)
        return NULL;
    const char *prog = c->words[0];
    if (strchr(prog, '/')) {
        char *path = NULL;
        if (prog[0] != '/' && dir && asprintf(&path, "%s/%s", dir, prog) < 0)
            return NULL;
        const char *p = path ? path : prog;
        char *real = access(p, X_OK) == 0 ? realpath(p, NULL) : NULL;
        free(path);
        return real;
    }
    const char *path = getenv("PATH");
    for (size_t i = 0; env && env[i]; i++)
        if (strncmp(env[i], "PATH=", 5) == 0)
            path = env[i] + 5;
    if (!path)
        path = "/usr/local/bin:/usr/bin:/bin";
    size_t plen = strlen(prog);
    for (const char *dir = path;; dir += strcspn(dir, ":") + 1) {
        size_t dlen = strcspn(dir, ":");
        char *cand = malloc(dlen + plen + 3);
        if (!cand)
            return NULL;
        snprintf(cand, dlen + plen + 3, "%.*s/%s", (int)dlen, dlen ? dir : ".", prog);
        if (access(cand, X_OK) == 0) {
            char *real = realpath(cand, NULL);
            free(cand);
            return real;
        }
        free(cand);
        if (dir[dlen] == '\0')
            return NULL;
    }
}
