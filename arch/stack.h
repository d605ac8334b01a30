/* arch/stack.h - the hypervisor's stacks, each with an unmapped guard page below it. */
#ifndef ARCH_STACK_H
#define ARCH_STACK_H

#include "lib/compiler.h"
#include "lib/addr.h"
#include "arch/vectors.h"

#define STACK_SIZE (16 * 1024)

struct guarded_stack {
	uint8_t guard[PAGE_SIZE];       /* never mapped: an overflow faults here */
	uint8_t stack[STACK_SIZE];
};

/* Every CPU has these (arch/percpu.h): the one it runs on, and the IST
 * stacks for exceptions that can arrive on a broken one. */
enum stack_kind { STACK_RUN, STACK_DF, STACK_NMI, STACK_MC, STACK_KINDS };

struct stack_desc {
	const char *name;               /* "boot stack", "CPU 1 #DF stack", ... */
	struct guarded_stack *s;
};

static inline uint64_t stack_top(const struct guarded_stack *s)
{
	return (uint64_t)(uintptr_t)(s->stack + STACK_SIZE);
}

/* The boot CPU's stacks, in the image (.bss.stacks), for arch/percpu.c. */
extern struct guarded_stack boot_cpu_stacks[STACK_KINDS];

/* Names of CPU cpu's stacks for stack traces and guard-page reports. */
void stack_name(unsigned int cpu, enum stack_kind k, char *buf, size_t len);

#endif
