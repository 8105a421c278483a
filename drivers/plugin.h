/*
 * plugin.h - kernels from libraries of their own: loaded at start-up from
 * --kernel-lib, PARSCALE_KERNEL_PATH and the plugins folder beside the
 * program, then found by name like the built-in kernels (plugin.c).
 */
#ifndef PARSCALE_PLUGIN_H
#define PARSCALE_PLUGIN_H

#include <stddef.h>

#include "parscale/kernel.h"

/* The environment variable of kernel libraries and folders, ':'-separated. */
#define PS_PLUGIN_PATH_ENV "PARSCALE_KERNEL_PATH"
/* The most --kernel-lib options one command line may give. */
#define PS_PLUGIN_MAX_ARGS 32

struct ps_driver;

/*
 * Load, in this order, the libraries named by paths[0..n) (--kernel-lib),
 * by PARSCALE_KERNEL_PATH, and the *.so files of the plugins folder beside
 * the program (when there is one).  A path names a library or a folder
 * whose *.so files are loaded in name order.  A library already loaded is
 * skipped.  Every kernel a library names must be well formed, fit driver
 * d's parameters, and not share its name with a built-in or another loaded
 * kernel.  Returns 0, or -1 with a one-line message in err.
 */
int ps_plugins_load(const char *const *paths, int n, const struct ps_driver *d,
                    char *err, size_t errlen);

/* The loaded kernel called name, or NULL. */
const struct ps_kernel *ps_plugin_find(const char *name);
/* The i-th loaded kernel, in load order; NULL past the last. */
const struct ps_kernel *ps_plugin_at(size_t i);
/* The library kernel k came from (its real path) and that file's SHA-256
 * in hex, into *path and *sha256; both NULL for a built-in kernel. */
void ps_plugin_source(const struct ps_kernel *k, const char **path,
                      const char **sha256);

#endif
