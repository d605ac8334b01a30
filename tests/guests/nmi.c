/* tests/guests/nmi.c - NMIs for the guest. Run with the hypervisor option
 * testfault=nmi, which raises vector 2 inside the hypervisor before the
 * guests start: this guest must receive exactly one NMI (type NMI, vector 2,
 * no error code) at its first VM exit. Then an NMI queued while the guest is
 * inside its NMI handler (virtual-NMI blocking) must arrive right after the
 * handler's IRET, at the NMI-window exit, before the guest runs another
 * instruction; not at some later exit. */
#include "tests/guests/lib/guest.h"

static volatile unsigned nmis;
static volatile uintptr_t nmi_ip;
static volatile bool nested_test;        /* the first NMI of the second part queues another */
static volatile uintptr_t first_ip, second_ip;
static volatile long vmcalls_first, vmcalls_second, windows_first, windows_second;

static void nmi_handler(struct trap_frame *f)
{
	nmis++;
	nmi_ip = f->ip;
	if (!nested_test)
		return;
	if (!first_ip) {
		first_ip = f->ip;
		/* NMIs are blocked in here: this one must wait for the IRET. */
		hc(HC_INJECT, 2, HC_NO_ERROR_CODE, 0);
		vmcalls_first = exit_count(GUEST_EXIT_HYPERCALL);
		windows_first = exit_count(GUEST_EXIT_NMI_WINDOW);
	} else if (!second_ip) {
		second_ip = f->ip;
		vmcalls_second = exit_count(GUEST_EXIT_HYPERCALL);
		windows_second = exit_count(GUEST_EXIT_NMI_WINDOW);
	}
}

static void check_nmi_after_iret(void)
{
	unsigned before = nmis;
	long r;

	nested_test = true;
	/* Delivered when this VMCALL completes: the handler's first NMI. */
	r = hc(HC_INJECT, 2, HC_NO_ERROR_CODE, 0);
	check_eq("HC_INJECT of an NMI (vector 2) returns 0", (uint64_t)r, 0);
	hc(HC_VERSION, 0, 0, 0);
	nested_test = false;
	check_eq("both NMIs were delivered", nmis - before, 2);
	checkf("the NMI queued inside the handler came right after its IRET (same RIP, no "
	       "instruction between)", first_ip && second_ip == first_ip,
	       "first at 0x%lx, second at 0x%lx", (unsigned long)first_ip, (unsigned long)second_ip);
	check_eq("no VMCALL exit between the handler's IRET and the second NMI",
		 (uint64_t)(vmcalls_second - vmcalls_first), 2);
	check_eq("it came through one NMI-window exit", (uint64_t)(windows_second - windows_first), 1);
}

void main(void)
{
	idt_set_handler(2, nmi_handler);
	/* The first VMCALL is an exit: the pending NMI is delivered on its way back. */
	long v = hc(HC_VERSION, 0, 0, 0);
	check_eq("HC_VERSION works", (uint64_t)v, (HC_VERSION_MAJOR << 16) | HC_VERSION_MINOR);
	check_eq("exactly one NMI was delivered", nmis, 1);
	checkf("it interrupted the guest's own code", nmi_ip >= 0x1000000 && nmi_ip < 0x1100000,
	       "RIP 0x%lx", (unsigned long)nmi_ip);
	hc(HC_VERSION, 0, 0, 0);
	check_eq("no second NMI after more exits", nmis, 1);
	check_nmi_after_iret();
	finish();
}
