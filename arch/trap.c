/* arch/trap.c - the fatal-exception report: vector, error code, CR2, registers,
 * stack trace; then this CPU stops (SDM Vol. 3A, 6.15 exception reference).
 * NMIs and recoverable machine checks return instead. */
#include "arch/trap.h"
#include "arch/cpu.h"
#include "arch/mca.h"
#include "arch/stack.h"
#include "lib/print.h"
#include "lib/ksyms.h"

#define TRACE_MAX_FRAMES 32

/* trap_nmi_wait: the check of nmi_woke, then a window of two instructions
 * (the branch and the HLT) that trap_handler leaves past on an NMI. The
 * labels are global: one copy only (noinline). */
extern const char trap_nmi_wait_window[], trap_nmi_wait_end[];

__attribute__((noinline)) void trap_nmi_wait(void)
{
	asm volatile("cmpl $0, %%gs:%c0\n"
		     ".globl trap_nmi_wait_window\n"
		     "trap_nmi_wait_window:\n\t"
		     "jne trap_nmi_wait_end\n\t"
		     "hlt\n"
		     ".globl trap_nmi_wait_end\n"
		     "trap_nmi_wait_end:"
		     : : "i"(__builtin_offsetof(struct percpu, nmi_woke)) : "memory");
}

static const char *const vector_names[32] = {
	[0] = "#DE divide error",          [1] = "#DB debug",
	[2] = "NMI",                       [3] = "#BP breakpoint",
	[4] = "#OF overflow",              [5] = "#BR bound range",
	[6] = "#UD invalid opcode",        [7] = "#NM device not available",
	[8] = "#DF double fault",          [9] = "coprocessor segment overrun",
	[10] = "#TS invalid TSS",          [11] = "#NP segment not present",
	[12] = "#SS stack fault",          [13] = "#GP general protection",
	[14] = "#PF page fault",           [16] = "#MF x87 error",
	[17] = "#AC alignment check",      [18] = "#MC machine check",
	[19] = "#XM SIMD exception",       [20] = "#VE virtualization exception",
	[21] = "#CP control protection",
};

const char *trap_vector_name(unsigned int vector)
{
	if (vector < ARRAY_SIZE(vector_names) && vector_names[vector])
		return vector_names[vector];
	return "?";
}

extern char __text_start[], __text_end[];

/* Prints addr with its function. A return address is looked up one byte
 * earlier: after a call to a noreturn function it points past the caller. */
static void print_symbol(uint64_t addr, bool is_return)
{
	uint64_t look = addr - (is_return ? 1 : 0), off;
	const struct ksym *s = NULL;

	if (look >= (uint64_t)(uintptr_t)__text_start && look < (uint64_t)(uintptr_t)__text_end)
		s = ksym_find(ksyms, ksyms_count, look, &off);
	printf("0x%016llx", (unsigned long long)addr);
	if (s)
		printf(" <%s+0x%llx>", s->name, (unsigned long long)(addr - s->addr));
	else
		printf(" (not in the hypervisor's code)");
}

/* Follows the frame-pointer chain (the build keeps frame pointers) while it
 * stays inside one known stack, so a corrupted chain cannot fault here. */
static void print_stack_trace(uint64_t rip, uint64_t rbp)
{
	const struct stack_desc *sd = stack_containing(rbp);

	printf("stack trace:\n  #0  ");
	print_symbol(rip, false);
	printf("\n");
	for (unsigned int i = 1; sd && i < TRACE_MAX_FRAMES; i++) {
		uint64_t *frame = (uint64_t *)(uintptr_t)rbp;
		uint64_t next;

		if (rbp & 7 || stack_containing(rbp + 15) != sd)
			break;
		/* The boot stub's call into C is the outermost frame. */
		if (frame[1] < (uint64_t)(uintptr_t)__text_start)
			break;
		printf("  #%-2u ", i);
		print_symbol(frame[1], true);
		printf("\n");
		next = frame[0];
		if (next <= rbp)
			break;
		rbp = next;
	}
}

static void print_control_registers(void)
{
	printf("CR0 0x%016llx  CR3 0x%016llx  CR4 0x%016llx\n",
	       (unsigned long long)read_cr0(), (unsigned long long)read_cr3(),
	       (unsigned long long)read_cr4());
}

void trap_dump_here(void)
{
	uint64_t *frame = __builtin_frame_address(0);

	print_control_registers();
	/* Start at our caller: its return address and its frame. */
	print_stack_trace(frame[1], frame[0]);
}

static void explain_page_fault(const struct trap_frame *f, uint64_t cr2)
{
	const struct stack_desc *guard = stack_guard_containing(cr2);

	printf("page fault: %s %s at 0x%016llx (%s)\n",
	       f->error_code & (1 << 4) ? "instruction fetch" :
	       f->error_code & (1 << 1) ? "write" : "read",
	       f->error_code & 1 ? "denied" : "of an unmapped page",
	       (unsigned long long)cr2,
	       f->error_code & 1 ? "protection violation" : "not present");
	if (guard)
		printf("stack overflow: 0x%016llx is in the guard page of the %s\n",
		       (unsigned long long)cr2, guard->name);
}

