/*
 * plugin.c - kernels from shared objects of their own.
 *
 * A kernel library (PS_PLUGIN in kernel.h) is opened with dlopen and its
 * ps_plugin_info read: the kernel.h it was built with must match this
 * one's, and every descriptor it names is checked before a driver may use
 * it, since a bad one would corrupt the CSV or crash a run.  The library's
 * calls to the team (ps_rank, ps_halo, ...) resolve to the driver's own:
 * the executables export them (ENABLE_EXPORTS), and libparscale_py.so,
 * which Python loads privately, makes its symbols global first.
 * Libraries are never closed: their descriptors live as long as the run.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common.h"
#include "plugin.h"
#include "sha256.h"

#define NAME_MAX_LEN 32        /* a kernel's or parameter's name */
#define NAME_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_"
/* The plugins folder beside the program: in the build tree, and from an
 * installed bin/ (or lib/parscale/ for libparscale_py.so). */
#ifndef PS_PLUGIN_DIR_FROM_BIN
#define PS_PLUGIN_DIR_FROM_BIN "../lib/parscale/plugins"
#endif
static const char *const beside_program[] = { "plugins", PS_PLUGIN_DIR_FROM_BIN };

struct library {
    char *path;                    /* real path */
    char sha256[PS_SHA256_HEX];
};

struct loaded {
    const struct ps_kernel *kernel;
    size_t lib;                    /* index in libs */
};

static struct library *libs;
static size_t nlibs;
static struct loaded *kernels;
static size_t nkernels;

const struct ps_kernel *ps_plugin_find(const char *name)
{
    for (size_t i = 0; i < nkernels; i++)
        if (strcmp(kernels[i].kernel->name, name) == 0)
            return kernels[i].kernel;
    return NULL;
}

const struct ps_kernel *ps_plugin_at(size_t i)
{
    return i < nkernels ? kernels[i].kernel : NULL;
}

/* The library kernel k came from, or NULL. */
static const struct library *library_of(const struct ps_kernel *k)
{
    for (size_t i = 0; i < nkernels; i++)
        if (kernels[i].kernel == k)
            return &libs[kernels[i].lib];
    return NULL;
}

void ps_plugin_source(const struct ps_kernel *k, const char **path, const char **sha256)
{
    const struct library *lib = library_of(k);
    *path = lib ? lib->path : NULL;
    *sha256 = lib ? lib->sha256 : NULL;
}

/* 1 if s is 1..NAME_MAX_LEN characters of [A-Za-z0-9_] plus `extra`, not
 * starting with one of `extra`. */
static int good_name(const char *s, const char *extra)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > NAME_MAX_LEN || strchr(extra, s[0]))
        return 0;
    for (const char *c = s; *c; c++)
        if (!strchr(NAME_CHARS, *c) && !strchr(extra, *c))
            return 0;
    return 1;
}

/* 1 if s is text a CSV field or a one-line message can hold. */
static int plain_text(const char *s)
{
    if (!s)
        return 0;
    for (const unsigned char *c = (const unsigned char *)s; *c; c++)
        if (*c < ' ' || *c == 0x7f || *c == ',' || *c == '"')
            return 0;
    return 1;
}

/* Check one parameter; NULL if it is well formed, else what is wrong. */
static const char *bad_param(const struct ps_param *p)
{
    if (!good_name(p->name, ""))
        return "a parameter name is not 1 to 32 characters of [A-Za-z0-9_]";
    if (p->type != PS_PINT && p->type != PS_PREAL && p->type != PS_PCHOICE)
        return "a parameter has no valid type";
    if (!p->def || !plain_text(p->def) || !p->help || !plain_text(p->help))
        return "a parameter lacks a default or help text, or they hold ',' '\"' "
               "or control characters";
    if (p->type == PS_PCHOICE) {
        if (!p->choices || !good_name(p->choices, "|.+-") || strstr(p->choices, "||") ||
            p->choices[strlen(p->choices) - 1] == '|')
            return "a choice parameter's choices are not names joined by '|'";
    } else if (!(p->min <= p->max)) {
        return "a parameter's min is above its max";
    }
    return NULL;
}

/* Check one kernel descriptor against driver d; NULL if it is usable,
 * else what is wrong. */
