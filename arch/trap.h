/* arch/trap.h - CPU exceptions: vectors, entry stubs and the fatal-exception report
 * (SDM Vol. 3A, 6.14 "Exception and Interrupt Handling in 64-bit Mode"). */
#ifndef ARCH_TRAP_H
#define ARCH_TRAP_H

#include "lib/compiler.h"
#include "arch/percpu.h"
#include "arch/vectors.h"

/* What arch/isr.asm leaves on the stack: its pushes, then the CPU's. */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rdi, rsi, rbp, rdx, rcx, rbx, rax;
	uint64_t vector;
	uint64_t error_code;             /* 0 for vectors without one */
	uint64_t rip, cs, rflags, rsp, ss;
};
_Static_assert(sizeof(struct trap_frame) == 22 * 8, "isr.asm pushes 22 qwords");
_Static_assert(__builtin_offsetof(struct trap_frame, vector) == 15 * 8, "isr.asm layout");


/* Called by isr.asm for every exception: reports it and stops this CPU;
 * returns for an NMI (kept for the guest) and a #MC that arch/mca.c finds
 * recoverable or spurious. */
void trap_handler(struct trap_frame *f);

/* NMIs that arrived while the hypervisor ran: they belong to the guest.
 * Takes one (returns true) if any is pending. */
bool trap_take_nmi(void);
/* Counts an NMI for the guest: from the NMI handler, or after an NMI exit. */
void trap_nmi_arrived(void);

/* True if an NMI is waiting for this CPU's guest (one %gs-relative load:
 * cheap on every entry). Only trap.c changes the count. */
static inline bool trap_nmi_pending(void)
{
	return this_cpu.nmis_pending != 0;
}

/*
 * Halting until an NMI without losing one (interrupts are off in the
 * hypervisor: only an NMI ends the HLT). The waiter arms, then looks at
 * what it waits for (posted by another CPU before its kick NMI), then
 * waits: trap_nmi_wait does not halt if an NMI came since the arm, and an
 * NMI that hits between its check and its HLT returns past the HLT (the
 * NMI handler moves RIP), so a kick sent after the look always ends it.
 */
static inline void trap_nmi_wait_arm(void)
{
	__atomic_store_n(&this_cpu.nmi_woke, 0, __ATOMIC_SEQ_CST);
}
void trap_nmi_wait(void);

/* Prints control registers and a stack trace from the caller (for panic). */
void trap_dump_here(void);

/* Name of an exception vector ("#PF page fault"), "?" if reserved. */
const char *trap_vector_name(unsigned int vector);

#endif
