/*
 * hybrid_team.c - ps_* for MPI ranks x OpenMP threads.
 *
 * Inside a rank, threads exchange through double-buffered slots and OpenMP
 * barriers, as in the shared-memory team; between ranks, the master thread
 * makes the MPI call (mpi_level.c) between two OpenMP barriers.  The calls
 * any thread may make at any time (dynamic queue, counter updates) go
 * through one named critical section, so MPI_THREAD_SERIALIZED suffices:
 * no two threads of a rank are ever inside MPI at once.  Each thread
 * times its own team calls (acct.h).
 */
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "hybrid_team.h"

#define RED_CHUNK 512
#define HALO_CHUNK 32768

int hybrid_node_init(struct hybrid_node *n, MPI_Comm comm, int threads, int dynamic)
{
    size_t t = (size_t)threads;
    memset(n, 0, sizeof *n);
    mpi_level_init(&n->l, comm, dynamic);
    n->threads = threads;
    n->red = malloc(2 * t * RED_CHUNK * sizeof *n->red);
    n->red_out = malloc(2 * RED_CHUNK * sizeof *n->red_out);
    n->halo = malloc(2 * t * 2 * HALO_CHUNK * sizeof *n->halo);
    n->ext = malloc(2 * 2 * HALO_CHUNK * sizeof *n->ext);
    return n->red && n->red_out && n->halo && n->ext ? 0 : -1;
}

void hybrid_node_free(struct hybrid_node *n)
{
    mpi_level_free(&n->l);
    free(n->red);
    free(n->red_out);
    free(n->halo);
    free(n->ext);
    free(n->ctr_out);
}

int ps_rank(const ps_team *t) { return t->node->l.rank * t->node->threads + t->tid; }
int ps_size(const ps_team *t) { return t->node->l.size * t->node->threads; }
const struct ps_sched *ps_team_sched(const ps_team *t) { return t->sched; }
struct ps_acct *ps_team_acct(ps_team *t) { return &t->acct; }

/* Every thread of every rank: OpenMP barrier, MPI_Barrier, OpenMP barrier. */
static void node_barrier(ps_team *t)
{
#pragma omp barrier
#pragma omp master
    mpi_level_barrier(&t->node->l);
#pragma omp barrier
}

void ps_barrier(ps_team *t)
{
    ps_acct_enter(&t->acct);
    node_barrier(t);
    ps_acct_leave(&t->acct);
}

/* The threads of a rank meet in an OpenMP barrier (libgomp spins a while,
 * then sleeps), the ranks in MPI_Barrier; MPI_Init dominates start-up. */
void ps_team_start_barrier(ps_team *t) { node_barrier(t); }

/* Combine over the rank's threads, then over the ranks. */
void ps_team_allreduce(ps_team *t, void *v, size_t n, int is_f64, enum ps_op op)
{
    struct hybrid_node *nd = t->node;
    size_t threads = (size_t)nd->threads;
    ps_acct_enter(&t->acct);
    for (size_t off = 0; off < n; off += RED_CHUNK) {
        size_t m = n - off < RED_CHUNK ? n - off : RED_CHUNK;
        unsigned par = t->red_round++ & 1;
        uint64_t *slots = nd->red + par * threads * RED_CHUNK;
        uint64_t *rank_sum = nd->red_out + par * RED_CHUNK;
        char *mine = (char *)v + off * sizeof(uint64_t);
        memcpy(slots + (size_t)t->tid * RED_CHUNK, mine, m * sizeof(uint64_t));
#pragma omp barrier
#pragma omp master
        {
            memcpy(rank_sum, slots, m * sizeof(uint64_t));
            for (size_t r = 1; r < threads; r++)
                ps_combine(rank_sum, slots + r * RED_CHUNK, m, is_f64, op);
            mpi_level_allreduce(&nd->l, rank_sum, m, is_f64, op);
        }
#pragma omp barrier
        memcpy(mine, rank_sum, m * sizeof(uint64_t));
    }
    ps_acct_leave(&t->acct);
}