static const char *bad_kernel(const struct ps_kernel *k, const struct ps_driver *d)
{
    int nk = 0, nd = 0;
    if (!good_name(k->name, ".-"))
        return "its name is not 1 to 32 characters of [A-Za-z0-9_.-]";
    if (!plain_text(k->summary) || !plain_text(k->size_unit))
        return "its summary or size_unit is missing or holds ',' '\"' or control characters";
    if ((unsigned)k->cls > PS_PRIMITIVE || (unsigned)k->unit > PS_ITEMS)   /* the last of each */
        return "its class or work unit is not one of kernel.h's";
    if (k->dims != 1 && k->dims != 2)
        return "dims is neither 1 nor 2";
    if (k->min_size < 1 || k->default_size < k->min_size || k->default_size > PS_MAX_SIZE)
        return "it needs 1 <= min_size <= default_size <= 2^53";
    if (!k->memory || !k->work || !k->setup || !k->run || !k->check || !k->teardown)
        return "one of memory, work, setup, run, check, teardown is NULL";
    if (!k->params)
        return "params is NULL (end the table with a { NULL } row)";
    for (; k->params[nk].name; nk++) {
        const char *why = nk < PS_MAX_PARAMS ? bad_param(&k->params[nk]) : NULL;
        if (why)
            return why;
        for (int i = 0; i < nk; i++)
            if (strcmp(k->params[i].name, k->params[nk].name) == 0)
                return "two parameters share a name";
    }
    for (; d && d->params && d->params[nd].name; nd++)
        for (int i = 0; i < nk && i < PS_MAX_PARAMS; i++)
            if (strcmp(k->params[i].name, d->params[nd].name) == 0)
                return "a parameter has the name of one of the driver's own";
    if (nk + nd > PS_MAX_PARAMS)
        return nd ? "it has more parameters than this driver leaves room for"
                  : "it has more than PS_MAX_PARAMS parameters";
    return NULL;
}

/* The real path of the object holding this code: the executable, or
 * libparscale_py.so; *is_program says which.  0, or -1 if unknown. */
static int own_path(char *buf, size_t len, int *is_program)
{
    Dl_info self;
    struct link_map *map = NULL;
    char real[PATH_MAX];
    if (!dladdr1((void *)&ps_plugins_load, &self, (void **)&map, RTLD_DL_LINKMAP) ||
        !map)
        return -1;
    int program = !map->l_name || !map->l_name[0];
    *is_program = program;
    if (!realpath(program ? "/proc/self/exe" : map->l_name, real) ||
        snprintf(buf, len, "%s", real) >= (int)len)
        return -1;
    return 0;
}

/* Make the object holding this code's symbols global, so that a library
 * loaded next resolves the team calls to them: a no-op for an executable,
 * needed for libparscale_py.so, which ctypes opens with RTLD_LOCAL. */
static void share_own_symbols(void)
{
    static int done;
    char own[PATH_MAX];
    int program;
    if (done || own_path(own, sizeof own, &program))
        return;
    done = 1;
    if (!program)    /* an executable's symbols are global already */
        dlopen(own, RTLD_NOW | RTLD_NOLOAD | RTLD_GLOBAL);
}

/* Grow an array of n elements of size bytes by one; -1 if out of memory. */
static int grow(void **v, size_t n, size_t size)
{
    void *p = realloc(*v, (n + 1) * size);
    if (!p)
        return -1;
    *v = p;
    return 0;
}

/* Register the kernels of the library at real path `real`, opened as h. */
static int add_kernels(const char *real, const struct ps_plugin *info,
                       const struct ps_driver *d, char *err, size_t len)
{
    const struct ps_kernel *const *list = info->kernels;
    if (!list || !list[0]) {
        snprintf(err, len, "kernel library '%s' names no kernel in PS_PLUGIN", real);
        return -1;
    }
    if (grow((void **)&libs, nlibs, sizeof *libs))
        goto out_of_memory;
    size_t index = nlibs;
    struct library *lib = &libs[index];
    if (ps_sha256_file(real, lib->sha256)) {
        snprintf(err, len, "cannot read kernel library '%s': %s", real, strerror(errno));
        return -1;
    }
    lib->path = strdup(real);
    if (!lib->path)
        goto out_of_memory;
    nlibs++;
    for (size_t i = 0; list[i]; i++) {
        const struct ps_kernel *k = list[i];
        const char *why = bad_kernel(k, d);
        if (why) {
            snprintf(err, len, "kernel %zu of '%s' is not usable: %s", i + 1, real, why);
            return -1;
        }
        if (ps_kernel_find(k->name)) {
            snprintf(err, len, "kernel '%s' of '%s' has the name of a built-in "
                     "kernel: rename it", k->name, real);
            return -1;
        }
        if (ps_plugin_find(k->name)) {
            snprintf(err, len, "kernel '%s' of '%s' is also in '%s': load only one",
                     k->name, real, library_of(ps_plugin_find(k->name))->path);
            return -1;
        }
        if (grow((void **)&kernels, nkernels, sizeof *kernels))
            goto out_of_memory;
        kernels[nkernels].kernel = k;
        kernels[nkernels].lib = index;
        nkernels++;
    }
    return 0;
out_of_memory:
    snprintf(err, len, "out of memory loading kernel library '%s'", real);
    return -1;
}

