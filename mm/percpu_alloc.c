/* mm/percpu_alloc.c - memory for another CPU's per-CPU block: the block from
 * the frame allocator, its stacks with guard pages in their own virtual area. */
#include "mm/percpu_alloc.h"
#include "mm/malloc.h"
#include "mm/paging.h"
#include "mm/layout.h"
#include "lib/string.h"

#define STACK_ORDER 2                   /* 16 KiB */
_Static_assert(STACK_SIZE == PAGE_SIZE << STACK_ORDER, "a stack is one block of frames");
_Static_assert(STACK_KINDS * sizeof(struct guarded_stack) <= PERCPU_STACKS_STRIDE,
	       "a CPU's stacks fit its slot");

static unsigned int block_order(void)
{
	unsigned int order = 0;

	while ((PAGE_SIZE << order) < sizeof(struct percpu))
		order++;
	return order;
}

struct percpu *percpu_alloc(unsigned int cpu, uint32_t apic_id)
{
	struct frame_alloc *fa = mm_frames();
	struct guarded_stack *stacks[STACK_KINDS];
	hpa_t block, frames[STACK_KINDS] = { 0 };
	struct percpu *pc;
	unsigned int k;

	if (cpu >= PERCPU_MAX || percpu_cpus[cpu])
		return NULL;
	block = frame_alloc_order(fa, block_order());
	if (block == INVALID_HPA)
		return NULL;
	for (k = 0; k < STACK_KINDS; k++) {
		frames[k] = frame_alloc_order(fa, STACK_ORDER);
		if (frames[k] == INVALID_HPA)
			goto free_frames;
	}
	/* The guards are the unmapped pages between the stacks: the struct's
	 * guard[] member at each stack's address is never mapped. */
	for (k = 0; k < STACK_KINDS; k++) {
		hva_t va = PERCPU_STACKS_BASE + cpu * PERCPU_STACKS_STRIDE +
			   k * sizeof(struct guarded_stack);

		if (paging_map_cpu_stack(va + PAGE_SIZE, frames[k]))
			goto leak_stacks;
		stacks[k] = (struct guarded_stack *)(uintptr_t)va;
	}
	pc = hpa_to_ptr(block);
	memset(pc, 0, sizeof(*pc));
	if (!percpu_setup(pc, cpu, apic_id, stacks))
		return pc;
leak_stacks:
	/* Mappings are never removed (mm/paging.c): what a slot maps stays
	 * allocated, so the slot never shows memory given to someone else. */
	while (++k < STACK_KINDS)
		(void)frame_free(fa, frames[k], STACK_ORDER);
	(void)frame_free(fa, block, block_order());
	return NULL;
free_frames:
	while (k--)
		(void)frame_free(fa, frames[k], STACK_ORDER);
	(void)frame_free(fa, block, block_order());
	return NULL;
}
