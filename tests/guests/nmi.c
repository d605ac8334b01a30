/* tests/guests/nmi.c - an NMI that reached the hypervisor while it ran is the
 * guest's: run with the hypervisor option testfault=nmi, which raises vector
 * 2 inside the hypervisor before the guests start; this guest must receive
 * exactly one NMI (type NMI, vector 2, no error code) at its first VM exit. */
#include "tests/guests/lib/guest.h"

static volatile unsigned nmis;
static volatile uintptr_t nmi_ip;

static void nmi_handler(struct trap_frame *f)
{
	nmis++;
	nmi_ip = f->ip;
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
	finish();
}
