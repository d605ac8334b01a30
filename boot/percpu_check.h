/* boot/percpu_check.h - a boot-time check of another CPU's per-CPU block. */
#ifndef BOOT_PERCPU_CHECK_H
#define BOOT_PERCPU_CHECK_H

/*
 * With hvtest: allocates the block of the last CPU index (mm/percpu_alloc.c,
 * as SMP will for each CPU it starts; that CPU is never started) and checks
 * it: GDT, TSS and IST tops, stacks mapped and writable with their guard
 * pages unmapped, and found by address for stack traces. Silent unless
 * something is wrong. Costs 72 KiB of working memory.
 */
void percpu_check(void);

#endif
