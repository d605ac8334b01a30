/* tests/guests/exceptions.c - the guest's own exceptions go through its own
 * IDT without VM exits; HC_INJECT delivers exceptions as hardware would; an
 * exception whose delivery hits an unmapped page (HC_UNMAP_ONCE) is
 * re-injected once, error code included (SDM Vol. 3C, 28.2.4 and 27.5.1). */
#include "tests/guests/lib/guest.h"
#include "tests/guests/lib/insn.h"

#define ABOVE_4G 0x100000000ul      /* beyond the hypervisor's 4 GiB identity map */
#define BAD_SEL  0x1230             /* GDT index 0x246: far past our GDT's limit */

/* IST1 of #BP and #GP: its own page, so a delivery touches nothing else. */
static uint8_t ist_page[4096] __attribute__((aligned(4096)));

static volatile long inject_vector, inject_code, inject_result;

static void do_div0(long arg)
{
	asm volatile(TRAP_WANT_IP("1f") "xorl %%ecx, %%ecx\n1: divl %%ecx" : : : "rax", "rcx", "rdx", "memory");
}

static void do_ud2(long arg) { asm volatile(TRAP_WANT_IP("1f") "1: ud2" : : : "memory"); }

/* #BP is a trap: the saved RIP is the next instruction. */
static void do_int3(long arg) { asm volatile(TRAP_WANT_IP("1f") "int3\n1:" : : : "memory"); }

static void do_read(long addr)
{
	asm volatile(TRAP_WANT_IP("1f") "1: movq (%0), %%rax" : : "r"(addr) : "rax", "memory");
}

static void do_write(long addr)
{
	asm volatile(TRAP_WANT_IP("1f") "1: movq %%rax, (%0)" : : "r"(addr) : "memory");
}

static void do_bad_ds(long arg)
{
	asm volatile(TRAP_WANT_IP("1f") "movw %0, %%ax\n1: movw %%ax, %%ds" : : "i"(BAD_SEL) : "rax", "memory");
}

/* The injected exception arrives right after the VMCALL: that is its RIP. */
static void do_inject(long arg)
{
	long rax = HC_INJECT;

	asm volatile(TRAP_WANT_IP("1f") "vmcall\n1:" : "+a"(rax) : "b"(inject_vector), "c"(inject_code) : "memory");
	inject_result = rax;
}

static void check_own_exceptions(void)
{
	long before = exit_count(GUEST_EXIT_EXCEPTION);

	expect_exception("#DE from DIV by 0: vector 0 at the DIV", 0, TRAP_NO_CODE, do_div0, 0);
	expect_exception("#UD from UD2: vector 6 at the UD2", 6, TRAP_NO_CODE, do_ud2, 0);
	expect_exception("#BP from INT3: vector 3, RIP after it", 3, TRAP_NO_CODE, do_int3, 0);
	expect_exception("#PF reading 4 GiB (unmapped): error code 0", 14, 0, do_read, ABOVE_4G);
	check_eq("#PF CR2 is the address read", trap_last.cr2, ABOVE_4G);
	expect_exception("#PF writing 4 GiB + 8: error code 2 (write)", 14, 2, do_write, ABOVE_4G + 8);
	check_eq("none of them caused an exception VM exit",
		 (uint64_t)(exit_count(GUEST_EXIT_EXCEPTION) - before), 0);
}

#define RFLAGS_RF (1ul << 16)

/* HC_INJECT of VECTOR with CODE is refused with -HC_EINVAL and delivers nothing. */
static void expect_inject_refused(const char *desc, long vector, long code)
{
	inject_vector = vector;
	inject_code = code;
	inject_result = 0;
	long v = trap_try(do_inject, 0);
	checkf(desc, v == TRAP_NONE && inject_result == -HC_EINVAL, "%s, RAX %ld", trap_describe(v),
	       inject_result);
}

static bool cpu_has_cet(void)
{
	uint32_t a, b, c, d;

	asm volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(7), "c"(0));
	return (c & (1u << 7)) || (d & (1u << 20));      /* CET_SS, CET_IBT */
}

