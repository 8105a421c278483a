/*
 * spinbar.c - a spin-then-block barrier on a round counter.
 *
 * Each worker notes the round, then counts itself in `arrived`.  The last
 * to arrive resets `arrived` and advances `round` (a sense-reversing
 * barrier whose sense is the whole round number, so no worker needs a
 * sense of its own); the others watch `round`: first spinning on it for at
 * most spin_ns, then sleeping on it with FUTEX_WAIT, which sleeps only if
 * the word still holds the old round.  The last arrival calls FUTEX_WAKE
 * only when `sleepers` says someone may be asleep, so a round in which
 * everybody caught the change while spinning makes no system call.
 *
 * Lost wake-ups cannot happen: a sleeper increments `sleepers` before its
 * last look at `round`, the last arrival stores `round` before it reads
 * `sleepers`, all four sequentially consistent; so either the sleeper sees
 * the new round and does not sleep, or the waker sees the sleeper and
 * wakes it (and FUTEX_WAIT itself re-checks the word atomically).
 *
 * Memory order: each arrival's read-modify-write of `arrived` releases
 * what that worker wrote before the barrier; the last arrival acquires
 * them all through that chain and releases them with the new round, which
 * every waiter acquires.  Everything is C11 atomics, so ThreadSanitizer
 * sees the synchronisation; the futex calls only sleep and wake.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE            /* sched_getaffinity, CPU_COUNT, syscall */
#endif
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "spinbar.h"

/* Spin about as long as sleeping and being woken costs (a few us here):
 * a waiter whose partner is late, or was preempted by another program,
 * then loses at most about twice what sleeping at once would, and stops
 * taking a CPU the late one may need. */
#define SPIN_NS 5000L
#define SPINS_PER_CLOCK 16     /* spins between looks at the clock */
#define BACKOFF_MAX 6          /* sleep through at most 2^6 rounds unspun */

/* Per waiter (thread, or forked process): after a spin that ran out, the
 * next 1, 2, 4, ... 64 waits sleep at once; a spin that works resets it.
 * On a machine where other programs take the CPUs, a late partner is
 * usually one that is not running, and spinning only keeps it off. */
static __thread unsigned skip_spins, backoff;

/* Tell the CPU this is a spin-wait loop (it yields the core's pipeline
 * to a sibling hyperthread and saves power). */
static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield" ::: "memory");
#endif
}

static long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static void futex_wait(struct spinbar *b, uint32_t old)
{
    int op = FUTEX_WAIT | (b->private_futex ? FUTEX_PRIVATE_FLAG : 0);
    syscall(SYS_futex, (uint32_t *)&b->round, op, old, NULL, NULL, 0);
}

static void futex_wake_all(struct spinbar *b)
{
    int op = FUTEX_WAKE | (b->private_futex ? FUTEX_PRIVATE_FLAG : 0);
    syscall(SYS_futex, (uint32_t *)&b->round, op, INT_MAX, NULL, NULL, 0);
}

void spinbar_init(struct spinbar *b, unsigned workers, int process_shared)
{
    cpu_set_t cpus;
    long ncpu = sched_getaffinity(0, sizeof cpus, &cpus) == 0 ? CPU_COUNT(&cpus)
                                                               : 1;
    atomic_init(&b->arrived, 0);
    atomic_init(&b->round, 0);
    atomic_init(&b->sleepers, 0);
    b->workers = workers;
    b->private_futex = !process_shared;
    b->spin_ns = (long)workers <= ncpu ? SPIN_NS : 0;
}

/* Spin until round moves past old or the spin budget is spent; returns 1
 * if it moved. */
static int spin_for_round(struct spinbar *b, uint32_t old)
{
    long deadline = now_ns() + b->spin_ns;
    for (unsigned k = 1;; k++) {
        if (atomic_load_explicit(&b->round, memory_order_acquire) != old)
            return 1;
        cpu_relax();
        if (k % SPINS_PER_CLOCK == 0 && now_ns() > deadline)
            return 0;
    }
}

void spinbar_wait(struct spinbar *b)
{
    uint32_t old = atomic_load_explicit(&b->round, memory_order_acquire);
    if (atomic_fetch_add_explicit(&b->arrived, 1, memory_order_acq_rel)
        == b->workers - 1) {
        atomic_store_explicit(&b->arrived, 0, memory_order_relaxed);
        atomic_store_explicit(&b->round, old + 1, memory_order_seq_cst);
        if (atomic_load_explicit(&b->sleepers, memory_order_seq_cst))
            futex_wake_all(b);
        return;
    }
    if (b->spin_ns > 0) {
        if (skip_spins > 0) {
            skip_spins--;
        } else if (spin_for_round(b, old)) {
            backoff = 0;
            return;
        } else {
            skip_spins = 1u << backoff;
            backoff += backoff < BACKOFF_MAX;
        }
    }
    atomic_fetch_add_explicit(&b->sleepers, 1, memory_order_seq_cst);
    while (atomic_load_explicit(&b->round, memory_order_seq_cst) == old)
        futex_wait(b, old);
    atomic_fetch_sub_explicit(&b->sleepers, 1, memory_order_relaxed);
}
