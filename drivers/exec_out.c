/*
 * exec_out.c - what a program's output says about its own time: the first
 * capture group of --metric's first match, or the column --metric-csv
 * names of the first CSV row after the header line that holds it.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec.h"

#define SHOW_MAX 40            /* characters of a bad value quoted */
#define CSV_FIELDS_MAX 1024

/* The n characters at s as seconds (times the --metric-unit); -1 if they
 * are not a finite number above 0. */
static double to_seconds(const struct exec_opts *o, const char *s, size_t n,
                         char *err, size_t errlen)
{
    char buf[64], *end;
    while (n && (*s == ' ' || *s == '\t' || *s == '"')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '"' || s[n - 1] == '\r'))
        n--;
    if (n == 0 || n >= sizeof buf) {
        snprintf(err, errlen, "the program's time '%.*s' is not a number", SHOW_MAX,
                 n ? s : "");
        return -1;
    }
    memcpy(buf, s, n);
    buf[n] = '\0';
    errno = 0;
    double v = strtod(buf, &end);
    if (end == buf || *end || errno == ERANGE || !isfinite(v) || v <= 0) {
        snprintf(err, errlen, "the program's time '%s' is not a number above 0", buf);
        return -1;
    }
    return v * o->metric_scale;
}

/* Field k (from 0) of the comma-separated line [s, e): *fs, *fn. */
static int csv_field(const char *s, const char *e, int k, const char **fs, size_t *fn)
{
    for (int i = 0;; i++) {
        const char *c = memchr(s, ',', (size_t)(e - s));
        const char *stop = c ? c : e;
        if (i == k) {
            *fs = s;
            *fn = (size_t)(stop - s);
            return 0;
        }
        if (!c)
            return -1;
        s = c + 1;
    }
}

/* Does field [s, s+n) name col (blanks and double quotes around it aside)? */
static int names(const char *s, size_t n, const char *col)
{
    while (n && (*s == ' ' || *s == '"')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '"' || s[n - 1] == '\r'))
        n--;
    return n == strlen(col) && strncmp(s, col, n) == 0;
}

static double from_csv(const struct exec_opts *o, const char *text, char *err,
                       size_t errlen)
{
    const char *line = text;
    int k = -1;
    while (*line) {
        const char *e = line + strcspn(line, "\n");
        if (k < 0) {
            const char *fs;
            size_t fn;
            for (int i = 0; i < CSV_FIELDS_MAX && csv_field(line, e, i, &fs, &fn) == 0; i++)
                if (names(fs, fn, o->metric_csv)) {
                    k = i;
                    break;
                }
        } else if (e > line && !(e == line + 1 && *line == '\r')) {
            const char *fs;
            size_t fn;
            if (csv_field(line, e, k, &fs, &fn) != 0) {
                snprintf(err, errlen, "the CSV row after the header has no column %d "
                         "('%s')", k + 1, o->metric_csv);
                return -1;
            }
            return to_seconds(o, fs, fn, err, errlen);
        }
        line = *e ? e + 1 : e;
    }
    snprintf(err, errlen, k < 0 ? "--metric-csv: no CSV header with a column '%s' in %s"
                                : "--metric-csv: no row after the header naming '%s' in %s",
             o->metric_csv, o->from == FROM_STDERR ? "stderr" : "stdout");
    return -1;
}

double exec_metric(const struct exec_opts *o, const char *text, char *err, size_t errlen)
{
    if (o->metric_csv)
        return from_csv(o, text, err, errlen);
    regmatch_t m[2];
    if (regexec(&o->metric, text, 2, m, 0) != 0) {
        snprintf(err, errlen, "--metric '%.*s' matched nothing in %s", SHOW_MAX,
                 o->metric_text, o->from == FROM_STDERR ? "stderr" : "stdout");
        return -1;
    }
    if (m[1].rm_so < 0) {
        snprintf(err, errlen, "--metric '%.*s' matched, but not its first group", SHOW_MAX,
                 o->metric_text);
        return -1;
    }
    return to_seconds(o, text + m[1].rm_so, (size_t)(m[1].rm_eo - m[1].rm_so), err, errlen);
}
