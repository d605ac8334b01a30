/* boot/fault_test.c - deliberate faults for the integration tests (testfault=):
 * each one must end in the exception report or panic that proves a protection
 * works (IDT, stack guards, W^X, NX, heap checks). */
#include "boot/fault_test.h"
#include "drivers/console.h"
#include "mm/malloc.h"
#include "arch/percpu.h"

extern char __text_start[];
static uint64_t fault_test_data = 0xc3;      /* "ret": executable if NX failed */

/* Recurses without bound; the volatile frame keeps it from becoming a loop. */
static __attribute__((noinline)) uint64_t recurse_forever(uint64_t depth)
{
	volatile uint8_t frame[256];

	frame[depth & 0xff] = (uint8_t)depth;
	if (depth == UINT64_MAX)                 /* never: keeps the compiler quiet */
		return 0;
	return recurse_forever(depth + 1) + frame[0];
}

/* Runs recurse_forever on the run stack of the CPU whose block
 * boot/percpu_check.c allocated (never started): its guard page, mapped by
 * mm/percpu_alloc.c, must stop the recursion as the boot stack's does. */
static void recurse_on_other_cpu_stack(void)
{
	const struct percpu *pc = percpu_cpus[PERCPU_MAX - 1];

	if (!pc) {
		printf("fault test: cpustack: no other CPU's block\n");
		return;
	}
	asm volatile("movq %%rsp, %%rbx\n\t"
		     "movq %[top], %%rsp\n\t"
		     "xorl %%edi, %%edi\n\t"
		     "call *%[fn]\n\t"
		     "movq %%rbx, %%rsp"
		     : : [top] "r"(stack_top(pc->stacks[STACK_RUN].s)), [fn] "r"(recurse_forever)
		     : "rbx", "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "memory");
}

void fault_test_run(enum test_fault f)
{
	uint8_t *p;

	if (f == TEST_FAULT_NONE)
		return;
	printf("fault test: %s\n", test_fault_name(f));
	switch (f) {
	case TEST_FAULT_UD:
		asm volatile("ud2");
		break;
	case TEST_FAULT_NULL:
		printf("read: %u\n", *(volatile uint8_t *)(uintptr_t)0);
		break;
	case TEST_FAULT_WRITE_TEXT:
		*(volatile char *)__text_start = 0;
		break;
	case TEST_FAULT_EXEC_DATA:
		((void (*)(void))(uintptr_t)&fault_test_data)();
		break;
	case TEST_FAULT_STACK:
		printf("%llu\n", (unsigned long long)recurse_forever(0));
		break;
	case TEST_FAULT_CPU_STACK:
		recurse_on_other_cpu_stack();
		break;
	case TEST_FAULT_PANIC:
		panic("fault test: deliberate panic (%d)", 42);
	case TEST_FAULT_HEAP_OVERFLOW:
		p = malloc(24);
		((volatile uint8_t *)p)[24] = 0;
		free(p);
		break;
	case TEST_FAULT_NMI:
		/* Through the NMI gate as a real NMI would come; the handler keeps it. */
		asm volatile("int $2");
		printf("fault test: nmi kept for the guest\n");
		return;
	case TEST_FAULT_MC:
		/* Through the #MC gate (IST stack) as a machine check would come;
		 * MCG_STATUS.MCIP is clear, so it is reported as spurious. */
		asm volatile("int $18");
		printf("fault test: mc: the hypervisor went on\n");
		return;
	case TEST_FAULT_DOUBLE_FREE:
		p = malloc(24);
		free(p);
		free(p);
		break;
	default:
		break;
	}
	printf("fault test: %s was not caught\n", test_fault_name(f));
}
