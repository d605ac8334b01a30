/* arch/percpu.h - per-CPU state: one block per physical CPU, reached through
 * GS (IA32_GS_BASE = the block's address, SDM Vol. 3A, 3.4.4.1): a field is
 * one %gs-relative instruction away, and %gs:0 holds the block's address. */
#ifndef ARCH_PERCPU_H
#define ARCH_PERCPU_H

#include "lib/compiler.h"
#include "arch/gdt.h"
#include "arch/idt.h"
#include "arch/stack.h"
#include "arch/cpu_request.h"

#define PERCPU_MAX          256         /* CPU indexes 0 .. PERCPU_MAX - 1; 0 is the boot CPU */
#define PERCPU_BACKEND_SIZE 512         /* bytes for the virtualization backend's own state */

struct vcpu;

/*
 * Everything that exists once per physical CPU. Layers above arch/ keep
 * their part here without arch/ naming their types: a pointer to a forward-
 * declared struct, or the backend area the VMX code lays its struct vmx_cpu
 * over (vmx/vmx_cpu.h; embedded, so no pointer is chased on the exit path).
 */
struct percpu {
	struct percpu *self;            /* %gs:0: this block's address (percpu_self()) */
	unsigned int cpu;               /* index: 0 = boot CPU; names stacks, the device window */
	uint32_t apic_id;               /* initial (x2)APIC ID, from CPUID */
	volatile unsigned int nmis_pending;   /* NMIs kept for the guest (arch/trap.c) */
	volatile unsigned int nmi_woke;       /* an NMI came since trap_nmi_wait_arm (arch/trap.c) */
	struct cpu_requests req;        /* work other CPUs ask of this one (arch/cpu_request.h) */
	int trap_depth;                 /* exception reports in progress (arch/trap.c) */
	bool online;                    /* runs on this block (percpu_start() done) */
	struct vcpu *running;           /* the vCPU this CPU runs, NULL if none (guest/run/run.c) */
	uint64_t *devmem_leaf;          /* PTE of this CPU's device window page (mm/paging.c) */
	uint64_t devmem_va;             /* its virtual address, 0 until first used */
	uint8_t backend[PERCPU_BACKEND_SIZE] __aligned(64);   /* struct vmx_cpu (vmx/vmx_cpu.h) */
	struct stack_desc stacks[STACK_KINDS];   /* run, #DF, NMI, #MC; each with a guard page */
	char stack_names[STACK_KINDS][24];
	uint64_t gdt[GDT_ENTRIES] __aligned(16);
	struct tss64 tss __aligned(16);
	struct idt_gate idt[IDT_VECTORS] __aligned(16);
};
_Static_assert(__builtin_offsetof(struct percpu, self) == 0, "%gs:0 is the self pointer");

/*
 * This CPU's block as an lvalue in the GS address space: `this_cpu.trap_depth`
 * is one %gs-relative load or store. Never take an address from it (that
 * would be an offset in GS, not a pointer): use percpu_self() for pointers.
 */
#define this_cpu (*(struct percpu __seg_gs *)0)

/* This CPU's block as a plain pointer. Not volatile: GS base never changes
 * under running code, so the compiler may reuse one load for a function. */
static inline struct percpu *percpu_self(void)
{
	struct percpu *p;

	asm("mov %%gs:0, %0" : "=r"(p));
	return p;
}

/* Every CPU's block by index (NULL where none), and one past the highest
 * index in use: for stack traces, which must find any CPU's stacks. */
extern struct percpu *percpu_cpus[PERCPU_MAX];
extern unsigned int percpu_limit;

/* Every registered CPU's stacks are searched (stack traces, guard-page
 * reports). The stack of any CPU whose usable part contains addr, or NULL. */
const struct stack_desc *stack_containing(uint64_t addr);

/* The stack of any CPU whose guard page contains addr, or NULL. */
const struct stack_desc *stack_guard_containing(uint64_t addr);

/* Sets up the boot CPU's block (in the image, stacks in .bss.stacks) and
 * starts using it: GDT, TSS, IDT, GS base. First thing at boot. */
void percpu_boot_init(void);

/*
 * Fills a new CPU's block pc (zeroed by the caller, stacks[k] its four
 * guarded stacks already mapped with their guards unmapped) and registers
 * it under index cpu: GDT with its TSS, TSS with its IST stacks, IDT,
 * stack names. 0, or -EINVAL (index out of range or taken).
 */
int __must_check percpu_setup(struct percpu *pc, unsigned int cpu, uint32_t apic_id,
			      struct guarded_stack *const stacks[STACK_KINDS]);

/* On the CPU that owns pc: loads its GDT (segment registers, TR), its IDT,
 * and IA32_GS_BASE = pc. Nothing may use this_cpu before. */
void percpu_start(struct percpu *pc);

/* This CPU's initial APIC ID (CPUID leaf 0BH when present, else leaf 01H). */
uint32_t percpu_read_apic_id(void);

#endif
