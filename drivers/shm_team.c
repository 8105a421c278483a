/*
 * shm_team.c - the shared-memory team: barrier, reductions, halo copies,
 * dynamic queue and shared counters on one arena.
 *
 * Reductions and halos go through per-worker slots in the arena: each
 * worker writes its slot, one barrier, each reads what it needs.  Slots are
 * double-buffered by round parity, so a worker that races ahead to the next
 * round writes the other buffer; it cannot reach a round of the same parity
 * before everybody has passed the barrier between, i.e. finished reading.
 *
 * An arena that a process started by exec must map too (SHM_ARENA_FILE) is
 * a memory file mapped at the same address in every process, so the
 * pointers inside it (here and in what drivers keep in its extra bytes)
 * hold everywhere: the address is picked in a range no process of ours
 * maps anything in (FILE_ARENA_LOW..HIGH, far below the libraries and far
 * above the program and its heap).
 *
 * The team's barrier is either the arena's process-shared pthread barrier,
 * which always sleeps on a futex, or (the default) a spin-then-block
 * barrier on a round counter: spin on it for a bounded time, then sleep on
 * it with the futex syscall (spinbar.c).  The start barrier is always the
 * pthread one.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE            /* memfd_create, MAP_FIXED_NOREPLACE */
#endif
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "shm_team.h"
#include "spinbar.h"

#define RED_CHUNK 512          /* values per reduction round */
#define HALO_CHUNK 32768       /* doubles per halo round and direction */
#define COUNTERS_MAX (1 << 20) /* shared counters per arena */
#define ALIGN 4096
#define FILE_ARENA_LOW ((uintptr_t)1 << 40)    /* 1 TiB */
#define FILE_ARENA_HIGH ((uintptr_t)1 << 45)   /* 32 TiB */
#define FILE_ARENA_STEP ((uintptr_t)1 << 30)   /* addresses tried: GiB apart */
#define FILE_ARENA_TRIES 16

struct shm_arena {
    struct spinbar spin;       /* first: its words sit on their own lines */
    pthread_barrier_t barrier;
    enum shm_barrier kind;
    _Atomic uint64_t queue;
    int workers;
    int fd;                    /* SHM_ARENA_FILE: its memory file, in owner */
    pid_t owner;               /* the process that made the arena */
    size_t bytes;              /* the whole mapping */
    char *extra;               /* the driver's bytes */
    uint64_t *red;             /* [2][workers][RED_CHUNK] */
    double *halo;              /* [2][workers][2][HALO_CHUNK] */
    _Atomic uint64_t *counters;
};

static size_t round_up(size_t n) { return (n + ALIGN - 1) / ALIGN * ALIGN; }

/* Map bytes of memory file fd exactly at address at; NULL (errno) if that
 * address is taken or refused. */
static char *map_file_at(int fd, size_t bytes, uintptr_t at)
{
    char *want = (char *)at;
    char *got = mmap(want, bytes, PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_FIXED_NOREPLACE, fd, 0);
    if (got == MAP_FAILED)
        return NULL;
    if (got != want) {         /* a kernel before 4.17 took it as a hint */
        munmap(got, bytes);
        errno = EEXIST;
        return NULL;
    }
    return got;
}

/* Map bytes for an arena shared as `share` (SHM_ARENA_*); *fd gets the
 * memory file of a SHM_ARENA_FILE arena, else -1.  NULL (errno) on failure. */
static char *map_arena(size_t bytes, int share, int *fd)
{
    *fd = -1;
    if (share != SHM_ARENA_FILE) {
        int flags = (share == SHM_ARENA_FORK ? MAP_SHARED : MAP_PRIVATE)
                    | MAP_ANONYMOUS | MAP_NORESERVE;
        char *base = mmap(NULL, bytes, PROT_READ | PROT_WRITE, flags, -1, 0);
        return base == MAP_FAILED ? NULL : base;
    }
    *fd = memfd_create("parscale-arena", MFD_CLOEXEC);
    if (*fd < 0)
        return NULL;
    char *base = NULL;
    if (ftruncate(*fd, (off_t)bytes) == 0) {
        unsigned seed = (unsigned)getpid() ^ (unsigned)time(NULL);
        uintptr_t slots = (FILE_ARENA_HIGH - FILE_ARENA_LOW) / FILE_ARENA_STEP;
        for (int i = 0; i < FILE_ARENA_TRIES && !base; i++)
            base = map_file_at(*fd, bytes, FILE_ARENA_LOW
                               + (uintptr_t)rand_r(&seed) % slots * FILE_ARENA_STEP);
    }
    if (!base) {
        int err = errno;
        close(*fd);
        *fd = -1;
        errno = err;
    }
    return base;
}

