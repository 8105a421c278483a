/*
 * spinbar.h - a spin-then-block barrier for workers that share memory,
 * threads or forked processes alike (it lives in the shared arena).
 */
#ifndef PARSCALE_SPINBAR_H
#define PARSCALE_SPINBAR_H

#include <stdatomic.h>
#include <stdint.h>

#define SPINBAR_LINE 128   /* two cache lines: adjacent-line prefetch too */

struct spinbar {
    /* workers arrived in this round; every arrival writes it */
    _Alignas(SPINBAR_LINE) _Atomic uint32_t arrived;
    /* the round number, which waiters spin on and sleep on (the futex
     * word), and how many are asleep; only the last arrival writes them */
    _Alignas(SPINBAR_LINE) _Atomic uint32_t round;
    _Atomic uint32_t sleepers;
    uint32_t workers;
    int private_futex;         /* threads of one process: FUTEX_PRIVATE_FLAG */
    long spin_ns;              /* how long a waiter spins before it sleeps */
};

/* Make b a barrier for `workers` workers; process_shared when they are
 * forked processes.  Waiters spin only while every worker can have a CPU
 * of this process's affinity mask; with more workers than CPUs they sleep
 * at once, so a waiter never burns the CPU the last arrival needs. */
void spinbar_init(struct spinbar *b, unsigned workers, int process_shared);
/* Wait until all `workers` have called it for this round. */
void spinbar_wait(struct spinbar *b);

#endif
