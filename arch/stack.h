/* arch/stack.h - the hypervisor's stacks, each with an unmapped guard page below it. */
#ifndef ARCH_STACK_H
#define ARCH_STACK_H

#include "lib/compiler.h"
#include "lib/addr.h"

#define STACK_SIZE (16 * 1024)

/* IST slots in the TSS (1-based as the IDT gate encodes them). */
#define IST_DF   1
#define IST_NMI  2
#define IST_MC   3

struct guarded_stack {
	uint8_t guard[PAGE_SIZE];       /* never mapped: an overflow faults here */
	uint8_t stack[STACK_SIZE];
};

struct stack_desc {
	const char *name;
	struct guarded_stack *s;
};

/* All stacks, for the page-table builder (guards) and stack traces (bounds). */
extern const struct stack_desc hv_stacks[];
extern const unsigned int hv_stack_count;

static inline uint64_t stack_top(const struct guarded_stack *s)
{
	return (uint64_t)(uintptr_t)(s->stack + STACK_SIZE);
}

/* The stack whose usable part contains addr, or NULL. */
const struct stack_desc *stack_containing(uint64_t addr);

/* The stack whose guard page contains addr, or NULL. */
const struct stack_desc *stack_guard_containing(uint64_t addr);

/* IST stack tops for the TSS: #DF, NMI, #MC. */
uint64_t stack_ist_top(unsigned int ist);

#endif