struct shm_arena *shm_arena_create(int workers, int process_shared,
                                   enum shm_barrier kind, size_t extra,
                                   void **extra_out)
{
    size_t w = (size_t)workers;
    size_t head = round_up(sizeof(struct shm_arena));
    size_t red = round_up(2 * w * RED_CHUNK * sizeof(uint64_t));
    size_t halo = round_up(2 * w * 2 * HALO_CHUNK * sizeof(double));
    size_t ctr = round_up(COUNTERS_MAX * sizeof(uint64_t));
    size_t bytes = head + red + halo + ctr + round_up(extra ? extra : 1);
    int fd;
    char *base = map_arena(bytes, process_shared, &fd);
    if (!base)
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
        if (fd >= 0)
            close(fd);
        errno = err;
        return NULL;
    }
    spinbar_init(&a->spin, (unsigned)workers, process_shared);
    atomic_init(&a->queue, 0);
    a->kind = kind;
    a->workers = workers;
    a->fd = fd;
    a->owner = getpid();
    a->bytes = bytes;
    a->red = (uint64_t *)(base + head);
    a->halo = (double *)(base + head + red);
    a->counters = (_Atomic uint64_t *)(base + head + red + halo);
    a->extra = base + head + red + halo + ctr;
    *extra_out = a->extra;
    return a;
}

int shm_arena_fd(const struct shm_arena *a) { return a->fd; }

struct shm_arena *shm_arena_attach(int fd, void *at, void **extra_out)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return NULL;
    size_t bytes = (size_t)st.st_size;
    if (bytes < sizeof(struct shm_arena)) {
        errno = EINVAL;
        return NULL;
    }
    struct shm_arena *a = (struct shm_arena *)map_file_at(fd, bytes, (uintptr_t)at);
    if (!a)
        return NULL;
    if (a->bytes != bytes || a->workers < 1) {
        munmap(a, bytes);
        errno = EINVAL;
        return NULL;
    }
    *extra_out = a->extra;
    return a;
}

void shm_arena_destroy(struct shm_arena *a)
{
    if (!a)
        return;
    if (a->fd >= 0 && a->owner == getpid())
        close(a->fd);
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

/* The spin-then-block barrier on the arena's round counter. */
static void spin_barrier(struct ps_team *t)
{
    spinbar_wait(&t->arena->spin);
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
    t->barrier = barrier ? barrier : size == 1 ? no_barrier
                 : a->kind == SHM_BARRIER_FUTEX ? arena_barrier : spin_barrier;
}

int shm_barrier_parse(const char *name, enum shm_barrier *kind)
{
    if (!name || strcmp(name, "spin") == 0)
        *kind = SHM_BARRIER_SPIN;
    else if (strcmp(name, "futex") == 0)
        *kind = SHM_BARRIER_FUTEX;
    else
        return -1;
    return 0;
}

const char *shm_barrier_name(enum shm_barrier kind)
{
    return kind == SHM_BARRIER_FUTEX ? "futex" : "spin";
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

/* An atomic add timed (acct.h): out of line, so that the common path of
 * the calls below needs no stack frame. */
static __attribute__((noinline)) uint64_t timed_add(struct ps_acct *a,
                                                    _Atomic uint64_t *where,
                                                    uint64_t v, struct ps_acct_call c)
{
    ps_acct_call_start(&c);
    uint64_t old = atomic_fetch_add_explicit(where, v, memory_order_relaxed);
    ps_acct_call_end(a, c);
    return old;
}

/* A grab may be one per item: sampled (acct.h). */
uint64_t ps_team_queue_take(ps_team *t, uint64_t chunk)
{
    struct ps_acct_call c = ps_acct_call_begin(&t->acct);
    if (c.state == 2)
        return timed_add(&t->acct, &t->arena->queue, chunk, c);
    uint64_t first = atomic_fetch_add_explicit(&t->arena->queue, chunk,
                                               memory_order_relaxed);
    ps_acct_call_end(&t->acct, c);
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
    struct ps_acct_call call = ps_acct_call_begin(&t->acct);
    if (call.state == 2) {
        timed_add(&t->acct, c, v, call);
        return;
    }
    atomic_fetch_add_explicit(c, v, memory_order_relaxed);
    ps_acct_call_end(&t->acct, call);
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