void ps_halo(ps_team *t, size_t n, const double *first, const double *last,
             double *above, double *below)
{
    struct hybrid_node *nd = t->node;
    size_t threads = (size_t)nd->threads, me = (size_t)t->tid;
    ps_acct_enter(&t->acct);
    for (size_t off = 0; off < n; off += HALO_CHUNK) {
        size_t m = n - off < HALO_CHUNK ? n - off : HALO_CHUNK;
        unsigned par = t->halo_round++ & 1;
        double *slots = nd->halo + par * threads * 2 * HALO_CHUNK;
        double *from_above = nd->ext + par * 2 * HALO_CHUNK;
        double *from_below = from_above + HALO_CHUNK;
        memcpy(slots + 2 * me * HALO_CHUNK, first + off, m * sizeof(double));
        memcpy(slots + (2 * me + 1) * HALO_CHUNK, last + off, m * sizeof(double));
#pragma omp barrier
#pragma omp master
        mpi_level_halo(&nd->l, m, slots, slots + (2 * (threads - 1) + 1) * HALO_CHUNK,
                       from_above, from_below);
#pragma omp barrier
        if (me > 0)
            memcpy(above + off, slots + (2 * (me - 1) + 1) * HALO_CHUNK, m * sizeof(double));
        else if (nd->l.rank > 0)
            memcpy(above + off, from_above, m * sizeof(double));
        if (me + 1 < threads)
            memcpy(below + off, slots + 2 * (me + 1) * HALO_CHUNK, m * sizeof(double));
        else if (nd->l.rank + 1 < nd->l.size)
            memcpy(below + off, from_below, m * sizeof(double));
    }
    ps_acct_leave(&t->acct);
}

void ps_team_queue_reset(ps_team *t)
{
    ps_acct_enter(&t->acct);
#pragma omp barrier
#pragma omp master
    mpi_level_queue_reset(&t->node->l);
#pragma omp barrier
    ps_acct_leave(&t->acct);
}

/* Grabs and counter updates may be one per item: sampled (acct.h). */
uint64_t ps_team_queue_take(ps_team *t, uint64_t chunk)
{
    uint64_t first;
    struct ps_acct_call c = ps_acct_call_begin(&t->acct);
    if (c.state == 2)
        ps_acct_call_start(&c);
#pragma omp critical(parscale_mpi)
    first = mpi_level_queue_take(&t->node->l, chunk);
    ps_acct_call_end(&t->acct, c);
    return first;
}

int ps_counters_create(ps_team *t, size_t n)
{
    struct hybrid_node *nd = t->node;
    ps_acct_enter(&t->acct);
#pragma omp barrier
#pragma omp master
    {
        nd->ctr_out = malloc((n ? n : 1) * sizeof *nd->ctr_out);
        nd->ctr_rc = mpi_level_counters_create(&nd->l, n);
        if (!nd->ctr_out)
            nd->ctr_rc = -1;
    }
#pragma omp barrier
    ps_acct_leave(&t->acct);
    return nd->ctr_rc;
}

void ps_counter_add(ps_team *t, size_t i, uint64_t v)
{
    struct ps_acct_call c = ps_acct_call_begin(&t->acct);
    if (c.state == 2)
        ps_acct_call_start(&c);
#pragma omp critical(parscale_mpi)
    mpi_level_counter_add(&t->node->l, i, v);
    ps_acct_call_end(&t->acct, c);
}

void ps_counters_zero(ps_team *t)
{
    ps_acct_enter(&t->acct);
#pragma omp barrier
#pragma omp master
    mpi_level_counters_zero(&t->node->l);
#pragma omp barrier
    ps_acct_leave(&t->acct);
}

void ps_counters_read(ps_team *t, uint64_t *out)
{
    struct hybrid_node *nd = t->node;
    ps_acct_enter(&t->acct);
#pragma omp barrier
#pragma omp master
    mpi_level_counters_read(&nd->l, nd->ctr_out);
#pragma omp barrier
    memcpy(out, nd->ctr_out, nd->l.ncounters * sizeof *out);
#pragma omp barrier
    ps_acct_leave(&t->acct);
}
