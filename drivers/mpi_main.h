/*
 * mpi_main.h - the main() shared by the drivers whose workers are MPI
 * ranks (parscale-mpi) or MPI ranks x OpenMP threads (parscale-hybrid).
 */
#ifndef PARSCALE_MPI_MAIN_H
#define PARSCALE_MPI_MAIN_H

#include "common.h"

struct ps_mpi_driver {
    struct ps_driver info;
    int thread_level;          /* the MPI thread support it needs */
    /* Threads each rank runs, from the options (and the environment). */
    int (*threads)(const struct ps_opts *o);
    /* Run j on this rank's `threads` workers (collective over all ranks);
     * worker t of this rank writes its CPUs to out->affinity[t]. */
    void (*run)(const struct ps_opts *o, const struct ps_job *j,
                struct ps_outcome *out, int threads);
    /* Append the runtime's settings to env (ps_env_add), after the run;
     * NULL: none. */
    void (*runtime_env)(char *env);
};

/* Init MPI, parse, plan, run, report on rank 0.  Every rank returns the
 * same exit code. */
int ps_mpi_main(int argc, char **argv, const struct ps_mpi_driver *d);

#endif
