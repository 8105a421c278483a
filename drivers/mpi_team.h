/*
 * mpi_team.h - the team on MPI ranks: one worker per rank.
 */
#ifndef PARSCALE_MPI_TEAM_H
#define PARSCALE_MPI_TEAM_H

#include "mpi_level.h"

struct ps_team {
    struct mpi_level l;
    const struct ps_sched *sched;
    struct ps_acct acct;       /* this rank's time accounting */
};

#endif