static void check_inject(void)
{
	volatile struct trap_frame *f = &trap_last.frame;

	inject_vector = 13;
	inject_code = 0x1234;
	unsigned long n = trap_count;
	expect_exception("HC_INJECT #GP(0x1234): delivered after the VMCALL with its error code", 13, 0x1234,
			 do_inject, 0);
	check_eq("delivered exactly once", trap_count - n, 1);
	check_eq("HC_INJECT returned 0 in RAX", trap_last.frame.rax, 0);
	checkf("an injected fault (#GP) pushes RFLAGS with RF set, as the CPU does", f->flags & RFLAGS_RF,
	       "RFLAGS 0x%lx", (uint64_t)f->flags);
	inject_code = 0xffff;
	expect_exception("HC_INJECT #GP(0xffff): the largest error code", 13, 0xffff, do_inject, 0);

	inject_vector = 6;
	inject_code = HC_NO_ERROR_CODE;
	expect_exception("HC_INJECT #UD (HC_NO_ERROR_CODE): no error code, RIP after the VMCALL", 6, TRAP_NO_CODE,
			 do_inject, 0);
	inject_vector = 3;
	expect_exception("HC_INJECT #BP: delivered", 3, TRAP_NO_CODE, do_inject, 0);
	checkf("an injected trap (#BP) leaves RF clear", !(f->flags & RFLAGS_RF), "RFLAGS 0x%lx",
	       (uint64_t)f->flags);

	/* Values VM entry would refuse (SDM Vol. 3C 26.2.1.3) never reach it. */
	expect_inject_refused("HC_INJECT #UD with error code 0x55 -> -HC_EINVAL (#UD has none)", 6, 0x55);
	expect_inject_refused("HC_INJECT #GP with HC_NO_ERROR_CODE -> -HC_EINVAL (#GP needs one)", 13,
			      HC_NO_ERROR_CODE);
	expect_inject_refused("HC_INJECT #GP(0x10000) -> -HC_EINVAL (error codes have 16 bits)", 13, 0x10000);
	expect_inject_refused("HC_INJECT vector 2 (NMI) with an error code -> -HC_EINVAL", 2, 0);
	expect_inject_refused("HC_INJECT vector 15 (reserved) -> -HC_EINVAL", 15, HC_NO_ERROR_CODE);
	expect_inject_refused("HC_INJECT vector 31 (reserved) -> -HC_EINVAL", 31, HC_NO_ERROR_CODE);
	expect_inject_refused("HC_INJECT vector 32 -> -HC_EINVAL", 32, HC_NO_ERROR_CODE);
	if (cpu_has_cet()) {
		inject_vector = 21;
		inject_code = 0x3;
		expect_exception("HC_INJECT #CP(3) on a CPU with CET: delivered with its error code", 21, 3,
				 do_inject, 0);
	} else {
		expect_inject_refused("HC_INJECT #CP (vector 21) without CET -> -HC_EINVAL", 21, 0);
	}
}

/* FN raises VECTOR (error code CODE) on IST1 while its page is unmapped. */
static void check_reinject(const char *name, unsigned vector, uintptr_t code, trap_fn fn)
{
	long ept = exit_count(GUEST_EXIT_STAGE2_FAULT);
	unsigned long n = trap_count;

	/* Nothing may touch the IST page between these two. */
	long r = hc(HC_UNMAP_ONCE, gpa(ist_page), 0, 0);
	bool right = expect_exception(sfmt("%s with its IST stack page unmapped: delivered right", name), vector,
				      code, fn, 0);
	unsigned long runs = trap_count - n;
	ept = exit_count(GUEST_EXIT_STAGE2_FAULT) - ept;

	check_eq(sfmt("%s: HC_UNMAP_ONCE(IST page) returns 0", name), (uint64_t)r, 0);
	checkf(sfmt("%s: the handler ran exactly once", name), right && runs == 1, "ran %lu times", runs);
	check_eq(sfmt("%s: one EPT violation (the interrupted delivery)", name), (uint64_t)ept, 1);
}

void main(void)
{
	tss_set_ist(1, (uintptr_t)ist_page + sizeof(ist_page));
	idt_set_gate(3, 0, 1);
	idt_set_gate(13, 0, 1);

	check_own_exceptions();
	check_inject();
	check_reinject("int3", 3, TRAP_NO_CODE, do_int3);
	check_reinject("#GP(0x1230) from MOV to DS", 13, BAD_SEL, do_bad_ds);
}
