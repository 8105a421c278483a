/*
 * hybrid_team.h - the team for MPI ranks x OpenMP threads.  Worker
 * rank * threads + thread; row blocks and reductions follow that order.
 */
#ifndef PARSCALE_HYBRID_TEAM_H
#define PARSCALE_HYBRID_TEAM_H

#include "mpi_level.h"

/* What one rank's threads share. */
struct hybrid_node {
    struct mpi_level l;
    int threads;
    uint64_t *red;       /* [2][threads][RED_CHUNK] thread slots */
    uint64_t *red_out;   /* [2][RED_CHUNK] the rank's combined values */
    double *halo;        /* [2][threads][2][HALO_CHUNK] first/last rows */
    double *ext;         /* [2][2][HALO_CHUNK] rows from the ranks above/below */
    uint64_t *ctr_out;   /* counters read back, for every thread to copy */
    int ctr_rc;
};

struct ps_team {
    struct hybrid_node *node;
    int tid;
    const struct ps_sched *sched;
    unsigned red_round, halo_round;
    struct ps_acct acct;       /* this thread's time accounting */
};

/* Collective over comm, before the parallel region: make the shared part
 * for `threads` threads.  Returns 0, or -1 when out of memory. */
int hybrid_node_init(struct hybrid_node *n, MPI_Comm comm, int threads, int dynamic);
/* Collective: free it. */
void hybrid_node_free(struct hybrid_node *n);

#endif
