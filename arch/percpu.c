/* arch/percpu.c - per-CPU blocks: the boot CPU's in the image, the others
 * filled here once mm/percpu_alloc.c has their memory; loading a CPU's GDT,
 * TSS and IDT and pointing its GS base at its block (SDM Vol. 3A, 3.4.4.1,
 * 3.4.5, 6.14.1, 8.7). */
#include "arch/percpu.h"
#include "arch/cpu.h"
#include "arch/msr.h"

extern const uint64_t isr_stubs[32];    /* arch/isr.asm */

static struct percpu boot_cpu __aligned(64);

struct percpu *percpu_cpus[PERCPU_MAX];
unsigned int percpu_limit;

uint32_t percpu_read_apic_id(void)
{
	struct cpuid_regs r;

	cpuid(0, 0, &r);
	if (r.eax >= 0xb) {
		cpuid(0xb, 0, &r);
		if (r.ebx)                      /* leaf 0BH is valid (SDM Vol. 2A, CPUID) */
			return r.edx;
	}
	cpuid(1, 0, &r);
	return r.ebx >> 24;
}

int percpu_setup(struct percpu *pc, unsigned int cpu, uint32_t apic_id,
		 struct guarded_stack *const stacks[STACK_KINDS])
{
	uint64_t ist_top[IST_USED];

	if (cpu >= PERCPU_MAX || percpu_cpus[cpu])
		return -EINVAL;
	pc->self = pc;
	pc->cpu = cpu;
	pc->apic_id = apic_id;
	for (unsigned int k = 0; k < STACK_KINDS; k++) {
		stack_name(cpu, (enum stack_kind)k, pc->stack_names[k], sizeof(pc->stack_names[k]));
		pc->stacks[k] = (struct stack_desc){ pc->stack_names[k], stacks[k] };
	}
	ist_top[IST_DF - 1] = stack_top(stacks[STACK_DF]);
	ist_top[IST_NMI - 1] = stack_top(stacks[STACK_NMI]);
	ist_top[IST_MC - 1] = stack_top(stacks[STACK_MC]);
	tss_build(&pc->tss, ist_top);
	gdt_build(pc->gdt, (uint64_t)(uintptr_t)&pc->tss);
	idt_build(pc->idt, isr_stubs, ARRAY_SIZE(isr_stubs));
	percpu_cpus[cpu] = pc;
	percpu_limit = MAX(percpu_limit, cpu + 1);
	return 0;
}

void percpu_start(struct percpu *pc)
{
	struct descriptor_ptr gdtr = { sizeof(pc->gdt) - 1, (uint64_t)(uintptr_t)pc->gdt };
	struct descriptor_ptr idtr = { sizeof(pc->idt) - 1, (uint64_t)(uintptr_t)pc->idt };

	lgdt(&gdtr);
	asm volatile("pushq %[cs]\n\t"
		     "leaq 1f(%%rip), %%rax\n\t"
		     "pushq %%rax\n\t"
		     "lretq\n"
		     "1:\n\t"
		     "movl %[ds], %%eax\n\t"
		     "movl %%eax, %%ds\n\t"
		     "movl %%eax, %%es\n\t"
		     "movl %%eax, %%ss\n\t"
		     "xorl %%eax, %%eax\n\t"
		     "movl %%eax, %%fs\n\t"
		     "movl %%eax, %%gs\n\t"
		     : : [cs] "i"(GDT_SEL_CODE), [ds] "i"(GDT_SEL_DATA) : "rax", "memory");
	ltr(GDT_SEL_TSS);
	lidt(&idtr);
	/* After the selector loads: a null selector load may clear the base.
	 * The hypervisor never executes SWAPGS (IA32_KERNEL_GS_BASE is the
	 * guest's), and a VM exit loads this value from HOST_GS_BASE. */
	wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)pc);
	pc->online = true;
}

void percpu_boot_init(void)
{
	struct guarded_stack *stacks[STACK_KINDS];

	for (unsigned int k = 0; k < STACK_KINDS; k++)
		stacks[k] = &boot_cpu_stacks[k];
	/* Cannot fail: index 0 is free this early. */
	(void)percpu_setup(&boot_cpu, 0, percpu_read_apic_id(), stacks);
	percpu_start(&boot_cpu);
}

/* Looks through every CPU's stacks for the one whose [lo + skip, lo + skip + size)
 * contains addr: usable part (skip PAGE_SIZE) or guard page (skip 0). */
static const struct stack_desc *find(uint64_t addr, uint64_t skip, uint64_t size)
{
	for (unsigned int c = 0; c < percpu_limit; c++) {
		const struct percpu *pc = percpu_cpus[c];

		if (!pc)
			continue;
		for (unsigned int k = 0; k < STACK_KINDS; k++) {
			uint64_t lo = (uint64_t)(uintptr_t)pc->stacks[k].s + skip;

			if (pc->stacks[k].s && addr >= lo && addr < lo + size)
				return &pc->stacks[k];
		}
	}
	return NULL;
}

const struct stack_desc *stack_containing(uint64_t addr)
{
	return find(addr, PAGE_SIZE, STACK_SIZE);
}

const struct stack_desc *stack_guard_containing(uint64_t addr)
{
	return find(addr, 0, PAGE_SIZE);
}
