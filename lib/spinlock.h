/* lib/spinlock.h - a test-and-test-and-set spin lock for the few pieces of
 * state several CPUs share (docs/architecture.md, "Locks"). The hypervisor
 * runs with interrupts off, so a holder is never interrupted by code that
 * takes the same lock; only NMI and exception handlers run in between, and
 * they take no lock but the console's, which is owner-aware. */
#ifndef LIB_SPINLOCK_H
#define LIB_SPINLOCK_H

#include "lib/compiler.h"

struct spinlock {
	volatile uint32_t locked;       /* 0 free, 1 held */
};

#define SPINLOCK_INIT { 0 }

static inline void spin_pause(void)
{
#if defined(__x86_64__)
	__asm__ volatile("pause");
#endif
}

static inline bool spin_trylock(struct spinlock *l)
{
	return !__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE);
}

static inline void spin_lock(struct spinlock *l)
{
	while (!spin_trylock(l))
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			spin_pause();
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

#endif
