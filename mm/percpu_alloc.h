/* mm/percpu_alloc.h - memory for another CPU's per-CPU block (arch/percpu.h). */
#ifndef MM_PERCPU_ALLOC_H
#define MM_PERCPU_ALLOC_H

#include "arch/percpu.h"

/*
 * After mm_init, for a CPU the boot CPU is about to start: its block (GDT,
 * TSS, IDT, stack table) from the frame allocator, reached through the
 * direct map, and its four stacks mapped in the per-CPU stack area
 * (mm/layout.h) each below an unmapped guard page; filled and registered
 * under index cpu by percpu_setup(). The CPU itself then calls
 * percpu_start() on it. NULL if cpu is out of range or taken, or memory
 * ran out (stack frames already mapped stay allocated then).
 */
struct percpu *percpu_alloc(unsigned int cpu, uint32_t apic_id);

#endif
