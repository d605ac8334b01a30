/* boot/percpu_check.c - a boot-time check of another CPU's per-CPU block,
 * so that the allocation SMP needs runs in every test boot before SMP does. */
#include "boot/percpu_check.h"
#include "mm/percpu_alloc.h"
#include "mm/paging.h"
#include "drivers/console.h"
#include "lib/string.h"

#define CHECK_CPU (PERCPU_MAX - 1)

static bool mapped(uint64_t va)
{
	struct pt_lookup l;

	return !pt_lookup(paging_tables(), va, &l);
}

static const char *check_stack(const struct percpu *pc, unsigned int k)
{
	const struct stack_desc *d = &pc->stacks[k];
	uint64_t guard = (uint64_t)(uintptr_t)d->s->guard;
	volatile uint64_t *top = (volatile uint64_t *)(uintptr_t)(stack_top(d->s) - 8);

	if (mapped(guard) || mapped(guard + PAGE_SIZE - 1))
		return "guard page mapped";
	for (uint64_t p = guard + PAGE_SIZE; p < stack_top(d->s); p += PAGE_SIZE)
		if (!mapped(p))
			return "stack page not mapped";
	*top = 0x5a5a5a5a5a5a5a5aULL;
	if (*top != 0x5a5a5a5a5a5a5a5aULL)
		return "stack not writable";
	if (stack_containing((uint64_t)(uintptr_t)top) != d || stack_guard_containing(guard) != d)
		return "stack not found by address";
	return NULL;
}

static const char *check(const struct percpu *pc)
{
	static const unsigned int ist_kind[IST_USED] = {
		[IST_DF - 1] = STACK_DF, [IST_NMI - 1] = STACK_NMI, [IST_MC - 1] = STACK_MC,
	};
	const char *why;

	if (pc->self != pc || pc->cpu != CHECK_CPU || percpu_cpus[CHECK_CPU] != pc || pc->online)
		return "block not registered";
	if (gdt_system_base(pc->gdt, GDT_SEL_TSS) != (uint64_t)(uintptr_t)&pc->tss)
		return "GDT's TSS descriptor";
	for (unsigned int i = 0; i < IST_USED; i++)
		if (pc->tss.ist[i] != stack_top(pc->stacks[ist_kind[i]].s))
			return "TSS IST";
	if (idt_gate_offset(&pc->idt[8]) != idt_gate_offset(&percpu_self()->idt[8]) ||
	    pc->idt[8].ist != IST_DF)
		return "IDT";
	if (strcmp(pc->stacks[STACK_DF].name, "CPU 255 #DF stack"))
		return "stack names";
	for (unsigned int k = 0; k < STACK_KINDS; k++)
		if ((why = check_stack(pc, k)))
			return why;
	return NULL;
}

void percpu_check(void)
{
	struct percpu *pc = percpu_alloc(CHECK_CPU, 0xff);
	const char *why = pc ? check(pc) : "allocation failed";

	_Static_assert(CHECK_CPU == 255, "the stack name above");
	if (why)
		printf("percpu: self-check of CPU %u's block failed: %s\n", CHECK_CPU, why);
}
