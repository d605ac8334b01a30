/* tests/guests/vmcall.c - the hypercall interface (docs/hypercalls.md):
 * results and error codes, bounds on addresses, lengths, numbers and exit
 * reasons, exit counting, register preservation, and CPL 3 refused. */
#include "tests/guests/lib/guest.h"

#define VERSION (HC_VERSION_MAJOR << 16 | HC_VERSION_MINOR)

static void check_console_write(void)
{
	static const char line[] = "[vmcall] (this line is one HC_CONSOLE_WRITE)\n";
	static char big[HC_CONSOLE_MAX + 1];

	check_eq("HC_CONSOLE_WRITE returns its length", (uint64_t)hc(HC_CONSOLE_WRITE, gpa(line), sizeof(line) - 1, 0),
		 sizeof(line) - 1);

	/* A visible start, then CRs (the harness drops them) up to the limit. */
	size_t n = (size_t)fmt(big, sizeof(big), "[vmcall] (%u bytes in one HC_CONSOLE_WRITE)", HC_CONSOLE_MAX);
	memset(big + n, '\r', HC_CONSOLE_MAX - n);
	big[HC_CONSOLE_MAX - 1] = '\n';
	check_eq("HC_CONSOLE_WRITE of HC_CONSOLE_MAX (4096) bytes returns 4096",
		 (uint64_t)hc(HC_CONSOLE_WRITE, gpa(big), HC_CONSOLE_MAX, 0), HC_CONSOLE_MAX);
	check_eq("HC_CONSOLE_WRITE of 4097 bytes -> -HC_EINVAL",
		 (uint64_t)hc(HC_CONSOLE_WRITE, gpa(big), HC_CONSOLE_MAX + 1, 0), (uint64_t)-HC_EINVAL);

	check_eq("HC_CONSOLE_WRITE at GPA 0xfee00000 (APIC, not RAM) -> -HC_EFAULT",
		 (uint64_t)hc(HC_CONSOLE_WRITE, 0xfee00000, 8, 0), (uint64_t)-HC_EFAULT);
	check_eq("HC_CONSOLE_WRITE at GPA 1<<40 (beyond RAM) -> -HC_EFAULT",
		 (uint64_t)hc(HC_CONSOLE_WRITE, 1l << 40, 8, 0), (uint64_t)-HC_EFAULT);
	check_eq("HC_CONSOLE_WRITE wrapping past 2^64 -> -HC_EFAULT",
		 (uint64_t)hc(HC_CONSOLE_WRITE, -8l, 16, 0), (uint64_t)-HC_EFAULT);
}

static void check_numbers(void)
{
	check_eq("HC_VERSION returns 0.1", (uint64_t)hc(HC_VERSION, 0, 0, 0), VERSION);
	check_eq("call 0x1234 -> -HC_ENOSYS", (uint64_t)hc(0x1234, 0, 0, 0), (uint64_t)-HC_ENOSYS);
	check_eq("call HC_COUNT (first unused) -> -HC_ENOSYS", (uint64_t)hc(HC_COUNT, 0, 0, 0), (uint64_t)-HC_ENOSYS);
	check_eq("HC_CHAIN_APS_DONE outside chain mode -> -HC_ENOSYS", (uint64_t)hc(HC_CHAIN_APS_DONE, 0, 0, 0),
		 (uint64_t)-HC_ENOSYS);
	check_eq("call -1 -> -HC_ENOSYS", (uint64_t)hc(-1, 0, 0, 0), (uint64_t)-HC_ENOSYS);
	check_eq("HC_EXIT_COUNT(200) -> -HC_EINVAL", (uint64_t)exit_count(200), (uint64_t)-HC_EINVAL);
	check_eq("HC_EXIT_COUNT(GUEST_EXIT_COUNT) -> -HC_EINVAL", (uint64_t)exit_count(GUEST_EXIT_COUNT),
		 (uint64_t)-HC_EINVAL);
	long n = exit_count(GUEST_EXIT_COUNT - 1);
	checkf("HC_EXIT_COUNT(GUEST_EXIT_COUNT - 1) is a count", n >= 0, "got %ld", n);
	check_eq("HC_UNMAP_ONCE(0xfee00000) (not RAM) -> -HC_EFAULT",
		 (uint64_t)hc(HC_UNMAP_ONCE, 0xfee00000, 0, 0), (uint64_t)-HC_EFAULT);
}

