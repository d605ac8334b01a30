/* guest/run/chain_done.c - the end of chain mode's joining phase
 * (HC_CHAIN_APS_DONE, docs/hypercalls.md; docs/architecture.md, "Chain
 * mode's APs"). Until hv.efi makes this call, the firmware's APs that have
 * not come under VMX are the firmware's: its INIT and start-up IPIs reach
 * them (vm.h joining_mask). After it, an AP that did not join is lost: it
 * is no vCPU and it is disabled in the guest's ACPI view, so that an OS
 * does not start it. The guest's INIT and start-up IPIs still reach it for
 * real (vm.h lost_mask): the firmware, which runs as the guest until
 * ExitBootServices, resets its APs then (EDK II MpInitLib's ExitBootServices
 * callback, HLT-loop mode: INIT-SIPI-SIPI to each, then it waits for every
 * one without a limit), so dropping them would hang the boot; and in the
 * MWAIT and run-loop modes the firmware wakes its APs by a write to memory,
 * which no IPI filter stops. So what cannot be held is said plainly: such a
 * CPU runs outside VMX, where it reaches all memory, the hypervisor's
 * included. (Dropping them was tried: efi-chain-apjoin then hung in
 * ExitBootServices.) */
#include "guest/run/chain_done.h"
#include "guest/run/chain_join.h"
#include "guest/dev/acpi_guest.h"
#include "guest/hypercall_abi.h"
#include "arch/cpu.h"
#include "arch/lapic.h"
#include "arch/msr.h"
#include "drivers/console.h"

int64_t chain_aps_done(struct vcpu *v)
{
	uint32_t lost[VM_MAX_VCPUS];
	unsigned int expected;
	int n;

	/* hv.efi calls on the boot CPU; the work below changes the guest's
	 * map, which the boot vCPU's exits own. */
	if (v != v->vm->vcpu)
		return -HC_EPERM;
	n = guests_chain_aps_done(v->vm, lost, &expected);
	if (n == -ENOENT)
		return -HC_ENOSYS;              /* not chain mode */
	if (n < 0)
		return -HC_EINVAL;              /* the second call: nothing changes */
	printf("hv: chain mode: APs done: %u of %u joined%s\n", expected - (unsigned int)n, expected,
	       n ? "" : "; the guest's INIT and start-up IPIs reach its virtual CPUs only");
	if (!n)
		return 0;
	for (int i = 0; i < n; i++)
		printf("hv: chain mode: WARNING: APIC ID %u did not join: it is OUTSIDE the hypervisor, and "
		       "isolation does not hold while it runs (it reaches all memory, the hypervisor's "
		       "included)\n", lost[i]);
	printf("hv: chain mode: WARNING: the firmware keeps %s: the guest's INIT and start-up IPIs reach "
	       "%s for real (the firmware resets its APs with them at ExitBootServices and waits for each), "
	       "and a firmware MWAIT or run loop wakes %s by a write to memory; the ACPI view disables %s "
	       "so that an OS does not start %s\n", n == 1 ? "it" : "them", n == 1 ? "it" : "them",
	       n == 1 ? "it" : "them", n == 1 ? "it" : "them", n == 1 ? "it" : "them");
	(void)acpi_guest_disable_cpus(lost, (unsigned int)n);
	return n;
}
