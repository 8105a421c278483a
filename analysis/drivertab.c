/*
 * drivertab.c — reads share/drivers.csv (a header line naming the columns,
 * then one row per driver; plain CSV, no quotes).
 */
#define _POSIX_C_SOURCE 200809L

#include "drivertab.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv.h"
#include "store.h"

#define MAX_FIELDS 16
#define UNKNOWN_ORDER 1000
#define UNKNOWN_COLOR "#777777"
#define UNKNOWN_POINT 3

static const char *const wanted[] = {
    "driver", "order", "family", "workers_are", "launch", "color", "point", "label",
};
enum { W_DRIVER, W_ORDER, W_FAMILY, W_WORKERS, W_LAUNCH, W_COLOR, W_POINT, W_LABEL,
       W_COUNT };

static int add(struct drivers *d, const struct driver_info *row)
{
    if (store_reserve((void **)&d->v, &d->cap, d->n, sizeof *d->v, 16) != 0)
        return -1;
    d->v[d->n++] = *row;
    return 0;
}

/* Reads the whole file into d->text; returns 0 or -1 (errno set). */
static int slurp(struct drivers *d, const char *path)
{
    FILE *fp = fopen(path, "r");
    if (fp == NULL)
        return -1;
    size_t cap = 0, len = 0;
    char buf[4096];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, fp)) > 0) {
        if (len + got + 1 > cap) {
            cap = 2 * (len + got + 1);
            char *t = realloc(d->text, cap);
            if (t == NULL) {
                fclose(fp);
                errno = ENOMEM;
                return -1;
            }
            d->text = t;
        }
        memcpy(d->text + len, buf, got);
        len += got;
    }
    int bad = ferror(fp);
    fclose(fp);
    if (bad) {
        errno = EIO;
        return -1;
    }
    if (d->text == NULL && (d->text = malloc(1)) == NULL)
        return -1;
    d->text[len] = '\0';
    return 0;
}

static int parse_int_field(const char *s, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || errno != 0 || v < 0 || v > INT_MAX)
        return -1;
    *out = (int)v;
    return 0;
}

int drivers_load(struct drivers *d, const char *path)
{
    memset(d, 0, sizeof *d);
    if (slurp(d, path) != 0) {
        fprintf(stderr, "%s: cannot read the driver table '%s': %s\n", PROG, path,
                strerror(errno));
        return EXIT_USAGE;
    }
    int where[W_COUNT];
    unsigned long lineno = 0;
    char *save = NULL;
    for (char *line = strtok_r(d->text, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        char *f[MAX_FIELDS];
        lineno++;
        size_t n = csv_split(line, f, MAX_FIELDS);
        if (n > MAX_FIELDS)
            n = MAX_FIELDS;
        if (lineno == 1) {
            for (int w = 0; w < W_COUNT; w++) {
                where[w] = -1;
                for (size_t i = 0; i < n; i++)
                    if (strcmp(f[i], wanted[w]) == 0)
                        where[w] = (int)i;
                if (where[w] < 0) {
                    fprintf(stderr, "%s: %s:1: the driver table has no column '%s'\n",
                            PROG, path, wanted[w]);
                    return EXIT_USAGE;
                }
            }
            continue;
        }
        struct driver_info row;
        const char *v[W_COUNT];
        for (int w = 0; w < W_COUNT; w++)
            v[w] = (size_t)where[w] < n ? f[where[w]] : "";
        row.name = v[W_DRIVER];
        row.family = v[W_FAMILY];
        row.workers_are = v[W_WORKERS];
        row.launch = v[W_LAUNCH];
        row.color = v[W_COLOR];
        row.label = v[W_LABEL];
        if (*row.name == '\0' || parse_int_field(v[W_ORDER], &row.order) != 0
            || parse_int_field(v[W_POINT], &row.point) != 0) {
            fprintf(stderr, "%s: %s:%lu: a driver row needs a name and integer order "
                    "and point\n", PROG, path, lineno);
            return EXIT_USAGE;
        }
        if (add(d, &row) != 0) {
            fprintf(stderr, "%s: out of memory\n", PROG);
            return EXIT_FAULT;
        }
    }
    return EXIT_OK;
}

const struct driver_info *drivers_get(struct drivers *d, const char *name)
{
    for (size_t i = 0; i < d->n; i++)
        if (strcmp(d->v[i].name, name) == 0)
            return &d->v[i];
    struct driver_info row = {name, UNKNOWN_ORDER + (int)d->n, "other", "",
                              "direct", UNKNOWN_COLOR, UNKNOWN_POINT, name};
    if (add(d, &row) != 0)
        return NULL;
    return &d->v[d->n - 1];
}

void drivers_free(struct drivers *d)
{
    free(d->v);
    free(d->text);
    memset(d, 0, sizeof *d);
}

const char *drivers_default_path(const char *argv0, char *buf, size_t len)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        snprintf(buf, len, "%s/../share/parscale/drivers.csv", dirname(exe));
        if (access(buf, R_OK) == 0)
            return buf;
    }
    (void)argv0;
    snprintf(buf, len, "%s", PARSCALE_SOURCE_DIR "/share/drivers.csv");
    return buf;
}