/* Load the library at real path `real` unless it is loaded already. */
static int load_library(const char *real, const struct ps_driver *d, char *err, size_t len)
{
    for (size_t i = 0; i < nlibs; i++)
        if (strcmp(libs[i].path, real) == 0)
            return 0;
    if (!plain_text(real)) {
        snprintf(err, len, "kernel library path '%s' holds ',' '\"' or a control "
                 "character, which the CSV cannot record", real);
        return -1;
    }
    share_own_symbols();
    void *h = dlopen(real, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *why = dlerror();
        snprintf(err, len, "cannot load kernel library '%s': %s", real,
                 why ? why : "unknown error");
        return -1;
    }
    const struct ps_plugin *info = dlsym(h, PS_PLUGIN_SYMBOL);
    if (!info) {
        snprintf(err, len, "'%s' is not a parscale kernel library: it defines no %s "
                 "(end the kernel's file with PS_PLUGIN(&kernel))", real, PS_PLUGIN_SYMBOL);
        return -1;
    }
    if (info->abi != PS_PLUGIN_ABI || info->kernel_bytes != sizeof(struct ps_kernel) ||
        info->plan_bytes != sizeof(struct ps_plan)) {
        snprintf(err, len, "'%s' was built against another parscale kernel.h (plugin "
                 "ABI %d, descriptor %zu and plan %zu bytes; this driver has %d, %zu, "
                 "%zu): rebuild it", real, info->abi, info->kernel_bytes, info->plan_bytes,
                 PS_PLUGIN_ABI, sizeof(struct ps_kernel), sizeof(struct ps_plan));
        return -1;
    }
    return add_kernels(real, info, d, err, len);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Load the *.so files of folder dir (a real path), in name order. */
static int load_folder(const char *dir, const struct ps_driver *d, char *err, size_t len)
{
    DIR *f = opendir(dir);
    struct dirent *e;
    char **names = NULL, path[PATH_MAX], real[PATH_MAX];
    size_t n = 0;
    int rc = 0;
    struct stat st;
    if (!f) {
        snprintf(err, len, "cannot read kernel library folder '%s': %s", dir, strerror(errno));
        return -1;
    }
    while (rc == 0 && (e = readdir(f))) {
        size_t l = strlen(e->d_name);
        if (l < 4 || strcmp(e->d_name + l - 3, ".so") != 0 || e->d_name[0] == '.')
            continue;
        if (grow((void **)&names, n, sizeof *names) || !(names[n] = strdup(e->d_name))) {
            snprintf(err, len, "out of memory reading kernel library folder '%s'", dir);
            rc = -1;
            break;
        }
        n++;
    }
    closedir(f);
    if (n)
        qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++) {
        if (rc == 0 && snprintf(path, sizeof path, "%s/%s", dir, names[i]) < (int)sizeof path &&
            stat(path, &st) == 0 && S_ISREG(st.st_mode) && realpath(path, real))
            rc = load_library(real, d, err, len);
        free(names[i]);
    }
    free(names);
    return rc;
}

/* Load the library or folder at path; `what` says where the path came
 * from, for the message when it cannot be used. */
static int load_path(const char *path, const char *what, const struct ps_driver *d,
                     char *err, size_t len)
{
    char real[PATH_MAX];
    struct stat st;
    if (!realpath(path, real) || stat(real, &st) != 0) {
        snprintf(err, len, "cannot use kernel library '%s'%s: %s", path, what,
                 strerror(errno));
        return -1;
    }
    if (S_ISDIR(st.st_mode))
        return load_folder(real, d, err, len);
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, len, "kernel library '%s'%s is not a file or a folder", path, what);
        return -1;
    }
    return load_library(real, d, err, len);
}

/* Load the plugins folders beside the program, those that exist. */
static int load_beside_program(const struct ps_driver *d, char *err, size_t len)
{
    char own[PATH_MAX], dir[PATH_MAX], real[PATH_MAX];
    struct stat st;
    int program;
    if (own_path(own, sizeof own, &program))
        return 0;
    *strrchr(own, '/') = '\0';     /* a real path: absolute */
    for (size_t i = 0; i < sizeof beside_program / sizeof beside_program[0]; i++) {
        if (snprintf(dir, sizeof dir, "%s/%s", own, beside_program[i]) >= (int)sizeof dir ||
            !realpath(dir, real) || stat(real, &st) != 0 || !S_ISDIR(st.st_mode))
            continue;
        if (load_folder(real, d, err, len))
            return -1;
    }
    return 0;
}

int ps_plugins_load(const char *const *paths, int n, const struct ps_driver *d,
                    char *err, size_t errlen)
{
    for (int i = 0; i < n; i++)
        if (load_path(paths[i], "", d, err, errlen))
            return -1;
    const char *env = getenv(PS_PLUGIN_PATH_ENV);
    if (env && *env) {
        char *copy = strdup(env), *save = NULL;
        int rc = 0;
        if (!copy) {
            snprintf(err, errlen, "out of memory reading %s", PS_PLUGIN_PATH_ENV);
            return -1;
        }
        for (char *p = strtok_r(copy, ":", &save); p && rc == 0; p = strtok_r(NULL, ":", &save))
            rc = load_path(p, " (from " PS_PLUGIN_PATH_ENV ")", d, err, errlen);
        free(copy);
        if (rc)
            return -1;
    }
    return load_beside_program(d, err, errlen);
}