static void check_exit_counts(void)
{
	long a = exit_count(GUEST_EXIT_HYPERCALL);
	long b = exit_count(GUEST_EXIT_HYPERCALL);
	check_eq("HC_EXIT_COUNT(VMCALL) grows by 1 per VMCALL", (uint64_t)(b - a), 1);

	a = exit_count(GUEST_EXIT_HYPERCALL);
	for (int i = 0; i < 3; i++)
		hc(HC_VERSION, 0, 0, 0);
	b = exit_count(GUEST_EXIT_HYPERCALL);
	check_eq("three HC_VERSION calls between two counts: +4", (uint64_t)(b - a), 4);
}

static void check_registers(void)
{
	register long r8 asm("r8") = 0x0808080808080808, r9 asm("r9") = 0x0909090909090909;
	register long r10 asm("r10") = 0x1010101010101010, r11 asm("r11") = 0x1111111111111111;
	register long r12 asm("r12") = 0x1212121212121212, r13 asm("r13") = 0x1313131313131313;
	register long r14 asm("r14") = 0x1414141414141414, r15 asm("r15") = 0x1515151515151515;
	long rax = HC_VERSION, rbx = 0x0b0b0b0b0b0b0b0b, rcx = 0x0c0c0c0c0c0c0c0c;
	long rdx = 0x0d0d0d0d0d0d0d0d, rsi = 0x5151515151515151, rdi = 0xd1d1d1d1d1d1d1d1;

	asm volatile("vmcall" : "+a"(rax), "+b"(rbx), "+c"(rcx), "+d"(rdx), "+S"(rsi), "+D"(rdi),
		     "+r"(r8), "+r"(r9), "+r"(r10), "+r"(r11), "+r"(r12), "+r"(r13), "+r"(r14), "+r"(r15)
		     : : "memory");
	bool same = rbx == 0x0b0b0b0b0b0b0b0b && rcx == 0x0c0c0c0c0c0c0c0c && rdx == 0x0d0d0d0d0d0d0d0d &&
		    rsi == 0x5151515151515151 && rdi == (long)0xd1d1d1d1d1d1d1d1 &&
		    r8 == 0x0808080808080808 && r9 == 0x0909090909090909 && r10 == 0x1010101010101010 &&
		    r11 == 0x1111111111111111 && r12 == 0x1212121212121212 && r13 == 0x1313131313131313 &&
		    r14 == 0x1414141414141414 && r15 == 0x1515151515151515;
	checkf("VMCALL preserves every register but RAX", same && rax == VERSION,
	       "RAX 0x%lx RBX 0x%lx RCX 0x%lx RDX 0x%lx RSI 0x%lx RDI 0x%lx R8 0x%lx R15 0x%lx",
	       rax, rbx, rcx, rdx, rsi, rdi, r8, r15);
}

static volatile long user_result = 1, user_cs;
static uint8_t user_stack[4096] __attribute__((aligned(16)));

/* iretq to CPL 3 (the identity map is U=1), VMCALL there, record RAX and CS,
 * and come back through the DPL 3 gate 0x80, which trap_try unwinds. */
static void ring3_vmcall(long arg)
{
	asm volatile("pushq %[ss]\n\t"
		     "pushq %[sp]\n\t"
		     "pushq $0x2\n\t"                      /* RFLAGS: IF=0, IOPL=0 */
		     "pushq %[cs]\n\t"
		     "leaq 1f(%%rip), %%rax\n\t"
		     "pushq %%rax\n\t"
		     "iretq\n"
		     "1:\n\t"
		     "movl %[nr], %%eax\n\t"
		     "vmcall\n\t"
		     "movq %%rax, user_result(%%rip)\n\t"
		     "movq %%cs, %%rax\n\t"
		     "movq %%rax, user_cs(%%rip)\n\t"
		     "int $0x80\n\t"
		     "ud2"
		     : : [ss] "i"(USER_DS), [sp] "r"(user_stack + sizeof(user_stack)), [cs] "i"(USER_CS),
		       [nr] "i"(HC_VERSION)
		     : "rax", "memory");
}

static void check_cpl3(void)
{
	idt_set_gate(0x80, 3, 0);
	long v = trap_try(ring3_vmcall, 0);
	checkf("ran at CPL 3 and came back through int 0x80", v == 0x80 && (user_cs & 3) == 3,
	       "%s, CS at CPL 3 0x%lx", trap_describe(v), user_cs);
	check_eq("VMCALL at CPL 3 returns -HC_EPERM", (uint64_t)user_result, (uint64_t)-HC_EPERM);
}

void main(void)
{
	check_numbers();
	check_console_write();
	check_exit_counts();
	check_registers();
	check_cpl3();
}
