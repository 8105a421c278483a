/*
 * loop.c - static and dynamic work distribution, for every team.
 * Only the dynamic queue itself (an atomic counter, or an MPI window)
 * differs between runtimes; it comes from ps_team_queue_*.  Also the typed
 * reductions over ps_team_allreduce, and the elementwise combine the
 * shared-memory reductions use.
 */
#include "team.h"

/* The static block of n items owned by this worker: sizes differ by at
 * most one, lower ranks get the larger blocks. */
void ps_block(const ps_team *t, uint64_t n, uint64_t *lo, uint64_t *hi)
{
    uint64_t p = (uint64_t)ps_size(t), r = (uint64_t)ps_rank(t);
    uint64_t base = n / p, extra = n % p;
    *lo = r * base + (r < extra ? r : extra);
    *hi = *lo + base + (r < extra);
}

void ps_loop_begin(ps_team *t, uint64_t n, struct ps_loop *l)
{
    const struct ps_sched *s = ps_team_sched(t);
    l->n = n;
    l->kind = s->kind;
    l->chunk = s->chunk;
    switch (s->kind) {
    case PS_SCHED_STATIC: {
        uint64_t lo, hi;
        ps_block(t, n, &lo, &hi);
        l->next = lo;
        l->chunk = hi - lo;
        l->stride = 0;
        break;
    }
    case PS_SCHED_STATIC_CHUNK:
        l->next = (uint64_t)ps_rank(t) * s->chunk;
        l->stride = (uint64_t)ps_size(t) * s->chunk;
        break;
    case PS_SCHED_DYNAMIC:
        ps_team_queue_reset(t);
        l->next = 0;
        l->stride = 0;
        break;
    }
}

int ps_loop_next(ps_team *t, struct ps_loop *l, uint64_t *lo, uint64_t *hi)
{
    uint64_t first;
    switch (l->kind) {
    case PS_SCHED_STATIC:
        if (l->chunk == 0)
            return 0;
        first = l->next;
        *lo = first;
        *hi = first + l->chunk;
        l->chunk = 0;          /* the one block is taken */
        return 1;
    case PS_SCHED_STATIC_CHUNK:
        first = l->next;
        if (first >= l->n)
            return 0;
        l->next = l->n - first > l->stride ? first + l->stride : l->n;
        break;
    default:
        first = ps_team_queue_take(t, l->chunk);
        if (first >= l->n)
            return 0;
        break;
    }
    *lo = first;
    *hi = l->n - first > l->chunk ? first + l->chunk : l->n;
    return 1;
}

void ps_allreduce_f64(ps_team *t, double *v, size_t n, enum ps_op op)
{
    ps_team_allreduce(t, v, n, 1, op);
}

void ps_allreduce_u64(ps_team *t, uint64_t *v, size_t n, enum ps_op op)
{
    ps_team_allreduce(t, v, n, 0, op);
}

/* Combine src into dst elementwise; doubles or unsigned integers. */
void ps_combine(void *dst, const void *src, size_t n, int is_f64, enum ps_op op)
{
    for (size_t i = 0; i < n; i++) {
        if (is_f64) {
            double *d = (double *)dst + i, s = ((const double *)src)[i];
            *d = op == PS_SUM ? *d + s : op == PS_MAX ? (s > *d ? s : *d)
                                                      : (s < *d ? s : *d);
        } else {
            uint64_t *d = (uint64_t *)dst + i, s = ((const uint64_t *)src)[i];
            *d = op == PS_SUM ? *d + s : op == PS_MAX ? (s > *d ? s : *d)
                                                      : (s < *d ? s : *d);
        }
    }
}
