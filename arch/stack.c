/* arch/stack.c - the hypervisor's stacks, each with an unmapped guard page below it. */
#include "arch/stack.h"

/* .bss.stacks is page-aligned and first in .bss (linker.ld), so every guard is a whole page. */
static struct guarded_stack boot_stack __section(".bss.stacks") __aligned(4096);
static struct guarded_stack df_stack __section(".bss.stacks") __aligned(4096);
static struct guarded_stack nmi_stack __section(".bss.stacks") __aligned(4096);
static struct guarded_stack mc_stack __section(".bss.stacks") __aligned(4096);

/* boot/entry.asm starts C on the boot stack. */
asm(".globl boot_stack_top\n"
    ".set boot_stack_top, boot_stack + 4096 + 16384\n");
_Static_assert(sizeof(struct guarded_stack) == 4096 + 16384, "boot_stack_top above");

const struct stack_desc hv_stacks[] = {
	{ "boot stack", &boot_stack },
	{ "#DF stack", &df_stack },
	{ "NMI stack", &nmi_stack },
	{ "#MC stack", &mc_stack },
};
const unsigned int hv_stack_count = ARRAY_SIZE(hv_stacks);

const struct stack_desc *stack_containing(uint64_t addr)
{
	for (unsigned int i = 0; i < hv_stack_count; i++) {
		uint64_t lo = (uint64_t)(uintptr_t)hv_stacks[i].s->stack;

		if (addr >= lo && addr < lo + STACK_SIZE)
			return &hv_stacks[i];
	}
	return NULL;
}

const struct stack_desc *stack_guard_containing(uint64_t addr)
{
	for (unsigned int i = 0; i < hv_stack_count; i++) {
		uint64_t lo = (uint64_t)(uintptr_t)hv_stacks[i].s->guard;

		if (addr >= lo && addr < lo + PAGE_SIZE)
			return &hv_stacks[i];
	}
	return NULL;
}

uint64_t stack_ist_top(unsigned int ist)
{
	switch (ist) {
	case IST_DF:  return stack_top(&df_stack);
	case IST_NMI: return stack_top(&nmi_stack);
	case IST_MC:  return stack_top(&mc_stack);
	}
	return 0;
}
