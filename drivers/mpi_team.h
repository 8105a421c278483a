/*
 * mpi_team.h - the team on MPI ranks: messages instead of shared memory.
 */
#ifndef PARSCALE_MPI_TEAM_H
#define PARSCALE_MPI_TEAM_H

#include <mpi.h>

#include "team.h"

struct ps_team {
    MPI_Comm comm;
    int rank, size;
    const struct ps_sched *sched;
    MPI_Win queue_win;          /* one counter on rank 0 (dynamic schedule) */
    uint64_t *queue;
    MPI_Win ctr_win;            /* shared counters, dealt round-robin */
    uint64_t *ctr;
    size_t ncounters, nlocal;
};

/* Collective over comm.  Returns 0, or -1 if a window cannot be made. */
int mpi_team_init(struct ps_team *t, MPI_Comm comm, const struct ps_sched *s);
/* Collective: free the windows. */
void mpi_team_free(struct ps_team *t);

#endif
