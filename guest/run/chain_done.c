/* guest/run/chain_done.c - the end of chain mode's joining phase
 * (HC_CHAIN_APS_DONE, docs/hypercalls.md; docs/architecture.md, "Chain
 * mode's APs"). Until hv.efi makes this call, the firmware's APs that have
 * not come under VMX are the firmware's: its INIT and start-up IPIs reach
 * them (vm.h joining_mask). After it, an AP that did not join is lost: it
 * is no vCPU, the guest's INIT and start-up IPIs to it are dropped, it is
 * disabled in the guest's ACPI view, and the xAPIC ICR is trapped so that
 * the guest cannot reach it through the real APIC either. What the
 * hypervisor cannot stop is said plainly: such a CPU runs outside VMX,
 * where it reaches all memory, the hypervisor's included. */
#include "guest/run/chain_done.h"
#include "guest/run/ap_run.h"
#include "guest/run/memory_exits.h"
#include "guest/dev/acpi_guest.h"
#include "guest/dev/xapic_wp.h"
#include "guest/hypercall_abi.h"
#include "arch/cpu.h"
#include "arch/lapic.h"
#include "arch/msr.h"
#include "drivers/console.h"

/* The xAPIC ICR trapped from now on (as a boot with a CPU outside VMX has
 * it from the start, guest/run/run.c register_devices). */
static void trap_icr(struct vcpu *v)
{
	gpa_t base = rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_ADDR;
	int rc;

	if (xapic_wp_active())
		return;
	rc = xapic_wp_init(base);
	if (!rc)
		rc = vcpu_map_changed(v, base, base + PAGE_SIZE);
	if (rc)
		printf("hv: chain mode: WARNING: the xAPIC ICR cannot be trapped (%d): the guest's INIT and "
		       "start-up IPIs through the xAPIC reach the CPUs that did not join\n", rc);
	else
		printf("hv: chain mode: the xAPIC ICR is trapped from now on (INIT and start-up IPIs reach the "
		       "virtual CPUs only)\n");
}

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
	printf("hv: chain mode: APs done: %u of %u joined; the guest's INIT and start-up IPIs reach its "
	       "virtual CPUs only\n", expected - (unsigned int)n, expected);
	if (!n)
		return 0;
	for (int i = 0; i < n; i++)
		printf("hv: chain mode: WARNING: APIC ID %u did not join: it is OUTSIDE the hypervisor, and "
		       "isolation does not hold while it runs (it reaches all memory, the hypervisor's "
		       "included)\n", lost[i]);
	printf("hv: chain mode: WARNING: INIT and start-up IPIs to %s are dropped, so a firmware AP halted "
	       "in its HLT loop stays halted; one in an MWAIT or run loop is woken by a write to memory, "
	       "which the hypervisor cannot stop\n", n == 1 ? "it" : "them");
	(void)acpi_guest_disable_cpus(lost, (unsigned int)n);
	trap_icr(v);
	return n;
}
