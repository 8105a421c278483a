/*
 * shm_team.c - the shared-memory team: barrier, reductions, halo copies,
 * dynamic queue and shared counters on one arena.
 *
 * Reductions and halos go through per-worker slots in the arena: each
 * worker writes its slot, one barrier, each reads what it needs.  Slots are
 * double-buffered by round parity, so a worker that races ahead to the next
 * round writes the other buffer; it cannot reach a round of the same parity
 * before everybody has passed the barrier between, i.e. finished reading.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>

#include "shm_team.h"

#define RED_CHUNK 512          /* values per reduction round */
#define HALO_CHUNK 32768       /* doubles per halo round and direction */
#define COUNTERS_MAX (1 << 20) /* shared counters per arena */
#define ALIGN 4096

struct shm_arena {
    pthread_barrier_t barrier;
    _Atomic uint64_t queue;
    int workers;
    size_t bytes;              /* the whole mapping */
    uint64_t *red;             /* [2][workers][RED_CHUNK] */
    double *halo;              /* [2][workers][2][HALO_CHUNK] */
    _Atomic uint64_t *counters;
};

static size_t round_up(size_t n) { return (n + ALIGN - 1) / ALIGN * ALIGN; }

struct shm_arena *shm_arena_create(int workers, int process_shared,
                                   size_t extra, void **extra_out)
{
    size_t w = (size_t)workers;
    size_t head = round_up(sizeof(struct shm_arena));
    size_t red = round_up(2 * w * RED_CHUNK * sizeof(uint64_t));
    size_t halo = round_up(2 * w * 2 * HALO_CHUNK * sizeof(double));
    size_t ctr = round_up(COUNTERS_MAX * sizeof(uint64_t));
    size_t bytes = head + red + halo + ctr + round_up(extra ? extra : 1);
    int flags = (process_shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS
                | MAP_NORESERVE;
    char *base = mmap(NULL, bytes, PROT_READ | PROT_WRITE, flags, -1, 0);
    if (base == MAP_FAILED)
        return NULL;
    struct shm_arena *a = (struct shm_arena *)base;
    pthread_barrierattr_t attr;
    int err = pthread_barrierattr_init(&attr);
    if (!err && process_shared)
        err = pthread_barrierattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    if (!err)
        err = pthread_barrier_init(&a->barrier, &attr, (unsigned)workers);
    pthread_barrierattr_destroy(&attr);
    if (err) {
        munmap(base, bytes);
        errno = err;
        return NULL;
    }
    atomic_init(&a->queue, 0);
    a->workers = workers;
    a->bytes = bytes;
    a->red = (uint64_t *)(base + head);
    a->halo = (double *)(base + head + red);
    a->counters = (_Atomic uint64_t *)(base + head + red + halo);
    *extra_out = base + head + red + halo + ctr;
    return a;
}

void shm_arena_destroy(struct shm_arena *a)
{
    if (!a)
        return;
    /* No pthread_barrier_destroy: glibc's waits for every waiter to leave,
     * and a killed worker never will.  The barrier holds nothing but the
     * mapped memory, which munmap releases. */
    munmap(a, a->bytes);
}

/* The arena's pthread barrier (process-shared when the arena is). */
static void arena_barrier(struct ps_team *t)
{
    pthread_barrier_wait(&t->arena->barrier);
}

/* The arena's pthread barrier sleeps on a futex at once, whatever barrier
 * the team uses afterwards: an OpenMP or spinning barrier would let the
 * first workers to start spin on the CPU a later one needs to start. */
void ps_team_start_barrier(struct ps_team *t)
{
    if (t->size > 1)
        pthread_barrier_wait(&t->arena->barrier);
}

/* A team of one has nobody to wait for. */
static void no_barrier(struct ps_team *t) { (void)t; }

void shm_team_init(struct ps_team *t, struct shm_arena *a, int rank, int size,
                   const struct ps_sched *sched,
                   void (*barrier)(struct ps_team *t))
{
    memset(t, 0, sizeof *t);
    t->rank = rank;
    t->size = size;
    t->arena = a;
    t->sched = sched;
    t->barrier = barrier ? barrier : size == 1 ? no_barrier : arena_barrier;
}

int ps_rank(const ps_team *t) { return t->rank; }
int ps_size(const ps_team *t) { return t->size; }
struct ps_acct *ps_team_acct(ps_team *t) { return &t->acct; }

void ps_barrier(ps_team *t)
{
    ps_acct_enter(&t->acct);
    t->barrier(t);
    ps_acct_leave(&t->acct);
}

const struct ps_sched *ps_team_sched(const ps_team *t) { return t->sched; }

/* Allreduce of n 8-byte values through the slots, in rank order. */
void ps_team_allreduce(ps_team *t, void *v, size_t n, int is_f64, enum ps_op op)
{
    if (t->size == 1)
        return;
    size_t w = (size_t)t->size;
    ps_acct_enter(&t->acct);
    for (size_t off = 0; off < n; off += RED_CHUNK) {
        size_t m = n - off < RED_CHUNK ? n - off : RED_CHUNK;
        uint64_t *slots = t->arena->red + (t->red_round++ & 1) * w * RED_CHUNK;
        char *mine = (char *)v + off * sizeof(uint64_t);
        memcpy(slots + (size_t)t->rank * RED_CHUNK, mine, m * sizeof(uint64_t));
        t->barrier(t);
        memcpy(mine, slots, m * sizeof(uint64_t));
        for (size_t r = 1; r < w; r++)
            ps_combine(mine, slots + r * RED_CHUNK, m, is_f64, op);
    }
    ps_acct_leave(&t->acct);
}

void ps_halo(ps_team *t, size_t n, const double *first, const double *last,
             double *above, double *below)
{
    if (t->size == 1)
        return;
    size_t w = (size_t)t->size, r = (size_t)t->rank;
    ps_acct_enter(&t->acct);
    for (size_t off = 0; off < n; off += HALO_CHUNK) {
        size_t m = n - off < HALO_CHUNK ? n - off : HALO_CHUNK;
        double *slots = t->arena->halo + (t->halo_round++ & 1) * w * 2 * HALO_CHUNK;
        memcpy(slots + (2 * r) * HALO_CHUNK, first + off, m * sizeof(double));
        memcpy(slots + (2 * r + 1) * HALO_CHUNK, last + off, m * sizeof(double));
        t->barrier(t);
        if (r > 0)
            memcpy(above + off, slots + (2 * (r - 1) + 1) * HALO_CHUNK,
                   m * sizeof(double));
        if (r + 1 < w)
            memcpy(below + off, slots + (2 * (r + 1)) * HALO_CHUNK,
                   m * sizeof(double));
    }
    ps_acct_leave(&t->acct);
}

void ps_team_queue_reset(ps_team *t)
{
    ps_acct_enter(&t->acct);
    t->barrier(t);
    if (t->rank == 0)
        atomic_store_explicit(&t->arena->queue, 0, memory_order_relaxed);
    t->barrier(t);
    ps_acct_leave(&t->acct);
}

/* A grab may be one per item: sampled (acct.h). */
uint64_t ps_team_queue_take(ps_team *t, uint64_t chunk)
{
    double t0;
    int timed = ps_acct_sample(&t->acct, &t0);
    uint64_t first = atomic_fetch_add_explicit(&t->arena->queue, chunk,
                                               memory_order_relaxed);
    if (timed)
        ps_acct_sampled(&t->acct, t0);
    return first;
}

int ps_counters_create(ps_team *t, size_t n)
{
    t->ncounters = n;
    return n <= COUNTERS_MAX ? 0 : -1;
}

/* One update per item: sampled (acct.h); with one worker a plain add,
 * useful time, not counted. */
void ps_counter_add(ps_team *t, size_t i, uint64_t v)
{
    _Atomic uint64_t *c = &t->arena->counters[i];
    if (t->size == 1) {  /* the serial baseline pays no lock prefix */
        atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + v,
                              memory_order_relaxed);
        return;
    }
    double t0;
    int timed = ps_acct_sample(&t->acct, &t0);
    atomic_fetch_add_explicit(c, v, memory_order_relaxed);
    if (timed)
        ps_acct_sampled(&t->acct, t0);
}

void ps_counters_zero(ps_team *t)
{
    ps_acct_enter(&t->acct);
    t->barrier(t);
    if (t->rank == 0)
        for (size_t i = 0; i < t->ncounters; i++)
            atomic_store_explicit(&t->arena->counters[i], 0, memory_order_relaxed);
    t->barrier(t);
    ps_acct_leave(&t->acct);
}

void ps_counters_read(ps_team *t, uint64_t *out)
{
    ps_acct_enter(&t->acct);
    t->barrier(t);
    for (size_t i = 0; i < t->ncounters; i++)
        out[i] = atomic_load_explicit(&t->arena->counters[i], memory_order_relaxed);
    t->barrier(t);
    ps_acct_leave(&t->acct);
}
