/*
 * omp_env.c - the OpenMP settings that shape a run, for the runtime_env
 * column of the openmp and hybrid drivers.  A variable the user set is
 * recorded as set; otherwise what the runtime reports (omp_get_proc_bind,
 * omp_get_dynamic), or "unset" where OpenMP has no query (the wait policy:
 * libgomp then spins a while before it sleeps; OMP_PLACES: no places).
 * Call it after the driver's own omp_set_dynamic(0).
 */
#include <omp.h>
#include <stdlib.h>

#include "common.h"

/* omp_get_proc_bind()'s answer by name. */
static const char *proc_bind_name(omp_proc_bind_t b)
{
    switch (b) {
    case omp_proc_bind_false: return "false";
    case omp_proc_bind_true: return "true";
    case omp_proc_bind_master: return "master";
    case omp_proc_bind_close: return "close";
    case omp_proc_bind_spread: return "spread";
    }
    return "unknown";
}

/* The variable's value when set, else fallback. */
static const char *env_or(const char *name, const char *fallback)
{
    const char *v = getenv(name);
    return v && *v ? v : fallback;
}

void ps_omp_env(char *env)
{
    ps_env_add(env, "OMP_WAIT_POLICY", env_or("OMP_WAIT_POLICY", "unset"));
    ps_env_add(env, "OMP_PROC_BIND",
               env_or("OMP_PROC_BIND", proc_bind_name(omp_get_proc_bind())));
    ps_env_add(env, "OMP_PLACES", env_or("OMP_PLACES", "unset"));
    /* the drivers turn dynamic adjustment off whatever OMP_DYNAMIC says */
    ps_env_add(env, "OMP_DYNAMIC", omp_get_dynamic() ? "true" : "false");
    if (getenv("GOMP_SPINCOUNT"))
        ps_env_add(env, "GOMP_SPINCOUNT", getenv("GOMP_SPINCOUNT"));
}
