/* arch/stack.c - the hypervisor's stacks, each with an unmapped guard page
 * below it. arch/percpu.c finds any CPU's from an address. */
#include "arch/stack.h"
#include "lib/format.h"

/* .bss.stacks is page-aligned and first in .bss (linker.ld), so every guard
 * is a whole page. Other CPUs' stacks come from mm/percpu_alloc.c. */
struct guarded_stack boot_cpu_stacks[STACK_KINDS] __section(".bss.stacks") __aligned(4096);

/* boot/entry.asm starts C on the boot CPU's run stack. */
asm(".globl boot_stack_top\n"
    ".set boot_stack_top, boot_cpu_stacks + 4096 + 16384\n");
_Static_assert(sizeof(struct guarded_stack) == 4096 + 16384, "boot_stack_top above");
_Static_assert(STACK_RUN == 0, "boot_stack_top above");

void stack_name(unsigned int cpu, enum stack_kind k, char *buf, size_t len)
{
	static const char *const kinds[STACK_KINDS] = {
		[STACK_RUN] = "", [STACK_DF] = "#DF ", [STACK_NMI] = "NMI ", [STACK_MC] = "#MC ",
	};

	/* The boot CPU's names are the ones reports have always used. */
	if (!cpu)
		fmt_snprintf(buf, len, "%sstack", k == STACK_RUN ? "boot " : kinds[k]);
	else
		fmt_snprintf(buf, len, "CPU %u %sstack", cpu, kinds[k]);
}
