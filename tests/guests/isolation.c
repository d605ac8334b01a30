/* tests/guests/isolation.c - a guest trying what a guest must not get, run
 * without the hvtest option (as users run the hypervisor): the test
 * hypercalls, the hypervisor's image (hidden memory) read, written and
 * handed to a hypercall. Then it reports and halts with interrupts off, so
 * tests/integration/test_isolation.sh can open the debug shell and compare
 * the hypervisor's memory with its image. Not in the test_guests.sh plan. */
#include "tests/guests/lib/guest.h"
#include "tests/guests/lib/insn.h"

#define HV_IMAGE 0x200000ul     /* where the hypervisor image is loaded (linker.ld); the test checks it */

#define R64(a) (*(volatile uint64_t *)(a))

static void test_calls_absent(void)
{
	static const struct { long nr; const char *name; } calls[] = {
		{ HC_EXIT_COUNT, "HC_EXIT_COUNT" }, { HC_INJECT, "HC_INJECT" },
		{ HC_UNMAP_ONCE, "HC_UNMAP_ONCE" }, { HC_MEMMAP, "HC_MEMMAP" },
		{ HC_TRAP_TEST, "HC_TRAP_TEST" },
	};

	check_eq("HC_VERSION answers 0.1", hc(HC_VERSION, 0, 0, 0), (HC_VERSION_MAJOR << 16) | HC_VERSION_MINOR);
	for (unsigned int i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		check_eq(sfmt("%s without hvtest -> -HC_ENOSYS", calls[i].name),
			 (uint64_t)hc(calls[i].nr, calls[i].nr == HC_INJECT ? 13 : 0, 0, 0), (uint64_t)-HC_ENOSYS);
}

static void hidden_memory(void)
{
	check_eq("reading the hypervisor's image gives all ones", R64(HV_IMAGE), ~0ull);
	R64(HV_IMAGE) = 0x4141414141414141ull;
	R64(HV_IMAGE + 8) = 0x4242424242424242ull;
	asm volatile("rep stosb" : : "D"(HV_IMAGE + 16), "c"(16ul), "a"(0x43) : "memory");
	check_eq("... and still all ones after writing it", R64(HV_IMAGE), ~0ull);
	check_eq("... also after REP STOSB", R64(HV_IMAGE + 16), ~0ull);
	check_eq("HC_CONSOLE_WRITE of the hypervisor's image -> -HC_EFAULT",
		 (uint64_t)hc(HC_CONSOLE_WRITE, HV_IMAGE, 16, 0), (uint64_t)-HC_EFAULT);
}

void main(void)
{
	test_calls_absent();
	hidden_memory();
	report_done();
	print("[isolation] halting with interrupts off\n");
	cli();
	for (;;)
		asm volatile("hlt" : : : "memory");
}