/* NMIs and exception reports are this CPU's: the count and the depth live
 * in its block (arch/percpu.h). */
bool trap_take_nmi(void)
{
	volatile unsigned int *pending = &percpu_self()->nmis_pending;
	unsigned int n = __atomic_load_n(pending, __ATOMIC_RELAXED);

	/* An NMI in the hypervisor may add one meanwhile: compare and swap. */
	while (n && !__atomic_compare_exchange_n(pending, &n, n - 1, false,
						 __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
	return n != 0;
}

void trap_nmi_arrived(void)
{
	__atomic_add_fetch(&percpu_self()->nmis_pending, 1, __ATOMIC_RELAXED);
}

void trap_handler(struct trap_frame *f)
{
	uint64_t cr2 = read_cr2();

	/* The hypervisor's own kicks (arch/cpu_request.c) are told apart;
	 * guests own the devices and so every other NMI: one that hits the
	 * hypervisor is kept for the next VM entry (vmx/exit.c). */
	if (f->vector == VEC_NMI) {
		__atomic_store_n(&this_cpu.nmi_woke, 1, __ATOMIC_SEQ_CST);
		if (f->rip >= (uint64_t)(uintptr_t)trap_nmi_wait_window &&
		    f->rip < (uint64_t)(uintptr_t)trap_nmi_wait_end)
			f->rip = (uint64_t)(uintptr_t)trap_nmi_wait_end;
		if (!cpu_request_nmi(&percpu_self()->req))
			trap_nmi_arrived();
		return;
	}

	/* A machine check the MSRs say the CPU can go on from (RIPV, no PCC,
	 * no SRAR) or that no machine check is behind (MCIP clear: INT 18)
	 * is reported and returns; the rest stops here like any fault. */
	if (f->vector == VEC_MC && !this_cpu.trap_depth) {
		printf("\n*** hv: machine check (#MC) at RIP 0x%016llx\n",
		       (unsigned long long)f->rip);
		if (mca_handle("in the hypervisor", false) != MCA_FATAL) {
			printf("machine check: the hypervisor goes on at RIP 0x%016llx\n",
			       (unsigned long long)f->rip);
			return;
		}
	}

	if (this_cpu.trap_depth++) {
		printf("\n*** nested exception %llu (%s) at RIP 0x%016llx while reporting one; CPU halted.\n",
		       (unsigned long long)f->vector, trap_vector_name((unsigned int)f->vector),
		       (unsigned long long)f->rip);
		cpu_halt_forever();
	}

	printf("\n*** hv: CPU exception %llu: %s, error code 0x%llx\n",
	       (unsigned long long)f->vector, trap_vector_name((unsigned int)f->vector),
	       (unsigned long long)f->error_code);
	printf("RIP 0x%016llx  CS 0x%04llx  RFLAGS 0x%016llx\n", (unsigned long long)f->rip,
	       (unsigned long long)f->cs, (unsigned long long)f->rflags);
	printf("RSP 0x%016llx  SS 0x%04llx  CR2 0x%016llx\n", (unsigned long long)f->rsp,
	       (unsigned long long)f->ss, (unsigned long long)cr2);
	printf("RAX 0x%016llx  RBX 0x%016llx  RCX 0x%016llx\n", (unsigned long long)f->rax,
	       (unsigned long long)f->rbx, (unsigned long long)f->rcx);
	printf("RDX 0x%016llx  RSI 0x%016llx  RDI 0x%016llx\n", (unsigned long long)f->rdx,
	       (unsigned long long)f->rsi, (unsigned long long)f->rdi);
	printf("RBP 0x%016llx  R8  0x%016llx  R9  0x%016llx\n", (unsigned long long)f->rbp,
	       (unsigned long long)f->r8, (unsigned long long)f->r9);
	printf("R10 0x%016llx  R11 0x%016llx  R12 0x%016llx\n", (unsigned long long)f->r10,
	       (unsigned long long)f->r11, (unsigned long long)f->r12);
	printf("R13 0x%016llx  R14 0x%016llx  R15 0x%016llx\n", (unsigned long long)f->r13,
	       (unsigned long long)f->r14, (unsigned long long)f->r15);
	print_control_registers();
	if (f->vector == VEC_PF)
		explain_page_fault(f, cr2);
	if (f->vector == VEC_DF && stack_guard_containing(cr2))
		printf("stack overflow: CR2 0x%016llx is in the guard page of the %s\n",
		       (unsigned long long)cr2, stack_guard_containing(cr2)->name);
	print_stack_trace(f->rip, f->rbp);
	printf("*** CPU halted.\n");
	cpu_halt_forever();
}
